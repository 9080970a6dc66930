package org.smoothkl.loss;

/** How a preset's criterion reduces a batch: a plain sum, or the mean over non-ignored rows. */
public enum Reduction implements WireCode {
    SUM,
    MEAN
}
