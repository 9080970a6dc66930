package org.smoothkl.output;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;
import org.smoothkl.loss.TargetConvention;

/** The output contract (src/site/markdown/outputs.md), on generated data audited once with every output on. */
class OutputContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SUMMARY_KEYS = List.of("rows", "valid", "ignored", "invalid", "invalid_by_reason",
            "sum_kl", "mean_kl", "sum_smoothed_ce", "mean_smoothed_ce", "sum_nll", "mean_nll", "accuracy", "mean_gap",
            "gap_opt", "gap_histogram", "invalid_fraction", "ignored_fraction", "mean_confidence", "ece", "reliability");
    private static final long ROWS = 3000;
    private static final int BINS = 12;

    @TempDir
    static Path tmp;
    static Path out;
    static JsonNode summary;
    private static final SparkSession spark = SparkTestSession.get();

    @BeforeAll
    static void auditGeneratedData() throws IOException {
        Path data = tmp.resolve("data");
        CliRun gen = CliRun.of("generate", "--rows", Long.toString(ROWS), "--classes", "20", "--epsilon", "0.2",
                "--slices", "3", "--output", data.toString());
        assertThat(gen.exitCode()).as(gen.err()).isZero();
        out = tmp.resolve("audit");
        CliRun run = CliRun.of("run", "--input", data.toString(), "--preset", "fairseq", "--epsilon", "0.2",
                "--group-by", "slice", "--bins", Integer.toString(BINS), "--gap-range", "0:12", "--write-rows",
                "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("slice=slice-0", "overall", "optimal gap");
        summary = JSON.readTree(out.resolve("summary.json").toFile());
    }

    @Test
    void everyFileOfTheContractIsThere() {
        for (String f : List.of("_SUCCESS", "summary.json", "histograms.csv", "histograms", "invalid", "rows", "report.html")) {
            assertThat(out.resolve(f)).exists();
        }
        assertThat(summary.get("config").get("preset").asText()).isEqualTo("fairseq");
        assertThat(summary.get("config").get("group_by").get(0).asText()).isEqualTo("slice");
        assertThat(summary.get("verdict").get("passed").asBoolean()).isTrue();
        assertThat(summary.get("checks")).isEmpty();
        assertThat(summary.get("baseline").isNull()).isTrue();
    }

    @Test
    void summariesHaveTheContractKeysAndReconcile() {
        List<JsonNode> all = new java.util.ArrayList<>();
        summary.get("slices").forEach(all::add);
        assertThat(all).hasSize(3);
        all.add(summary.get("overall"));
        long slicesRows = 0;
        for (JsonNode s : all) {
            for (String k : SUMMARY_KEYS) {
                assertThat(s.has(k)).as(k).isTrue();
            }
            long valid = s.get("valid").asLong();
            assertThat(s.get("rows").asLong()).isEqualTo(valid + s.get("ignored").asLong() + s.get("invalid").asLong());
            assertThat(s.get("mean_kl").asDouble()).isCloseTo(s.get("sum_kl").asDouble() / valid, within(1e-12));
            JsonNode h = s.get("gap_histogram");
            assertThat(h.get("edges")).hasSize(BINS + 1);
            long histogramTotal = h.get("underflow").asLong() + h.get("overflow").asLong();
            for (JsonNode c : h.get("counts")) {
                histogramTotal += c.asLong();
            }
            assertThat(histogramTotal).isEqualTo(valid);
            // Every Metric is a key of the summary (preset_loss as its value).
            for (org.smoothkl.audit.Metric m : org.smoothkl.audit.Metric.values()) {
                assertThat(m == org.smoothkl.audit.Metric.PRESET_LOSS ? s.at("/preset_loss/value") : s.get(m.code()))
                        .as(m.code()).isNotNull();
            }
            // The reliability table covers the valid rows and gives the ECE and the accuracy.
            JsonNode table = s.get("reliability");
            assertThat(table).hasSize(summary.at("/config/calibration_bins").asInt());
            long calibrated = 0;
            double correct = 0;
            double eceTimesN = 0;
            for (JsonNode bin : table) {
                long n = bin.get("count").asLong();
                calibrated += n;
                if (n > 0) {
                    assertThat(bin.get("mean_confidence").asDouble()).isBetween(bin.get("lo").asDouble(), bin.get("hi").asDouble());
                    correct += bin.get("accuracy").asDouble() * n;
                    eceTimesN += n * Math.abs(bin.get("accuracy").asDouble() - bin.get("mean_confidence").asDouble());
                }
            }
            assertThat(calibrated).isEqualTo(valid);
            assertThat(correct / valid).isCloseTo(s.get("accuracy").asDouble(), within(1e-12));
            assertThat(s.get("ece").asDouble()).isCloseTo(eceTimesN / valid, within(1e-12));
            assertThat(s.get("invalid_fraction").asDouble()).isZero();
            double gapOpt = TargetConvention.UNIFORM_OTHERS.optimalGap(20, 0.2);
            assertThat(s.get("gap_opt").asDouble()).isEqualTo(gapOpt);
            // generate centres its gaps on the optimum of the paper's convention
            assertThat(s.get("mean_gap").asDouble()).isCloseTo(gapOpt, within(0.1 * gapOpt));
        }
        for (int i = 0; i < 3; i++) {
            slicesRows += all.get(i).get("rows").asLong();
        }
        assertThat(slicesRows).isEqualTo(ROWS).isEqualTo(summary.at("/overall/rows").asLong());
        // slice-0 is generated more accurate than slice-2
        assertThat(all.get(0).get("accuracy").asDouble()).isGreaterThan(all.get(2).get("accuracy").asDouble());
    }

    @Test
    void histogramParquetAndCsvMatchTheSummary() throws IOException {
        Dataset<Row> h = spark.read().parquet(out.resolve("histograms").toString());
        assertThat(h.columns()).containsExactly("slice", "bin_lo", "bin_hi", "count");
        assertThat(h.count()).isEqualTo(3L * (BINS + 2));
        Map<String, Long> perSlice = new HashMap<>();
        for (Row r : h.groupBy("slice").agg(sum("count").as("n")).collectAsList()) {
            perSlice.put(r.getString(0), r.getLong(1));
        }
        for (JsonNode s : summary.get("slices")) {
            assertThat(perSlice.get(s.at("/key/slice").asText())).isEqualTo(s.get("valid").asLong());
        }
        List<String> csv = Files.readAllLines(out.resolve("histograms.csv"));
        assertThat(csv.get(0)).isEqualTo("slice,bin_lo,bin_hi,count");
        assertThat(csv).hasSize(1 + 3 * (BINS + 2));
        assertThat(csv.get(1)).startsWith("slice-0,-Infinity,0.0,");
    }

    @Test
    void rowsHoldEveryRowAndAddUpToTheSummary() {
        Dataset<Row> rows = spark.read().parquet(out.resolve("rows").toString());
        assertThat(rows.columns()).contains("slice", "label", "status", "reason", "kl", "smoothed_ce", "nll", "gap",
                "gap_opt", "pred", "correct");
        assertThat(rows.count()).isEqualTo(ROWS);
        Row sums = rows.agg(sum(col("kl")), sum(col("nll"))).first();
        assertThat(sums.getDouble(0)).isCloseTo(summary.at("/overall/sum_kl").asDouble(),
                within(1e-9 * summary.at("/overall/sum_kl").asDouble()));
        assertThat(sums.getDouble(1)).isCloseTo(summary.at("/overall/sum_nll").asDouble(),
                within(1e-9 * summary.at("/overall/sum_nll").asDouble()));
        assertThat(spark.read().parquet(out.resolve("invalid").toString()).count()).isZero();
    }

    @Test
    void generateIsDeterministicForASeed() {
        Path a = tmp.resolve("gen-a");
        Path b = tmp.resolve("gen-b");
        for (Path p : List.of(a, b)) {
            CliRun g = CliRun.of("generate", "--rows", "500", "--classes", "7", "--seed", "7", "--output", p.toString());
            assertThat(g.exitCode()).as(g.err()).isZero();
        }
        Dataset<Row> da = spark.read().parquet(a.toString());
        Dataset<Row> db = spark.read().parquet(b.toString());
        assertThat(da.count()).isEqualTo(500);
        assertThat(da.exceptAll(db).count()).isZero();
        assertThat(db.exceptAll(da).count()).isZero();
    }
}
