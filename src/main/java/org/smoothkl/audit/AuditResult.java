package org.smoothkl.audit;

import java.util.Collections;
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
}
