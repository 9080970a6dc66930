package org.smoothkl.loss;


/**
 * The training criteria we reproduce. A preset picks the target convention, which loss is
 * "the loss", the ignore index default and the reduction; every preset still reports
 * kl, smoothed_ce and nll. See SEMANTICS.md of the golden rows for the sources.
 */
public enum Preset implements WireCode {
    /** The original NMTCritierion: KLDivLoss summed, ignore_index 100000 (its ε>0 ignore bug fixed). */
    SEED(TargetConvention.UNIFORM_OTHERS, LossKind.KL, 100000, Reduction.SUM),
    /** F.cross_entropy(label_smoothing=ε), ignore_index −100, mean over non-ignored rows. */
    PYTORCH(TargetConvention.UNIFORM_ALL, LossKind.SMOOTHED_CE, -100, Reduction.MEAN),
    /** fairseq label_smoothed_nll_loss (since Feb 2021): seed's target, cross-entropy, pad 1. */
    FAIRSEQ(TargetConvention.UNIFORM_OTHERS, LossKind.SMOOTHED_CE, 1, Reduction.SUM),
    /** Legacy OpenNMT-py LabelSmoothingLoss: pad class excluded from q, KL summed, pad 1. */
    ONMT(TargetConvention.OTHERS_EXCEPT_PAD, LossKind.KL, 1, Reduction.SUM);

    private final TargetConvention convention;
    private final LossKind loss;
    private final long defaultIgnoreIndex;
    private final Reduction reduction;

    Preset(TargetConvention convention, LossKind loss, long defaultIgnoreIndex, Reduction reduction) {
        this.convention = convention;
        this.loss = loss;
        this.defaultIgnoreIndex = defaultIgnoreIndex;
        this.reduction = reduction;
    }

    public TargetConvention convention() {
        return convention;
    }

    public LossKind loss() {
        return loss;
    }

    public long defaultIgnoreIndex() {
        return defaultIgnoreIndex;
    }

    public Reduction reduction() {
        return reduction;
    }


    /** The run settings of this preset with the given ε and ignore index (null: the preset's default). */
    public Smoothing with(double epsilon, Long ignoreIndex) {
        return new Smoothing(convention, epsilon, ignoreIndex == null ? defaultIgnoreIndex : ignoreIndex);
    }
}
