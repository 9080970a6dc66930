package org.smoothkl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** PSI and the Jensen–Shannon distance against hand-computed values and their defining properties. */
class HistogramDistanceTest {

    @Test
    void identicalHistogramsAreExactlyZeroApart() {
        long[] h = {0, 5, 17, 0, 300, 2, 0};
        assertThat(HistogramDistance.psi(h, h)).isEqualTo(0.0);
        assertThat(HistogramDistance.jensenShannon(h, h)).isEqualTo(0.0);
        // Same shape, different totals: the fractions are what is compared (PSI only up to smoothing).
        long[] twice = {0, 10, 34, 0, 600, 4, 0};
        assertThat(HistogramDistance.jensenShannon(h, twice)).isEqualTo(0.0);
    }

    @Test
    void psiOfAHandWorkedExample() {
        // run {30, 70}, baseline {50, 50}, smoothing ½: p = (30.5/101, 70.5/101), q = (50.5/101, 50.5/101).
        double p0 = 30.5 / 101;
        double p1 = 70.5 / 101;
        double q = 50.5 / 101;
        double expected = (p0 - q) * Math.log(p0 / q) + (p1 - q) * Math.log(p1 / q);
        assertThat(HistogramDistance.psi(new long[] {30, 70}, new long[] {50, 50})).isCloseTo(expected, within(1e-15));
        assertThat(expected).isCloseTo(0.1659, within(1e-4)); // 0.0999 + 0.0661
    }

    @Test
    void emptyBinsAreSmoothedSoPsiStaysFinite() {
        long[] run = {100, 0};
        long[] baseline = {0, 100};
        double p = 100.5 / 101;
        double q = 0.5 / 101;
        double expected = 2 * (p - q) * Math.log(p / q);
        assertThat(HistogramDistance.psi(run, baseline)).isFinite().isCloseTo(expected, within(1e-12));
        assertThat(HistogramDistance.SMOOTHING).isEqualTo(0.5);
    }

    @Test
    void jensenShannonOfHandWorkedExamples() {
        // Disjoint supports: 1 bit, the maximum.
        assertThat(HistogramDistance.jensenShannon(new long[] {7, 0}, new long[] {0, 3})).isCloseTo(1.0, within(1e-15));
        // p = (½, ½), q = (1, 0): m = (¾, ¼); JSD = ½[½log2(⅔) + ½log2(2)] + ½[log2(4/3)] bits.
        double jsd = 0.5 * (0.5 * log2(0.5 / 0.75) + 0.5 * log2(0.5 / 0.25)) + 0.5 * log2(1 / 0.75);
        assertThat(HistogramDistance.jensenShannon(new long[] {1, 1}, new long[] {4, 0}))
                .isCloseTo(Math.sqrt(jsd), within(1e-15));
    }

    @Test
    void bothAreSymmetricAndJensenShannonIsBounded() {
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 200; t++) {
            long[] a = new long[12];
            long[] b = new long[12];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextInt(4) == 0 ? 0 : r.nextInt(1000);
                b[i] = r.nextInt(4) == 0 ? 0 : r.nextInt(1000);
            }
            a[0]++;
            b[0]++;
            double psi = HistogramDistance.psi(a, b);
            assertThat(psi).isGreaterThanOrEqualTo(0).isCloseTo(HistogramDistance.psi(b, a), within(1e-12));
            double js = HistogramDistance.jensenShannon(a, b);
            assertThat(js).isBetween(0.0, 1.0).isCloseTo(HistogramDistance.jensenShannon(b, a), within(1e-12));
        }
    }

    @Test
    void emptyHistogramsHaveNoDistanceAndBinsMustMatch() {
        assertThat(HistogramDistance.psi(new long[3], new long[] {1, 2, 3})).isNaN();
        assertThat(HistogramDistance.jensenShannon(new long[] {1, 2, 3}, new long[3])).isNaN();
        assertThatThrownBy(() -> HistogramDistance.psi(new long[2], new long[3])).isInstanceOf(IllegalArgumentException.class);
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
