package org.smoothkl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.smoothkl.audit.CheckTest.key;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A slice is its typed values: equality, order and labels over look-alike values of every type; no Spark. */
class SliceKeyTest {

    /** Pairs of slices whose values print alike or compare alike in some loose reading. */
    static final List<SliceKey> LOOK_ALIKES = List.of(
            key("x", null), key("x", "null"), key("x", "Null"), key("x", ""), key("x", " "), key("x", "\"\""),
            key("a", "x,b=y", "b", "z"), key("a", "x", "b", "y,b=z"), key("a", "x, b=y", "b", "z"), key("a", "x", "b", "y, b=z"),
            key("a", null, "b", "z"), key("a", "null", "b", "z"), key("a", "x=", "b", "=z"), key("a", "x", "b", "==z"),
            key("n", 1), key("n", 1L), key("n", "1"), key("n", 1.0), key("n", 1.0f), key("n", (short) 1), key("n", (byte) 1),
            key("n", new BigDecimal("1")), key("b", true), key("b", "true"), key("f", Double.NaN), key("f", "NaN"),
            key("d", LocalDate.parse("2026-12-01")), key("d", "2026-12-01"),
            key("t", Instant.parse("2026-12-01T10:15:30Z")), key("t", "2026-12-01T10:15:30Z"),
            key("t", LocalDateTime.parse("2026-12-01T10:15:30")), key("y", new byte[] {10, 27}), key("y", "0x0a1b"));

    @Test
    void lookAlikeValuesAreDistinctSlicesWithDistinctLabels() {
        assertThat(new HashSet<>(LOOK_ALIKES)).hasSameSizeAs(LOOK_ALIKES);
        assertThat(new TreeMap<SliceKey, Integer>(LOOK_ALIKES.stream().collect(
                java.util.stream.Collectors.toMap(k -> k, k -> 0)))).as("compareTo agrees with equals").hasSameSizeAs(LOOK_ALIKES);
        // Within one type per column (as in any run) labels are distinct too; across types they say the type.
        List<String> labels = LOOK_ALIKES.stream().map(SliceKey::label).toList();
        assertThat(labels.stream().filter(l -> !l.startsWith("n=")).distinct().count())
                .isEqualTo(LOOK_ALIKES.stream().filter(k -> !k.columns().get(0).equals("n")).count());
        assertThat(labels).contains("x=null", "x=\"null\"", "x=Null", "x=\"\"", "x=\" \"", "x=\"\\\"\\\"\"",
                "a=\"x,b=y\", b=z", "a=x, b=\"y,b=z\"", "a=null, b=z", "a=\"null\", b=z", "n=1", "n=\"1\"", "n=1.0",
                "b=true", "b=\"true\"", "f=NaN", "f=\"NaN\"", "d=2026-12-01", "d=\"2026-12-01\"", "t=2026-12-01T10:15:30Z",
                "t=2026-12-01T10:15:30", "y=0x0a1b", "y=\"0x0a1b\"");
    }

    @Test
    void plainWordsStayBareAsBefore() {
        assertThat(key("slice", "slice-2").label()).isEqualTo("slice=slice-2");
        assertThat(key("lang", "en", "n", 3, "d", null).label()).isEqualTo("lang=en, n=3, d=null");
        assertThat(key("path", "a/b.c:d_e").label()).isEqualTo("path=a/b.c:d_e");
        assertThat(key("w", "two words").label()).isEqualTo("w=\"two words\"");
        assertThat(key("w", "3rd").label()).as("a word starting with a digit could be a number or date").isEqualTo("w=\"3rd\"");
        assertThat(key("w", "café").label()).isEqualTo("w=\"café\"");
        assertThat(SliceKey.OVERALL.label()).isEqualTo("overall");
    }

    @Test
    void theSameValueOfOneTypeIsOneSliceHoweverSparkHandsItOver() {
        assertThat(key("d", java.sql.Date.valueOf("2026-12-01"))).isEqualTo(key("d", LocalDate.parse("2026-12-01")));
        Instant t = Instant.parse("2026-12-01T10:15:30.123456Z");
        assertThat(key("t", java.sql.Timestamp.from(t))).isEqualTo(key("t", t));
        assertThat(key("m", new BigDecimal("1.50"))).isEqualTo(key("m", new BigDecimal("1.5")))
                .hasSameHashCodeAs(key("m", new BigDecimal("1.500")));
        assertThat(key("y", new byte[] {1, 2})).isEqualTo(key("y", new byte[] {1, 2})).isNotEqualTo(key("y", new byte[] {1, 3}));
        assertThat(key("m", new BigDecimal("1.50")).label()).isEqualTo("m=1.5");
        assertThat(key("m", new BigDecimal("1E+2")).label()).isEqualTo("m=100");
        // The values stay Spark's own (they go back into Parquet).
        assertThat(key("y", new byte[] {1, 2}).values().get(0)).isInstanceOf(byte[].class);
    }

