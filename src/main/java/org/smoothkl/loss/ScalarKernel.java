package org.smoothkl.loss;

/** The reference kernel: the formulas of {@link AbstractRowKernel} with plain loops and {@link Math#exp}. */
public final class ScalarKernel extends AbstractRowKernel {

    public ScalarKernel(Smoothing smoothing) {
        super(smoothing);
    }

    @Override
    Scan scan(double[] z, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        int argmax = -1;
        for (int j = from; j < to; j++) {
            double v = z[j];
            if (Double.isNaN(v)) {
                return Scan.invalid(InvalidReason.NAN_LOGIT);
            }
            if (Double.isInfinite(v)) {
                return Scan.invalid(InvalidReason.INF_LOGIT);
            }
            if (v > max) {
                max = v;
                argmax = j - from;
            }
        }
        return new Scan(max, argmax, null);
    }

    @Override
    double sumExp(double[] z, int from, int to, double max) {
        double s = 0;
        for (int j = from; j < to; j++) {
            s += Math.exp(z[j] - max);
        }
        return s;
    }

    @Override
    double sumBelowMax(double[] z, int from, int to, double max) {
        double s = 0;
        for (int j = from; j < to; j++) {
            s += max - z[j];
        }
        return s;
    }
}
