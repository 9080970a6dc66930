package org.smoothkl.loss;

/** The reference kernel: the formulas of {@link AbstractRowKernel} with plain loops and {@link Math#exp}. */
public final class ScalarKernel extends AbstractRowKernel {

    public ScalarKernel(Smoothing smoothing) {
        super(smoothing);
    }

    @Override
    Scan scan(double[] z, int from, int to) {
        return scanRow(z, from, to);
    }

    /** The reference scan, also the Vector API kernel's path for rows that hold a non-finite value. */
    static Scan scanRow(double[] z, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        int argmax = -1;
        int firstNan = -1;
        int firstPosInf = -1;
        int firstNegInf = -1;
        for (int j = from; j < to; j++) {
            double v = z[j];
            if (Double.isNaN(v)) {
                firstNan = firstNan < 0 ? j - from : firstNan;
                continue;
            }
            if (v == Double.POSITIVE_INFINITY && firstPosInf < 0) {
                firstPosInf = j - from;
            } else if (v == Double.NEGATIVE_INFINITY && firstNegInf < 0) {
                firstNegInf = j - from;
            }
            if (v > max) {
                max = v;
                argmax = j - from;
            }
            min = Math.min(min, v);
        }
        return new Scan(max, argmax, min, firstNan, firstPosInf, firstNegInf);
    }

    @Override
    void log(double[] z, int from, int to, double[] out) {
        for (int j = from; j < to; j++) {
            out[j - from] = Math.log(z[j]);
        }
    }

    /** The reference's passes: Σ exp, then Σ (max − z_j) over each of the three ranges. */
    @Override
    void sums(double[] z, int from, int to, double max, int a, int b, double[] sums) {
        sums[0] = sumExp(z, from, to, max);
        int k = to - from;
        sums[1] = sumBelowMax(z, from, from + Math.min(a, k), max)
                + sumBelowMax(z, from + Math.min(a + 1, k), from + Math.min(b, k), max)
                + sumBelowMax(z, from + Math.min(b + 1, k), to, max);
    }

    private static double sumExp(double[] z, int from, int to, double max) {
        double s = 0;
        for (int j = from; j < to; j++) {
            s += Math.exp(z[j] - max);
        }
        return s;
    }

    /** Σ_{j ∈ [from, to)} (max − z_j); 0 for an empty range. */
    private static double sumBelowMax(double[] z, int from, int to, double max) {
        double s = 0;
        for (int j = from; j < to; j++) {
            s += max - z[j];
        }
        return s;
    }
}
