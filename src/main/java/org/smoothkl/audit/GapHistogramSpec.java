package org.smoothkl.audit;

/**
 * Equal-width bins over [lo, hi) for the logit gap, plus underflow (gap &lt; lo) and overflow
 * (gap ≥ hi). Bin i holds lo + i·w ≤ gap &lt; lo + (i+1)·w, w = (hi − lo)/bins; the bin index is
 * computed as min(bins − 1, floor((gap − lo)·bins/(hi − lo))), the same expression the Spark
 * aggregation uses.
 */
public record GapHistogramSpec(int bins, double lo, double hi) implements java.io.Serializable {
    public static final int UNDERFLOW = -1;

    public GapHistogramSpec {
        if (bins < 1 || bins > 100_000) {
            throw new AuditInputException("--bins must be between 1 and 100000, got " + bins);
        }
        String problem = rangeProblem(bins, lo, hi);
        if (problem != null) {
            throw new AuditInputException("--gap-range " + problem + ", got " + lo + ":" + hi);
        }
    }

    /** Parses "LO:HI", as given to --gap-range. */
    public static GapHistogramSpec parse(int bins, String range) {
        String[] parts = range.split(":");
        if (parts.length != 2) {
            throw new AuditInputException("--gap-range must be LO:HI (e.g. 0:20), got '" + range + "'");
        }
        double lo;
        double hi;
        try {
            lo = Double.parseDouble(parts[0].trim());
            hi = Double.parseDouble(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new AuditInputException("--gap-range must be LO:HI with numbers, got '" + range + "'");
        }
        String problem = bins < 1 ? null : rangeProblem(bins, lo, hi); // (bad bins: the constructor names --bins)
        if (problem != null) {
            throw new AuditInputException("--gap-range " + problem + ", got '" + range + "'");
        }
        return new GapHistogramSpec(bins, lo, hi);
    }

    /**
     * Why [lo, hi) cannot hold {@code bins} bins, or null: besides finite lo &lt; hi, (hi − lo)·bins
     * must be finite (-1e308:1e308 overflows to a width of ∞ and a scale of 0, every gap in bin 0;
     * the edges multiply the width by up to bins), so must the scale, and a bin must be wider than
     * a double's step at lo and hi (else edges coincide).
     */
    private static String rangeProblem(int bins, double lo, double hi) {
        if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo < hi)) {
            return "must be LO:HI with finite LO < HI";
        }
        double width = hi - lo;
        if (!Double.isFinite(width * bins)) {
            return "is too wide for " + bins + " bins: (HI - LO) x bins overflows to " + width * bins;
        }
        double binWidth = width / bins;
        if (!Double.isFinite(bins / width) || !(lo + binWidth > lo) || !(hi - binWidth < hi)) {
            return "is too narrow for " + bins + " bins: a bin of width " + binWidth + " has no room between doubles";
        }
        return null;
    }

    /** bins / (hi − lo): multiplying by it maps a gap to its fractional bin position. */
    public double scale() {
        return bins / (hi - lo);
    }

    /** {@link #UNDERFLOW}, a bin 0..bins−1, or {@code bins} for overflow (including +∞ and NaN). */
    public int bucket(double gap) {
        return bucket(gap, bins, lo, hi, scale());
    }

    /** {@link #bucket} with the scale computed once: for a loop over many gaps (a division less per gap). */
    public Buckets buckets() {
        return new Buckets(bins, lo, hi, scale());
    }

    /** {@link GapHistogramSpec#bucket} of one spec, its scale computed once. */
    public record Buckets(int bins, double lo, double hi, double scale) {
        public int bucket(double gap) {
            return GapHistogramSpec.bucket(gap, bins, lo, hi, scale);
        }
    }

    private static int bucket(double gap, int bins, double lo, double hi, double scale) {
        if (gap < lo) {
            return UNDERFLOW;
        }
        if (!(gap < hi)) { // NaN too: Spark orders NaN above every number, so its bucket says overflow
            return bins;
        }
        return (int) Math.min(bins - 1, Math.floor((gap - lo) * scale));
    }

    /** The bins + 1 edges lo, lo + w, …, hi. */
    public double[] edges() {
        double[] e = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            e[i] = i == bins ? hi : lo + i * (hi - lo) / bins;
        }
        return e;
    }
}
