package org.smoothkl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.EngineChoice;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.engine.CpuMetricsEngine;
import org.smoothkl.input.AuditInput;
import org.smoothkl.input.InputReader;
import org.smoothkl.job.AuditJob;
import org.smoothkl.loss.Preset;

/**
 * --max-slices: one slice more than the limit stops the run with exit 2 naming the --group-by
 * columns and the count reached, wherever it is first seen (a scoring task, the driver adding up
 * partitions, the SQL path's last level), slices counted by combination of values; exactly the
 * limit runs; the limit comes from the flag, a --config file or the default.
 */
class MaxSlicesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GapHistogramSpec HISTOGRAM = new GapHistogramSpec(50, 0, 20);
    private static final CalibrationSpec CALIBRATION = new CalibrationSpec(15);

    @TempDir
    Path tmp;

    @Test
    void oneSliceOverTheLimitIsExit2NamingTheColumnsAndTheCount() throws IOException {
        Path data = parquet("SELECT CAST(id % 6 AS INT) AS k, " + LABEL_AND_LOGITS + " FROM range(0, 600, 1, 2)");
        CliRun over = run(data, "--group-by", "k", "--max-slices", "5");
        assertThat(over.exitCode()).as(over.err()).isEqualTo(2);
        assertThat(over.err().strip()).startsWith("smoothkl: error: ").doesNotContain("\n").doesNotContain("Exception")
                .contains("--group-by k", "at least 6 slices", "more than --max-slices 5");
        assertThat(tmp.resolve("out")).as("no output").doesNotExist();

        CliRun exactly = run(data, "--group-by", "k", "--max-slices", "6");
        assertThat(exactly.exitCode()).as(exactly.err()).isZero();
        JsonNode summary = JSON.readTree(tmp.resolve("out/summary.json").toFile());
        assertThat(summary.get("slices")).hasSize(6);
        assertThat(summary.at("/config/max_slices").asInt()).isEqualTo(6);
    }

    /** A run of exactly the default limit's slices writes its report in seconds, a few megabytes (both printed). */
    @Test
    void aReportAtTheDefaultLimitIsUsable() throws IOException {
        int n = AuditSpec.DEFAULT_MAX_SLICES;
        Path data = parquet("SELECT concat('slice-', CAST(id % " + n + " AS STRING)) AS k, " + LABEL_AND_LOGITS
                + " FROM range(0, " + 5 * n + ", 1, 2)");
        long started = System.nanoTime();
        CliRun r = run(data, "--group-by", "k");
        double runSeconds = (System.nanoTime() - started) / 1e9;
        assertThat(r.exitCode()).as(r.err()).isZero();
        String summary = Files.readString(tmp.resolve("out/summary.json"));
        assertThat(JSON.readTree(summary).get("slices")).hasSize(n);
        started = System.nanoTime();
        String html = org.smoothkl.report.HtmlReport.render(org.smoothkl.report.SummaryReader.tree(summary, "summary.json"));
        double renderSeconds = (System.nanoTime() - started) / 1e9;
        long bytes = Files.size(tmp.resolve("out/report.html"));
        System.out.printf("max-slices: %d slices: run %.1f s, report.html %.1f MB rendered again in %.2f s%n", n, runSeconds,
                bytes / 1e6, renderSeconds);
        assertThat(html).as("a section per slice after overall").contains("id=\"s" + n + "\"");
        assertThat(bytes).as("report.html bytes").isLessThan(16_000_000);
        assertThat(renderSeconds).as("seconds to render report.html").isLessThan(30);
    }

    /** Two columns of 2 and 3 values: 6 slices, each column alone under the limit. */
    @Test
    void slicesAreCombinationsOfValues() throws IOException {
        Path data = parquet("SELECT CAST(id % 2 AS INT) AS a, concat('c', CAST(id % 3 AS STRING)) AS b, " + LABEL_AND_LOGITS
                + " FROM range(0, 600, 1, 2)");
        CliRun over = run(data, "--group-by", "a,b", "--max-slices", "5");
        assertThat(over.exitCode()).as(over.err()).isEqualTo(2);
        assertThat(over.err()).contains("--group-by a,b gives at least 6 slices, more than --max-slices 5");
        CliRun exactly = run(data, "--group-by", "a,b", "--max-slices", "6");
        assertThat(exactly.exitCode()).as(exactly.err()).isZero();
    }

    @Test
    void theLimitComesFromTheConfigFileOrTheDefault() throws IOException {
        Path data = parquet("SELECT CAST(id % 4 AS INT) AS k, " + LABEL_AND_LOGITS + " FROM range(0, 400, 1, 2)");
        Path conf = Files.writeString(tmp.resolve("audit.conf"), "smoothkl.run { max-slices = 3 }\n");
        CliRun fromFile = run(data, "--group-by", "k", "--config", conf.toString());
        assertThat(fromFile.exitCode()).as(fromFile.err()).isEqualTo(2);
        assertThat(fromFile.err()).contains("at least 4 slices, more than --max-slices 3");
        CliRun flagWins = run(data, "--group-by", "k", "--config", conf.toString(), "--max-slices", "4");
        assertThat(flagWins.exitCode()).as(flagWins.err()).isZero();

        CliRun byDefault = run(data, "--group-by", "k");
        assertThat(byDefault.exitCode()).as(byDefault.err()).isZero();
        assertThat(JSON.readTree(tmp.resolve("out/summary.json").toFile()).at("/config/max_slices").asInt())
                .as("conf/smoothkl.conf and AuditSpec agree").isEqualTo(AuditSpec.DEFAULT_MAX_SLICES);

        CliRun zero = run(data, "--group-by", "k", "--max-slices", "0");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("--max-slices must be at least 1, got 0");
    }

    /**
     * A million distinct values in one partition, whose label fails to compute past row 100000:
     * the scoring task stops at the 1001st slice, long before (the run fails with the limit, not the row).
     */
    @Test
    void theScoringTaskStopsAtTheFirstSliceOverTheLimit() {
        SparkSession spark = SparkTestSession.get();
        Dataset<Row> source = spark.sql("SELECT CAST(id AS STRING) AS k,"
                + " IF(id > 100000, raise_error('scanned too far'), CAST(id % 3 AS INT)) AS label,"
                + " array(1.0F, 2.0F, 3.0F) AS logits FROM range(0, 1000000, 1, 1)");
        AuditSpec spec = spec("unused", List.of("k"), 1000);
        long started = System.nanoTime();
        assertThatThrownBy(() -> AuditJob.run(spark, spec, source, null))
                .isInstanceOf(AuditInputException.class)
                .hasMessage("--group-by k gives at least 1001 slices, more than --max-slices 1000: group by fewer or coarser"
                        + " columns, or raise --max-slices");
        System.out.printf("max-slices: the task stopped after %.2f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** Three partitions of 4 slices each, 12 in all: no task is over 10; the driver is, at the 11th. */
    @Test
    void theDriverCountsTheSlicesOfAllPartitions() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path data = parquet("SELECT CAST(id DIV 100 AS INT) AS k, " + LABEL_AND_LOGITS + " FROM range(0, 1200, 1, 3)");
        AuditSpec spec = spec(data.toString(), List.of("k"), 10);
        FirstLevelPreAggregationTest.withOnePartitionPerFile(() -> {
            AuditInput input = InputReader.read(spark, spec);
            assertThat(input.frame().rdd().getNumPartitions()).isEqualTo(3);
            Dataset<Row> partitions = new CpuMetricsEngine().partitionLevel(input, spec.smoothing(), HISTOGRAM, CALIBRATION, spec.maxSlices());
            for (int driverMaxPartitions : new int[] {AuditAggregation.DRIVER_LEVELS_MAX_PARTITIONS, 0}) {
                assertThatThrownBy(() -> AuditAggregation.ofPartitionLevel(partitions, spec, driverMaxPartitions))
                        .as("on the driver, not in a task").isExactlyInstanceOf(AuditInputException.class)
                        .hasMessageContaining("at least 11 slices, more than --max-slices 10");
            }
            AuditSpec twelve = spec(data.toString(), List.of("k"), 12);
            assertThat(AuditAggregation.ofPartitionLevel(partitions, twelve)).hasSize(12);
            assertThat(AuditAggregation.ofPartitionLevel(partitions, twelve, 0)).hasSize(12);
        });
    }

    /** A task over the limit, whether the levels above it run on the driver or in SQL (the task's job then runs a shuffle). */
    @Test
    void theTaskLimitHoldsOnBothPreAggregatedPaths() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path data = parquet("SELECT CAST(id AS INT) AS k, " + LABEL_AND_LOGITS + " FROM range(0, 3000, 1, 1)");
        AuditSpec spec = spec(data.toString(), List.of("k"), 100);
        AuditInput input = InputReader.read(spark, spec);
        Dataset<Row> partitions = new CpuMetricsEngine().partitionLevel(input, spec.smoothing(), HISTOGRAM, CALIBRATION, spec.maxSlices());
        for (int driverMaxPartitions : new int[] {AuditAggregation.DRIVER_LEVELS_MAX_PARTITIONS, 0}) {
            assertThatThrownBy(() -> AuditAggregation.ofPartitionLevel(partitions, spec, driverMaxPartitions))
                    .as("thrown in the scoring task").isInstanceOf(SparkException.class)
                    .hasRootCauseInstanceOf(AuditInputException.class)
                    .rootCause().hasMessageContaining("at least 101 slices, more than --max-slices 100");
        }
    }

    /** The SQL path (the RAPIDS engine's, token sequences', collated strings'): its last level's rows, limited. */
    @Test
    void theSqlPathCountsItsLastLevel() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Path data = parquet("SELECT CAST(id % 3000 AS INT) AS k, " + LABEL_AND_LOGITS + " FROM range(0, 6000, 1, 2)");
        AuditInput input = InputReader.read(spark, spec(data.toString(), List.of("k"), 10));
        Dataset<Row> scored = new CpuMetricsEngine().withMetrics(input, Preset.SEED.with(0.1, null));
        assertThatThrownBy(() -> AuditAggregation.ofScored(scored, spec(data.toString(), List.of("k"), 2999)))
                .isExactlyInstanceOf(AuditInputException.class)
                .hasMessageContaining("--group-by k gives at least 3000 slices, more than --max-slices 2999");
        Map<SliceKey, SliceSummary> all = AuditAggregation.ofScored(scored, spec(data.toString(), List.of("k"), 3000));
        assertThat(all).hasSize(3000);
        assertThat(all.values().stream().mapToLong(SliceSummary::rows).sum()).isEqualTo(6000);
    }

    private static final String LABEL_AND_LOGITS = "CAST(id % 3 AS INT) AS label,"
            + " array(CAST(sin(id) * 3 AS FLOAT), 1.0F, CAST(cos(id) AS FLOAT)) AS logits";

    private Path parquet(String sql) {
        Path p = tmp.resolve("data-" + Math.abs(sql.hashCode()));
        SparkTestSession.get().sql(sql).write().parquet(p.toString());
        return p;
    }

    private CliRun run(Path data, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--input", data.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--output", tmp.resolve("out").toString(), "--overwrite"));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    private AuditSpec spec(String input, List<String> groupBy, int maxSlices) {
        return new AuditSpec(input, InputFormat.PARQUET, "logits", "label", Preset.SEED, Preset.SEED.with(0.1, null), groupBy,
                HISTOGRAM, CALIBRATION, List.of(), null, null, "test", tmp.resolve("unused-out").toString(), false, false,
                EngineChoice.CPU, maxSlices);
    }
}
