package org.smoothkl.api;

import org.smoothkl.audit.SliceSummary;

/**
 * The logit-gap histogram of one summary, as summary.json's {@code gap_histogram}: equal bins over
 * --gap-range ({@link #edges()}, one more than {@link #counts()}), and the valid rows below and
 * above it. The counts, underflow and overflow add up to the valid rows.
 */
public final class Histogram {
    private final double[] edges;
    private final long[] counts;
    private final long underflow;
    private final long overflow;

    Histogram(SliceSummary s) {
        this.edges = s.histogramSpec().edges();
        this.counts = s.histogram();
        this.underflow = s.underflow();
        this.overflow = s.overflow();
    }

    /** The bins' edges, ascending: bin i holds edges[i] &lt;= gap &lt; edges[i + 1]. */
    public double[] edges() {
        return edges.clone();
    }

    /** The valid rows of each bin. */
    public long[] counts() {
        return counts.clone();
    }

    /** Valid rows whose gap lies below the first edge. */
    public long underflow() {
        return underflow;
    }

    /** Valid rows whose gap lies at or above the last edge. */
    public long overflow() {
        return overflow;
    }
}
