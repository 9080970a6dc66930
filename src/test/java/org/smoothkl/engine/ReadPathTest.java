package org.smoothkl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.apache.logging.log4j.Level;
import org.smoothkl.CliRun;
import org.smoothkl.LogCapture;
import org.smoothkl.job.PhaseLog;
import org.smoothkl.SparkTestSession;
import org.smoothkl.SummaryCompare;

/**
 * The job reads plain Parquet logits with the page decoder and says so (summary.json's
 * run.reader, the phase line); its summary is the one Spark's reader gives; ORC input and a
 * --where take Spark's reader, and the reason is given.
 */
class ReadPathTest {
    @TempDir
    Path tmp;

    @Test
    void plainParquetTakesThePageDecoderWithTheSameSummary() {
        Path data = tmp.resolve("data");
        assertThat(CliRun.of("generate", "--rows", "3000", "--classes", "7", "--output", data.toString()).exitCode()).isZero();
        java.util.List<String> phases;
        try (LogCapture log = LogCapture.of(PhaseLog.LOGGER, Level.INFO)) {
            run(data, "decoded", "--group-by", "slice");
            phases = log.messages();
        }
        JsonNode reader = SummaryCompare.read(tmp.resolve("decoded")).at("/run/reader");
        assertThat(reader.get("logits").asText()).isEqualTo("page decoder");
        assertThat(reader.get("splits").size()).as(reader.toString()).isEqualTo(1);
        assertThat(reader.at("/splits/page decoder").asLong()).isPositive();
        assertThat(phases).anyMatch(line -> line.startsWith("scoring: logits read by the page decoder (1 file split"));

        // a --where on data columns that keeps every row: Spark's reader (its row-group pruning) and the row path
        try (LogCapture log = LogCapture.of(PhaseLog.LOGGER, Level.INFO)) {
            run(data, "filtered", "--group-by", "slice", "--where", "label >= 0 OR label IS NULL");
            phases = log.messages();
        }
        JsonNode sparkReader = SummaryCompare.read(tmp.resolve("filtered")).at("/run/reader");
        assertThat(sparkReader.get("logits").asText()).isEqualTo("spark");
        assertThat(sparkReader.get("because").asText()).contains("a --where on data columns");
        assertThat(phases).anyMatch(line -> line.startsWith("scoring: logits read by Spark's reader (a --where on data columns"));
        SummaryCompare.assertSameSummary(SummaryCompare.read(tmp.resolve("decoded")),
                SummaryCompare.read(tmp.resolve("filtered")), 0);
    }

    @Test
    void aWhereOnPartitionColumnsPrunesAndKeepsThePageDecoder() {
        Path data = tmp.resolve("data");
        assertThat(CliRun.of("generate", "--rows", "3000", "--classes", "7", "--output", data.toString()).exitCode()).isZero();
        Path partitioned = tmp.resolve("partitioned");
        SparkTestSession.get().read().parquet(data.toString()).write().partitionBy("slice").parquet(partitioned.toString());
        String kept = SparkTestSession.get().read().parquet(data.toString()).select("slice").distinct().orderBy("slice")
                .first().getString(0);
        // the predicate is the scan's partition filter, no Filter above it: the plan stays a plain scan
        run(partitioned, "pruned", "--group-by", "slice", "--where", "slice = '" + kept + "'");
        JsonNode summary = SummaryCompare.read(tmp.resolve("pruned"));
        assertThat(summary.at("/run/reader/logits").asText()).as(summary.at("/run/reader").toString()).isEqualTo("page decoder");
        assertThat(summary.at("/run/reader/splits/page decoder").asLong()).as("one partition's files only").isEqualTo(1);
        assertThat(summary.get("slices").size()).isEqualTo(1);
        long rows = SparkTestSession.get().read().parquet(data.toString()).where("slice = '" + kept + "'").count();
        assertThat(summary.at("/overall/rows").asLong()).isEqualTo(rows);
    }

    @Test
    void theNestedVectorizedReaderOffReadsWithoutTheDecoder() {
        Path data = tmp.resolve("data");
        assertThat(CliRun.of("generate", "--rows", "500", "--classes", "5", "--output", data.toString()).exitCode()).isZero();
        withoutNestedVectorizedReader(() -> run(data, "rows", "--group-by", "slice"));
        JsonNode reader = SummaryCompare.read(tmp.resolve("rows")).at("/run/reader");
        assertThat(reader.get("logits").asText()).isEqualTo("spark");
        assertThat(reader.get("because").asText()).contains("enableNestedColumnVectorizedReader is off");
        run(data, "decoded", "--group-by", "slice");
        SummaryCompare.assertSameSummary(SummaryCompare.read(tmp.resolve("decoded")), SummaryCompare.read(tmp.resolve("rows")), 0);
    }

