package org.smoothkl.loss;


/** What became of a row: audited, ignored (label = ignore index), or quarantined with a reason. */
public enum RowStatus implements WireCode {
    VALID,
    IGNORED,
    INVALID;

}
