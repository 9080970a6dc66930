package org.smoothkl.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;

/** Bad input: exit 2 with one line naming what is wrong, or rows quarantined with counts that reconcile. */
class BadInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SparkSession spark = SparkTestSession.get();

    @TempDir
    Path tmp;

    private Path goodParquet() {
        Path p = tmp.resolve("good");
        spark.sql("SELECT 'a' AS slice, CAST(id % 3 AS INT) AS label, array(CAST(id AS FLOAT), 1.0F, 2.0F) AS logits FROM range(10)")
                .write().parquet(p.toString());
        return p;
    }

    private CliRun run(Path input, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--input", input.toString(), "--preset", "seed",
                "--epsilon", "0.1", "--output", tmp.resolve("out").toString()));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static void assertBadInput(CliRun run, String... mentions) {
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(2);
        assertThat(run.err().strip()).startsWith("smoothkl: error: ").doesNotContain("\n").doesNotContain("Exception");
        for (String m : mentions) {
            assertThat(run.err()).contains(m);
        }
    }

    @Test
    void missingPath() {
        assertBadInput(run(tmp.resolve("nowhere")), "input path does not exist", "nowhere");
    }

    @Test
    void wrongLogitsType() {
        Path p = tmp.resolve("strings");
        spark.sql("SELECT 1 AS label, array('a', 'b') AS logits").write().parquet(p.toString());
        assertBadInput(run(p), "logits column 'logits'", "array<string>", "expected array<float> or array<double>");
    }

    @Test
    void missingLabelColumn() {
        Path p = tmp.resolve("nolabel");
        spark.sql("SELECT 1 AS target, array(1.0F, 2.0F) AS logits").write().parquet(p.toString());
        assertBadInput(run(p), "no column 'label'", "--label-col", "target, logits");
    }

    @Test
    void labelOfWrongType() {
        Path p = tmp.resolve("doublelabel");
        spark.sql("SELECT 1.5D AS label, array(1.0F, 2.0F) AS logits").write().parquet(p.toString());
        assertBadInput(run(p), "label column 'label'", "double", "expected int or long");
    }

    @Test
    void epsilonOutOfRange() {
        CliRun r = CliRun.of("run", "--input", goodParquet().toString(), "--preset", "seed", "--epsilon", "1.5",
                "--output", tmp.resolve("out").toString());
        assertBadInput(r, "--epsilon", "1.5");
    }

    @Test
    void unknownPresetAndMissingGroupByColumn() {
        Path good = goodParquet();
        assertBadInput(CliRun.of("run", "--input", good.toString(), "--preset", "keras", "--epsilon", "0.1",
                "--output", tmp.resolve("o").toString()), "keras", "seed, pytorch, fairseq, onmt");
        assertBadInput(run(good, "--group-by", "slice,country"), "no column 'country'", "--group-by");
    }

    @Test
    void emptyDirectory() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertBadInput(run(empty), "cannot read", "empty");
    }

    @Test
    void existingOutputIsRefusedAndKept() throws IOException {
        Path good = goodParquet();
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "earlier result");
        assertBadInput(run(good), "already exists", "--overwrite");
        assertThat(out.resolve("keep.txt")).hasContent("earlier result");

        CliRun again = run(good, "--overwrite");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(out.resolve("keep.txt")).doesNotExist();
        assertThat(out.resolve("_SUCCESS")).exists();
    }

    @Test
    void aFailedRunLeavesNoOutputBehind() throws IOException {
        Path input = goodParquet();
        Files.write(input.resolve("part-99999-corrupt.parquet"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertBadInput(run(input), "cannot read an input file", "part-99999-corrupt.parquet", "not a Parquet file");
        try (var siblings = Files.list(tmp)) {
            assertThat(siblings.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.equals("out") || n.startsWith(".out."));
        }
    }

    /**
     * One JSON file mixing good and bad rows: every row is counted once, by status and reason,
     * and each bad row is in invalid/ with its reason and its columns as read.
     */
    @Test
    void mixedGoodAndBadRowsReconcile() throws IOException {
        Path input = tmp.resolve("mixed.jsonl");
        Files.write(input, List.of(
                "{\"id\": 1, \"logits\": [1.0, 2.0, 3.0], \"label\": 2}",
                "{\"id\": 2, \"logits\": [1.0, \"NaN\", 2.0], \"label\": 0}",
                "{\"id\": 3, \"logits\": [1.0, \"Infinity\"], \"label\": 0}",
                "{\"id\": 4, \"logits\": [1.0, \"-Infinity\"], \"label\": 1}",
                "{\"id\": 5, \"logits\": [1.0, 2.0], \"label\": null}",
                "{\"id\": 6, \"logits\": [1.0, 2.0, 3.0], \"label\": 5}",
                "{\"id\": 7, \"logits\": [1.0, 2.0, 3.0], \"label\": -3}",
                "{\"id\": 8, \"logits\": [1.0, 2.0, 3.0], \"label\": 100000}",
                "{\"id\": 9, \"logits\": [4.0], \"label\": 0}",
                "{\"id\": 10, \"logits\": [], \"label\": 0}",
                "{\"id\": 11, \"logits\": null, \"label\": 0}",
                "{\"id\": 12, \"logits\": [1.0, null, 2.0], \"label\": 0}",
                "{\"id\": 13, \"logits\": [1.0, 2.0], \"label\": 1.5}",
                "{\"id\": 14, \"logits\": [1.0, 2.0",
                "{\"id\": 15, \"label\": 1}"));
        CliRun r = run(input, "--format", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path out = tmp.resolve("out");
        JsonNode overall = JSON.readTree(out.resolve("summary.json").toFile()).get("overall");
        assertThat(overall.get("rows").asLong()).isEqualTo(15);
        assertThat(overall.get("valid").asLong()).isEqualTo(1);
        assertThat(overall.get("ignored").asLong()).isEqualTo(1);
        assertThat(overall.get("invalid").asLong()).isEqualTo(13);
        assertThat(overall.get("valid").asLong() + overall.get("ignored").asLong() + overall.get("invalid").asLong())
                .isEqualTo(overall.get("rows").asLong());
        Map<String, Long> reasons = JSON.convertValue(overall.get("invalid_by_reason"),
                JSON.getTypeFactory().constructMapType(Map.class, String.class, Long.class));
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of(
                "nan_logit", 1L, "inf_logit", 2L, "null_label", 1L, "label_out_of_range", 2L,
                "too_few_classes", 2L, "null_logits", 2L, "null_logit", 1L, "malformed_record", 2L));

        List<Row> invalid = spark.read().parquet(out.resolve("invalid").toString()).collectAsList();
        assertThat(invalid).hasSize(13);
        Map<String, Long> written = invalid.stream()
                .collect(Collectors.groupingBy(row -> row.<String>getAs("reason"), Collectors.counting()));
        assertThat(written).isEqualTo(reasons);
        Row nan = invalid.stream().filter(row -> "nan_logit".equals(row.getAs("reason"))).findFirst().orElseThrow();
        assertThat(Double.isNaN(nan.<scala.collection.Seq<Double>>getAs("logits").apply(1))).isTrue();
        Row broken = invalid.stream().filter(row -> row.getAs("_corrupt_record") != null
                && row.<String>getAs("_corrupt_record").contains("[1.0, 2.0")).findFirst().orElseThrow();
        assertThat(broken.<String>getAs("reason")).isEqualTo("malformed_record");
    }

    @Test
    void csvWithLogitsAsTextQuarantinesWhatDoesNotParse() throws IOException {
        Path input = tmp.resolve("preds.csv");
        Files.write(input, List.of(
                "slice,label,logits",
                "a,1,\"[0.5, 2.5, -1.0]\"",
                "a,x,\"[0.5, 2.5, -1.0]\"",
                "b,0,not-a-list",
                "b,2,\"[1, 2, \"\"NaN\"\"]\""));
        CliRun r = run(input, "--format", "csv", "--group-by", "slice");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode overall = JSON.readTree(tmp.resolve("out/summary.json").toFile()).get("overall");
        assertThat(overall.get("valid").asLong()).isEqualTo(1);
        assertThat(overall.at("/invalid_by_reason/malformed_label").asLong()).isEqualTo(1);
        assertThat(overall.at("/invalid_by_reason/malformed_logits").asLong()).isEqualTo(1);
        assertThat(overall.at("/invalid_by_reason/nan_logit").asLong()).isEqualTo(1);
        List<Row> invalid = spark.read().parquet(tmp.resolve("out/invalid").toString()).collectAsList();
        assertThat(invalid).extracting(row -> row.<String>getAs("logits")).contains("not-a-list");
    }

}
