package org.smoothkl.audit;

/**
 * The per-sequence part of a slice's state, for token-sequence input: how many sequences, how
 * many tokens they had, and statistics of the per-sequence loss — the sum of a loss over the
 * valid tokens of one sequence (padding and other ignored tokens add 0). A sequence enters the
 * loss statistics ("scored") when it has at least one valid token and no invalid one; a partial
 * sum would understate it. Malformed sequences (each one invalid row) count as sequences of 0
 * tokens. Mergeable like {@link SliceSummary}: counts add, sums are compensated, min/max combine.
 */
public final class SequenceSummary {
    private long sequences;
    private long tokens;
    private long scored;
    private final CompensatedSum loss = new CompensatedSum();
    private final CompensatedSum nll = new CompensatedSum();
    private double minLoss = Double.POSITIVE_INFINITY;
    private double maxLoss = Double.NEGATIVE_INFINITY;
    private double minNll = Double.POSITIVE_INFINITY;
    private double maxNll = Double.NEGATIVE_INFINITY;

    /** Adds a partial aggregate: {@code sequences} sequences of {@code tokens} tokens in all, {@code scored} of them with loss sums. */
    public SequenceSummary add(long sequences, long tokens, long scored, double sumLoss, double minLoss, double maxLoss,
                               double sumNll, double minNll, double maxNll) {
        this.sequences += sequences;
        this.tokens += tokens;
        if (scored > 0) {
            this.scored += scored;
            loss.add(sumLoss);
            nll.add(sumNll);
            this.minLoss = Math.min(this.minLoss, minLoss);
            this.maxLoss = Math.max(this.maxLoss, maxLoss);
            this.minNll = Math.min(this.minNll, minNll);
            this.maxNll = Math.max(this.maxNll, maxNll);
        }
        return this;
    }

    /** A new state holding this one and {@code other}. */
    public SequenceSummary merge(SequenceSummary other) {
        SequenceSummary m = new SequenceSummary();
        for (SequenceSummary s : new SequenceSummary[] {this, other}) {
            m.sequences += s.sequences;
            m.tokens += s.tokens;
            m.scored += s.scored;
            m.loss.merge(s.loss);
            m.nll.merge(s.nll);
            m.minLoss = Math.min(m.minLoss, s.minLoss);
            m.maxLoss = Math.max(m.maxLoss, s.maxLoss);
            m.minNll = Math.min(m.minNll, s.minNll);
            m.maxNll = Math.max(m.maxNll, s.maxNll);
        }
        return m;
    }

    public long sequences() {
        return sequences;
    }

    public long tokens() {
        return tokens;
    }

    public long scored() {
        return scored;
    }

    public double sumLoss() {
        return loss.value();
    }

    /** Mean per-sequence loss over scored sequences; NaN when none. */
    public double meanLoss() {
        return scored == 0 ? Double.NaN : sumLoss() / scored;
    }

    public double minLoss() {
        return scored == 0 ? Double.NaN : minLoss;
    }

    public double maxLoss() {
        return scored == 0 ? Double.NaN : maxLoss;
    }

    public double sumNll() {
        return nll.value();
    }

    public double meanNll() {
        return scored == 0 ? Double.NaN : sumNll() / scored;
    }

    public double minNll() {
        return scored == 0 ? Double.NaN : minNll;
    }

    public double maxNll() {
        return scored == 0 ? Double.NaN : maxNll;
    }
}
