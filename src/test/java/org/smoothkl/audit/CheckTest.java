package org.smoothkl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.smoothkl.loss.Preset;

/** The check grammar: what parses to what, what is refused with which message, and bounds at their edges. */
class CheckTest {

    @Test
    void absoluteBoundsOnEverySummary() {
        Check c = Check.parse("mean_kl<=0.5");
        assertThat(c.scope()).isEqualTo(Check.Scope.EVERY);
        assertThat(c.kind()).isEqualTo(Check.Kind.ABSOLUTE);
        assertThat(c.metric()).isEqualTo(Metric.MEAN_KL);
        assertThat(c.term()).isEqualTo("mean_kl");
        assertThat(c.bound()).isEqualTo("<= 0.5");
        assertThat(c.needsBaseline()).isFalse();
        assertThat(c.admits(0.5)).isTrue();
        assertThat(c.admits(Math.nextUp(0.5))).isFalse();
        assertThat(c.admits(-1)).isTrue();
        assertThat(c.admits(Double.NaN)).as("an undefined value never passes").isFalse();
        assertThat(c.selects(SliceKey.OVERALL)).isTrue();
        assertThat(c.selects(key("slice", "a"))).isTrue();
    }

    @Test
    void strictAndLowerBounds() {
        assertThat(Check.parse("accuracy >= 0.6").admits(0.6)).isTrue();
        assertThat(Check.parse("accuracy > 0.6").admits(0.6)).isFalse();
        assertThat(Check.parse("accuracy > 0.6").admits(Math.nextUp(0.6))).isTrue();
        assertThat(Check.parse("ece < 0.05").admits(0.05)).isFalse();
        assertThat(Check.parse("ece<5e-2").admits(0.049)).isTrue();
        assertThat(Check.parse("invalid_fraction <= 0").admits(0.0)).isTrue();
    }

    @Test
    void intervalsIncludeBothEnds() {
        Check c = Check.parse("overall.mean_gap in [5, 8]");
        assertThat(c.scope()).isEqualTo(Check.Scope.OVERALL);
        assertThat(c.bound()).isEqualTo("in [5, 8]");
        assertThat(c.admits(5)).isTrue();
        assertThat(c.admits(8)).isTrue();
        assertThat(c.admits(Math.nextDown(5.0))).isFalse();
        assertThat(c.admits(Math.nextUp(8.0))).isFalse();
        assertThat(c.selects(SliceKey.OVERALL)).isTrue();
        assertThat(c.selects(key("slice", "a"))).isFalse();
        assertThat(Check.parse("mean_gap in [-1.5,-1.5]").admits(-1.5)).isTrue();
    }

    @Test
    void relativeChecksSayWhetherTheyAreDifferencesOrRatios() {
        Check d = Check.parse("delta(accuracy) >= -0.02");
        assertThat(d.kind()).isEqualTo(Check.Kind.DIFFERENCE);
        assertThat(d.kind().code()).isEqualTo("difference");
        assertThat(d.metric()).isEqualTo(Metric.ACCURACY);
        assertThat(d.term()).isEqualTo("delta(accuracy)");
        assertThat(d.needsBaseline()).isTrue();
        Check r = Check.parse("ratio( mean_kl )<=1.1");
        assertThat(r.kind()).isEqualTo(Check.Kind.RATIO);
        assertThat(r.kind().code()).isEqualTo("ratio");
        assertThat(r.term()).isEqualTo("ratio(mean_kl)");
        Check psi = Check.parse("gap_psi < 0.25");
        assertThat(psi.kind()).isEqualTo(Check.Kind.DISTANCE);
        assertThat(psi.metric()).isNull();
        assertThat(psi.needsBaseline()).isTrue();
        assertThat(Check.parse("gap_js<=0.1").term()).isEqualTo(Check.JS);
    }

    @Test
    void sliceSelectorsMatchTheNamedValues() {
        Check c = Check.parse("slice[model=m1, locale=en].accuracy>=0.6");
        assertThat(c.scope()).isEqualTo(Check.Scope.SELECTED);
        assertThat(c.selector()).containsExactly(Map.entry("model", "m1"), Map.entry("locale", "en"));
        assertThat(c.selects(key("model", "m1", "locale", "en"))).isTrue();
        assertThat(c.selects(key("model", "m2", "locale", "en"))).isFalse();
        assertThat(c.selects(SliceKey.OVERALL)).as("not the overall summary").isFalse();
        assertThat(c.selectorText()).isEqualTo("slice[model=m1, locale=en]");
        // A partial selector picks every slice with those values; numbers match by value.
        Check partial = Check.parse("slice[shard=3].mean_kl<=1");
        assertThat(partial.selects(key("shard", 3, "day", "mon"))).isTrue();
        assertThat(partial.selects(key("shard", 3L, "day", "tue"))).isTrue();
        assertThat(partial.selects(key("shard", 4, "day", "mon"))).isFalse();
        // Quoted values may hold , and ].
        Check quoted = Check.parse("slice[name=\"a, b]\"].accuracy>=0");
        assertThat(quoted.selector()).containsExactly(Map.entry("name", "a, b]"));
    }

