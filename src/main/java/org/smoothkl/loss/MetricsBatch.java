package org.smoothkl.loss;

/**
 * Per-row results of a {@link RowKernel}, in column arrays parallel to a {@link LogitBatch}.
 * Invalid rows carry a reason and NaN metrics; ignored rows carry zero losses but still a
 * gap and a prediction (as the golden rows do); {@code correct} is false unless valid.
 */
public final class MetricsBatch {
    private static final RowStatus[] STATUSES = RowStatus.values();
    private static final InvalidReason[] REASONS = InvalidReason.values();
    private static final byte NO_REASON = -1;

    static {
        if (REASONS.length > Byte.MAX_VALUE || STATUSES.length > Byte.MAX_VALUE) {
            throw new IllegalStateException("more statuses or reasons than a byte holds");
        }
    }
    // Status and reason as ordinals: a store of a reference into an array pays G1's write barrier,
    // and at K = 10 the two per row were a sixth of the vector kernel's time (async-profiler).
    private byte[] status = new byte[0];
    private byte[] reason = new byte[0];
    private double[] kl = new double[0];
    private double[] smoothedCe = new double[0];
    private double[] nll = new double[0];
    private double[] gap = new double[0];
    private double[] gapOpt = new double[0];
    private double[] confidence = new double[0];
    private int[] pred = new int[0];
    private boolean[] correct = new boolean[0];
    private int rows;

    /** Makes room for {@code n} rows and forgets the previous contents. */
    public void reset(int n) {
        if (status.length < n) {
            int c = Math.max(n, status.length * 2);
            status = new byte[c];
            reason = new byte[c];
            kl = new double[c];
            smoothedCe = new double[c];
            nll = new double[c];
            gap = new double[c];
            gapOpt = new double[c];
            confidence = new double[c];
            pred = new int[c];
            correct = new boolean[c];
        }
        rows = n;
    }

    void setInvalid(int i, InvalidReason why) {
        status[i] = (byte) RowStatus.INVALID.ordinal();
        reason[i] = (byte) why.ordinal();
        kl[i] = smoothedCe[i] = nll[i] = gap[i] = gapOpt[i] = confidence[i] = Double.NaN;
        pred[i] = -1;
        correct[i] = false;
    }

    void set(int i, RowStatus s, double kl, double ce, double nll, double gap, double gapOpt, double confidence,
             int pred, boolean correct) {
        this.status[i] = (byte) s.ordinal();
        this.reason[i] = NO_REASON;
        this.kl[i] = kl;
        this.smoothedCe[i] = ce;
        this.nll[i] = nll;
        this.gap[i] = gap;
        this.gapOpt[i] = gapOpt;
        this.confidence[i] = confidence;
        this.pred[i] = pred;
        this.correct[i] = correct;
    }

    public int rows() {
        return rows;
    }

    public RowStatus status(int i) {
        return STATUSES[status[i]];
    }

    /** Why row {@code i} is invalid, or null. */
    public InvalidReason reason(int i) {
        byte r = reason[i];
        return r == NO_REASON ? null : REASONS[r];
    }

    public double kl(int i) {
        return kl[i];
    }

    public double smoothedCe(int i) {
        return smoothedCe[i];
    }

    public double nll(int i) {
        return nll[i];
    }

    public double gap(int i) {
        return gap[i];
    }

    public double gapOpt(int i) {
        return gapOpt[i];
    }

    /** The top-1 softmax probability max_j p_j = exp(−log Σ_j exp(z_j − M)), for calibration. */
    public double confidence(int i) {
        return confidence[i];
    }

    public int pred(int i) {
        return pred[i];
    }

    public boolean correct(int i) {
        return correct[i];
    }

    @Override
    public String toString() {
        return "MetricsBatch" + java.util.stream.IntStream.range(0, rows).mapToObj(this::status).toList();
    }
}
