package org.smoothkl.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run says beyond its numbers: each slice compared with the baseline's (when one is
 * given) and every check's verdict. Built from an {@link AuditResult} and, optionally, the
 * baseline run's snapshot; no Spark.
 *
 * @param slices overall ({@link SliceKey#OVERALL}) first, then each slice (when the run is grouped), by key
 * @param comparisons by key; a slice the baseline does not have (same typed values) has none
 */
public record Assessment(Map<SliceKey, SliceSnapshot> slices, RunSnapshot baseline, Map<SliceKey, Comparison> comparisons,
                         List<CheckResult> checks) {
    public static final String OVERALL = "overall";
    private static final String NO_SUCH_SLICE = "the baseline has no such slice";

    public Assessment {
        slices = Collections.unmodifiableMap(new LinkedHashMap<>(slices));
        comparisons = Collections.unmodifiableMap(new LinkedHashMap<>(comparisons));
        checks = List.copyOf(checks);
    }

    public static Assessment of(AuditResult result, RunSnapshot baseline) {
        AuditSpec spec = result.spec();
        Map<SliceKey, SliceSnapshot> slices = new LinkedHashMap<>();
        slices.put(SliceKey.OVERALL, SliceSnapshot.of(SliceKey.OVERALL, result.overall(), spec));
        if (!spec.groupBy().isEmpty()) {
            result.slices().forEach((k, s) -> slices.put(k, SliceSnapshot.of(k, s, spec)));
        }
        Map<SliceKey, Comparison> comparisons = new LinkedHashMap<>();
        String missing = NO_SUCH_SLICE;
        if (baseline != null) {
            Map<SliceKey, SliceSnapshot> before = baselineSlices(baseline, result.sliceTypes());
            slices.forEach((key, s) -> {
                SliceSnapshot b = before.get(key);
                if (b != null) {
                    comparisons.put(key, Comparison.of(s, b));
                }
            });
            missing += typeChanges(baseline, result.sliceTypes());
        }
        List<CheckResult> verdicts = new ArrayList<>();
        for (Check c : spec.checks()) {
            boolean any = false;
            for (SliceSnapshot s : slices.values()) {
                if (c.selects(s.key())) {
                    verdicts.add(evaluate(c, s, comparisons.get(s.key()), missing));
                    any = true;
                }
            }
            if (!any) {
                verdicts.add(new CheckResult(c, null, Double.NaN, Double.NaN, false, "no slice of this run matches"));
            }
        }
        return new Assessment(slices, baseline, comparisons, verdicts);
    }

    /** The baseline's slices; a summary.json that did not record its column types is read with this run's. */
    private static Map<SliceKey, SliceSnapshot> baselineSlices(RunSnapshot baseline, Map<String, SliceType> types) {
        if (baseline.sliceTypes() != null) {
            return baseline.slices();
        }
        Map<SliceKey, SliceSnapshot> retyped = new LinkedHashMap<>();
        baseline.slices().forEach((k, s) -> retyped.put(k.retyped(types), s));
        return retyped;
    }

    /** "; column n is int here, bigint in the baseline" for each column whose type changed, or "". */
    private static String typeChanges(RunSnapshot baseline, Map<String, SliceType> types) {
        StringBuilder b = new StringBuilder();
        if (baseline.sliceTypes() != null) {
            types.forEach((column, t) -> {
                SliceType then = baseline.sliceTypes().get(column);
                if (t != null && then != null && t != then) {
                    b.append("; column ").append(column).append(" is ").append(t.code()).append(" here, ")
                            .append(then.code()).append(" in the baseline");
                }
            });
        }
        return b.toString();
    }

    private static CheckResult evaluate(Check c, SliceSnapshot s, Comparison cmp, String missing) {
        if (c.kind() == Check.Kind.ABSOLUTE) {
            double v = s.metric(c.metric());
            return new CheckResult(c, s.key(), v, Double.NaN, c.admits(v), Double.isNaN(v) ? "undefined for this slice" : null);
        }
        if (cmp == null) {
            return new CheckResult(c, s.key(), Double.NaN, Double.NaN, false, missing);
        }
        double v;
        double base = Double.NaN;
        String note = null;
        switch (c.kind()) {
            case DIFFERENCE -> {
                v = cmp.difference(c.metric());
                base = cmp.baseline().metric(c.metric());
            }
            case RATIO -> {
                v = cmp.ratio(c.metric());
                base = cmp.baseline().metric(c.metric());
                if (base == 0) {
                    note = "the baseline value is 0";
                }
            }
            default -> v = c.term().equals(Check.PSI) ? cmp.gapPsi() : cmp.gapJs();
        }
        if (Double.isNaN(v) && note == null) {
            note = "undefined for this slice";
        }
        return new CheckResult(c, s.key(), v, base, c.admits(v), note);
    }

    public long failed() {
        return checks.stream().filter(r -> !r.passed()).count();
    }

    public boolean passed() {
        return failed() == 0;
    }
}
