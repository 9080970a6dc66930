package org.smoothkl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.GoldenRows;
import org.smoothkl.SparkTestSession;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.RowKernel;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.input.AuditInput;
import org.smoothkl.input.InputReader;
import org.smoothkl.spark.SparkInternals;

/**
 * The job's per-row output equals the kernel (the one the engine picks) run directly on the same rows, bit for bit: the
 * Spark plumbing (JSON and Parquet readers, batching, labels, statuses) adds nothing and loses
 * nothing.
 */
class EngineParityTest {
    @TempDir
    Path tmp;

    @Test
    void jobRowsEqualTheKernelOnGoldenRows() throws IOException {
        List<GoldenRows.Row> golden = GoldenRows.load("pytorch");
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("run", "--input", GoldenRows.file("pytorch").toString(), "--format", "json",
                "--preset", "pytorch", "--epsilon", "0.1", "--group-by", "id", "--write-rows", "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Row> byId = new HashMap<>();
        for (Row r : SparkTestSession.get().read().parquet(out.resolve("rows").toString()).collectAsList()) {
            byId.put(r.getAs("id"), r);
        }
        assertThat(byId).hasSize(golden.size());
        RowKernel kernel = RowKernels.create(Preset.PYTORCH.with(0.1, null)); // the kernel the engine picks
        int compared = 0;
        for (GoldenRows.Row g : golden) {
            MetricsBatch m = new MetricsBatch();
            kernel.compute(LogitBatch.of(new double[][] {g.logits()}, new long[] {g.label()}), m);
            Row r = byId.get(g.id());
            assertThat(r.<String>getAs("status")).as(g.id()).isEqualTo(m.status(0).code());
            if (m.status(0) == RowStatus.INVALID) {
                continue;
            }
            assertThat(r.<Double>getAs("kl")).as(g.id()).isEqualTo(m.kl(0));
            assertThat(r.<Double>getAs("smoothed_ce")).as(g.id()).isEqualTo(m.smoothedCe(0));
            assertThat(r.<Double>getAs("nll")).as(g.id()).isEqualTo(m.nll(0));
            assertThat(r.<Double>getAs("gap")).as(g.id()).isEqualTo(m.gap(0));
            assertThat(r.<Integer>getAs("pred")).as(g.id()).isEqualTo(m.pred(0));
            assertThat(r.<Boolean>getAs("correct")).as(g.id()).isEqualTo(m.correct(0));
            assertThat(r.<Long>getAs("label")).isEqualTo(g.label());
            compared++;
        }
        assertThat(compared).isGreaterThan(600);
    }

    @Test
    void floatParquetRowsEqualTheKernelOnWidenedFloats() {
        Path data = tmp.resolve("f32");
        SparkTestSession.get().sql("SELECT CAST(id AS INT) AS id, CAST(id % 5 AS INT) AS label, "
                + "transform(sequence(0, 4), j -> CAST(sin(id * 7 + j) * 10 AS FLOAT)) AS logits FROM range(200)")
                .write().parquet(data.toString());
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("run", "--input", data.toString(), "--preset", "onmt", "--epsilon", "0.3",
                "--group-by", "id", "--write-rows", "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<Row> source = SparkTestSession.get().read().parquet(data.toString()).collectAsList();
        Map<Integer, Row> rows = new HashMap<>();
        SparkTestSession.get().read().parquet(out.resolve("rows").toString()).collectAsList()
                .forEach(r -> rows.put(r.getAs("id"), r));
        RowKernel kernel = RowKernels.create(Preset.ONMT.with(0.3, null));
        int valid = 0;
        for (Row s : source) {
            List<Float> f = s.getList(2);
            double[] z = f.stream().mapToDouble(Float::doubleValue).toArray();
            MetricsBatch m = new MetricsBatch();
            kernel.compute(LogitBatch.of(new double[][] {z}, new long[] {s.getInt(1)}), m);
            Row r = rows.get(s.getInt(0));
            assertThat(r.<String>getAs("status")).isEqualTo(m.status(0).code());
            if (m.status(0) == RowStatus.VALID) {
                valid++;
                assertThat(r.<Double>getAs("kl")).isEqualTo(m.kl(0));
                assertThat(r.<Double>getAs("gap")).isEqualTo(m.gap(0));
            }
        }
        // label 1 is onmt's pad: those rows are ignored, the rest valid
        assertThat(valid).isEqualTo(160);
    }

    @Test
    void parquetTakesTheColumnarPathAndQuarantinedRowsKeepTheirLogits() {
        Path data = tmp.resolve("nan");
        SparkTestSession.get().sql("SELECT 'a' AS slice, CAST(id % 3 AS INT) AS label, "
                + "IF(id % 10 = 0, array(1.0F, CAST('NaN' AS FLOAT), 2.0F), array(CAST(id AS FLOAT), 1.0F, 2.0F)) AS logits "
                + "FROM range(100)").write().parquet(data.toString());
        org.smoothkl.audit.AuditSpec spec = new org.smoothkl.audit.AuditSpec(data.toString(), org.smoothkl.audit.InputFormat.PARQUET, "logits", "label",
                Preset.SEED, Preset.SEED.with(0.1, null), List.of("slice"), new org.smoothkl.audit.GapHistogramSpec(10, 0, 10),
                new org.smoothkl.audit.CalibrationSpec(15), List.of(), null, null, "test", tmp.resolve("unused").toString(), false, false);
        AuditInput input = InputReader.read(SparkTestSession.get(), spec);
        assertThat(SparkInternals.logitsBatches(input.frame(), input.logitsColumn()))
                .as("Parquet input is read as columnar batches").isNotNull();

        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("run", "--input", data.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--group-by", "slice", "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<Row> invalid = SparkTestSession.get().read().parquet(out.resolve("invalid").toString()).collectAsList();
        assertThat(invalid).hasSize(10).allSatisfy(r -> {
            assertThat(r.<String>getAs("reason")).isEqualTo("nan_logit");
            assertThat(r.getList(r.fieldIndex("logits"))).hasSize(3);
            assertThat(Float.isNaN(r.<Float>getList(r.fieldIndex("logits")).get(1))).isTrue();
        });
    }

    @Test
    void jsonTakesTheRowPath() {
        org.smoothkl.audit.AuditSpec spec = new org.smoothkl.audit.AuditSpec(GoldenRows.file("fairseq").toString(), org.smoothkl.audit.InputFormat.JSON,
                "logits", "label", Preset.FAIRSEQ, Preset.FAIRSEQ.with(0.1, null), List.of(),
                new org.smoothkl.audit.GapHistogramSpec(10, 0, 10),
                new org.smoothkl.audit.CalibrationSpec(15), List.of(), null, null, "test", tmp.resolve("unused").toString(), false, false);
        AuditInput input = InputReader.read(SparkTestSession.get(), spec);
        assertThat(SparkInternals.logitsBatches(input.frame(), input.logitsColumn())).isNull();
    }
}
