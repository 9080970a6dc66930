package org.smoothkl.loss;

/**
 * The row formulas of SEMANTICS.md, once; subclasses supply only the loops over a row's
 * logits (scalar, or with the JDK Vector API), so every kernel shares one definition of the maths.
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
 *   conf   = max_j p_j = exp(−L) = 1 / Σ_j exp(z_j − M)                 (top-1 probability)
 * </pre>
 *
 * Every term M − z_j is ≥ 0, so the sums above add numbers of one sign and lose nothing to
 * cancellation; Σ_{j∉{y,pad}} is summed over the ranges between y and pad, never as a total
 * minus the excluded terms. Checks, in order: ε in [0, 1]; the reader's own problem; too few
 * classes; NaN / ±Inf logits; then a label equal to the ignore index is ignored (whatever ε
 * is: the seed applied ignore_index only at ε = 0), any other label outside [0, K) is invalid.
 *
 * <p>Probabilities and log-probabilities ({@link InputKind}): z are log-probabilities lp, given
 * (LOG_PROBS) or taken as log p (PROBS, into a scratch row), and used as they are, not
 * renormalised: L = −M, so −lp_j = L + (M − z_j) = −z_j and conf = exp(M). A row must be a
 * distribution: p finite and ≥ 0 (PROBS), lp not NaN or +∞ (−∞, p = 0, is allowed), and
 * |Σ_j exp(lp_j) − 1| = |exp(M)·Σ_j exp(z_j − M) − 1| within the tolerance. A zero probability
 * makes M − z_j = +∞: the losses that weigh it, and the gap, are +∞; 0·∞ terms (q = 0) are
 * skipped as 0·log 0 is, so no NaN arises.
 */
abstract class AbstractRowKernel implements RowKernel {
    private final Smoothing smoothing;
    /** The per-K constants of the last K seen: rows of one dataset mostly share K. */
    private Targets targets;

    AbstractRowKernel(Smoothing smoothing) {
        this.smoothing = smoothing;
    }

    /** q_y, q_o, their logs (0·log 0 handled by the callers), how many classes carry q_o, and gap*. */
    private record Targets(int classes, double qy, double qo, double logQy, double logQo, int others, double gapOpt) {
        static Targets of(TargetConvention c, int k, double eps) {
            double qy = c.labelProbability(k, eps);
            double qo = c.otherProbability(k, eps);
            return new Targets(k, qy, qo, Math.log(qy), Math.log(qo), c.otherClassCount(k), c.optimalGap(k, eps));
        }
    }

    private Targets targets(int k) {
        Targets t = targets;
        if (t == null || t.classes() != k) {
            t = Targets.of(smoothing.convention(), k, smoothing.epsilon());
            targets = t;
        }
        return t;
    }

    @Override
    public final Smoothing smoothing() {
        return smoothing;
    }

    /** Max, first argmax and min of z[from, to), and which non-finite values it holds. */
    abstract Scan scan(double[] z, int from, int to);

    /** out[j − from] = log z_j for j ∈ [from, to) (log 0 = −∞). */
    abstract void log(double[] z, int from, int to, double[] out);

    /**
     * The two sums a row needs after its scan: {@code sums[0]} = Σ_{j ∈ [from, to)} exp(z_j − max)
     * and {@code sums[1]} = Σ (max − z_j) over the same j except the offsets {@code a} and {@code b}
     * (0 ≤ a < b ≤ K; K: no exclusion), summed over the ranges between them, never as a total
     * minus the excluded terms.
     */
    abstract void sums(double[] z, int from, int to, double max, int a, int b, double[] sums);

    /**
     * What {@link #scan} found: max, first argmax (offset in the row; −1 when every value is −∞ or
     * NaN) and min over the non-NaN values, and the offset of the first NaN, +∞ and −∞ (−1: none).
     */
    record Scan(double max, int argmax, double min, int firstNan, int firstPosInf, int firstNegInf) {
        /**
         * The reason these values are not acceptable as {@code kind}, or null. Of several
         * unacceptable values the first in row order names the reason, as cuDF's kernel does.
         */
        InvalidReason problem(InputKind kind) {
            int inf = switch (kind) {
                case LOGITS -> firstOf(firstPosInf, firstNegInf);
                case LOG_PROBS, PROBS -> firstPosInf; // −∞: a zero probability (PROBS: caught as negative)
            };
            int first = firstOf(firstNan, inf);
            if (first >= 0) {
                return first == firstNan ? InvalidReason.NAN_LOGIT : InvalidReason.INF_LOGIT;
            }
            return kind == InputKind.PROBS && min < 0 ? InvalidReason.NEGATIVE_PROBABILITY : null;
        }

        private static int firstOf(int a, int b) {
            return a < 0 ? b : b < 0 ? a : Math.min(a, b);
        }
    }

