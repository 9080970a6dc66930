package org.smoothkl.loss;

/**
 * The checks made on a row as it is read, before the kernel's own, in the one order every engine
 * makes them (the declaration order): the first that holds is the row's reason. The one owner of
 * that order: the CPU engine and the UDF's CPU body end rows through
 * {@link LogitBatch#endRowIfUnreadable}, which follows {@link #firstProblem}, and the cuDF kernel
 * chains its conditions over {@link #values()}. Only ε out of range is reported before these.
 */
public enum ReaderCheck {
    /** The reader's own reason, e.g. a record it could not parse; its code comes from the reader. */
    READER_PROBLEM(null),
    NULL_LOGITS(InvalidReason.NULL_LOGITS),
    NULL_LABEL(InvalidReason.NULL_LABEL),
    /** A null element of the logits: met while they are read, so after the checks above passed. */
    NULL_LOGIT(InvalidReason.NULL_LOGIT);

    private final InvalidReason reason;

    ReaderCheck(InvalidReason reason) {
        this.reason = reason;
    }

    /** The reason this check gives; null for {@link #READER_PROBLEM}, whose reason the reader names. */
    public InvalidReason reason() {
        return reason;
    }

    /**
     * The reason of the first check before {@link #NULL_LOGIT} that holds, or null: then the row's
     * logits are read, and a null one makes the row {@link InvalidReason#NULL_LOGIT}.
     */
    public static InvalidReason firstProblem(InvalidReason readerProblem, boolean nullLogits, boolean nullLabel) {
        if (readerProblem != null) {
            return readerProblem;
        }
        if (nullLogits) {
            return InvalidReason.NULL_LOGITS;
        }
        return nullLabel ? InvalidReason.NULL_LABEL : null;
    }
}
