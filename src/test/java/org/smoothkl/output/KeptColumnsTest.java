package org.smoothkl.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.EngineChoice;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.InputSource;
import org.smoothkl.input.InputReader;
import org.smoothkl.loss.Preset;
import org.smoothkl.spark.SparkInternals;

/**
 * --keep id,ts (src/site/markdown/outputs.md, "Kept columns"): every row of rows/ and of invalid/
 * carries the id and timestamp of its example, so both join back to the input: rows/ holds each
 * input row (each token of a sequence) exactly once, invalid/ exactly the rows rows/ calls
 * invalid. On Parquet (the CPU engine's columnar scan), JSON (its row path) and token sequences
 * (the SQL path), with the CPU engine and the RAPIDS engine (its UDF's CPU body).
 */
class KeptColumnsTest {
    private static final SparkSession SPARK = SparkTestSession.get();

    /** 40 examples: id not in order, a timestamp, a column not kept; NaN logits, labels out of range, null logits. */
    private static final String FLAT = "SELECT id * 7 + 1000 AS id, 'n' AS note, timestamp_seconds(1767225600 + id * 61) AS ts,"
            + " IF(id % 2 = 0, 'a', 'b') AS slice, CAST(IF(id % 10 = 7, 5, id % 3) AS INT) AS label,"
            + " CASE WHEN id % 13 = 0 THEN NULL WHEN id % 10 = 3 THEN array(1.0F, CAST('NaN' AS FLOAT), 2.0F)"
            + " ELSE array(CAST(id AS FLOAT), 1.0F, 2.0F) END AS logits FROM range(40)";

    /** 15 sequences of 1–4 tokens (V = 3): id % 5 = 2 has one logits row too many, id % 5 = 4 a NaN first token. */
    private static final String SEQUENCES = "SELECT id + 500 AS id, timestamp_seconds(1767225600 + id * 60) AS ts, 'n' AS note,"
            + " IF(id % 2 = 0, 'de', 'fr') AS lang,"
            + " transform(sequence(1, 1 + CAST(id % 4 AS INT)), t -> CAST((id + t) % 3 AS INT)) AS label,"
            + " transform(sequence(1, IF(id % 5 = 2, 2, 1) + CAST(id % 4 AS INT)), t -> IF(id % 5 = 4 AND t = 1,"
            + " array(1.0F, CAST('NaN' AS FLOAT), 0.0F), array(CAST(t AS FLOAT), 1.0F, 0.5F))) AS logits FROM range(15)";

    @TempDir
    Path tmp;

