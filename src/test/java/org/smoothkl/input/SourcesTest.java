package org.smoothkl.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.spark.SparkSchemaUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.smoothkl.CliRun;
import org.smoothkl.LogCapture;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.EngineChoice;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.InputSource;
import org.smoothkl.job.PhaseLog;
import org.smoothkl.loss.Preset;

/**
 * The sources besides a path of files (src/site/markdown/inputs.md, "Tables, Delta and
 * Iceberg"), on the shared session: --where on every format (npz shards and token sequences
 * too) and pushed down to Parquet; a real Iceberg table with deleted rows read at its current
 * snapshot and, through --option, at an earlier one, and refused when read as plain Parquet;
 * the format an --input's extension names. Catalog tables in a Hive metastore and Delta tables
 * (whose reads need session extensions) are in {@link TablesIT}.
 */
class SourcesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SparkSession SPARK = SparkTestSession.get();
    /** Twenty rows, slices a and b alternating (ten each), K = 3. */
    private static final String ROWS = "SELECT id, IF(id % 2 = 0, 'a', 'b') AS slice, CAST(id % 3 AS INT) AS label,"
            + " array(CAST(id % 5 AS FLOAT), 1.0F, 2.0F) AS logits FROM range(20)";

    @TempDir
    Path tmp;

    private CliRun audit(String... flags) {
        List<String> args = new ArrayList<>(List.of("run", "--preset", "seed", "--epsilon", "0.1",
                "--output", tmp.resolve("out-" + java.util.UUID.randomUUID()).toString()));
        args.addAll(List.of(flags));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static JsonNode summary(CliRun run) throws IOException {
        assertThat(run.exitCode()).as(run.err()).isZero();
        String out = run.out().lines().filter(l -> l.startsWith("wrote ")).findFirst().orElseThrow().substring(6).strip();
        return JSON.readTree(Path.of(out, "summary.json").toFile());
    }

    private static Map<String, Long> sliceRows(JsonNode summary) {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (JsonNode s : summary.get("slices")) {
            rows.put(s.get("key").elements().next().asText(), s.get("rows").asLong());
        }
        return rows;
    }

    // ---- --where

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"parquet", "orc", "json", "csv"})
    void whereKeepsItsRowsInEveryFileFormat(String format) throws IOException {
        Path input = tmp.resolve("input-" + format);
        Dataset<Row> rows = SPARK.sql(ROWS);
        if (format.equals("csv")) { // logits as JSON text, every column text
            rows.selectExpr("id", "slice", "label", "to_json(logits) AS logits").write().option("header", "true").csv(input.toString());
        } else {
            rows.write().format(format).save(input.toString());
        }
        JsonNode all = summary(audit("--input", input.toString(), "--format", format, "--group-by", "slice"));
        assertThat(sliceRows(all)).isEqualTo(Map.of("a", 10L, "b", 10L));
        JsonNode kept = summary(audit("--input", input.toString(), "--format", format, "--group-by", "slice",
                "--where", "slice = 'a' AND id < 10"));
        assertThat(sliceRows(kept)).isEqualTo(Map.of("a", 5L));
        assertThat(kept.at("/config/where").asText()).isEqualTo("slice = 'a' AND id < 10");
    }

    @Test
    void whereKeepsWholeTokenSequences() throws IOException {
        Path input = tmp.resolve("sequences");
        SPARK.sql("SELECT IF(id < 2, 'a', 'b') AS slice, array(0, 1, 1) AS label,"
                + " array(array(1.0F, 2.0F), array(2.0F, 1.0F), array(0.5F, 3.0F)) AS logits FROM range(5)")
                .write().parquet(input.toString());
        JsonNode all = summary(audit("--input", input.toString(), "--group-by", "slice"));
        assertThat(sliceRows(all)).isEqualTo(Map.of("a", 6L, "b", 9L)); // tokens
        JsonNode kept = summary(audit("--input", input.toString(), "--group-by", "slice", "--where", "slice = 'a'"));
        assertThat(sliceRows(kept)).isEqualTo(Map.of("a", 6L));
        assertThat(kept.at("/overall/rows").asLong()).isEqualTo(6);
    }

    @Test
    void whereKeepsRowsOfNpzShards() throws IOException {
        NpzShards.requireNd4j();
        Path shards = Files.createDirectories(tmp.resolve("shards"));
        writeShard(shards.resolve("first.npz"), 4);
        writeShard(shards.resolve("second.npz"), 6);
        JsonNode all = summary(audit("--input", shards.toString(), "--format", "npz", "--group-by", "shard"));
        assertThat(sliceRows(all)).isEqualTo(Map.of("first.npz", 4L, "second.npz", 6L));
        JsonNode kept = summary(audit("--input", shards.toString(), "--format", "npz", "--group-by", "shard",
                "--where", "shard = 'second.npz' AND label = 1"));
        assertThat(sliceRows(kept)).isEqualTo(Map.of("second.npz", 3L));
    }

    /** {@code n} rows of K = 2, labels alternating 0, 1. */
    private static void writeShard(Path file, int n) throws IOException {
        double[] z = new double[2 * n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            z[2 * i] = i;
            z[2 * i + 1] = 1;
            y[i] = i % 2;
        }
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        arrays.put("logits", NpyWriter.npy(new NpyWriter.Array(z, "f4", new long[] {n, 2}), false, false));
        arrays.put("label", NpyWriter.npy(new NpyWriter.Array(y, "i8", new long[] {n}), false, false));
        NpyWriter.npz(file, arrays);
    }

    /** The filter sits right over the Parquet scan, which Spark gives it: PushedFilters in the plan. */
    @Test
    void whereIsPushedDownToParquet() {
        Path input = tmp.resolve("pushed");
        SPARK.sql(ROWS).write().parquet(input.toString());
        Dataset<Row> read = InputReader.load(SPARK, spec(input.toString(), "slice = 'a' AND id >= 14"));
        String plan = read.queryExecution().executedPlan().toString();
        assertThat(plan).contains("PushedFilters: [IsNotNull(slice), IsNotNull(id), EqualTo(slice,a), GreaterThanOrEqual(id,14)]");
        assertThat(read.count()).isEqualTo(3);
    }

    private static AuditSpec spec(String input, String where) {
        return new AuditSpec(input, InputFormat.PARQUET, "logits", "label", Preset.SEED, Preset.SEED.with(0.1, null),
                List.of("slice"), new GapHistogramSpec(50, 0, 20), new CalibrationSpec(15), List.of(), null, null, "t",
                "unused", false, false, EngineChoice.AUTO, AuditSpec.DEFAULT_MAX_SLICES,
                new InputSource(null, null, Map.of(), where, List.of()), Map.of());
    }

    // ---- a table of the session's catalog

    /**
     * An external table of the shared session's (in-memory) catalog, read by name; an --output
     * inside its location is refused before anything is written. Hive metastore tables across
     * JVMs: {@link TablesIT}.
     */
    @Test
    void tableOfTheSessionsCatalog() throws IOException {
        Path location = tmp.resolve("table-files");
        String table = "default.smoothkl_sources_test";
        SPARK.sql(ROWS).write().parquet(location.toString());
        SPARK.sql("CREATE TABLE " + table + " USING parquet LOCATION '" + location + "'");
        try {
            JsonNode all = summary(audit("--table", table, "--group-by", "slice"));
            assertThat(sliceRows(all)).isEqualTo(Map.of("a", 10L, "b", 10L));
            assertThat(all.at("/config/table").asText()).isEqualTo(table);
            JsonNode kept = summary(audit("--table", "spark_catalog." + table, "--where", "slice = 'b' AND id > 10"));
            assertThat(kept.at("/overall/rows").asLong()).isEqualTo(5);

            CliRun inside = CliRun.of("run", "--table", table, "--preset", "seed", "--epsilon", "0.1",
                    "--output", location.resolve("audit").toString());
            assertThat(inside.exitCode()).as(inside.err()).isEqualTo(2);
            assertThat(inside.err().strip()).doesNotContain("\n").contains("--output " + location.resolve("audit"),
                    "lies inside --table " + table + " (its location)", "nothing was touched");
            assertThat(location.resolve("audit")).doesNotExist();
        } finally {
            SPARK.sql("DROP TABLE " + table); // external: its files stay
        }
    }

    // ---- Iceberg

    /**
     * A Hadoop-catalog Iceberg table: thirty rows appended in two files, then the file of rows
     * 0-9 deleted. The audit sees the current snapshot's twenty rows; --option snapshot-id or
     * as-of-timestamp the thirty before the delete. Read as Parquet (its root or its data/),
     * all thirty would count: refused, naming --format iceberg.
     */
    @Test
    void icebergTableAtItsCurrentAndEarlierSnapshots() throws IOException {
        String table = tmp.resolve("iceberg-preds").toString();
        Dataset<Row> rows = SPARK.sql(ROWS.replace("range(20)", "range(30)"));
        Table t = new HadoopTables(SPARK.sparkContext().hadoopConfiguration())
                .create(SparkSchemaUtil.convert(rows.schema()), PartitionSpec.unpartitioned(), table);
        rows.where("id < 10").coalesce(1).write().format("iceberg").mode("append").save(table);
        rows.where("id >= 10").coalesce(1).write().format("iceberg").mode("append").save(table);
        t.refresh();
        long before = t.currentSnapshot().snapshotId();
        long beforeMillis = t.currentSnapshot().timestampMillis();
        t.newDelete().deleteFromRowFilter(Expressions.lessThan("id", 10)).commit();

        JsonNode current = summary(audit("--input", table, "--format", "iceberg", "--group-by", "slice"));
        assertThat(current.at("/overall/rows").asLong()).isEqualTo(20);
        assertThat(sliceRows(current)).isEqualTo(Map.of("a", 10L, "b", 10L));
        assertThat(current.at("/config/format").asText()).isEqualTo("iceberg");
        JsonNode earlier = summary(audit("--input", table, "--format", "iceberg", "--option", "snapshot-id=" + before));
        assertThat(earlier.at("/overall/rows").asLong()).isEqualTo(30);
        assertThat(earlier.at("/config/options/snapshot-id").asText()).isEqualTo(Long.toString(before));
        JsonNode atTime = summary(audit("--input", table, "--format", "iceberg", "--option", "as-of-timestamp=" + beforeMillis,
                "--where", "slice = 'b'"));
        assertThat(atTime.at("/overall/rows").asLong()).isEqualTo(15);
        assertThat(SPARK.read().parquet(table + "/data").count()).as("the files still there").isEqualTo(30);

        for (String asFiles : List.of(table, table + "/data")) {
            CliRun refused = audit("--input", asFiles);
            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(2);
            assertThat(refused.err().strip()).doesNotContain("\n").contains("--input " + asFiles, "Iceberg table",
                    "give --format iceberg");
        }
        CliRun noSnapshot = audit("--input", table, "--format", "iceberg", "--option", "snapshot-id=12345");
        assertThat(noSnapshot.exitCode()).as(noSnapshot.err()).isEqualTo(2);
        assertThat(noSnapshot.err().strip()).doesNotContain("\n").contains("with --option snapshot-id=12345", "12345");
    }

    /**
     * An Iceberg catalog registered on the session (a Hadoop catalog under this test's
     * directory; a catalog is looked up by name, so registering one at run time touches no other
     * test): its table read by its three-part name, at its current snapshot and, with
     * --option snapshot-id, at the one before a delete.
     */
    @Test
    void icebergTableOfACatalogByName() throws IOException {
        String catalog = "smoothkl_sources_test";
        SPARK.conf().set("spark.sql.catalog." + catalog, "org.apache.iceberg.spark.SparkCatalog");
        SPARK.conf().set("spark.sql.catalog." + catalog + ".type", "hadoop");
        SPARK.conf().set("spark.sql.catalog." + catalog + ".warehouse", tmp.resolve("iceberg-warehouse").toString());
        // (an audit's session is new; this shared one must not serve the table as its catalog cached it before the delete)
        SPARK.conf().set("spark.sql.catalog." + catalog + ".cache-enabled", "false");
        String table = catalog + ".db.preds";
        SPARK.sql("CREATE TABLE " + table + " (id BIGINT, slice STRING, label INT, logits ARRAY<FLOAT>) USING iceberg");
        SPARK.sql("INSERT INTO " + table + " SELECT * FROM (" + ROWS + ") WHERE id < 8");
        SPARK.sql("INSERT INTO " + table + " SELECT * FROM (" + ROWS + ") WHERE id >= 8");
        Table t = new HadoopTables(SPARK.sparkContext().hadoopConfiguration())
                .load(tmp.resolve("iceberg-warehouse/db/preds").toString());
        long before = t.currentSnapshot().snapshotId();
        t.newDelete().deleteFromRowFilter(Expressions.lessThan("id", 8)).commit();

        JsonNode current = summary(audit("--table", table, "--group-by", "slice"));
        assertThat(sliceRows(current)).isEqualTo(Map.of("a", 6L, "b", 6L));
        JsonNode earlier = summary(audit("--table", table, "--option", "snapshot-id=" + before, "--where", "slice = 'a'"));
        assertThat(earlier.at("/overall/rows").asLong()).isEqualTo(10);
    }

    // ---- the format an --input's extension names

    @Test
    void formatFromTheExtension() {
        assertThat(FormatInference.ofExtension("data/preds.parquet")).contains(InputFormat.PARQUET);
        assertThat(FormatInference.ofExtension("data/preds.parquet/")).contains(InputFormat.PARQUET);
        assertThat(FormatInference.ofExtension("s3a://b/p/part-0.ORC")).contains(InputFormat.ORC);
        assertThat(FormatInference.ofExtension("preds.json")).contains(InputFormat.JSON);
        assertThat(FormatInference.ofExtension("preds.jsonl")).contains(InputFormat.JSON);
        assertThat(FormatInference.ofExtension("preds.jsonl.gz")).contains(InputFormat.JSON);
        assertThat(FormatInference.ofExtension("in/*.csv")).contains(InputFormat.CSV);
        assertThat(FormatInference.ofExtension("shards/*.npz")).contains(InputFormat.NPZ);
        assertThat(FormatInference.ofExtension("run-2026-12-01T10:00")).isEmpty();
        assertThat(FormatInference.ofExtension("preds")).isEmpty();
        assertThat(FormatInference.ofExtension("preds.gz")).isEmpty();
        assertThat(FormatInference.ofExtension("v1.2")).isEmpty();
        assertThat(FormatInference.ofExtension(".csv")).isEmpty();

        assertThat(FormatInference.formatName(null, "in/preds.csv")).isEqualTo("csv");
        assertThat(FormatInference.formatName(null, "in/preds")).isEqualTo("parquet");
        assertThat(FormatInference.formatName("orc", "in/preds.csv")).isEqualTo("orc");
        assertThat(FormatInference.formatName(null, null)).isEqualTo("parquet");
    }

    /**
     * Without --format each extension names its reader, and the log says so; the audit reads
     * every row (a Parquet or ORC directory named so, a JSON, JSON-lines or CSV file, a .npz shard).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"preds.parquet", "preds.orc", "preds.json", "preds.jsonl", "preds.csv", "preds.csv.gz", "one.npz"})
    void theExtensionNamesTheFormat(String name) throws IOException {
        Path input = tmp.resolve(name);
        Dataset<Row> rows = SPARK.sql(ROWS);
        String format = FormatInference.ofExtension(name).orElseThrow().code();
        long expected = 20;
        switch (name.substring(name.indexOf('.') + 1)) {
            case "parquet", "orc" -> rows.write().format(format).save(input.toString());
            case "json", "jsonl" -> Files.write(input, rows.toJSON().collectAsList());
            case "csv", "csv.gz" -> {
                List<String> lines = new ArrayList<>(List.of("id,slice,label,logits"));
                rows.selectExpr("concat_ws(',', id, slice, label, concat('\"', to_json(logits), '\"'))").as(
                        org.apache.spark.sql.Encoders.STRING()).collectAsList().forEach(lines::add);
                byte[] text = (String.join("\n", lines) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (name.endsWith(".gz")) {
                    try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(input))) {
                        gz.write(text);
                    }
                } else {
                    Files.write(input, text);
                }
            }
            default -> { // npz
                NpzShards.requireNd4j();
                writeShard(input, 6);
                expected = 6;
            }
        }
        List<String> logged = new ArrayList<>();
        CliRun run = withLog(PhaseLog.LOGGER, logged, () -> audit("--input", input.toString()));
        JsonNode summary = summary(run);
        assertThat(summary.at("/config/format").asText()).isEqualTo(format);
        assertThat(summary.at("/overall/rows").asLong()).isEqualTo(expected);
        assertThat(summary.at("/overall/invalid").asLong()).isZero();
        assertThat(inputLines(logged)).containsExactly("input: " + input + " (" + format + ", as its extension says)");
    }

    /**
     * A --format given (a flag, or the config file's key) is the one read; a name without an
     * extension with no --format stays parquet; the input line says the format read.
     */
    @Test
    void aGivenFormatWinsAndNoExtensionStaysParquet() throws IOException {
        Path json = tmp.resolve("preds.data");
        Files.write(json, SPARK.sql(ROWS).toJSON().collectAsList());
        List<String> logged = new ArrayList<>();
        JsonNode byFlag = summary(withLog(PhaseLog.LOGGER, logged, () -> audit("--input", json.toString(), "--format", "json")));
        assertThat(byFlag.at("/config/format").asText()).isEqualTo("json");
        assertThat(byFlag.at("/overall/rows").asLong()).isEqualTo(20);
        Path config = tmp.resolve("json.conf");
        Files.writeString(config, "smoothkl.run.format = json\n");
        JsonNode byConfig = summary(withLog(PhaseLog.LOGGER, logged,
                () -> audit("--input", json.toString(), "--config", config.toString())));
        assertThat(byConfig.at("/config/format").asText()).isEqualTo("json");
        Path named = tmp.resolve("preds.jsonl");
        Files.copy(json, named);
        JsonNode agreeing = summary(withLog(PhaseLog.LOGGER, logged, () -> audit("--input", named.toString(), "--format", "json")));
        assertThat(agreeing.at("/overall/rows").asLong()).isEqualTo(20);
        assertThat(inputLines(logged)).containsExactly("input: " + json + " (format json)", "input: " + json + " (format json)",
                "input: " + named + " (json, as its extension says)");
        logged.clear();

        Path dir = tmp.resolve("predictions");
        SPARK.sql(ROWS).write().parquet(dir.toString());
        JsonNode plain = summary(withLog(PhaseLog.LOGGER, logged, () -> audit("--input", dir.toString())));
        assertThat(plain.at("/config/format").asText()).isEqualTo("parquet");
        assertThat(plain.at("/overall/rows").asLong()).isEqualTo(20);
        assertThat(inputLines(logged)).containsExactly("input: " + dir + " (format parquet)");

        CliRun against = audit("--input", named.toString(), "--format", "csv");
        assertThat(against.exitCode()).as(against.err()).isEqualTo(2);
        assertThat(against.err().strip()).isEqualTo("smoothkl: error: --input " + named + " has the extension of json files but"
                + " --format is csv; drop --format (the extension then decides), or rename it if it holds csv");
    }

    /** The input phase lines of {@code logged}, up to the scale (files, bytes, columns) that follows the source. */
    private static List<String> inputLines(List<String> logged) {
        return logged.stream().filter(l -> l.startsWith("input: ")).map(l -> l.substring(0, l.indexOf(')') + 1)).toList();
    }

    /** Runs {@code work} with {@code logger}'s INFO messages collected into {@code lines}. */
    private static <T> T withLog(String logger, List<String> lines, java.util.function.Supplier<T> work) {
        try (LogCapture log = LogCapture.of(logger, org.apache.logging.log4j.Level.INFO)) {
            T result = work.get();
            lines.addAll(log.messages());
            return result;
        }
    }

    // ---- --where that fails only on the rows

    /** An ANSI error of the predicate itself (a malformed cast, a division by zero) is bad input naming --where. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"CAST(concat('x', slice) AS INT) = 1", "label / (id - id) > 1"})
    void aWhereThatFailsOnTheRowsIsBadInput(String predicate) throws IOException {
        Path input = tmp.resolve("rows");
        SPARK.sql(ROWS).write().parquet(input.toString());
        CliRun run = audit("--input", input.toString(), "--where", predicate);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        String fragment = predicate.substring(0, predicate.lastIndexOf(predicate.contains(" = ") ? " = " : " > "));
        assertThat(run.err().strip()).startsWith("smoothkl: error: --where \"" + predicate + "\" fails on the input's rows at "
                + fragment + ": ").contains(predicate.startsWith("CAST") ? "cannot be cast to \"INT\"" : "Division by zero")
                .doesNotContain("\n").doesNotContain("Exception");
    }

    /** The same error in a view's own SQL, with a --where that is fine, is no --where problem: still unexpected (exit 1). */
    @Test
    void aFailureOfTheRowsThatIsNotThePredicatesStaysUnexpected() throws IOException {
        Path input = tmp.resolve("rows");
        SPARK.sql(ROWS).write().parquet(input.toString());
        SPARK.sql("CREATE OR REPLACE TEMP VIEW castsbadly AS SELECT slice, CAST(concat('x', slice) AS INT) AS label, logits"
                + " FROM parquet.`" + input + "`");
        try {
            CliRun run = audit("--table", "castsbadly", "--where", "slice = 'a'");
            assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).startsWith("smoothkl: unexpected failure: ").contains("CAST_INVALID_INPUT");
        } finally {
            SPARK.catalog().dropTempView("castsbadly");
        }
    }
}
