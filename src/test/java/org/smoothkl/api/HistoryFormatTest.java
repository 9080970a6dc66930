package org.smoothkl.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;

/**
 * The history table as other tools read it: run_time a Parquet TIMESTAMP(MICROS) (INT64, read from
 * the footer with parquet-hadoop), not INT96, the session's own setting left as it was; the run's
 * --meta pairs in summary.json and in a map column of every history row; and a table that also
 * holds an earlier version's file (INT96, no meta) still reads.
 */
class HistoryFormatTest {
    private static final SparkSession spark = SparkTestSession.get();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SETTING = "spark.sql.parquet.outputTimestampType";

    @TempDir
    Path tmp;

    private static Dataset<Row> frame() {
        return spark.sql("""
                SELECT * FROM VALUES ('a', 0, array(2.0D, 0.0D, 0.0D)), ('b', 2, array(0.0D, 1.0D, 3.0D))
                  AS t(slice, label, logits)
                """);
    }

    private static List<Path> historyFiles(Path history) throws IOException {
        try (Stream<Path> files = Files.list(history)) {
            return files.filter(p -> p.getFileName().toString().startsWith("run-")).sorted().toList();
        }
    }

    private static MessageType footer(Path file) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(
                HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toString()), new Configuration()))) {
            return r.getFooter().getFileMetaData().getSchema();
        }
    }

    @Test
    void runTimeIsTimestampMicrosAndTheSessionSettingIsRestored() throws IOException {
        Path history = tmp.resolve("history");
        assertThat(spark.conf().contains(SETTING)).as("unset before").isFalse();
        AuditReport first = Smoothkl.audit(frame()).preset("seed").epsilon(0.1).groupBy("slice")
                .output(tmp.resolve("out1").toString()).history(history.toString()).write();
        assertThat(spark.conf().contains(SETTING)).as("still unset after the append").isFalse();

        List<Path> files = historyFiles(history);
        assertThat(files).hasSize(1);
        PrimitiveType runTime = footer(files.get(0)).getType("run_time").asPrimitiveType();
        assertThat(runTime.getPrimitiveTypeName()).isEqualTo(PrimitiveType.PrimitiveTypeName.INT64);
        assertThat(runTime.getLogicalTypeAnnotation())
                .isEqualTo(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS));

        // A value the user set is put back, not dropped.
        spark.conf().set(SETTING, "TIMESTAMP_MILLIS");
        try {
            Smoothkl.audit(frame()).preset("seed").epsilon(0.1).output(tmp.resolve("out2").toString())
                    .history(history.toString()).write();
            assertThat(spark.conf().get(SETTING)).isEqualTo("TIMESTAMP_MILLIS");
        } finally {
            spark.conf().unset(SETTING);
        }
        for (Path f : historyFiles(history)) {
            assertThat(footer(f).getType("run_time").asPrimitiveType().getPrimitiveTypeName())
                    .as(f.toString()).isEqualTo(PrimitiveType.PrimitiveTypeName.INT64);
        }

        // Spark reads it back as the run's start, to the microsecond.
        Instant started = Instant.parse((String) first.runInfo().get("started"));
        Row overall = spark.read().parquet(history.toString()).where("run_tag = 'out1' AND slice = 'overall'").first();
        assertThat(((Timestamp) overall.getAs("run_time")).toInstant()).isEqualTo(started.truncatedTo(ChronoUnit.MICROS));
    }

    @Test
    void metaIsInSummaryJsonAndInEveryHistoryRow() throws IOException {
        Path history = tmp.resolve("history");
        Path out = tmp.resolve("cli-out");
        Path data = tmp.resolve("data");
        frame().write().parquet(data.toString());
        CliRun r = CliRun.of("run", "--input", data.toString(), "--preset", "seed", "--epsilon", "0.1", "--group-by", "slice",
                "--output", out.toString(), "--history", history.toString(), "--meta", "model=v7", "--meta", "data=2026-12-01");
        assertThat(r.exitCode()).as(r.err()).isZero();

        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.at("/config/meta")).isEqualTo(JSON.readTree("{\"model\":\"v7\",\"data\":\"2026-12-01\"}"));

        List<Row> rows = spark.read().parquet(history.toString()).select("slice", "meta").orderBy("slice").collectAsList();
        assertThat(rows).extracting(row -> row.getString(0)).containsExactly("overall", "slice=a", "slice=b");
        for (Row row : rows) {
            assertThat(row.<String, String>getJavaMap(1)).as(row.getString(0))
                    .containsExactlyInAnyOrderEntriesOf(Map.of("model", "v7", "data", "2026-12-01"));
        }
        Type meta = footer(historyFiles(history).get(0)).getType("meta");
        assertThat(meta.getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.mapType());

        // Without --meta: an empty map; a frame's rows have no input path.
        Smoothkl.audit(frame()).preset("seed").epsilon(0.1).output(tmp.resolve("api-out").toString())
                .history(history.toString()).write();
        Row api = spark.read().parquet(history.toString()).where("run_tag = 'api-out'").select("meta", "input").first();
        assertThat(api.getJavaMap(0)).isEmpty();
        assertThat(api.isNullAt(1)).isTrue();
    }

    @Test
    void aTableWithAnEarlierVersionsInt96FileStillReads() throws IOException {
        Path history = tmp.resolve("history");
        Smoothkl.audit(frame()).preset("seed").epsilon(0.1).output(tmp.resolve("new").toString())
                .history(history.toString()).write();
        // What an earlier version appended: no meta column, run_time as Spark's default INT96.
        Path old = tmp.resolve("old");
        spark.read().parquet(history.toString()).drop("meta")
                .selectExpr("* EXCEPT (run_time, run_tag)", "TIMESTAMP'2026-11-30 10:00:00.123456Z' AS run_time", "'old' AS run_tag")
                .coalesce(1).write().parquet(old.toString());
        Path oldFile;
        try (Stream<Path> files = Files.list(old)) {
            oldFile = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        assertThat(footer(oldFile).getType("run_time").asPrimitiveType().getPrimitiveTypeName())
                .isEqualTo(PrimitiveType.PrimitiveTypeName.INT96);
        Files.copy(oldFile, history.resolve("run-0-old-0000000000000000.parquet"));

        Dataset<Row> table = spark.read().option("mergeSchema", "true").parquet(history.toString());
        assertThat(table.where("run_tag = 'old' AND slice = 'overall'").first().<Timestamp>getAs("run_time").toInstant())
                .isEqualTo(Instant.parse("2026-11-30T10:00:00.123456Z"));
        assertThat(table.where("run_tag = 'old'").where("meta IS NULL").count()).isEqualTo(1);
        assertThat(table.where("run_tag = 'new'").where("meta IS NOT NULL").count()).isEqualTo(1);
    }
}