    /** log p of the row being scored, for {@link InputKind#PROBS}. */
    private double[] logs = new double[0];
    /** {@link #sums}' results for the row being scored (no allocation per row). */
    private final double[] sums = new double[2];

    @Override
    public final void compute(LogitBatch in, MetricsBatch out) {
        out.reset(in.rows());
        int[] offsets = in.offsets();
        double[] z = in.values();
        int block = blockRows();
        int i = 0;
        while (i < in.rows()) {
            if (block > 1 && i + block <= in.rows() && blockApplies(in, i, block)) {
                computeBlock(in, i, block, out);
                i += block;
                continue;
            }
            computeRow(z, offsets[i], offsets[i + 1], in.label(i), in.inputProblem(i), out, i);
            i++;
        }
    }

    /**
     * How many rows {@link #scanAndSumBlock} scores at once; 1: the kernel has no block path. The
     * block path must give the same bits as {@link #scan} and {@link #sums} row by row.
     */
    int blockRows() {
        return 1;
    }

    /** The largest K the block path takes. */
    int blockMaxClasses() {
        return 0;
    }

    /**
     * Scores rows {@code [first, first + blockRows())} of {@code z}, each of {@code k} values from
     * {@code offsets[first + r]}, for {@link InputKind#LOGITS} and {@link InputKind#LOG_PROBS}: into
     * {@code max}, {@code argmax}, {@code min} the scan, into {@code sumExp} and {@code sumBelow} the
     * two sums of {@link #sums} with the excluded offsets {@code a[r]}, {@code b[r]}. A row whose max or
     * min is not finite (it holds a NaN or ±∞) is scored again by {@link #computeRow}.
     */
    void scanAndSumBlock(double[] z, int[] offsets, int first, int k, int[] a, int[] b, Block result) {
        throw new UnsupportedOperationException("no block path");
    }

    /** The block path's per-row results ({@link #scanAndSumBlock}). */
    static final class Block {
        final double[] max;
        final double[] min;
        final int[] argmax;
        final double[] sumExp;
        final double[] sumBelow;
        final int[] a;
        final int[] b;

        Block(int rows) {
            max = new double[rows];
            min = new double[rows];
            argmax = new int[rows];
            sumExp = new double[rows];
            sumBelow = new double[rows];
            a = new int[rows];
            b = new int[rows];
        }
    }

    private Block blockScratch;
    /** Rows scored through the block path so far (tests check that the path is taken). */
    long blockRowsScored;

    /** Whether rows [i, i + n) can go through the block path: one short K, no reader problem, no log to take. */
    private boolean blockApplies(LogitBatch in, int i, int n) {
        if (smoothing.inputKind() == InputKind.PROBS || !smoothing.epsilonInRange()) {
            return false;
        }
        int[] offsets = in.offsets();
        int k = offsets[i + 1] - offsets[i];
        if (k > blockMaxClasses() || k < smoothing.convention().minClasses()) {
            return false;
        }
        for (int r = i; r < i + n; r++) {
            if (offsets[r + 1] - offsets[r] != k || in.inputProblem(r) != null) {
                return false;
            }
        }
        return true;
    }

    private void computeBlock(LogitBatch in, int first, int n, MetricsBatch out) {
        Block blk = blockScratch;
        if (blk == null || blk.max.length != n) {
            blk = new Block(n);
            blockScratch = blk;
        }
        int[] offsets = in.offsets();
        double[] z = in.values();
        int k = offsets[first + 1] - offsets[first];
        for (int r = 0; r < n; r++) {
            long ab = excluded(in.label(first + r), k);
            blk.a[r] = (int) (ab >>> 32);
            blk.b[r] = (int) ab;
        }
        scanAndSumBlock(z, offsets, first, k, blk.a, blk.b, blk);
        blockRowsScored += n;
        for (int r = 0; r < n; r++) {
            int i = first + r;
            if (!Double.isFinite(blk.max[r]) || !Double.isFinite(blk.min[r])) {
                computeRow(z, offsets[i], offsets[i + 1], in.label(i), null, out, i);
            } else {
                finishRow(z, offsets[i], k, in.label(i), blk.max[r], blk.argmax[r], blk.sumExp[r], blk.sumBelow[r], out, i);
            }
        }
    }

    /**
     * The offsets a ≤ b (packed a &lt;&lt; 32 | b) that the sum of (M − z_j) leaves out: none (K, K) for
     * an ignored row (its gap sums every class) or a label or pad out of range, else the label and,
     * under OTHERS_EXCEPT_PAD, the pad class.
     */
    private long excluded(long label, int k) {
        int a = k;
        int b = k;
        if (label != smoothing.ignoreIndex() && label >= 0 && label < k && padInRange(k)) {
            int y = (int) label;
            int pad = pad(k);
            a = pad < 0 ? y : Math.min(y, pad);
            b = pad < 0 ? k : Math.max(y, pad);
        }
        return (long) a << 32 | b;
    }

