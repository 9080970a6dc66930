package org.smoothkl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Verdicts of checks over slices, with and without a baseline; no Spark. */
class AssessmentTest {
    private static final GapHistogramSpec HIST = new GapHistogramSpec(10, 0, 10);
    private static final CalibrationSpec CAL = new CalibrationSpec(5);

    /** Slice a: 4 rows, 3 correct, gaps 1..4; slice b: 2 rows, 0 correct, gaps 6, 7; c: only invalid rows. */
    private static AuditResult result(AuditSpec spec, double klScale) {
        Map<SliceKey, SliceSummary> slices = new LinkedHashMap<>();
        SliceSummary a = new SliceSummary(HIST, CAL);
        for (int i = 1; i <= 4; i++) {
            a.addValidRow(0.1 * i * klScale, 1, 1, i, 0.9, i != 4, 10);
        }
        SliceSummary b = new SliceSummary(HIST, CAL);
        b.addValidRow(klScale, 2, 2, 6, 0.5, false, 10);
        b.addValidRow(klScale, 2, 2, 7, 0.5, false, 10);
        SliceSummary c = new SliceSummary(HIST, CAL);
        c.addInvalid("nan_logit", 3);
        slices.put(key("a"), a);
        slices.put(key("b"), b);
        slices.put(key("c"), c);
        return AuditResult.of(spec, slices);
    }

    private static SliceKey key(String v) {
        return new SliceKey(List.of("slice"), List.of(v));
    }

    private static AuditSpec spec(String baseline, String... checks) {
        return CheckTest.spec(java.util.Arrays.stream(checks).map(Check::parse).toList(), baseline, HIST, CAL);
    }

    private static RunSnapshot snapshotOf(AuditResult r, String... drop) {
        Map<String, SliceSnapshot> m = new LinkedHashMap<>(Assessment.of(r, null).slices());
        for (String d : drop) {
            m.remove(d);
        }
        return new RunSnapshot("base", "2026-11-27T00:00:00Z", "yesterday", HIST, CAL.bins(), m);
    }

    @Test
    void aCheckWithoutScopeHasAVerdictForOverallAndEachSlice() {
        Assessment a = Assessment.of(result(spec(null, "accuracy>=0.5"), 1), null);
        assertThat(a.slices().keySet()).containsExactly("overall", "slice=a", "slice=b", "slice=c");
        assertThat(a.checks()).extracting(CheckResult::slice).containsExactly("overall", "slice=a", "slice=b", "slice=c");
        assertThat(a.checks()).extracting(CheckResult::passed).containsExactly(true, true, false, false);
        assertThat(a.checks().get(0).value()).isEqualTo(0.5); // 3 of 6 valid rows
        assertThat(a.checks().get(3).value()).isNaN();
        assertThat(a.checks().get(3).note()).contains("undefined");
        assertThat(a.failed()).isEqualTo(2);
        assertThat(a.passed()).isFalse();
        assertThat(a.checks().get(2).describe()).startsWith("check FAILED: accuracy>=0.5  [slice=b]  accuracy = 0");
    }

    @Test
    void scopedChecks() {
        Assessment a = Assessment.of(result(spec(null, "overall.invalid_fraction<=0.2", "slice[slice=b].mean_gap in [6, 7]",
                "slice[slice=zz].accuracy>=0"), 1), null);
        assertThat(a.checks()).hasSize(3);
        assertThat(a.checks().get(0).slice()).isEqualTo("overall");
        assertThat(a.checks().get(0).value()).isCloseTo(3.0 / 9, within(1e-15));
        assertThat(a.checks().get(0).passed()).isFalse();
        assertThat(a.checks().get(1).slice()).isEqualTo("slice=b");
        assertThat(a.checks().get(1).value()).isEqualTo(6.5);
        assertThat(a.checks().get(1).passed()).isTrue();
        assertThat(a.checks().get(2).slice()).isEqualTo("slice[slice=zz]");
        assertThat(a.checks().get(2).passed()).isFalse();
        assertThat(a.checks().get(2).note()).isEqualTo("no slice of this run matches");
    }

