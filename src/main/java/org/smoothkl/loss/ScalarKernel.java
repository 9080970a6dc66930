package org.smoothkl.loss;

/**
 * The reference row kernel: plain loops in double, the formulas of SEMANTICS.md.
 *
 * <pre>
 *   M  = max_j z_j,  m = first argmax           (raw logits)
 *   L  = log Σ_j exp(z_j − M)
 *   −lp_j = L + (M − z_j)                        (stable form: never z_j − (M + L))
 *   nll    = −lp_y
 *   H(q,p) = q_y·nll + q_o·Σ_{j∉{y,pad}} −lp_j
 *   KL     = q_y(log q_y + nll) + q_o·Σ_{j∉{y,pad}} (log q_o − lp_j)     (0·log 0 = 0)
 *   gap    = z_m − mean_{j≠m} z_j = Σ_j (M − z_j) / (K − 1)
 *   gap*   = log(q_y / q_o)
 *   conf   = max_j p_j = exp(−L)                                        (top-1 probability)
 * </pre>
 *
 * Every term M − z_j is ≥ 0, so the sums above add numbers of one sign and lose nothing to
 * cancellation. Checks, in order: ε in [0, 1]; the reader's own problem; too few classes;
 * null / NaN / ±Inf logits; then a label equal to the ignore index is ignored (whatever ε is:
 * the seed applied ignore_index only at ε = 0), any other label outside [0, K) is invalid.
 */
public final class ScalarKernel implements RowKernel {
    private final Smoothing smoothing;

    public ScalarKernel(Smoothing smoothing) {
        this.smoothing = smoothing;
    }

    @Override
    public Smoothing smoothing() {
        return smoothing;
    }

    @Override
    public void compute(LogitBatch in, MetricsBatch out) {
        out.reset(in.rows());
        int[] offsets = in.offsets();
        double[] z = in.values();
        for (int i = 0; i < in.rows(); i++) {
            computeRow(z, offsets[i], offsets[i + 1], in.label(i), in.inputProblem(i), out, i);
        }
    }

    private void computeRow(double[] z, int from, int to, long label, InvalidReason inputProblem,
                            MetricsBatch out, int i) {
        TargetConvention convention = smoothing.convention();
        double eps = smoothing.epsilon();
        int k = to - from;
        if (!smoothing.epsilonInRange()) {
            out.setInvalid(i, InvalidReason.EPSILON_OUT_OF_RANGE);
            return;
        }
        if (inputProblem != null) {
            out.setInvalid(i, inputProblem);
            return;
        }
        if (k < convention.minClasses()) {
            out.setInvalid(i, InvalidReason.TOO_FEW_CLASSES);
            return;
        }

        // Max, first argmax and finiteness in one pass.
        double max = Double.NEGATIVE_INFINITY;
        int argmax = -1;
        for (int j = from; j < to; j++) {
            double v = z[j];
            if (Double.isNaN(v)) {
                out.setInvalid(i, InvalidReason.NAN_LOGIT);
                return;
            }
            if (Double.isInfinite(v)) {
                out.setInvalid(i, InvalidReason.INF_LOGIT);
                return;
            }
            if (v > max) {
                max = v;
                argmax = j - from;
            }
        }

        double sumExp = 0;
        double sumBelowMax = 0; // Σ_j (M − z_j)
        for (int j = from; j < to; j++) {
            double d = max - z[j];
            sumBelowMax += d;
            sumExp += Math.exp(-d);
        }
        double logSumExp = Math.log(sumExp);
        double gap = sumBelowMax / (k - 1);
        double gapOpt = convention.optimalGap(k, eps);
        double confidence = Math.exp(-logSumExp);

        if (label == smoothing.ignoreIndex()) {
            out.set(i, RowStatus.IGNORED, 0, 0, 0, gap, gapOpt, confidence, argmax, false);
            return;
        }
        if (label < 0 || label >= k) {
            out.setInvalid(i, InvalidReason.LABEL_OUT_OF_RANGE);
            return;
        }
        int y = (int) label;
        long pad = convention.excludesPadClass() ? smoothing.ignoreIndex() : -1;
        if (convention.excludesPadClass() && (pad < 0 || pad >= k)) {
            out.setInvalid(i, InvalidReason.PAD_INDEX_OUT_OF_RANGE);
            return;
        }

        // Σ over the classes that carry q_o: every class but the label and the pad class.
        double otherBelowMax = 0;
        for (int j = 0; j < k; j++) {
            if (j != y && j != pad) {
                otherBelowMax += max - z[from + j];
            }
        }
        int others = convention.otherClassCount(k);
        double nll = logSumExp + (max - z[from + y]);
        double otherNegLogP = others * logSumExp + otherBelowMax;

        double qy = convention.labelProbability(k, eps);
        double qo = convention.otherProbability(k, eps);
        double ce = qy * nll + (qo == 0 ? 0 : qo * otherNegLogP);
        double kl = (qy == 0 ? 0 : qy * (Math.log(qy) + nll))
                + (qo == 0 ? 0 : qo * (others * Math.log(qo) + otherNegLogP));
        out.set(i, RowStatus.VALID, kl, ce, nll, gap, gapOpt, confidence, argmax, argmax == y);
    }
}
