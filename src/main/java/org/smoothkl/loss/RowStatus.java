package org.smoothkl.loss;

import java.util.Locale;

/** What became of a row: audited, ignored (label = ignore index), or quarantined with a reason. */
public enum RowStatus {
    VALID,
    IGNORED,
    INVALID;

    /** The lower-case name written to outputs. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
