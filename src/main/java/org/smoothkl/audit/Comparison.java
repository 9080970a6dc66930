package org.smoothkl.audit;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One slice of this run against the same slice of a baseline run. Both kinds of change are
 * kept and named for what they are:
 * <pre>
 *   difference(m) = run(m) − baseline(m)     in m's own units
 *   ratio(m)      = run(m) / baseline(m)     1.10 means 10 % higher; undefined (NaN) when baseline(m) = 0
 * </pre>
 * and the gap histograms' PSI and Jensen–Shannon distance ({@link HistogramDistance}).
 */
public record Comparison(SliceSnapshot baseline, Map<Metric, Double> difference, Map<Metric, Double> ratio,
                         double gapPsi, double gapJs) {

    public Comparison {
        Map<Metric, Double> d = new EnumMap<>(Metric.class);
        d.putAll(difference);
        Map<Metric, Double> r = new EnumMap<>(Metric.class);
        r.putAll(ratio);
        difference = Collections.unmodifiableMap(d);
        ratio = Collections.unmodifiableMap(r);
    }

    public static Comparison of(SliceSnapshot run, SliceSnapshot baseline) {
        Map<Metric, Double> difference = new EnumMap<>(Metric.class);
        Map<Metric, Double> ratio = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            double r = run.metric(m);
            double b = baseline.metric(m);
            difference.put(m, r - b);
            ratio.put(m, b == 0 ? Double.NaN : r / b);
        }
        long[] runCounts = run.gapCounts();
        long[] baseCounts = baseline.gapCounts();
        boolean sameBins = runCounts.length == baseCounts.length;
        return new Comparison(baseline, difference, ratio,
                sameBins ? HistogramDistance.psi(runCounts, baseCounts) : Double.NaN,
                sameBins ? HistogramDistance.jensenShannon(runCounts, baseCounts) : Double.NaN);
    }

    public double difference(Metric m) {
        return difference.get(m);
    }

    public double ratio(Metric m) {
        return ratio.get(m);
    }
}
