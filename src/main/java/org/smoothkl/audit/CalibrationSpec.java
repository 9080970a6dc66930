package org.smoothkl.audit;

/**
 * Equal-width confidence bins over [0, 1] for calibration (Guo et al. 2017): bin b holds
 * b/M ≤ confidence &lt; (b+1)/M, the last bin also confidence = 1. Confidence is the top-1
 * softmax probability, in (0, 1] for a valid row. The bin is computed as
 * min(M − 1, floor(confidence·M)), with confidence ≥ 1 (and NaN) in the last bin and
 * confidence &lt; 0 in the first: the same expression the Spark aggregation uses.
 */
public record CalibrationSpec(int bins) implements java.io.Serializable {
    public static final int MAX_BINS = 1000;

    public CalibrationSpec {
        if (bins < 1 || bins > MAX_BINS) {
            throw new AuditInputException("--calibration-bins must be between 1 and " + MAX_BINS + ", got " + bins);
        }
    }

    /** The bin 0..M−1 of a confidence. */
    public int bin(double confidence) {
        if (confidence < 0) {
            return 0;
        }
        if (!(confidence < 1)) { // NaN too: Spark orders NaN above every number
            return bins - 1;
        }
        return (int) Math.min(bins - 1, Math.floor(confidence * bins));
    }

    /** Lower edge b/M of bin b. */
    public double lo(int bin) {
        return (double) bin / bins;
    }

    /** Upper edge (b+1)/M of bin b; exactly 1 for the last. */
    public double hi(int bin) {
        return bin == bins - 1 ? 1.0 : (double) (bin + 1) / bins;
    }
}