    /** rows/ and invalid/ through the decoder equal Spark's reader's, on pyarrow's file with every kind of null and bad row. */
    @Test
    void rowsAndQuarantineEqualSparksReader() throws Exception {
        Path file = Path.of(getClass().getResource("/parquet/pyarrow-defaults-float.parquet").toURI());
        run(file, "decoded", "--write-rows", "--keep", "id");
        assertThat(SummaryCompare.read(tmp.resolve("decoded")).at("/run/reader/logits").asText()).isEqualTo("page decoder");
        withoutNestedVectorizedReader(() -> run(file, "spark", "--write-rows", "--keep", "id"));
        assertThat(SummaryCompare.read(tmp.resolve("spark")).at("/run/reader/logits").asText()).isEqualTo("spark");
        for (String table : List.of("rows", "invalid")) {
            // as text: a Scala Seq holding NaN never equals itself
            List<String> decoded = sorted(tmp.resolve("decoded").resolve(table));
            List<String> spark = sorted(tmp.resolve("spark").resolve(table));
            assertThat(decoded).as(table).isNotEmpty().hasSameSizeAs(spark);
            assertThat(decoded).as(table).isEqualTo(spark);
        }
        SummaryCompare.assertSameSummary(SummaryCompare.read(tmp.resolve("decoded")), SummaryCompare.read(tmp.resolve("spark")), 0);
    }

    /** Runs {@code body} with Spark's nested vectorized reader off: the scan returns rows, Spark's reader reads all. */
    private static void withoutNestedVectorizedReader(Runnable body) {
        SparkTestSession.withConf("spark.sql.parquet.enableNestedColumnVectorizedReader", false, body);
    }

    private static List<String> sorted(Path table) {
        Dataset<Row> rows = SparkTestSession.get().read().parquet(table.toString());
        return rows.orderBy("id").collectAsList().stream().map(Row::toString).toList();
    }

    /** Labels written as doubles (as Spark ML writes them): parsed in a projection over the scan, the decoder under it. */
    @Test
    void doubleLabelsKeepThePageDecoderUnderTheirProjection() {
        Path data = tmp.resolve("data");
        assertThat(CliRun.of("generate", "--rows", "2000", "--classes", "6", "--output", data.toString()).exitCode()).isZero();
        Path doubles = tmp.resolve("doubles");
        SparkTestSession.get().read().parquet(data.toString())
                .selectExpr("slice", "logits", "CASE WHEN logits[0] > 2 THEN label + 0.5 ELSE cast(label AS double) END AS label")
                .write().parquet(doubles.toString());
        run(doubles, "decoded", "--group-by", "slice");
        JsonNode decoded = SummaryCompare.read(tmp.resolve("decoded"));
        assertThat(decoded.at("/run/reader/logits").asText()).as(decoded.at("/run/reader").toString()).isEqualTo("page decoder");
        assertThat(decoded.at("/overall/invalid").asLong()).as("the x.5 labels").isPositive();
        withoutNestedVectorizedReader(() -> run(doubles, "spark", "--group-by", "slice"));
        assertThat(SummaryCompare.read(tmp.resolve("spark")).at("/run/reader/logits").asText()).isEqualTo("spark");
        SummaryCompare.assertSameSummary(decoded, SummaryCompare.read(tmp.resolve("spark")), 0);
        assertThat(decoded.at("/overall/invalid_by_reason").toString())
                .isEqualTo(SummaryCompare.read(tmp.resolve("spark")).at("/overall/invalid_by_reason").toString());
    }

    @Test
    void orcTakesSparksReader() {
        Path data = tmp.resolve("data");
        assertThat(CliRun.of("generate", "--rows", "300", "--classes", "4", "--output", data.toString()).exitCode()).isZero();
        Path orc = tmp.resolve("orc");
        SparkTestSession.get().read().parquet(data.toString()).write().orc(orc.toString());
        run(orc, "out", "--group-by", "slice", "--format", "orc");
        JsonNode reader = SummaryCompare.read(tmp.resolve("out")).at("/run/reader");
        assertThat(reader.get("logits").asText()).isEqualTo("spark");
        assertThat(reader.get("because").asText()).contains("ORC").contains("not Spark's Parquet scan");
    }

    private CliRun run(Path input, String out, String... more) {
        String[] args = {"run", "--input", input.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--output", tmp.resolve(out).toString()};
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(more))
                .toArray(String[]::new);
        CliRun run = CliRun.of(all);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run;
    }
}
