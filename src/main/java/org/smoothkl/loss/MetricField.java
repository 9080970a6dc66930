package org.smoothkl.loss;

import java.util.Locale;

/**
 * The per-row metric struct, the one owner of its fields: their names (the code, also the column
 * name), order (the ordinal), value kind and nullability. The Spark schema
 * ({@code spark.MetricColumns}), the CPU engine's rows, the UDF's rows and the cuDF kernel's struct
 * are all built from it. Invalid rows have a reason, null metrics and {@code correct} false;
 * ignored rows zero losses but a gap and a prediction; valid rows no reason.
 */
public enum MetricField implements WireCode {
    STATUS(Kind.STRING, false),
    REASON(Kind.STRING, true),
    KL(Kind.DOUBLE, true),
    SMOOTHED_CE(Kind.DOUBLE, true),
    NLL(Kind.DOUBLE, true),
    GAP(Kind.DOUBLE, true),
    GAP_OPT(Kind.DOUBLE, true),
    CONFIDENCE(Kind.DOUBLE, true),
    PRED(Kind.INT, true),
    CORRECT(Kind.BOOLEAN, false),
    CLASSES(Kind.INT, true);

    /** A field's value: a string (status, reason: wire codes), a double, a 32-bit int or a boolean. */
    public enum Kind {
        STRING,
        DOUBLE,
        INT,
        BOOLEAN
    }

    private final Kind kind;
    private final boolean nullable;
    /** Cached: the column name is asked for by every select. */
    private final String code = name().toLowerCase(Locale.ROOT);

    MetricField(Kind kind, boolean nullable) {
        this.kind = kind;
        this.nullable = nullable;
    }

    public Kind kind() {
        return kind;
    }

    public boolean nullable() {
        return nullable;
    }

    @Override
    public String code() {
        return code;
    }
}
