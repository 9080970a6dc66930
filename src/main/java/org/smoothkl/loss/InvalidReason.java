package org.smoothkl.loss;

import java.util.Locale;

/**
 * Why a row was quarantined. The code (lower snake case) is what outputs and counts carry.
 * The first group is found by the kernel; the second by the reader before the kernel runs; the
 * codes added later are appended at the end (whoever maps codes by ordinal keeps working).
 */
public enum InvalidReason implements WireCode {
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
    MALFORMED_LABEL,

    /** --input-kind probs: a probability below 0 (−0.0 counts as 0). Found by the kernel. */
    NEGATIVE_PROBABILITY,
    /** --input-kind probs|log_probs: |Σ p − 1| above the tolerance (all zeros included). Found by the kernel. */
    NOT_NORMALIZED,
    /** Token sequences: a sequence with no tokens. */
    EMPTY_SEQUENCE,
    /** Token sequences: the logits have T rows and the labels another count. */
    SEQUENCE_LENGTH_MISMATCH,
    /** Token sequences: the tokens of one sequence do not all have the same number of classes V. */
    RAGGED_SEQUENCE;

    /** Cached: the engines write a code per invalid row. */
    private final String code = name().toLowerCase(Locale.ROOT);

    @Override
    public String code() {
        return code;
    }

    public static InvalidReason fromCode(String code) {
        return WireCode.parse(InvalidReason.class, code, "invalid reason");
    }
}
