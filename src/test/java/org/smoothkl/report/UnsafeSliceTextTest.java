package org.smoothkl.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;
import org.junit.jupiter.api.Test;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.Check;
import org.smoothkl.audit.CheckResult;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.loss.Preset;

/**
 * Slice values that would act on a terminal or a spreadsheet: the console table and check lines
 * show control characters as escapes and cut long values, summary.json keeps them whole, and
 * histograms.csv guards formula-like text cells (not numbers) and tells null from "". No Spark.
 */
class UnsafeSliceTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GapHistogramSpec HIST = new GapHistogramSpec(2, 0, 2);
    private static final CalibrationSpec CAL = new CalibrationSpec(2);
    private static final String LONG = "L".repeat(30) + " " + "o".repeat(170);
    /** Values with control, escape-sequence, bidi and line-separator characters, and a long one. */
    private static final List<String> UNSAFE = List.of("two\nlines", "tab\tbed", "\u001b[2J\u001b[31mred", "csi\u009b31m",
            "cr\rover", "bell\u0007", "evil\u202egnp.exe", "para\u2029graph", LONG, "plain");

    private static AuditSpec spec(List<String> groupBy, String... checks) {
        return new AuditSpec("in", InputFormat.PARQUET, "logits", "label", Preset.SEED, Preset.SEED.with(0.1, null), groupBy,
                HIST, CAL, Arrays.stream(checks).map(Check::parse).toList(), null, null, "tag", "out", false, false);
    }

    private static AuditResult result(AuditSpec spec, List<List<Object>> values) {
        Map<SliceKey, SliceSummary> slices = new LinkedHashMap<>();
        for (List<Object> v : values) {
            SliceSummary s = new SliceSummary(HIST, CAL);
            s.addValidRow(0.5, 1, 1, 0.5, 0.9, false, 10);
            slices.put(new SliceKey(spec.groupBy(), v), s);
        }
        return AuditResult.of(spec, slices);
    }

    @Test
    void theConsoleShowsControlCharactersAsEscapesAndCutsLongValues() throws Exception {
        AuditResult result = result(spec(List.of("s"), "accuracy>=0.5"), UNSAFE.stream().map(v -> List.<Object>of(v)).toList());
        Assessment assessment = Assessment.of(result, null);
        String table = SummaryTable.render(result, assessment);
        List<String> lines = table.lines().toList();
        assertThat(lines).as("header, rule, a line per slice, rule, overall").hasSize(UNSAFE.size() + 4);
        assertThat(table.replace("\n", "").chars()).noneMatch(Character::isISOControl);
        assertThat(table).doesNotContain("\u202e", "\u2029")
                .contains("s=\"two\\nlines\"", "s=\"tab\\tbed\"", "s=\"\\u001b[2J\\u001b[31mred\"", "s=\"csi\\u009b31m\"",
                        "s=\"cr\\rover\"", "s=\"bell\\u0007\"", "s=\"evil\\u202egnp.exe\"", "s=\"para\\u2029graph\"", "s=plain")
                .contains("s=\"" + "L".repeat(30) + " " + "o".repeat(8) + "…\"").doesNotContain("o".repeat(9));
        int width = lines.get(1).length();
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(width));
        // The failed-check lines printed under the table are as safe (the value whole, escaped).
        for (CheckResult r : assessment.checks()) {
            assertThat(r.describe().chars()).noneMatch(Character::isISOControl);
            assertThat(r.describe()).doesNotContain("\u202e", "\u2029");
        }
        // summary.json keeps every value whole, as JSON escapes it.
        JsonNode summary = JSON.readTree(SummaryJson.render(result, assessment, Map.of()));
        List<String> keys = new ArrayList<>();
        summary.get("slices").forEach(s -> keys.add(s.at("/key/s").asText()));
        assertThat(keys).containsExactlyInAnyOrderElementsOf(UNSAFE);
    }

    @Test
    void histogramsCsvGuardsFormulaTextButNotNumbersAndTellsNullFromEmpty() throws Exception {
        List<String> groupBy = List.of("@col", "s", "n", "x");
        List<List<Object>> values = new ArrayList<>();
        for (Object s : Arrays.asList("=1+2", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "", null, "plain", "'quoted", "a,b",
                "\"q\"", "x=1")) {
            values.add(Arrays.asList("=HYPERLINK(\"http://x\")", s, -1, -1.5));
        }
        values.add(Arrays.asList(null, "", null, null));
        values.add(Arrays.asList("", null, 7, Double.NEGATIVE_INFINITY));
        AuditResult result = result(spec(groupBy), values);
        String csv = HistogramCsv.render(result);

        List<CSVRecord> records = CSVFormat.DEFAULT.builder().setQuoteMode(QuoteMode.ALL_NON_NULL).build()
                .parse(new StringReader(csv)).getRecords();
        assertThat(records.get(0).toList()).containsExactly("'@col", "s", "n", "x", "bin_lo", "bin_hi", "count");
        Map<List<String>, Integer> bins = new LinkedHashMap<>();
        for (CSVRecord r : records.subList(1, records.size())) {
            assertThat(r.get(4)).isIn("-Infinity", "0.0", "1.0", "2.0");
            bins.merge(Arrays.asList(r.get(0), r.get(1), r.get(2), r.get(3)), 1, Integer::sum);
        }
        assertThat(bins.values()).as("4 bins per slice").containsOnly(4);
        String h = "'=HYPERLINK(\"http://x\")";
        assertThat(bins.keySet()).containsExactlyInAnyOrder(
                Arrays.asList(h, "'=1+2", "-1", "-1.5"), Arrays.asList(h, "'+cmd", "-1", "-1.5"),
                Arrays.asList(h, "'-2", "-1", "-1.5"), Arrays.asList(h, "'@SUM(A1)", "-1", "-1.5"),
                Arrays.asList(h, "'\tx", "-1", "-1.5"), Arrays.asList(h, "'\rx", "-1", "-1.5"),
                Arrays.asList(h, "", "-1", "-1.5"), Arrays.asList(h, null, "-1", "-1.5"),
                Arrays.asList(h, "plain", "-1", "-1.5"), Arrays.asList(h, "'quoted", "-1", "-1.5"),
                Arrays.asList(h, "a,b", "-1", "-1.5"), Arrays.asList(h, "\"q\"", "-1", "-1.5"),
                Arrays.asList(h, "x=1", "-1", "-1.5"),
                Arrays.asList(null, "", null, null), Arrays.asList("", null, "7", "-Infinity"));
        // On the wire: null is an empty field, "" a quoted one, numbers bare.
        assertThat(csv.lines()).contains(",\"\",,,0.0,1.0,1", "\"\",,7,-Infinity,-Infinity,0.0,0",
                h.replace("\"", "\"\"").transform(q -> "\"" + q + "\"") + ",,-1,-1.5,-Infinity,0.0,0");
    }
}