    @Test
    void noChecksPass() {
        Assessment a = Assessment.of(result(spec(null), 1), null);
        assertThat(a.checks()).isEmpty();
        assertThat(a.passed()).isTrue();
        assertThat(a.comparisons()).isEmpty();
    }

    @Test
    void differencesRatiosAndDistancesAgainstABaseline() {
        RunSnapshot base = snapshotOf(result(spec(null), 1), "slice=b");
        AuditResult now = result(spec("base", "delta(mean_kl)<=0.1", "ratio(mean_kl)<=1.5", "gap_psi<=0"), 2);
        Assessment a = Assessment.of(now, base);
        assertThat(a.comparisons().keySet()).containsExactly("overall", "slice=a", "slice=c");

        Comparison ca = a.comparisons().get("slice=a");
        // mean kl: baseline 0.25, now 0.5.
        assertThat(ca.baseline().metric(Metric.MEAN_KL)).isCloseTo(0.25, within(1e-15));
        assertThat(ca.difference(Metric.MEAN_KL)).isCloseTo(0.25, within(1e-15));
        assertThat(ca.ratio(Metric.MEAN_KL)).isCloseTo(2.0, within(1e-15));
        assertThat(ca.difference(Metric.ROWS)).isZero();
        assertThat(ca.ratio(Metric.ROWS)).isEqualTo(1.0);
        assertThat(ca.gapPsi()).as("same gaps").isZero();
        assertThat(ca.gapJs()).isZero();
        for (Metric m : Metric.values()) {
            double d = a.slices().get("slice=a").metric(m) - base.slices().get("slice=a").metric(m);
            assertThat(Double.valueOf(ca.difference(m))).as(m.code()).isEqualTo(Double.valueOf(d));
        }

        Map<String, List<CheckResult>> bySlice = new LinkedHashMap<>();
        a.checks().forEach(r -> bySlice.computeIfAbsent(r.slice(), k -> new java.util.ArrayList<>()).add(r));
        List<CheckResult> forA = bySlice.get("slice=a");
        assertThat(forA).extracting(r -> r.check().kind()).containsExactly(Check.Kind.DIFFERENCE, Check.Kind.RATIO,
                Check.Kind.DISTANCE);
        assertThat(forA.get(0).passed()).isFalse();
        assertThat(forA.get(0).baselineValue()).isCloseTo(0.25, within(1e-15));
        assertThat(forA.get(1).passed()).isFalse();
        assertThat(forA.get(2).passed()).isTrue();
        // slice b is not in the baseline: relative checks on it cannot pass.
        assertThat(bySlice.get("slice=b")).allSatisfy(r -> {
            assertThat(r.passed()).isFalse();
            assertThat(r.note()).isEqualTo("the baseline has no such slice");
        });
        // slice c has no valid rows: mean kl is undefined in both runs.
        assertThat(bySlice.get("slice=c")).allSatisfy(r -> assertThat(r.passed()).isFalse());
    }

    @Test
    void aRatioToAZeroBaselineIsUndefined() {
        RunSnapshot base = snapshotOf(result(spec(null), 1));
        Assessment a = Assessment.of(result(spec("base", "slice[slice=a].ratio(invalid)<=2"), 1), base);
        CheckResult r = a.checks().get(0);
        assertThat(r.value()).isNaN();
        assertThat(r.passed()).isFalse();
        assertThat(r.note()).isEqualTo("the baseline value is 0");
    }

    @Test
    void aBaselineWithOtherBinsIsRefused() {
        AuditSpec spec = spec(null);
        RunSnapshot otherGap = new RunSnapshot("b", null, null, new GapHistogramSpec(11, 0, 10), 5, Map.of());
        RunSnapshot otherCal = new RunSnapshot("b", null, null, HIST, 6, Map.of());
        RunSnapshot noCal = new RunSnapshot("b", null, null, HIST, null, Map.of());
        assertThatThrownBy(() -> otherGap.requireComparableWith(spec)).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--bins");
        assertThatThrownBy(() -> otherCal.requireComparableWith(spec)).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--calibration-bins");
        noCal.requireComparableWith(spec); // a run from before calibration is still a baseline
    }
}
