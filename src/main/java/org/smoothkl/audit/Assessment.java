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
 * @param slices "overall" first, then each slice (when the run is grouped), by label
 * @param comparisons by label; a slice the baseline does not have has none
 */
public record Assessment(Map<String, SliceSnapshot> slices, RunSnapshot baseline, Map<String, Comparison> comparisons,
                         List<CheckResult> checks) {
    public static final String OVERALL = "overall";

    public Assessment {
        slices = Collections.unmodifiableMap(new LinkedHashMap<>(slices));
        comparisons = Collections.unmodifiableMap(new LinkedHashMap<>(comparisons));
        checks = List.copyOf(checks);
    }

    public static Assessment of(AuditResult result, RunSnapshot baseline) {
        AuditSpec spec = result.spec();
        Map<String, SliceSnapshot> slices = new LinkedHashMap<>();
        slices.put(OVERALL, SliceSnapshot.of(SliceKey.OVERALL, result.overall(), spec));
        if (!spec.groupBy().isEmpty()) {
            result.slices().forEach((k, s) -> slices.put(k.label(), SliceSnapshot.of(k, s, spec)));
        }
        Map<String, Comparison> comparisons = new LinkedHashMap<>();
        if (baseline != null) {
            slices.forEach((label, s) -> {
                SliceSnapshot b = baseline.slices().get(label);
                if (b != null) {
                    comparisons.put(label, Comparison.of(s, b));
                }
            });
        }
        List<CheckResult> verdicts = new ArrayList<>();
        for (Check c : spec.checks()) {
            boolean any = false;
            for (SliceSnapshot s : slices.values()) {
                if (c.selects(s.key())) {
                    verdicts.add(evaluate(c, s, comparisons.get(s.label())));
                    any = true;
                }
            }
            if (!any) {
                verdicts.add(new CheckResult(c, c.selectorText(), Double.NaN, Double.NaN, false,
                        "no slice of this run matches"));
            }
        }
        return new Assessment(slices, baseline, comparisons, verdicts);
    }

    private static CheckResult evaluate(Check c, SliceSnapshot s, Comparison cmp) {
        if (c.kind() == Check.Kind.ABSOLUTE) {
            double v = s.metric(c.metric());
            return new CheckResult(c, s.label(), v, Double.NaN, c.admits(v), Double.isNaN(v) ? "undefined for this slice" : null);
        }
        if (cmp == null) {
            return new CheckResult(c, s.label(), Double.NaN, Double.NaN, false, "the baseline has no such slice");
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
        return new CheckResult(c, s.label(), v, base, c.admits(v), note);
    }

    public long failed() {
        return checks.stream().filter(r -> !r.passed()).count();
    }

    public boolean passed() {
        return failed() == 0;
    }
}
