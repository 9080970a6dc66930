package org.smoothkl.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;

/**
 * A slice is its typed values, through the command line on small Parquet inputs: slices whose
 * old labels were one (a null and the string "null"; two columns whose "a=…, b=…" printed alike)
 * each get their own verdict, history row and report section, and a failing check on either one
 * exits 3; a baseline's slice of another column type is not the same slice.
 */
class SliceIdentityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SparkSession spark = SparkTestSession.get();

    @TempDir
    static Path tmp;
    static Path lookAlikes;
    static Path intSlices;
    static Path stringSlices;

    /**
     * 80 rows, argmax 0 everywhere; slices (a, b): ("x,b=y", "z") and ("null", "z") all wrong,
     * ("x", "y,b=z") and (null, "z") all right. n is id % 2 as int or as string.
     */
    @BeforeAll
    static void writeInputs() {
        lookAlikes = tmp.resolve("look-alikes");
        spark.sql("SELECT CASE id % 4 WHEN 0 THEN 'x,b=y' WHEN 1 THEN 'x' WHEN 2 THEN NULL ELSE 'null' END AS a, "
                + "IF(id % 4 = 1, 'y,b=z', 'z') AS b, array(5.0F, 0.0F, 0.0F) AS logits, "
                + "CAST(IF(id % 4 IN (0, 3), 1, 0) AS INT) AS label FROM range(80)").write().parquet(lookAlikes.toString());
        intSlices = tmp.resolve("n-int");
        stringSlices = tmp.resolve("n-string");
        for (Object[] in : new Object[][] {{intSlices, "INT"}, {stringSlices, "STRING"}}) {
            spark.sql("SELECT CAST(id % 2 AS " + in[1] + ") AS n, array(5.0F, 0.0F, 0.0F) AS logits, "
                    + "CAST(IF(id % 3 = 0, 1, 0) AS INT) AS label FROM range(60)").write().parquet(in[0].toString());
        }
    }

    private static CliRun audit(Path input, String groupBy, Path output, String... more) {
        List<String> args = new ArrayList<>(List.of("run", "--input", input.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--group-by", groupBy, "--bins", "4", "--gap-range", "0:8", "--output", output.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static JsonNode summary(Path dir) throws IOException {
        return JSON.readTree(dir.resolve("summary.json").toFile());
    }

    @Test
    void aFailingCheckOnEitherOfTwoCollidingSlicesExits3() throws IOException {
        Map<String, Integer> exits = new java.util.LinkedHashMap<>();
        exits.put("slice[a=\"x,b=y\", b=z].accuracy>=0.5", 3);
        exits.put("slice[a=x, b=\"y,b=z\"].accuracy>=0.5", 0);
        exits.put("slice[a=null, b=z].accuracy>=0.5", 0);
        exits.put("slice[a=\"null\", b=z].accuracy>=0.5", 3);
        int i = 0;
        for (Map.Entry<String, Integer> e : exits.entrySet()) {
            Path out = tmp.resolve("selected-" + i++);
            CliRun r = audit(lookAlikes, "a,b", out, "--check", e.getKey());
            assertThat(r.exitCode()).as(e.getKey() + "\n" + r.out() + r.err()).isEqualTo(e.getValue());
            JsonNode checks = summary(out).get("checks");
            assertThat(checks).as(e.getKey()).hasSize(1);
            assertThat(checks.get(0).get("passed").asBoolean()).isEqualTo(e.getValue() == 0);
        }
    }

    @Test
    void collidingSlicesHaveTheirOwnVerdictsHistoryRowsAndReportSections() throws IOException {
        Path out = tmp.resolve("every");
        Path history = tmp.resolve("history");
        CliRun r = audit(lookAlikes, "a,b", out, "--check", "accuracy>=0.5", "--history", history.toString());
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.out()).contains("check FAILED: accuracy>=0.5  [a=\"x,b=y\", b=z]  accuracy = 0",
                "check FAILED: accuracy>=0.5  [a=\"null\", b=z]  accuracy = 0", "checks: 2 of 5 verdicts FAILED");
        for (String label : List.of("a=null, b=z", "a=\"null\", b=z", "a=x, b=\"y,b=z\"", "a=\"x,b=y\", b=z")) {
            assertThat(r.out()).as("console row of %s", label).containsPattern("(?m)^" + Pattern.quote(label) + " +20 ");
        }

        JsonNode s = summary(out);
        assertThat(s.get("slice_columns").toString())
                .isEqualTo("[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"string\"}]");
        List<String> keys = new ArrayList<>();
        s.get("slices").forEach(x -> keys.add(x.get("key").toString()));
        assertThat(keys).containsExactly("{\"a\":null,\"b\":\"z\"}", "{\"a\":\"null\",\"b\":\"z\"}", "{\"a\":\"x\",\"b\":\"y,b=z\"}",
                "{\"a\":\"x,b=y\",\"b\":\"z\"}");
        Map<String, Boolean> verdicts = new HashMap<>();
        s.get("checks").forEach(c -> verdicts.put(c.get("key").toString(), c.get("passed").asBoolean()));
        assertThat(verdicts).containsEntry("{}", true).containsEntry("{\"a\":null,\"b\":\"z\"}", true)
                .containsEntry("{\"a\":\"null\",\"b\":\"z\"}", false).containsEntry("{\"a\":\"x\",\"b\":\"y,b=z\"}", true)
                .containsEntry("{\"a\":\"x,b=y\",\"b\":\"z\"}", false).hasSize(5);

        List<Row> rows = spark.read().parquet(history.toString()).orderBy("slice_json").collectAsList();
        assertThat(rows).extracting(x -> x.<String>getAs("slice_json") + " " + x.<Integer>getAs("checks_failed")).containsExactly(
                "{\"a\":null,\"b\":{\"type\":\"string\",\"value\":\"z\"}} 0",
                "{\"a\":{\"type\":\"string\",\"value\":\"null\"},\"b\":{\"type\":\"string\",\"value\":\"z\"}} 1",
                "{\"a\":{\"type\":\"string\",\"value\":\"x\"},\"b\":{\"type\":\"string\",\"value\":\"y,b=z\"}} 0",
                "{\"a\":{\"type\":\"string\",\"value\":\"x,b=y\"},\"b\":{\"type\":\"string\",\"value\":\"z\"}} 1",
                "{} 0");
        assertThat(rows).extracting(x -> x.<String>getAs("slice")).doesNotHaveDuplicates();
        Row nullSlice = rows.get(0);
        assertThat(nullSlice.getJavaMap(nullSlice.fieldIndex("slice_key"))).containsEntry("a", null).containsEntry("b", "z");
        Row nullWord = rows.get(1);
        assertThat(nullWord.getJavaMap(nullWord.fieldIndex("slice_key"))).containsEntry("a", "null");

        String html = Files.readString(out.resolve("report.html"));
        Matcher sections = Pattern.compile("data-slice=\"([^\"]*)\">\\n<h2>[^<]*<small>(.*)</small></h2>").matcher(html);
        Map<String, String> cells = new java.util.LinkedHashMap<>();
        while (sections.find()) {
            assertThat(cells.put(sections.group(1), sections.group(2))).as(sections.group(1)).isNull();
        }
        assertThat(cells).hasSize(5);
        assertThat(cells.get("a=&quot;x,b=y&quot;, b=z")).contains("FAIL");
        assertThat(cells.get("a=x, b=&quot;y,b=z&quot;")).contains("1 passed").doesNotContain("FAIL");
        assertThat(cells.get("a=null, b=z")).contains("1 passed").doesNotContain("FAIL");
        assertThat(cells.get("a=&quot;null&quot;, b=z")).contains("FAIL");
    }

    @Test
    void aBaselineSliceOfAnotherColumnTypeIsNotTheSameSlice() throws IOException {
        Path base = tmp.resolve("base-int");
        assertThat(audit(intSlices, "n", base).exitCode()).isZero();
        assertThat(summary(base).at("/slice_columns/0/type").asText()).isEqualTo("int");

        CliRun same = audit(intSlices, "n", tmp.resolve("int-vs-int"), "--baseline", base.toString(),
                "--check", "slice[n=1].delta(accuracy)>=0");
        assertThat(same.exitCode()).as(same.out() + same.err()).isZero();

        Path changed = tmp.resolve("string-vs-int");
        CliRun other = audit(stringSlices, "n", changed, "--baseline", base.toString(), "--check", "slice[n=1].delta(accuracy)>=0",
                "--check", "overall.delta(accuracy)>=0");
        assertThat(other.exitCode()).as(other.out() + other.err()).isEqualTo(3);
        assertThat(other.out()).contains("check FAILED: slice[n=1].delta(accuracy)>=0  [n=\"1\"]  delta(accuracy) = undefined",
                "(the baseline has no such slice; column n is string here, int in the baseline)");
        JsonNode s = summary(changed);
        assertThat(s.at("/slices/1/key/n").asText()).isEqualTo("1");
        assertThat(s.at("/slices/1/baseline").isNull()).isTrue();
        assertThat(s.at("/overall/baseline/difference/accuracy").asDouble()).isZero();
    }

    /** Text that reaches a terminal or a spreadsheet, from a real input: escaped on the console, guarded in the CSV. */
    @Test
    void unsafeSliceTextIsEscapedOnTheConsoleAndGuardedInTheCsv() throws IOException {
        Path input = tmp.resolve("unsafe");
        spark.sql("SELECT CASE id % 4 WHEN 0 THEN concat('red', char(27), '[31m', char(10), 'x') WHEN 1 THEN '=cmd|calc'"
                + " WHEN 2 THEN '' ELSE NULL END AS s, array(5.0F, 0.0F, 0.0F) AS logits, CAST(0 AS INT) AS label"
                + " FROM range(40)").write().parquet(input.toString());
        Path out = tmp.resolve("unsafe-out");
        CliRun r = audit(input, "s", out, "--check", "accuracy>=2");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.out().replace("\n", "").chars()).noneMatch(Character::isISOControl);
        assertThat(r.out()).contains("s=\"red\\u001b[31m\\nx\"", "s=\"=cmd|calc\"", "s=\"\"", "s=null");
        List<String> csv = Files.readAllLines(out.resolve("histograms.csv"));
        assertThat(csv).contains(",-Infinity,0.0,0", "\"\",-Infinity,0.0,0", "'=cmd|calc,-Infinity,0.0,0");
        assertThat(summary(out).at("/slices/3/key/s").asText()).isEqualTo("red\u001b[31m\nx");
    }
}
