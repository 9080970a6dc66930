package org.smoothkl.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The values of the group-by columns that name one slice; the overall slice has none. A slice is
 * its typed values: two keys are equal when their columns are and each value has the same
 * {@link SliceType} and canonical value (or both are null). {@link #values()} are the values as
 * Spark gave them; the label is for people.
 */
public final class SliceKey implements Comparable<SliceKey> {
    public static final SliceKey OVERALL = new SliceKey(List.of(), List.of());
    /** How many characters of a value the console shows ({@link #label(int)}). */
    public static final int CONSOLE_VALUE_CHARS = 40;
    private static final Pattern PLAIN_WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_.:/-]*");
    private static final Set<String> WORDS_OF_OTHER_TYPES = Set.of("null", "true", "false", "NaN", "Infinity");

    private final List<String> columns;
    private final List<Object> values;
    private final List<Object> canonical;

    public SliceKey(List<String> columns, List<Object> values) {
        this.columns = List.copyOf(columns);
        this.values = Collections.unmodifiableList(new ArrayList<>(values)); // values may be null
        if (columns.size() != values.size()) {
            throw new IllegalArgumentException("columns " + columns + " vs values " + values);
        }
        this.canonical = values.stream().map(SliceType::canonical).toList(); // Stream.toList keeps nulls
    }

    public List<String> columns() {
        return columns;
    }

    /** The values as given (Spark's own objects: these go back into Parquet). */
    public List<Object> values() {
        return values;
    }

    /** Each value's type; null for a null value. */
    public List<SliceType> types() {
        return canonical.stream().map(v -> v == null ? null : SliceType.of(v)).toList();
    }

    /** Column → value as summary.json's "key" writes it ({@link SliceType#toJson}). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            m.put(columns.get(i), SliceType.toJson(values.get(i)));
        }
        return m;
    }

    /**
     * This key with each value read as the given column's type (a value of another type that
     * reads as it, else unchanged): for keys of a summary.json that did not record the types.
     */
    public SliceKey retyped(Map<String, SliceType> types) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            Object v = canonical.get(i);
            SliceType t = types.get(columns.get(i));
            if (v != null && t != null && SliceType.of(v) != t) {
                try {
                    v = t.parse(SliceType.text(v));
                } catch (IllegalArgumentException e) {
                    // not a value of that type: it matches nothing of this run
                }
            }
            out.add(v);
        }
        return new SliceKey(columns, out);
    }

    /** {@link #label(int)} with every value whole: "overall" or {@code lang=en, n=3, text="a, b", d=null}. */
    public String label() {
        return label(Integer.MAX_VALUE);
    }

    /**
     * "col=value, …", or "overall". A string that is a plain word (a letter or _, then letters,
     * digits and {@code _ . : / -}; not null, true, false, NaN or Infinity) stands bare, any other in
     * double quotes with JSON's escapes; control, line-separator and bidirectional characters are
     * escapes ({@code \n}, {@code \t}, {@code \\u001b}) in column names too; null is {@code null};
     * other values are their {@link SliceType#text}. No two slices of a run have the same label.
     * Each value is cut to {@code maxChars} characters, ending in "…" where cut.
     */
    public String label(int maxChars) {
        if (columns.isEmpty()) {
            return Assessment.OVERALL;
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            parts.add(escape(columns.get(i), false) + "=" + valueLabel(canonical.get(i), maxChars));
        }
        return String.join(", ", parts);
    }

    private static String valueLabel(Object v, int maxChars) {
        if (v == null) {
            return "null";
        }
        String text = SliceType.text(v);
        SliceType t = SliceType.of(v);
        if (t != SliceType.STRING && t != SliceType.OTHER) {
            return cut(text, maxChars);
        }
        if (PLAIN_WORD.matcher(text).matches() && !WORDS_OF_OTHER_TYPES.contains(text)) {
            return cut(text, maxChars);
        }
        return '"' + cut(escape(text, true), maxChars) + '"';
    }

    /** {@code s} in double quotes with JSON's escapes, as labels and check selectors write a string. */
    public static String quoted(String s) {
        return '"' + escape(s, true) + '"';
    }

    /**
     * Control characters (C0, DEL, C1), the line and paragraph separators and the bidirectional
     * controls as escapes; within quotes also {@code "} and {@code \}.
     */
    static String escape(String s, boolean quoted) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '"', '\\' -> b.append(quoted ? "\\" : "").append(c);
                default -> {
                    if (unsafe(c)) {
                        b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** Characters a terminal or an editor acts on instead of showing. */
    private static boolean unsafe(char c) {
        return Character.isISOControl(c) || c == 0x2028 || c == 0x2029 || c == 0x061c || c == 0x200e || c == 0x200f
                || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    }

    private static String cut(String s, int maxChars) {
        if (s.length() <= maxChars) {
            return s;
        }
        int end = Math.max(0, maxChars - 1);
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SliceKey k && columns.equals(k.columns) && canonical.equals(k.canonical);
    }

    @Override
    public int hashCode() {
        return 31 * columns.hashCode() + canonical.hashCode();
    }

    @Override
    public String toString() {
        return label();
    }

    /** Orders slices by their values, nulls first, values of one type by their order, types by {@link SliceType}. */
    @Override
    public int compareTo(SliceKey o) {
        for (int i = 0; i < Math.min(canonical.size(), o.canonical.size()); i++) {
            Object a = canonical.get(i);
            Object b = o.canonical.get(i);
            if (Objects.equals(a, b)) {
                continue;
            }
            if (a == null || b == null) {
                return a == null ? -1 : 1;
            }
            int c = compareValues(a, b);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(canonical.size(), o.canonical.size());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b) {
        SliceType ta = SliceType.of(a);
        SliceType tb = SliceType.of(b);
        if (ta != tb) {
            return ta.compareTo(tb);
        }
        return ((Comparable) a).compareTo(b);
    }
}
