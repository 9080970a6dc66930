package org.smoothkl.loss;

import java.util.Locale;

/**
 * Why a row was quarantined. The code (lower snake case) is what outputs and counts carry.
 * The first group is found by the kernel; the second by the reader before the kernel runs.
 */
public enum InvalidReason {
    EPSILON_OUT_OF_RANGE,
    NULL_LOGITS,
    NULL_LABEL,
    NULL_LOGIT,
    TOO_FEW_CLASSES,
    NAN_LOGIT,
    INF_LOGIT,
    LABEL_OUT_OF_RANGE,
    PAD_INDEX_OUT_OF_RANGE,

    /** A JSON/CSV record the reader could not parse at all. */
    MALFORMED_RECORD,
    /** Logits given as text (CSV, JSON string) that are not a JSON array of numbers. */
    MALFORMED_LOGITS,
    /** A label given as text that is not an integer. */
    MALFORMED_LABEL;

    private final String code = name().toLowerCase(Locale.ROOT);

    public String code() {
        return code;
    }

    public static InvalidReason fromCode(String code) {
        return valueOf(code.toUpperCase(Locale.ROOT));
    }
}
