package org.smoothkl.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.smoothkl.CliRun;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.loss.Preset;
import org.smoothkl.job.AuditJob;
import org.smoothkl.engine.MetricsEngines;
import org.smoothkl.engine.RapidsMetricsEngine;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.EngineChoice;
import org.smoothkl.output.SyntheticOutput;

/**
 * The audit plan on the RAPIDS Accelerator, without a GPU: the plugin in explainOnly mode plans
 * the job's own aggregation query (Parquet scan → metrics UDF → tree-summed slice aggregates and
 * gap histogram as grouping sets) and reports per operator and expression where it would run;
 * every line must say GPU. Then the whole job runs with both engines on the same data (clean
 * rows plus one of each kind of bad row) and must give the same outputs.
 */
@Tag(RapidsPlanSession.TAG)
class RapidsPlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    private static String data;

    @BeforeAll
    static void data() {
        SparkSession spark = RapidsPlanSession.get();
        String clean = dir.resolve("clean").toString();
        SyntheticOutput.write(spark, 3000, 10, 0.1, 3, 42, clean, false);
        data = dir.resolve("data").toString();
        spark.read().parquet(clean).unionByName(edgeRows(spark)).repartition(3).write().parquet(data);
    }

    /** One row of each status and reason the kernel can give (labels for seed: ignore index 100000; onmt: pad 1). */
    private static Dataset<Row> edgeRows(SparkSession spark) {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        List<Row> rows = new ArrayList<>();
        rows.add(edge(0, 1f, 2f, 3f));                 // valid
        rows.add(edge(100000, 1f, 5f, 3f));            // seed: ignored
        rows.add(edge(1, 4f, 2f, 3f, 0f));             // onmt: ignored (pad)
        rows.add(edge(-100, 1f, 2f, 3f));              // pytorch: ignored
        rows.add(edge(7, 1f, 2f, 3f));                 // label_out_of_range
        rows.add(edge(-1, 1f, 2f, 3f));                // label_out_of_range
        rows.add(RowFactory.create("edge", null, floats(1f, 2f)));          // null_label
        rows.add(RowFactory.create("edge", 0, null));                       // null_logits
        rows.add(RowFactory.create("edge", 0, Arrays.asList(1f, null, 3f))); // null_logit
        rows.add(edge(0, 1f));                         // too_few_classes
        rows.add(edge(0));                             // too_few_classes (empty)
        rows.add(edge(0, 1f, nan, inf));               // nan_logit (first)
        rows.add(edge(0, 1f, -inf, nan));              // inf_logit (first)
        rows.add(edge(100000, nan, 1f, 2f));           // nan beats the ignore index
        rows.add(edge(2, 9f, 9f, 1f));                 // tied maximum: pred is the first
        StructType schema = new StructType()
                .add("slice", DataTypes.StringType)
                .add("label", DataTypes.IntegerType)
                .add("logits", DataTypes.createArrayType(DataTypes.FloatType, true));
        return spark.createDataFrame(rows, schema);
    }

    private static Row edge(int label, float... logits) {
        return RowFactory.create("edge", label, floats(logits));
    }

    private static List<Float> floats(float... v) {
        List<Float> l = new ArrayList<>();
        for (float f : v) {
            l.add(f);
        }
        return l;
    }

    private static AuditSpec spec(Preset preset, double epsilon) {
        return new AuditSpec(data, InputFormat.PARQUET, "logits", "label", preset, preset.with(epsilon, null), List.of("slice"),
                new GapHistogramSpec(50, 0, 20), new CalibrationSpec(15), List.of(), null, null, "test",
                dir.resolve("unused").toString(), false, false, EngineChoice.RAPIDS);
    }

    @Test
    void theWholeAuditPlanIsPlacedOnTheGpu() {
        SparkSession spark = RapidsPlanSession.get();
        assertThat(MetricsEngines.rapidsActive(spark)).isTrue();
        GpuPlanReport report = GpuPlanReport.of(AuditJob.aggregationQuery(spark, spec(Preset.SEED, 0.1)));
        assertThat(report.offGpu()).as(report.text()).isEmpty();
        // The report covers the audit's parts: scan, the metrics UDF, the grouping sets and the tree sums.
        assertThat(report.text())
                .contains("*Exec <FileSourceScanExec> will run on GPU")
                .containsPattern("\\*Expression <ScalaUDF> smoothkl_metrics\\(.*\\) will run on GPU")
                .contains("*Exec <ExpandExec> will run on GPU")
                .contains("*Expression <MonotonicallyIncreasingID> monotonically_increasing_id() will run on GPU")
                .contains("*Expression <ShiftRight>")
                .contains("*Exec <HashAggregateExec> will run on GPU")
                // the upper tree levels: partial sums added in block order
                .contains("*Exec <ObjectHashAggregateExec> will run on GPU")
                .contains("*Expression <CollectList>")
                .contains("*Expression <SortArray>")
                .contains("*Expression <ArrayAggregate>")
                .contains("*Exec <ShuffleExchangeExec> will run on GPU");
    }

    /** The check has teeth: a plain Java UDF over the same scan is reported off the GPU. */
    @Test
    void aPlainUdfIsReportedOffTheGpu() {
        SparkSession spark = RapidsPlanSession.get();
        UDF1<Integer, Integer> plain = x -> x == null ? null : x + 1;
        Dataset<Row> q = spark.read().parquet(data)
                .select(org.apache.spark.sql.functions.udf(plain, DataTypes.IntegerType)
                        .apply(org.apache.spark.sql.functions.col("label")).as("l"))
                .groupBy("l").count();
        GpuPlanReport report = GpuPlanReport.of(q);
        assertThat(report.offGpu()).as(report.text()).isNotEmpty()
                .anySatisfy(l -> assertThat(l).contains("ScalaUDF"));
    }

    @ParameterizedTest(name = "{0} eps={1}")
    @CsvSource({"seed, 0.1", "onmt, 0.2"})
    void bothEnginesGiveTheSameOutputs(String preset, double epsilon) throws IOException {
        // Bit-for-bit equality needs a kernel that gives the same bits at every JIT tier: a row
        // scored alone (the UDF, cold) and in a hot batch loop (the engine). The Vector API's own
        // EXP differed by an ulp between interpreted and compiled code; VectorKernel's own exp
        // (VectorExp) does not, so this runs with the kernel the JVM picks (vector here).
        assertThat(RowKernels.name()).isEqualTo("vector");
        compareEngines(preset, epsilon);
    }

    private void compareEngines(String preset, double epsilon) throws IOException {
        Path cpu = dir.resolve(preset + "-" + epsilon + "-cpu");
        Path rapids = dir.resolve(preset + "-" + epsilon + "-rapids");
        CliRun cpuRun = CliRun.on(RapidsPlanSession::get, "run", "--input", data, "--preset", preset,
                "--epsilon", Double.toString(epsilon), "--group-by", "slice", "--write-rows", "--engine", "cpu",
                "--output", cpu.toString());
        assertThat(cpuRun.exitCode()).as(cpuRun.err()).isZero();
        try (GpuOverridesLog log = new GpuOverridesLog()) {
            // auto: the plugin is active, so the RAPIDS engine
            CliRun run = CliRun.on(RapidsPlanSession::get, "run", "--input", data, "--preset", preset,
                    "--epsilon", Double.toString(epsilon), "--group-by", "slice", "--write-rows", "--engine", "auto",
                    "--output", rapids.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            // Everything the job ran (aggregation, rows/ and invalid/ writes) was planned for the GPU
            // but for two things: the histogram table, a few hundred rows the driver builds from the
            // merged result (LocalTableScanExec), and AQE's shuffle reads, which explainOnly reports
            // because it leaves the shuffles below them on the CPU (on a GPU they read GPU shuffles).
            assertThat(log.offGpu(l -> l.startsWith("! <LocalTableScanExec>")
                    || l.startsWith("!Exec <AQEShuffleReadExec>") && l.endsWith("due to child not being columnar")))
                    .isEmpty();
            // ...and the capture works: the histogram table is there.
            assertThat(log.offGpu(l -> false)).anySatisfy(l -> assertThat(l).contains("<LocalTableScanExec>"));
        }
        JsonNode cpuSummary = JSON.readTree(cpu.resolve("summary.json").toFile());
        JsonNode rapidsSummary = JSON.readTree(rapids.resolve("summary.json").toFile());
        assertThat(cpuSummary.at("/run/engine").asText()).isEqualTo("cpu");
        assertThat(rapidsSummary.at("/run/engine").asText()).isEqualTo("rapids");
        assertThat(rapidsSummary.at("/run/kernel").asText()).contains("explainOnly");
        // The RAPIDS engine ran only after its self-check passed, and says so; the CPU engine ran none.
        assertThat(rapidsSummary.at("/run/gpu_self_check/passed").asBoolean()).isTrue();
        assertThat(rapidsSummary.at("/run/gpu_self_check/rows").asInt()).isPositive();
        assertThat(rapidsSummary.at("/run/gpu_self_check/first_difference").isNull()).isTrue();
        assertThat(cpuSummary.at("/run/gpu_self_check").asText()).isEqualTo(org.smoothkl.engine.GpuSelfCheck.NOT_RUN);
        assertThat(withoutRunAndEngine(rapidsSummary)).isEqualTo(withoutRunAndEngine(cpuSummary));
        assertThat(cpuSummary.at("/overall/invalid").asLong()).isGreaterThanOrEqualTo(9);
        assertThat(Files.readString(rapids.resolve("histograms.csv"))).isEqualTo(Files.readString(cpu.resolve("histograms.csv")));
        for (String table : List.of("rows", "invalid")) {
            Map<String, Long> a = sortedRows(rapids.resolve(table));
            Map<String, Long> b = sortedRows(cpu.resolve(table));
            java.util.Set<String> onlyRapids = new java.util.TreeSet<>(a.keySet());
            onlyRapids.removeAll(b.keySet());
            java.util.Set<String> onlyCpu = new java.util.TreeSet<>(b.keySet());
            onlyCpu.removeAll(a.keySet());
            assertThat(onlyRapids).as(table + " rows only the rapids engine wrote (cpu wrote " + onlyCpu + ")").isEmpty();
            assertThat(a).as(table).isEqualTo(b);
        }
    }

    private static JsonNode withoutRunAndEngine(JsonNode summary) {
        ObjectNode copy = summary.deepCopy();
        copy.remove("run");
        ((ObjectNode) copy.get("config")).remove("engine");
        ((ObjectNode) copy.get("config")).remove("output");
        ((ObjectNode) copy.get("config")).remove("run_tag"); // the output directory's name by default
        return copy;
    }

    private static Map<String, Long> sortedRows(Path table) {
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : RapidsPlanSession.get().read().parquet(table.toString()).collectAsList()) {
            counts.merge(r.toString(), 1L, Long::sum);
        }
        return counts;
    }
}
