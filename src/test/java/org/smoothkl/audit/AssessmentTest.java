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

    private static RunSnapshot snapshotOf(AuditResult r, String... dropLabels) {
        Map<SliceKey, SliceSnapshot> m = new LinkedHashMap<>(Assessment.of(r, null).slices());
        m.keySet().removeIf(k -> List.of(dropLabels).contains(k.label()));
        return new RunSnapshot("base", "2026-11-27T00:00:00Z", "yesterday", HIST, CAL.bins(), r.sliceTypes(), m);
    }

    @Test
    void aCheckWithoutScopeHasAVerdictForOverallAndEachSlice() {
        Assessment a = Assessment.of(result(spec(null, "accuracy>=0.5"), 1), null);
        assertThat(a.slices().keySet()).extracting(SliceKey::label).containsExactly("overall", "slice=a", "slice=b", "slice=c");
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
        assertThat(a.comparisons().keySet()).containsExactly(SliceKey.OVERALL, key("a"), key("c"));

        Comparison ca = a.comparisons().get(key("a"));
        // mean kl: baseline 0.25, now 0.5.
        assertThat(ca.baseline().metric(Metric.MEAN_KL)).isCloseTo(0.25, within(1e-15));
        assertThat(ca.difference(Metric.MEAN_KL)).isCloseTo(0.25, within(1e-15));
        assertThat(ca.ratio(Metric.MEAN_KL)).isCloseTo(2.0, within(1e-15));
        assertThat(ca.difference(Metric.ROWS)).isZero();
        assertThat(ca.ratio(Metric.ROWS)).isEqualTo(1.0);
        assertThat(ca.gapPsi()).as("same gaps").isZero();
        assertThat(ca.gapJs()).isZero();
        for (Metric m : Metric.values()) {
            double d = a.slices().get(key("a")).metric(m) - base.slices().get(key("a")).metric(m);
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
        RunSnapshot otherGap = new RunSnapshot("b", null, null, new GapHistogramSpec(11, 0, 10), 5, Map.of(), Map.of());
        RunSnapshot otherCal = new RunSnapshot("b", null, null, HIST, 6, Map.of(), Map.of());
        RunSnapshot noCal = new RunSnapshot("b", null, null, HIST, null, Map.of(), Map.of());
        assertThatThrownBy(() -> otherGap.requireComparableWith(spec)).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--bins");
        assertThatThrownBy(() -> otherCal.requireComparableWith(spec)).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--calibration-bins");
        noCal.requireComparableWith(spec); // a run from before calibration is still a baseline
    }

    /** A state of {@code correct} right and {@code wrong} wrong rows, each of mean KL {@code kl}. */
    private static SliceSummary rows(int correct, int wrong, double kl) {
        SliceSummary s = new SliceSummary(HIST, CAL);
        for (int i = 0; i < correct + wrong; i++) {
            s.addValidRow(kl, 1, 1, 2, 0.9, i < correct, 10);
        }
        return s;
    }

    private static AuditSpec grouped(List<String> groupBy, String baseline, String... checks) {
        return new AuditSpec("in", InputFormat.PARQUET, "logits", "label", org.smoothkl.loss.Preset.SEED,
                org.smoothkl.loss.Preset.SEED.with(0.1, null), groupBy, HIST, CAL,
                java.util.Arrays.stream(checks).map(Check::parse).toList(), baseline, null, "tag", "out", false, false);
    }

    /** Slices whose old labels ("col=value, …" unquoted) were one: each keeps its own verdict. */
    @Test
    void slicesWhoseOldLabelsCollideEachHaveTheirVerdict() {
        List<List<SliceKey>> shapes = List.of(
                List.of(CheckTest.key("x", null), CheckTest.key("x", "null")),
                List.of(CheckTest.key("a", "x,b=y", "b", "z"), CheckTest.key("a", "x", "b", "y,b=z")),
                List.of(CheckTest.key("a", "x, b=y", "b", "z"), CheckTest.key("a", "x", "b", "y, b=z")),
                List.of(CheckTest.key("a", "x=", "b", "=z"), CheckTest.key("a", "x", "b", "==z")),
                List.of(CheckTest.key("a", null, "b", "z"), CheckTest.key("a", "null", "b", "z")));
        for (List<SliceKey> pair : shapes) {
            for (int failing = 0; failing < 2; failing++) {
                Map<SliceKey, SliceSummary> slices = new LinkedHashMap<>();
                slices.put(pair.get(0), failing == 0 ? rows(0, 4, 1) : rows(4, 0, 1));
                slices.put(pair.get(1), failing == 1 ? rows(0, 4, 1) : rows(4, 0, 1));
                Assessment a = Assessment.of(AuditResult.of(grouped(pair.get(0).columns(), null, "slice[" + pair.get(failing).label()
                        + "].accuracy>=0.5", "accuracy>=0.4"), slices), null);
                String where = pair + " failing " + failing;
                assertThat(a.slices()).as(where).hasSize(3);
                assertThat(a.slices().keySet()).extracting(SliceKey::label).as(where).doesNotHaveDuplicates();
                assertThat(a.checks()).as(where).hasSize(4); // the selected slice, then overall and both slices
                assertThat(a.checks().get(0).key()).as(where).isEqualTo(pair.get(failing));
                assertThat(a.checks().get(0).passed()).as(where).isFalse();
                assertThat(a.checks().stream().filter(r -> !r.passed()).map(CheckResult::key))
                        .as(where).containsExactly(pair.get(failing), pair.get(failing));
                assertThat(a.passed()).as(where).isFalse();
            }
        }
    }

    /** Each slice is compared with the baseline's slice of the same typed values, not one that prints alike. */
    @Test
    void theBaselineSliceIsTheOneOfTheSameTypedValues() {
        List<SliceKey> keys = List.of(CheckTest.key("a", "x,b=y", "b", "z"), CheckTest.key("a", "x", "b", "y,b=z"),
                CheckTest.key("a", null, "b", "z"), CheckTest.key("a", "null", "b", "z"));
        Map<SliceKey, SliceSummary> then = new LinkedHashMap<>();
        Map<SliceKey, SliceSummary> now = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            then.put(keys.get(i), rows(1, 3, i + 1));
            now.put(keys.get(i), rows(1, 3, i + 1.5));
        }
        AuditSpec spec = grouped(List.of("a", "b"), "base", "delta(mean_kl)<=0.5", "delta(mean_kl)>=0.5");
        RunSnapshot base = snapshotOf(AuditResult.of(spec, then));
        Assessment a = Assessment.of(AuditResult.of(spec, now), base);
        assertThat(a.comparisons()).hasSize(5);
        for (SliceKey k : keys) {
            assertThat(a.comparisons().get(k).difference(Metric.MEAN_KL)).as(k.label()).isEqualTo(0.5);
            assertThat(a.comparisons().get(k).baseline().key()).isEqualTo(k);
        }
        assertThat(a.passed()).isTrue();
    }

    /** A column whose type changed between the runs matches no slice but the null one; the verdict says why. */
    @Test
    void aSliceColumnOfAnotherTypeInTheBaselineMatchesNothingButNull() {
        List<Object[]> changes = List.of(new Object[] {1, "1"}, new Object[] {1, 1L}, new Object[] {1.0, 1.0f},
                new Object[] {true, "true"}, new Object[] {java.time.LocalDate.parse("2026-12-01"), "2026-12-01"});
        for (Object[] change : changes) {
            AuditSpec spec = grouped(List.of("n"), "base", "delta(accuracy)>=-1");
            Map<SliceKey, SliceSummary> then = new LinkedHashMap<>();
            then.put(CheckTest.key("n", change[0]), rows(2, 2, 1));
            then.put(CheckTest.key("n", null), rows(2, 2, 1));
            Map<SliceKey, SliceSummary> now = new LinkedHashMap<>();
            now.put(CheckTest.key("n", change[1]), rows(2, 2, 1));
            now.put(CheckTest.key("n", null), rows(2, 2, 1));
            String where = change[0].getClass().getSimpleName() + " then, " + change[1].getClass().getSimpleName() + " now";
            Assessment a = Assessment.of(AuditResult.of(spec, now), snapshotOf(AuditResult.of(spec, then)));
            assertThat(a.comparisons().keySet()).as(where).containsExactlyInAnyOrder(SliceKey.OVERALL, CheckTest.key("n", null));
            CheckResult moved = a.checks().stream().filter(r -> CheckTest.key("n", change[1]).equals(r.key())).findFirst().orElseThrow();
            assertThat(moved.passed()).as(where).isFalse();
            assertThat(moved.note()).as(where).startsWith("the baseline has no such slice; column n is "
                    + SliceType.of(change[1]).code() + " here, " + SliceType.of(change[0]).code() + " in the baseline");
        }
    }
}
