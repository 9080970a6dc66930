package org.smoothkl.audit;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.HexFormat;
import org.smoothkl.loss.WireCode;

/**
 * The type of a slice value, under Spark SQL's name for it, and the one text of each value:
 * strings as they are, numbers and booleans as Java prints them, decimal in plain digits without
 * trailing zeros ({@code 1.5}), date {@code 2026-12-01}, timestamp as a UTC instant
 * ({@code 2026-12-01T10:15:30Z}), timestamp_ntz {@code 2026-12-01T10:15:30}, binary
 * {@code 0x0a1b}; "other" (intervals and the like) is the value's own text.
 *
 * <p>Two slice values are the same value when their types and {@link #canonical} values are equal:
 * int 1, bigint 1 and the string "1" are three values; null is a value of no type.
 */
public enum SliceType implements WireCode {
    STRING, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, DATE, TIMESTAMP, TIMESTAMP_NTZ, BINARY, OTHER;

    /** A binary value, equal by content. */
    public record Bytes(byte[] bytes) implements Comparable<Bytes> {
        public Bytes {
            bytes = bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public int compareTo(Bytes o) {
            return Arrays.compareUnsigned(bytes, o.bytes);
        }

        @Override
        public String toString() {
            return "0x" + HexFormat.of().formatHex(bytes);
        }
    }

    /** A value of a type not named here, known by its text. */
    public record Other(String text) implements Comparable<Other> {
        @Override
        public int compareTo(Other o) {
            return text.compareTo(o.text);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * The value as slices compare it: Spark's java.sql.Date, Timestamp and byte[] as LocalDate,
     * Instant and {@link Bytes}; decimals without trailing zeros; unknown kinds as {@link Other}.
     */
    public static Object canonical(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Byte || v instanceof Short
                || v instanceof Integer || v instanceof Long || v instanceof Float || v instanceof Double
                || v instanceof LocalDate || v instanceof Instant || v instanceof LocalDateTime || v instanceof Bytes
                || v instanceof Other) {
            return v;
        }
        if (v instanceof BigDecimal d) {
            return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (v instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (v instanceof byte[] b) {
            return new Bytes(b);
        }
        return new Other(v.toString());
    }

    /** The type of a non-null value (raw or canonical). */
    public static SliceType of(Object value) {
        Object v = canonical(value);
        if (v instanceof String) {
            return STRING;
        } else if (v instanceof Boolean) {
            return BOOLEAN;
        } else if (v instanceof Byte) {
            return TINYINT;
        } else if (v instanceof Short) {
            return SMALLINT;
        } else if (v instanceof Integer) {
            return INT;
        } else if (v instanceof Long) {
            return BIGINT;
        } else if (v instanceof Float) {
            return FLOAT;
        } else if (v instanceof Double) {
            return DOUBLE;
        } else if (v instanceof BigDecimal) {
            return DECIMAL;
        } else if (v instanceof LocalDate) {
            return DATE;
        } else if (v instanceof Instant) {
            return TIMESTAMP;
        } else if (v instanceof LocalDateTime) {
            return TIMESTAMP_NTZ;
        } else if (v instanceof Bytes) {
            return BINARY;
        } else if (v instanceof Other) {
            return OTHER;
        }
        throw new IllegalArgumentException("a null slice value has no type");
    }

    /** The value's text (see the class comment). */
    public static String text(Object value) {
        Object v = canonical(value);
        return v instanceof BigDecimal d ? d.toPlainString() : v.toString();
    }

    /** The value of this type whose {@link #text} is {@code text}; IllegalArgumentException if none. */
    public Object parse(String text) {
        try {
            return switch (this) {
                case STRING -> text;
                case BOOLEAN -> switch (text) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("not a boolean: " + text);
                };
                case TINYINT -> Byte.parseByte(text);
                case SMALLINT -> Short.parseShort(text);
                case INT -> Integer.parseInt(text);
                case BIGINT -> Long.parseLong(text);
                case FLOAT -> Float.parseFloat(text);
                case DOUBLE -> Double.parseDouble(text);
                case DECIMAL -> canonical(new BigDecimal(text));
                case DATE -> LocalDate.parse(text);
                case TIMESTAMP -> Instant.parse(text);
                case TIMESTAMP_NTZ -> LocalDateTime.parse(text);
                case BINARY -> {
                    if (!text.startsWith("0x")) {
                        throw new IllegalArgumentException("binary is written 0x…: " + text);
                    }
                    yield new Bytes(HexFormat.of().parseHex(text.substring(2)));
                }
                case OTHER -> new Other(text);
            };
        } catch (RuntimeException e) { // NumberFormatException, DateTimeParseException
            throw new IllegalArgumentException("'" + text + "' is not a " + code() + " value", e);
        }
    }

    /** Whether JSON holds this type's values as its own numbers or booleans (else as text). */
    public boolean jsonNative() {
        return this == STRING || this == BOOLEAN || isInteger() || this == FLOAT || this == DOUBLE;
    }

    /** Numbers: their text in cells and labels never needs a guard or quotes. */
    public boolean isNumber() {
        return isInteger() || this == FLOAT || this == DOUBLE || this == DECIMAL;
    }

    private boolean isInteger() {
        return this == TINYINT || this == SMALLINT || this == INT || this == BIGINT;
    }

    /**
     * The value as summary.json's "key" holds it: strings, booleans and numbers as themselves
     * (NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity"), every other type as its text.
     */
    public static Object toJson(Object value) {
        if (value == null) {
            return null;
        }
        Object v = canonical(value);
        boolean finite = !(v instanceof Double d && !Double.isFinite(d)) && !(v instanceof Float f && !Float.isFinite(f));
        return of(v).jsonNative() && finite ? v : text(v);
    }

    /**
     * Whether a check's selector value (text) names {@code value} (not null): numbers compare by
     * value (3 names int 3, bigint 3, double 3.0 and decimal 3.00), every other type by its text.
     */
    public static boolean selects(Object value, String wanted) {
        Object v = canonical(value);
        SliceType t = of(v);
        if (!t.isNumber() || v instanceof Double d && !Double.isFinite(d) || v instanceof Float f && !Float.isFinite(f)) {
            return text(v).equals(wanted);
        }
        try {
            BigDecimal want = new BigDecimal(wanted.strip());
            BigDecimal have = v instanceof BigDecimal b ? b : v instanceof Double || v instanceof Float
                    ? new BigDecimal(v.toString()) : BigDecimal.valueOf(((Number) v).longValue());
            return want.compareTo(have) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
