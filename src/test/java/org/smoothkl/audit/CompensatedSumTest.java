package org.smoothkl.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Adversarial sums for {@link CompensatedSum}. Each case also runs a plain double loop on the
 * same terms and shows that it fails, so the test proves it can tell compensation from none.
 */
class CompensatedSumTest {
    private static final int ONES = 2_000_000;
    private static final double BIG = 1e16; // ulp(1e16) = 2: 1e16 + 1 rounds back to 1e16

    @Test
    void oneHugeValueThenManyOnesSumsExactly() {
        CompensatedSum s = new CompensatedSum().add(BIG);
        double plain = BIG;
        for (int i = 0; i < ONES; i++) {
            s.add(1.0);
            plain += 1.0;
        }
        BigDecimal exact = new BigDecimal(BIG).add(BigDecimal.valueOf(ONES));
        assertThat(new BigDecimal(s.value())).isEqualByComparingTo(exact);
        assertThat(s.value()).isEqualTo(BIG + 2e6);
        // The plain loop loses every single one: the test has the power to see the difference.
        assertThat(plain).isNotEqualTo(BIG + 2e6);
        assertThat(exact.subtract(new BigDecimal(plain)).abs()).isGreaterThanOrEqualTo(BigDecimal.valueOf(ONES / 2));
    }

    @Test
    void mergingTwoPartialSumsEqualsTheSingleSum() {
        CompensatedSum single = new CompensatedSum().add(BIG);
        CompensatedSum head = new CompensatedSum().add(BIG);
        CompensatedSum tail = new CompensatedSum();
        for (int i = 0; i < ONES; i++) {
            single.add(1.0);
            (i < ONES / 2 ? head : tail).add(1.0);
        }
        double expected = single.value();
        assertThat(head.copy().merge(tail).value()).isEqualTo(expected);
        assertThat(tail.copy().merge(head).value()).isEqualTo(expected);
        // A partial that holds only the lost ones must carry them through the merge.
        assertThat(head.value()).isEqualTo(BIG + ONES / 2);
    }

    @Test
    void cancellationThatKahanAndPlainSummationMiss() {
        // Neumaier's variant keeps the 1s that a huge term swallows even when the huge term comes second.
        double[] terms = {1.0, 1e100, 1.0, -1e100};
        CompensatedSum s = new CompensatedSum();
        double plain = 0;
        for (double t : terms) {
            s.add(t);
            plain += t;
        }
        assertThat(s.value()).isEqualTo(2.0);
        assertThat(plain).isNotEqualTo(2.0);

        CompensatedSum left = new CompensatedSum().add(terms[0]).add(terms[1]);
        CompensatedSum right = new CompensatedSum().add(terms[2]).add(terms[3]);
        assertThat(left.copy().merge(right).value()).isEqualTo(2.0);
        assertThat(right.copy().merge(left).value()).isEqualTo(2.0);
    }

    @Test
    void randomTreeOfMergesStaysAtTheExactSum() {
        SplittableRandom random = new SplittableRandom(20261128L);
        int n = 200_000;
        double[] x = new double[n];
        BigDecimal exact = BigDecimal.ZERO;
        for (int i = 0; i < n; i++) {
            // Non-negative terms spread over 30 decades, like per-row losses.
            x[i] = random.nextDouble() * Math.pow(10, random.nextInt(-15, 15));
            exact = exact.add(new BigDecimal(x[i]));
        }
        double exactDouble = exact.doubleValue();

        CompensatedSum single = new CompensatedSum();
        for (double v : x) {
            single.add(v);
        }
        assertThat(relativeError(single.value(), exact)).isLessThanOrEqualTo(1e-15);

        // Random chunks, merged in a random order, pairwise, until one is left.
        List<CompensatedSum> parts = new ArrayList<>();
        int i = 0;
        while (i < n) {
            int len = random.nextInt(1, 5000);
            CompensatedSum p = new CompensatedSum();
            for (int j = i; j < Math.min(n, i + len); j++) {
                p.add(x[j]);
            }
            parts.add(p);
            i += len;
        }
        while (parts.size() > 1) {
            CompensatedSum a = parts.remove(random.nextInt(parts.size()));
            CompensatedSum b = parts.remove(random.nextInt(parts.size()));
            parts.add(a.merge(b));
        }
        assertThat(relativeError(parts.get(0).value(), exact)).isLessThanOrEqualTo(1e-15);
        assertThat(Math.abs(parts.get(0).value() - exactDouble)).isLessThanOrEqualTo(2 * Math.ulp(exactDouble));
    }

    @Test
    void copyIsIndependent() {
        CompensatedSum a = new CompensatedSum().add(BIG).add(1.0).add(1.0);
        CompensatedSum b = a.copy();
        b.add(1e6);
        assertThat(a.value()).isEqualTo(BIG + 2);
        assertThat(b.value()).isEqualTo(BIG + 2 + 1e6);
    }

    @Test
    void infinitySurvivesAddAndMerge() {
        // A valid row can have an infinite loss (finite logits 1e308 and -1e308 differ by more
        // than Double.MAX_VALUE). The state of the whole must then be +Infinity, merged or not.
        CompensatedSum single = new CompensatedSum().add(1.0).add(Double.POSITIVE_INFINITY).add(2.0);
        assertThat(single.value()).isEqualTo(Double.POSITIVE_INFINITY);

        CompensatedSum a = new CompensatedSum().add(1.0).add(Double.POSITIVE_INFINITY);
        CompensatedSum b = new CompensatedSum().add(2.0);
        assertThat(a.copy().merge(b).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(b.copy().merge(a).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(new CompensatedSum().merge(a).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(new CompensatedSum().merge(new CompensatedSum().merge(a)).value()).isEqualTo(Double.POSITIVE_INFINITY);

        CompensatedSum neg = new CompensatedSum().add(-1.0).add(Double.NEGATIVE_INFINITY);
        assertThat(neg.copy().merge(b).value()).isEqualTo(Double.NEGATIVE_INFINITY);
        // +Infinity and -Infinity together have no sum.
        assertThat(a.copy().merge(neg).value()).isNaN();
    }

    @Test
    void emptySumIsZero() {
        assertThat(new CompensatedSum().value()).isZero();
        assertThat(new CompensatedSum().merge(new CompensatedSum()).value()).isZero();
    }

    private static double relativeError(double got, BigDecimal exact) {
        return new BigDecimal(got).subtract(exact).abs().doubleValue() / exact.abs().doubleValue();
    }
}
