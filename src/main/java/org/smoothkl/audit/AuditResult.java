package org.smoothkl.audit;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** What an audit found: one state per slice, and their merge as the overall state. */
public record AuditResult(AuditSpec spec, SortedMap<SliceKey, SliceSummary> slices, SliceSummary overall) {

    /** Builds the result from slice states; overall is their merge (a fresh empty state if none). */
    public static AuditResult of(AuditSpec spec, Map<SliceKey, SliceSummary> slices) {
        SliceSummary overall = new SliceSummary(spec.histogram(), spec.calibration());
        for (SliceSummary s : slices.values()) {
            overall = overall.merge(s);
        }
        return new AuditResult(spec, Collections.unmodifiableSortedMap(new TreeMap<>(slices)), overall);
    }
}
