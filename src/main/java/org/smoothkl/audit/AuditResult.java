package org.smoothkl.audit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** What an audit found: one state per slice, and their merge as the overall state. */
public record AuditResult(AuditSpec spec, SortedMap<SliceKey, SliceSummary> slices, SliceSummary overall) {

    /**
     * Builds the result from slice states; overall is their merge (a fresh empty state if none),
     * taken in slice order so that the same slices give the same bits.
     */
    public static AuditResult of(AuditSpec spec, Map<SliceKey, SliceSummary> slices) {
        SortedMap<SliceKey, SliceSummary> sorted = new TreeMap<>(slices);
        SliceSummary overall = new SliceSummary(spec.histogram(), spec.calibration());
        for (SliceSummary s : sorted.values()) {
            overall = overall.merge(s);
        }
        return new AuditResult(spec, Collections.unmodifiableSortedMap(sorted), overall);
    }

    /**
     * Each group-by column's type, from its values in the slices (a Spark column holds one type);
     * null for a column whose every slice value is null.
     */
    public Map<String, SliceType> sliceTypes() {
        Map<String, SliceType> types = new LinkedHashMap<>();
        spec.groupBy().forEach(c -> types.put(c, null));
        for (SliceKey k : slices.keySet()) {
            List<SliceType> ts = k.types();
            for (int i = 0; i < ts.size(); i++) {
                String column = k.columns().get(i);
                SliceType t = ts.get(i);
                SliceType seen = types.get(column);
                if (t != null && seen != null && t != seen) {
                    throw new IllegalStateException("group-by column " + column + " holds values of types " + seen.code()
                            + " and " + t.code());
                }
                if (t != null) {
                    types.put(column, t);
                }
            }
        }
        return types;
    }
}
