package org.smoothkl.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.Check;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.RunSnapshot;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.audit.SliceType;
import org.smoothkl.loss.Preset;

/**
 * Slices as typed values through summary.json: what "slice_columns" and "key" hold for each type,
 * that a baseline read back matches slices by type and value (an older summary without types by
 * this run's), and that report.html names and checks each look-alike slice apart. No Spark.
 */
class TypedSliceSummaryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GapHistogramSpec HIST = new GapHistogramSpec(4, 0, 4);
    private static final CalibrationSpec CAL = new CalibrationSpec(4);

    private static AuditSpec spec(List<String> groupBy, String baseline, String... checks) {
        return new AuditSpec("in", InputFormat.PARQUET, "logits", "label", Preset.SEED, Preset.SEED.with(0.1, null), groupBy,
                HIST, CAL, Arrays.stream(checks).map(Check::parse).toList(), baseline, null, "tag", "out", false, false);
    }

    private static SliceKey key(List<String> columns, Object... values) {
        return new SliceKey(columns, Arrays.asList(values));
    }

    /** {@code correct} of {@code n} rows right, each of KL {@code kl}. */
    private static SliceSummary rows(int n, int correct, double kl) {
        SliceSummary s = new SliceSummary(HIST, CAL);
        for (int i = 0; i < n; i++) {
            s.addValidRow(kl, 1, 1, 1.5, 0.8, i < correct, 10);
        }
        return s;
    }

    private static AuditResult result(AuditSpec spec, List<SliceKey> keys) {
        Map<SliceKey, SliceSummary> slices = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            slices.put(keys.get(i), rows(4, i % 2 == 0 ? 4 : 0, i + 1));
        }
        return AuditResult.of(spec, slices);
    }

    private static String json(AuditResult result, RunSnapshot baseline) {
        return SummaryJson.render(result, Assessment.of(result, baseline), Map.of("started", "2026-12-01T00:00:00Z"));
    }

    private static final List<String> EVERY_TYPE = List.of("s", "b", "i", "l", "f", "d", "m", "day", "t", "y");

    @Test
    void summaryJsonRecordsEachColumnsTypeAndEachValueSoThatTheyReadBackTheSame() throws Exception {
        List<SliceKey> keys = List.of(
                key(EVERY_TYPE, "en", true, 3, Long.MAX_VALUE, 0.1f, Double.NaN, new BigDecimal("12345678901234567890.10"),
                        java.sql.Date.valueOf("2026-12-01"), java.sql.Timestamp.from(Instant.parse("2026-12-01T10:15:30.25Z")),
                        new byte[] {10, 27}),
                key(EVERY_TYPE, null, null, null, null, null, null, null, null, null, null),
                key(EVERY_TYPE, "null", false, -3, (1L << 53) + 1, Float.NEGATIVE_INFINITY, -0.0, new BigDecimal("-1E+2"),
                        LocalDate.parse("1999-01-31"), Instant.parse("1970-01-01T00:00:00Z"), new byte[0]));
        AuditResult result = result(spec(EVERY_TYPE, null), keys);
        JsonNode root = JSON.readTree(json(result, null));

        List<String> columns = new ArrayList<>();
        root.get("slice_columns").forEach(c -> columns.add(c.get("name").asText() + ":" + c.get("type").asText()));
        assertThat(columns).containsExactly("s:string", "b:boolean", "i:int", "l:bigint", "f:float", "d:double", "m:decimal",
                "day:date", "t:timestamp", "y:binary");
        // The slices are in key order: the null slice first.
        assertThat(root.at("/slices/0/key").toString()).isEqualTo("{\"s\":null,\"b\":null,\"i\":null,\"l\":null,\"f\":null,"
                + "\"d\":null,\"m\":null,\"day\":null,\"t\":null,\"y\":null}");
        JsonNode en = root.at("/slices/1/key");
        assertThat(en.toString()).isEqualTo("{\"s\":\"en\",\"b\":true,\"i\":3,\"l\":9223372036854775807,\"f\":0.1,\"d\":\"NaN\","
                + "\"m\":\"12345678901234567890.1\",\"day\":\"2026-12-01\",\"t\":\"2026-12-01T10:15:30.250Z\",\"y\":\"0x0a1b\"}");
        assertThat(root.at("/slices/2/key").toString()).isEqualTo("{\"s\":\"null\",\"b\":false,\"i\":-3,\"l\":9007199254740993,"
                + "\"f\":\"-Infinity\",\"d\":-0.0,\"m\":\"-100\",\"day\":\"1999-01-31\",\"t\":\"1970-01-01T00:00:00Z\",\"y\":\"0x\"}");

        RunSnapshot read = SummaryReader.snapshot(json(result, null), "dir");
        assertThat(read.slices().keySet()).containsExactlyElementsOf(Assessment.of(result, null).slices().keySet());
        assertThat(read.sliceTypes()).isEqualTo(result.sliceTypes());
        // A run compares with itself slice by slice, every type included.
        Assessment self = Assessment.of(result, read);
        assertThat(self.comparisons()).hasSize(4);
    }

    /** int 1 then string "1" (or bigint 1, or a float for a double): not the same slice; null is null in any column. */
    @Test
    void aBaselineMatchesByTypeAndValueAcrossRuns() throws Exception {
        List<String> n = List.of("n");
        List<Object[]> pairs = List.of(new Object[] {1, "1"}, new Object[] {1, 1L}, new Object[] {0.5f, 0.5},
                new Object[] {"2026-12-01", java.sql.Date.valueOf("2026-12-01")}, new Object[] {1, 1});
        for (Object[] p : pairs) {
            AuditResult then = result(spec(n, null), List.of(key(n, p[0]), key(n, (Object) null)));
            RunSnapshot base = SummaryReader.snapshot(json(then, null), "base");
            AuditResult now = result(spec(n, "base", "delta(accuracy)>=0"), List.of(key(n, p[1]), key(n, (Object) null)));
            Assessment a = Assessment.of(now, base);
            boolean sameType = SliceType.of(p[0]) == SliceType.of(p[1]);
            String where = p[0].getClass().getSimpleName() + " → " + p[1].getClass().getSimpleName();
            assertThat(a.comparisons().containsKey(key(n, p[1]))).as(where).isEqualTo(sameType);
            assertThat(a.comparisons().containsKey(key(n, (Object) null))).as(where).isTrue();
            assertThat(a.passed()).as(where).isEqualTo(sameType);
            JsonNode written = JSON.readTree(json(now, base));
            JsonNode slice = written.at("/slices/1");
            assertThat(slice.get("baseline").isNull()).as(where).isEqualTo(!sameType);
        }
    }

    /** A summary.json of the version before "slice_columns": its values are read as this run's column types. */
    @Test
    void aBaselineWithoutColumnTypesIsReadWithThisRunsTypes() throws Exception {
        List<String> cols = List.of("n", "d", "s");
        List<SliceKey> keys = List.of(key(cols, 7, LocalDate.parse("2026-12-01"), "a"), key(cols, null, null, "null"),
                key(cols, 2, null, null));
        AuditResult result = result(spec(cols, "old"), keys);
        ObjectNode old = (ObjectNode) JSON.readTree(json(result, null));
        old.remove("slice_columns");
        RunSnapshot base = SummaryReader.snapshot(JSON.writeValueAsString(old), "old");
        assertThat(base.sliceTypes()).isNull();
        assertThat(base.slices().keySet()).as("read as JSON typed them").contains(key(cols, 7L, "2026-12-01", "a"));
        Assessment a = Assessment.of(result, base);
        assertThat(a.comparisons().keySet()).containsExactlyInAnyOrderElementsOf(Assessment.of(result, null).slices().keySet());
    }

    /** Look-alike slices get distinct labels in report.html, and each check's verdict sits in its own slice's section. */
    @Test
    void theReportNamesLookAlikeSlicesApartAndPutsEachVerdictInItsSection() throws Exception {
        List<String> ab = List.of("a", "b");
        List<SliceKey> keys = List.of(key(ab, "x,b=y", "z"), key(ab, "x", "y,b=z"), key(ab, null, "z"), key(ab, "null", "z"),
                key(ab, "x\n<i>", "z"));
        AuditResult result = result(spec(ab, null, "accuracy>=0.5"), keys);
        JsonNode summary = JSON.readTree(json(result, null));
        String html = HtmlReport.render(summary);

        Matcher sections = Pattern.compile("<section class=\"slice\" id=\"s\\d+\" data-slice=\"([^\"]*)\">\\n<h2>[^<]*<small>(.*)"
                + "</small></h2>").matcher(html);
        Map<String, String> verdicts = new LinkedHashMap<>();
        while (sections.find()) {
            assertThat(verdicts.put(sections.group(1), sections.group(2))).as("label %s twice", sections.group(1)).isNull();
        }
        assertThat(verdicts.keySet()).containsExactly("overall", "a=null, b=z", "a=&quot;null&quot;, b=z", "a=x, b=&quot;y,b=z&quot;",
                "a=&quot;x\\n&lt;i&gt;&quot;, b=z", "a=&quot;x,b=y&quot;, b=z");
        // Keys order slices: null first, then strings; rows(…) made the even-indexed keys all correct.
        for (int i = 0; i < keys.size(); i++) {
            String label = HtmlReport.esc(keys.get(i).label());
            boolean passes = i % 2 == 0;
            assertThat(verdicts.get(label)).as(label).contains(passes ? "1 passed" : "FAIL").doesNotContain(passes ? "FAIL" : "passed");
        }
        // Each verdict names its slice by label and by key.
        for (JsonNode c : summary.get("checks")) {
            String label = c.get("slice").asText();
            JsonNode k = c.get("key");
            assertThat(label.equals("overall") ? SliceKey.OVERALL.label()
                    : SummaryReader.key(k, SummaryReader.sliceTypes(summary)).label()).isEqualTo(label);
        }
    }
}
