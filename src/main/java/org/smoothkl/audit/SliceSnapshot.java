package org.smoothkl.audit;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The finished numbers of one slice, from this run's state or read back from an earlier run's
 * summary.json: the metrics, the gap histogram counts (underflow, the bins, overflow) and the
 * reliability table (empty for a run written before calibration existed).
 *
 * @param key {@link SliceKey#OVERALL} or the slice's typed values; slices of two runs match by key
 */
public record SliceSnapshot(SliceKey key, Map<Metric, Double> metrics, long[] gapCounts, List<ReliabilityBin> reliability) {

    public SliceSnapshot {
        Map<Metric, Double> copy = new EnumMap<>(Metric.class);
        copy.putAll(metrics);
        metrics = Collections.unmodifiableMap(copy);
        gapCounts = gapCounts.clone();
        reliability = List.copyOf(reliability);
    }

    /** The snapshot of a slice state of this run. */
    public static SliceSnapshot of(SliceKey key, SliceSummary s, AuditSpec spec) {
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            metrics.put(m, m.of(s, spec));
        }
        long[] counts = s.bins().stream().mapToLong(SliceSummary.Bin::count).toArray();
        return new SliceSnapshot(key, metrics, counts, s.reliability());
    }

    /** "overall" or the slice's {@link SliceKey#label()}. */
    public String label() {
        return key.label();
    }

    /** The metric's value; NaN when undefined or absent (an older summary.json). */
    public double metric(Metric m) {
        Double v = metrics.get(m);
        return v == null ? Double.NaN : v;
    }

    @Override
    public long[] gapCounts() {
        return gapCounts.clone();
    }
}
