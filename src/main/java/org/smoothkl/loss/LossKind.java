package org.smoothkl.loss;

/** Which of the per-row losses a preset's own criterion adds up. */
public enum LossKind implements WireCode {
    /** KL(q‖p): what KLDivLoss-based criteria (the seed, legacy OpenNMT) report. */
    KL,
    /** H(q, p) = KL(q‖p) + H(q): what PyTorch's cross_entropy and fairseq report. */
    SMOOTHED_CE
}
