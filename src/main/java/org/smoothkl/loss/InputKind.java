package org.smoothkl.loss;


/**
 * What the numbers of a row are. The kernel's maths runs on log-probabilities lp:
 * <ul>
 *   <li>{@code LOGITS}: raw scores z, lp = log_softmax(z); NaN and ±∞ are invalid;</li>
 *   <li>{@code LOG_PROBS}: lp as given (as {@code NLLLoss} or fairseq's
 *       {@code label_smoothed_nll_loss} take them, not renormalised); −∞ (probability 0) is
 *       allowed, +∞ and NaN are not, and Σ exp(lp) must be 1 within the tolerance;</li>
 *   <li>{@code PROBS}: p, lp = log p; p must be finite and ≥ 0 (0 is allowed: lp = −∞) and
 *       Σ p must be 1 within the tolerance.</li>
 * </ul>
 * For the two probability kinds the gap is taken on lp (for lp = log_softmax(z) it equals the gap
 * on z, which is shift-invariant), and a zero probability gives +∞ losses and gap, never NaN.
 */
public enum InputKind implements WireCode {
    LOGITS,
    PROBS,
    LOG_PROBS
}