    @Test
    void aSelectorValueIsComparedWithTheTypedValue() {
        Check three = Check.parse("slice[n=3].accuracy>=0");
        // On a number column by value, whatever the number's type ...
        for (Object v : List.<Object>of(3, 3L, (short) 3, (byte) 3, 3.0, 3.0f, new java.math.BigDecimal("3.00"))) {
            assertThat(three.selects(key("n", v))).as("%s %s", v.getClass().getSimpleName(), v).isTrue();
        }
        assertThat(three.selects(key("n", 4))).isFalse();
        assertThat(three.selects(key("n", 3.5))).isFalse();
        assertThat(three.selects(key("n", (Object) null))).isFalse();
        // ... on a string column by text.
        assertThat(three.selects(key("n", "3"))).isTrue();
        assertThat(three.selects(key("n", "3.0"))).isFalse();
        assertThat(three.selects(key("n", " 3"))).isFalse();
        assertThat(Check.parse("slice[n=\"3\"].accuracy>=0").selects(key("n", 3))).as("quoted reads the same").isTrue();
        assertThat(Check.parse("slice[x=0.1].accuracy>=0").selects(key("x", 0.1f))).isTrue();
        assertThat(Check.parse("slice[x=0.1].accuracy>=0").selects(key("x", 0.1))).isTrue();
        assertThat(Check.parse("slice[x=NaN].accuracy>=0").selects(key("x", Double.NaN))).isTrue();
        assertThat(Check.parse("slice[x=-Infinity].accuracy>=0").selects(key("x", Double.NEGATIVE_INFINITY))).isTrue();
        assertThat(Check.parse("slice[b=true].accuracy>=0").selects(key("b", true))).isTrue();
        assertThat(Check.parse("slice[b=true].accuracy>=0").selects(key("b", false))).isFalse();
        assertThat(Check.parse("slice[d=2026-12-01].accuracy>=0").selects(key("d", java.sql.Date.valueOf("2026-12-01")))).isTrue();
        assertThat(Check.parse("slice[t=2026-12-01T10:15:30Z].accuracy>=0")
                .selects(key("t", java.sql.Timestamp.from(java.time.Instant.parse("2026-12-01T10:15:30Z"))))).isTrue();
        assertThat(Check.parse("slice[m=1.5].accuracy>=0").selects(key("m", new java.math.BigDecimal("1.50")))).isTrue();
        assertThat(Check.parse("slice[y=0x0a1b].accuracy>=0").selects(key("y", new byte[] {10, 27}))).isTrue();
    }

    @Test
    void theBareWordNullSelectsTheNullSliceAndTheQuotedOneTheString() {
        Check isNull = Check.parse("slice[x=null].accuracy>=0");
        assertThat(isNull.selector()).containsEntry("x", null);
        assertThat(isNull.selects(key("x", null))).isTrue();
        assertThat(isNull.selects(key("x", "null"))).isFalse();
        assertThat(isNull.selects(key("x", 0))).isFalse();
        Check word = Check.parse("slice[x=\"null\"].accuracy>=0");
        assertThat(word.selects(key("x", "null"))).isTrue();
        assertThat(word.selects(key("x", null))).isFalse();
        assertThat(isNull.selectorText()).isEqualTo("slice[x=null]");
        assertThat(word.selectorText()).isEqualTo("slice[x=\"null\"]");
        assertThat(Check.parse("slice[x=\"\"].accuracy>=0").selects(key("x", ""))).isTrue();
        assertThat(Check.parse("slice[x=\"\"].accuracy>=0").selects(key("x", null))).isFalse();
    }

