package org.smoothkl.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import jdk.incubator.vector.DoubleVector;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorExp} against {@link StrictMath#exp} (fdlibm, the same bits on every JVM): at most
 * 1 ulp on [{@value VectorExp#FLUSH_BELOW}, 0] over 16M random points and the edges of the
 * polynomial's range, +0 below (where exp is subnormal or 0), exactly 1 at ±0; lane-wise and
 * per-value forms give the same bits.
 */
class VectorExpTest {
    private static final int LANES = DoubleVector.SPECIES_PREFERRED.length();

    /** Distance in ulps (of the reference result) between two non-negative doubles. */
    private static long ulps(double got, double want) {
        return Math.abs(Double.doubleToRawLongBits(got) - Double.doubleToRawLongBits(want));
    }

    private static double vectorExp(double x) {
        double[] in = new double[LANES];
        java.util.Arrays.fill(in, x);
        double[] out = new double[LANES];
        VectorExp.exp(DoubleVector.fromArray(DoubleVector.SPECIES_PREFERRED, in, 0)).intoArray(out, 0);
        return out[LANES - 1];
    }

    @Test
    void withinOneUlpOfStrictMathExpOverTheNormalRange() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 1 << 24;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (i % 6) {
                case 0 -> -745 * r.nextDouble(); // uniform over [−745, 0]
                case 1 -> -r.nextDouble(); // the bulk of softmax terms
                case 2 -> -Math.pow(2, -60 * r.nextDouble()) * 40; // logarithmic spread down to 0
                case 3 -> -Math.scalb(r.nextDouble(), r.nextInt(-1074, 10)); // every binade
                // where x / ln 2 is near a half-integer: r near ±ln 2 / 2, the ends of the polynomial's range
                case 4 -> -(r.nextInt(0, 1023) + 0.5) * Math.log(2) + r.nextDouble(-1e-9, 1e-9);
                default -> VectorExp.FLUSH_BELOW + r.nextDouble(); // just above the flush
            };
        }
        double[] got = new double[n];
        int j = 0;
        for (; j + LANES <= n; j += LANES) {
            VectorExp.exp(DoubleVector.fromArray(DoubleVector.SPECIES_PREFERRED, x, j)).intoArray(got, j);
        }
        long worst = 0;
        long off = 0;
        int flushed = 0;
        for (int i = 0; i < j; i++) {
            double want = StrictMath.exp(x[i]);
            assertThat(Double.doubleToRawLongBits(VectorExp.exp(x[i]))).as("scalar form at %s", x[i])
                    .isEqualTo(Double.doubleToRawLongBits(got[i]));
            if (x[i] < VectorExp.FLUSH_BELOW) {
                assertThat(got[i]).as("flushed at %s", x[i]).isEqualTo(0.0).isLessThan(2.3e-308);
                assertThat(Double.doubleToRawLongBits(got[i])).isZero(); // +0, not −0
                flushed++;
                continue;
            }
            long u = ulps(got[i], want);
            worst = Math.max(worst, u);
            off += u == 0 ? 0 : 1;
        }
        assertThat(flushed).isGreaterThan(100);
        assertThat(worst).as("max ulp error, %d of %d not correctly rounded", off, j).isLessThanOrEqualTo(1);
        System.out.printf("VectorExp: max error %d ulp; %d of %d results differ from StrictMath.exp%n", worst, off, j);
    }

    @Test
    void edgeCases() {
        double[][] cases = {
            {0.0, 1.0}, {-0.0, 1.0}, {-Double.MIN_VALUE, 1.0}, {-1e-300, 1.0}, {-0x1p-54, 1.0},
            {-0x1p-52, StrictMath.exp(-0x1p-52)}, {-1, StrictMath.exp(-1)}, {-Math.log(2), 0.5}, {-708, StrictMath.exp(-708)},
            {-708.39, StrictMath.exp(-708.39)}, {-0.5 * Math.log(2), StrictMath.exp(-0.5 * Math.log(2))},
            {-1.5 * Math.log(2), StrictMath.exp(-1.5 * Math.log(2))}, {-1021.5 * Math.log(2), StrictMath.exp(-1021.5 * Math.log(2))}, {-708.4, 0}, {-745, 0}, {-745.2, 0}, {-746, 0}, {-1e300, 0},
            {-Double.MAX_VALUE, 0}, {Double.NEGATIVE_INFINITY, 0},
        };
        for (double[] c : cases) {
            double x = c[0];
            double want = c[1];
            for (double got : new double[] {vectorExp(x), VectorExp.exp(x)}) {
                assertThat(got).as("exp(%s)", x).isGreaterThanOrEqualTo(0);
                assertThat(ulps(got, want)).as("exp(%s) = %s, want %s", x, got, want).isLessThanOrEqualTo(1);
            }
        }
        assertThat(VectorExp.exp(0.0)).isEqualTo(1.0);
        assertThat(VectorExp.exp(-Math.log(2))).isEqualTo(0.5);
        assertThat(Double.doubleToRawLongBits(vectorExp(Double.NEGATIVE_INFINITY))).isZero();
        assertThat(Math.exp(-708.39)).isGreaterThan(Double.MIN_NORMAL); // the flush threshold keeps every normal result above it
    }
}