    @Test
    void controlAndBidiCharactersAreEscapesInLabels() {
        assertThat(key("s", "a\nb").label()).isEqualTo("s=\"a\\nb\"");
        assertThat(key("s", "tab\there").label()).isEqualTo("s=\"tab\\there\"");
        assertThat(key("s", "\u001b[31mred").label()).isEqualTo("s=\"\\u001b[31mred\"");
        assertThat(key("s", "cr\rlf").label()).isEqualTo("s=\"cr\\rlf\"");
        assertThat(key("s", "csi\u009bx").label()).isEqualTo("s=\"csi\\u009bx\"");
        assertThat(key("s", "abc\u202edcba").label()).isEqualTo("s=\"abc\\u202edcba\"");
        assertThat(key("s", "line\u2028sep").label()).isEqualTo("s=\"line\\u2028sep\"");
        assertThat(key("s", "back\\slash").label()).isEqualTo("s=\"back\\\\slash\"");
        assertThat(key("col\nname", "v").label()).as("column names too").isEqualTo("col\\nname=v");
        for (SliceKey k : LOOK_ALIKES) {
            assertThat(k.label().chars()).noneMatch(c -> Character.isISOControl(c));
        }
    }

    @Test
    void theConsoleCutsEachValue() {
        String longWord = "w".repeat(100);
        String label = key("a", longWord, "b", "x".repeat(30) + " " + "y".repeat(30), "c", 7).label(40);
        assertThat(label).isEqualTo("a=" + "w".repeat(39) + "…, b=\"" + "x".repeat(30) + " " + "y".repeat(8) + "…\", c=7");
        assertThat(key("a", longWord).label()).isEqualTo("a=" + longWord);
        assertThat(key("a", "short").label(40)).isEqualTo("a=short");
        // A cut never splits a surrogate pair.
        String emoji = "😀".repeat(30);
        assertThat(key("e", emoji).label(40)).doesNotContain("\ud83d…").endsWith("…\"");
    }

    @Test
    void everyTypesTextReadsBackAsTheSameValue() {
        List<Object> samples = List.of("text", "", true, false, (byte) -7, (short) 300, 42, -42L, Long.MAX_VALUE, 0.1f, 0.1,
                -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, new BigDecimal("-12345678901234567890.50"),
                LocalDate.parse("2026-12-01"), java.sql.Date.valueOf("1999-01-31"), Instant.parse("2026-12-01T10:15:30.5Z"),
                java.sql.Timestamp.from(Instant.parse("1970-01-01T00:00:00Z")), LocalDateTime.parse("2026-12-01T10:15:30"),
                new byte[] {0, -1, 16});
        for (Object v : samples) {
            SliceType t = SliceType.of(v);
            Object back = t.parse(SliceType.text(v));
            assertThat(key("c", back)).as("%s %s", t, SliceType.text(v)).isEqualTo(key("c", v));
        }
        assertThat(SliceType.toJson(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(SliceType.toJson(Double.NaN)).isEqualTo("NaN");
        assertThat(SliceType.toJson(new BigDecimal("1.50"))).isEqualTo("1.5");
        assertThat(SliceType.toJson(java.sql.Timestamp.from(Instant.parse("2026-12-01T10:15:30Z")))).isEqualTo("2026-12-01T10:15:30Z");
        assertThat(SliceType.toJson(new byte[] {10, 27})).isEqualTo("0x0a1b");
        assertThatThrownBy(() -> SliceType.INT.parse("3.5")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int");
        assertThatThrownBy(() -> SliceType.BOOLEAN.parse("yes")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRunKnowsEachColumnsTypeFromItsValues() {
        AuditSpec spec = new AuditSpec("in", InputFormat.PARQUET, "logits", "label", org.smoothkl.loss.Preset.SEED,
                org.smoothkl.loss.Preset.SEED.with(0.1, null), List.of("lang", "n", "gone"), new GapHistogramSpec(4, 0, 4),
                new CalibrationSpec(4), List.of(), null, null, "t", "out", false, false);
        Map<SliceKey, SliceSummary> slices = new java.util.HashMap<>();
        for (SliceKey k : List.of(key("lang", "en", "n", 1, "gone", null), key("lang", null, "n", 2, "gone", null))) {
            slices.put(k, new SliceSummary(spec.histogram(), spec.calibration()));
        }
        Map<String, SliceType> types = AuditResult.of(spec, slices).sliceTypes();
        assertThat(new ArrayList<>(types.keySet())).containsExactly("lang", "n", "gone");
        assertThat(Arrays.asList(types.get("lang"), types.get("n"), types.get("gone")))
                .containsExactly(SliceType.STRING, SliceType.INT, null);
        slices.put(key("lang", "de", "n", 3L, "gone", null), new SliceSummary(spec.histogram(), spec.calibration()));
        assertThatThrownBy(() -> AuditResult.of(spec, slices).sliceTypes()).hasMessageContaining("int and bigint");
    }
}