    /** Whether the pad class, where the convention excludes one, is a class of a K-class row. */
    private boolean padInRange(int k) {
        long p = smoothing.ignoreIndex();
        return !smoothing.convention().excludesPadClass() || (p >= 0 && p < k);
    }

    /** The excluded pad class of a K-class row, or −1 (none, or out of range). ≠ y: a label equal to the pad is ignored. */
    private int pad(int k) {
        return smoothing.convention().excludesPadClass() && padInRange(k) ? (int) smoothing.ignoreIndex() : -1;
    }

    private void computeRow(double[] z, int from, int to, long label, InvalidReason inputProblem,
                            MetricsBatch out, int i) {
        TargetConvention convention = smoothing.convention();
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
        InputKind kind = smoothing.inputKind();
        Scan scan = scan(z, from, to);
        InvalidReason bad = scan.problem(kind);
        if (bad != null) {
            out.setInvalid(i, bad);
            return;
        }
        if (kind == InputKind.PROBS) { // from here on z are the log-probabilities log p
            if (logs.length < k) {
                logs = new double[Math.max(k, 2 * logs.length)];
            }
            log(z, from, to, logs);
            z = logs;
            from = 0;
            to = k;
            scan = scan(z, from, to);
        }
        double max = scan.max();
        long ab = excluded(label, k);
        double[] s = this.sums;
        sums(z, from, to, max, (int) (ab >>> 32), (int) ab, s);
        finishRow(z, from, k, label, max, scan.argmax(), s[0], s[1], out, i);
    }

    /**
     * The metrics of a row from its scan and {@link #sums} (sumExp, sumBelow), both over z[from, from
     * + k). The checks on the label come after the normalisation check, as they always did.
     */
    private void finishRow(double[] z, int from, int k, long label, double max, int argmax, double sumExp,
                           double sumBelow, MetricsBatch out, int i) {
        InputKind kind = smoothing.inputKind();
        boolean ignored = label == smoothing.ignoreIndex();
        boolean labelInRange = label >= 0 && label < k;
        boolean padInRange = padInRange(k);
        int y = labelInRange ? (int) label : -1;
        int pad = pad(k);
        double logSumExp;
        if (kind == InputKind.LOGITS) {
            logSumExp = Math.log(sumExp);
        } else {
            // Σ p = exp(M)·Σ exp(lp_j − M); all p = 0 (M = −∞) is no distribution either.
            double total = max == Double.NEGATIVE_INFINITY ? 0 : Math.exp(max) * sumExp;
            if (!(Math.abs(total - 1) <= smoothing.sumTolerance())) {
                out.setInvalid(i, InvalidReason.NOT_NORMALIZED);
                return;
            }
            logSumExp = -max;
        }
        Targets t = targets(k);
        double gapOpt = t.gapOpt();
        // for logits exp(−L) is 1 / Σ exp(z_j − M): one division, not a log and an exp (≈17 % of a K = 10 row)
        double confidence = kind == InputKind.LOGITS ? 1 / sumExp : Math.exp(-logSumExp);

        if (ignored) {
            double gap = sumBelow / (k - 1);
            out.set(i, RowStatus.IGNORED, 0, 0, 0, gap, gapOpt, confidence, argmax, false);
            return;
        }
        if (!labelInRange) {
            out.setInvalid(i, InvalidReason.LABEL_OUT_OF_RANGE);
            return;
        }
        if (!padInRange) {
            out.setInvalid(i, InvalidReason.PAD_INDEX_OUT_OF_RANGE);
            return;
        }

        // Σ over the classes that carry q_o: every class but the label and the pad class,
        // summed over the (at most three) ranges between them.
        double otherBelowMax = sumBelow;
        double labelBelowMax = max - z[from + y];
        double padBelowMax = pad < 0 ? 0 : max - z[from + pad];
        double gap = (otherBelowMax + labelBelowMax + padBelowMax) / (k - 1);

        double nll = logSumExp + labelBelowMax;
        double otherNegLogP = t.others() * logSumExp + otherBelowMax;
        double qy = t.qy();
        double qo = t.qo();
        double ce = (qy == 0 ? 0 : qy * nll) + (qo == 0 ? 0 : qo * otherNegLogP);
        double kl = (qy == 0 ? 0 : qy * (t.logQy() + nll))
                + (qo == 0 ? 0 : qo * (t.others() * t.logQo() + otherNegLogP));
        out.set(i, RowStatus.VALID, kl, ce, nll, gap, gapOpt, confidence, argmax, argmax == y);
    }
}