    /** A label's text is a selector of exactly its slice, among look-alikes of every kind. */
    @Test
    void everyLabelPastedIntoSliceBracketsSelectsItsSliceAlone() {
        List<SliceKey> keys = new java.util.ArrayList<>(SliceKeyTest.LOOK_ALIKES);
        keys.add(key("s", "a\nb\t\u001b[31m\"q\"\\ \u202e"));
        keys.add(key("s", "a\\nb"));
        for (SliceKey k : keys) {
            Check c = Check.parse("slice[" + k.label() + "].accuracy>=0");
            // Among keys of the same columns and type (one run), it selects its own key only.
            List<SliceKey> sameRun = keys.stream().filter(o -> o.columns().equals(k.columns())
                    && sameTypes(o, k)).toList();
            assertThat(sameRun.stream().filter(c::selects)).as(k.label()).containsExactly(k);
        }
        SliceKey control = key("s", "a\nb\t\u001b[31m\"q\"\\");
        assertThat(Check.parse("slice[" + control.label() + "].accuracy>=0").selectorText())
                .isEqualTo("slice[" + control.label() + "]");
    }

    private static boolean sameTypes(SliceKey a, SliceKey b) {
        for (int i = 0; i < a.types().size(); i++) {
            if (a.types().get(i) != null && b.types().get(i) != null && a.types().get(i) != b.types().get(i)) {
                return false;
            }
        }
        return true;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "mean_kl", "mean_kl <= ", "mean_kl => 1", "mean_kl == 1", "mean_kl <= NaN",
        "mean_gap in [8, 5]", "mean_gap in [1]", "slice[].accuracy>=0", "slice[a=1.accuracy>=0",
        "slice[a=1]accuracy>=0", "slice[a=1, a=2].accuracy>=0", "slice[a=\"\\u12\"].accuracy>=0", "slice[a=\"x].accuracy>=0", "delta(gap_psi)<=1", "overall.", "accuracy >= 0.6 extra"})
    void malformedChecksAreInputErrorsNamingTheCheck(String text) {
        assertThatThrownBy(() -> Check.parse(text)).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--check '" + text.strip() + "'");
    }

    @Test
    void unknownMetricsListTheKnownOnes() {
        assertThatThrownBy(() -> Check.parse("mean_loss <= 1")).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("unknown metric 'mean_loss'").hasMessageContaining("mean_kl")
                .hasMessageContaining("ece").hasMessageContaining("gap_psi");
        assertThatThrownBy(() -> Check.parse("ratio(psi) <= 1")).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("unknown metric 'psi'");
    }

    @Test
    void everyMetricKeyParses() {
        for (Metric m : Metric.values()) {
            assertThat(Check.parse(m.code() + " >= 0").metric()).isEqualTo(m);
            assertThat(Check.parse("ratio(" + m.code() + ") <= 2").metric()).isEqualTo(m);
        }
    }

    @Test
    void theSpecRefusesRelativeChecksWithoutABaselineAndUnknownSliceColumns() {
        GapHistogramSpec h = new GapHistogramSpec(10, 0, 10);
        CalibrationSpec cal = new CalibrationSpec(10);
        assertThatThrownBy(() -> spec(List.of(Check.parse("delta(mean_kl)<=0.1")), null, h, cal))
                .isInstanceOf(AuditInputException.class).hasMessageContaining("--baseline");
        assertThatThrownBy(() -> spec(List.of(Check.parse("gap_psi<=0.1")), null, h, cal))
                .isInstanceOf(AuditInputException.class).hasMessageContaining("--baseline");
        assertThatThrownBy(() -> spec(List.of(Check.parse("slice[region=eu].accuracy>=0.5")), null, h, cal))
                .isInstanceOf(AuditInputException.class).hasMessageContaining("region").hasMessageContaining("--group-by");
        assertThat(spec(List.of(Check.parse("slice[slice=a].ratio(ece)<=2")), "base", h, cal).checks()).hasSize(1);
    }

    /** A slice key of column, value pairs. */
    static SliceKey key(Object... columnsAndValues) {
        List<String> columns = new java.util.ArrayList<>();
        List<Object> values = new java.util.ArrayList<>();
        for (int i = 0; i < columnsAndValues.length; i += 2) {
            columns.add((String) columnsAndValues[i]);
            values.add(columnsAndValues[i + 1]);
        }
        return new SliceKey(columns, values);
    }

    static AuditSpec spec(List<Check> checks, String baseline, GapHistogramSpec h, CalibrationSpec cal) {
        return new AuditSpec("in", InputFormat.PARQUET, "logits", "label", Preset.SEED, Preset.SEED.with(0.1, null),
                List.of("slice"), h, cal, checks, baseline, null, "tag", "out", false, false);
    }
}