    /**
     * Each input on the CPU engine, and on the RAPIDS engine (its UDF's CPU body) where the build
     * has it: the GPU build (-Pgpu, as submit/verify and CI build) carries the gpu package.
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> inputsAndEngines() {
        List<String> engines = new ArrayList<>(List.of("cpu"));
        try {
            Class.forName("org.smoothkl.gpu.RapidsMetricsUdf");
            engines.add("rapids");
        } catch (ClassNotFoundException e) {
            // a CPU build: the RAPIDS engine refuses to run (RapidsEngineMissingTest)
        }
        return java.util.stream.Stream.of("parquet", "json", "sequences")
                .flatMap(input -> engines.stream().map(engine -> org.junit.jupiter.params.provider.Arguments.of(input, engine)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @org.junit.jupiter.params.provider.MethodSource("inputsAndEngines")
    void everyRowOfRowsAndInvalidJoinsBackToItsExample(String input, String engine) throws IOException {
        boolean sequences = input.equals("sequences");
        Path data = tmp.resolve("data");
        SPARK.sql(sequences ? SEQUENCES : FLAT).write().parquet(data.toString());
        String format = "parquet";
        if (input.equals("json")) {
            Path json = tmp.resolve("json");
            SPARK.read().parquet(data.toString()).write().json(json.toString());
            Files.writeString(json.resolve("part-99999-broken.json"), "{\"id\": 77777, \"ts\": \"never\", \"logits\": [1.0\n");
            data = json;
            format = "json";
        }
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("run", "--input", data.toString(), "--format", format, "--preset", "seed", "--epsilon", "0.1",
                "--group-by", sequences ? "lang" : "slice", "--keep", "id,ts", "--write-rows", "--engine", engine,
                "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(new ObjectMapper().readTree(out.resolve("summary.json").toFile()).at("/run/engine").asText()).isEqualTo(engine);

        Dataset<Row> source = SPARK.read().format(format).load(data.toString());
        Dataset<Row> rows = SPARK.read().parquet(out.resolve("rows").toString());
        Dataset<Row> invalid = SPARK.read().parquet(out.resolve("invalid").toString());
        for (Dataset<Row> written : List.of(rows, invalid)) {
            for (String kept : List.of("id", "ts")) {
                assertThat(written.schema().apply(kept).dataType()).as("%s keeps its source type", kept)
                        .isEqualTo(source.schema().apply(kept).dataType());
            }
            assertThat(written.columns()).doesNotContain("note");
        }

        Map<Object, Object> tsById = new HashMap<>();
        List<String> expected = new ArrayList<>();
        for (Row r : source.selectExpr("id", "ts", sequences ? "IF(size(label) = size(logits), size(label), 0)" : "0").collectAsList()) {
            tsById.put(r.get(0), r.get(1));
            int tokens = r.getInt(2);
            for (int t = 0; t < Math.max(tokens, 1); t++) {
                expected.add(key(r.get(0), tokens == 0 ? null : t));
            }
        }
        List<Row> rowsRows = rows.collectAsList();
        List<Row> invalidRows = invalid.collectAsList();
        assertThat(rowsRows.stream().map(r -> key(r, sequences))).as("rows/: each example (token) once")
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(invalidRows).as("some rows are quarantined").hasSizeGreaterThan(3);
        assertThat(invalidRows.stream().map(r -> key(r, sequences))).as("invalid/: exactly the rows rows/ calls invalid")
                .containsExactlyInAnyOrderElementsOf(rowsRows.stream()
                        .filter(r -> "invalid".equals(r.getAs("status"))).map(r -> key(r, sequences)).toList());
        for (Row r : concat(rowsRows, invalidRows)) {
            Object id = r.getAs("id");
            if (id == null) { // only the record that does not parse has no id: it has its text
                assertThat(input).isEqualTo("json");
                assertThat(r.<String>getAs("reason")).isEqualTo("malformed_record");
            } else {
                assertThat(r.<Object>getAs("ts")).as("ts of id %s", id).isNotNull().isEqualTo(tsById.get(id));
            }
        }
        assertThat(invalidRows).filteredOn(r -> r.getAs("id") == null)
                .extracting(r -> r.<String>getAs("_corrupt_record")).allMatch(text -> text.contains("77777"))
                .hasSize(input.equals("json") ? 1 : 0);
    }

    /** The kept columns are scanned with the others, in the file's order: Parquet stays on the columnar path. */
    @Test
    void keptColumnsKeepTheColumnarScanAndComeBeforeTheAuditsColumns() {
        Path data = tmp.resolve("data");
        SPARK.sql(FLAT).write().parquet(data.toString());
        AuditSpec spec = new AuditSpec(data.toString(), InputFormat.PARQUET, "logits", "label", Preset.SEED,
                Preset.SEED.with(0.1, null), List.of("slice"), new GapHistogramSpec(10, 0, 10), new CalibrationSpec(15),
                List.of(), null, null, "test", tmp.resolve("unused").toString(), false, true, EngineChoice.CPU, 1000,
                new InputSource(null, null, Map.of(), null, List.of("ts", "id")), Map.of());
        org.smoothkl.input.AuditInput read = InputReader.read(SPARK, spec);
        assertThat(SparkInternals.logitsBatches(read.frame(), read.logitsColumn())).as("the columnar path").isNotNull();

        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("run", "--input", data.toString(), "--preset", "seed", "--epsilon", "0.1", "--group-by", "slice",
                "--keep", "ts,id", "--write-rows", "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(SPARK.read().parquet(out.resolve("invalid").toString()).columns())
                .containsExactly("slice", "label", "logits", "ts", "id", "reason");
        assertThat(SPARK.read().parquet(out.resolve("rows").toString()).columns()).startsWith("slice", "label", "ts", "id", "status");
    }

    private static String key(Row r, boolean sequences) {
        return key(r.getAs("id"), sequences ? r.<Integer>getAs("_token") : null);
    }

    private static String key(Object id, Integer token) {
        return id + "/" + token;
    }

    private static List<Row> concat(List<Row> a, List<Row> b) {
        List<Row> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
