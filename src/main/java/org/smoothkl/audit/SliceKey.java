package org.smoothkl.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The values of the group-by columns that name one slice; the overall slice has none. */
public record SliceKey(List<String> columns, List<Object> values) implements Comparable<SliceKey> {
    public static final SliceKey OVERALL = new SliceKey(List.of(), List.of());

    public SliceKey {
        columns = List.copyOf(columns);
        values = Collections.unmodifiableList(new ArrayList<>(values)); // values may be null
        if (columns.size() != values.size()) {
            throw new IllegalArgumentException("columns " + columns + " vs values " + values);
        }
    }

    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            m.put(columns.get(i), values.get(i));
        }
        return m;
    }

    /** "col=value, col=value", or "overall". */
    public String label() {
        if (columns.isEmpty()) {
            return "overall";
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            parts.add(columns.get(i) + "=" + values.get(i));
        }
        return String.join(", ", parts);
    }

    /** Orders slices by their values' text, nulls first, so outputs list them stably. */
    @Override
    public int compareTo(SliceKey o) {
        for (int i = 0; i < Math.min(values.size(), o.values.size()); i++) {
            Object a = values.get(i);
            Object b = o.values.get(i);
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
        return Integer.compare(values.size(), o.values.size());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareValues(Object a, Object b) {
        if (a instanceof Comparable ca && a.getClass() == b.getClass()) {
            return ca.compareTo(b);
        }
        return a.toString().compareTo(b.toString());
    }
}
