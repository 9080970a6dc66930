package org.smoothkl.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.types.DataType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.loss.Preset;
import org.smoothkl.output.SyntheticOutput;
import org.smoothkl.sql.SmoothklExtensions;
import org.smoothkl.sql.SmoothklFunctions;

/**
 * The SQL functions under the RAPIDS Accelerator (explainOnly, {@link RapidsPlanSession}): queries
 * that call smoothkl_metrics through each registration and aggregate its fields with GROUP BY
 * (and smoothkl_summary) are placed on the GPU whole, every operator and expression "will run on
 * GPU". The registrations: the functions the extension injects (applied to this session's
 * registry, as spark.sql.extensions applies them at start: SparkConnectIT starts a server with the
 * conf itself), and registerJavaFunction of the GPU classes {@link RapidsMetricsUdf4} and
 * {@link RapidsMetricsUdf5}. The extension's function is the RAPIDS engine's own UDF here.
 */
@Tag(RapidsPlanSession.TAG)
class SqlFunctionsPlanTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void data() {
        SparkSession spark = RapidsPlanSession.get();
        String data = dir.resolve("preds").toString();
        SyntheticOutput.write(spark, 1000, 10, 0.1, 3, 42, data, false);
        spark.read().parquet(data).createOrReplaceTempView("sql_preds");
        SparkSessionExtensions extensions = new SparkSessionExtensions();
        new SmoothklExtensions().apply(extensions);
        extensions.registerFunctions(((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry());
        DataType type = DataType.fromDDL(SmoothklFunctions.metricsType());
        ((org.apache.spark.sql.classic.UDFRegistration) spark.udf()).registerJava("smoothkl_metrics_gpu4",
                RapidsMetricsUdf4.class.getName(), type);
        ((org.apache.spark.sql.classic.UDFRegistration) spark.udf()).registerJava("smoothkl_metrics_gpu5",
                RapidsMetricsUdf5.class.getName(), type);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "smoothkl_metrics(logits, label, 'seed', 0.1)",
            "smoothkl_metrics(logits, label, 'onmt', 0.2, 1)",
            "smoothkl_metrics_gpu4(logits, label, 'seed', 0.1)",
            "smoothkl_metrics_gpu5(logits, label, 'pytorch', 0.1, -100)"})
    void aGroupByOverTheMetricsRunsOnTheGpu(String call) {
        SparkSession spark = RapidsPlanSession.get();
        GpuPlanReport report = GpuPlanReport.of(spark.sql("SELECT slice, m.status, count(*) AS n, sum(m.kl) AS kl, "
                + "avg(m.smoothed_ce) AS ce, avg(m.nll) AS nll, avg(m.gap) AS gap, max(m.gap_opt) AS gap_opt, "
                + "avg(CAST(m.correct AS DOUBLE)) AS accuracy, avg(m.confidence) AS conf, max(m.pred) AS pred, "
                + "count(m.reason) AS reasons, max(m.classes) AS k "
                + "FROM (SELECT slice, " + call + " AS m FROM sql_preds) GROUP BY slice, m.status"));
        assertThat(report.offGpu()).as(report.text()).isEmpty();
        assertThat(report.text()).containsPattern("\\*Expression <ScalaUDF> .*will run on GPU")
                .contains("*Exec <HashAggregateExec> will run on GPU")
                .contains("*Exec <FileSourceScanExec> will run on GPU");
    }

    /**
     * CREATE TEMPORARY FUNCTION needs a Hive-enabled session, which this fixture is not: the
     * expression Hive's catalog makes of {@link RapidsHiveMetricsUdf} (HiveGenericUDF over its class),
     * built here as the catalog builds it, in the same GROUP BY. (SparkConnectIT runs the CPU class
     * through a real CREATE TEMPORARY FUNCTION … USING JAR.)
     */
    @org.junit.jupiter.api.Test
    void theHiveUdfOfCreateTemporaryFunctionRunsOnTheGpu() {
        SparkSession spark = RapidsPlanSession.get();
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> preds = spark.table("sql_preds");
        java.util.List<org.apache.spark.sql.catalyst.expressions.Expression> args = java.util.List.of(
                expression(preds.col("logits")), expression(preds.col("label")),
                org.apache.spark.sql.catalyst.expressions.Literal.create("seed", org.apache.spark.sql.types.DataTypes.StringType),
                org.apache.spark.sql.catalyst.expressions.Literal.create(0.1, org.apache.spark.sql.types.DataTypes.DoubleType));
        org.apache.spark.sql.hive.HiveGenericUDF udf = new org.apache.spark.sql.hive.HiveGenericUDF("smoothkl_hive",
                new org.apache.spark.sql.hive.HiveShim.HiveFunctionWrapper(RapidsHiveMetricsUdf.class.getName(), null, null),
                scala.jdk.javaapi.CollectionConverters.asScala(args).toList());
        org.apache.spark.sql.Column m = org.apache.spark.sql.classic.ExpressionUtils.column(udf);
        GpuPlanReport report = GpuPlanReport.of(preds.select(preds.col("slice"), m.as("m"))
                .groupBy("slice", "m.status").agg(org.apache.spark.sql.functions.sum("m.kl"),
                        org.apache.spark.sql.functions.avg("m.gap"), org.apache.spark.sql.functions.count("m.reason")));
        assertThat(report.offGpu()).as(report.text()).isEmpty();
        assertThat(report.text()).containsPattern("\\*Expression <HiveGenericUDF> .*will run on GPU");
    }

    private static org.apache.spark.sql.catalyst.expressions.Expression expression(org.apache.spark.sql.Column c) {
        return org.apache.spark.sql.classic.ColumnNodeToExpressionConverter$.MODULE$.apply(c.node());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "smoothkl_metrics(logits, label, 'seed', 0.1)",
            "smoothkl_metrics_gpu4(logits, label, 'seed', 0.1)"})
    void theSummaryRunsOnTheGpu(String call) {
        SparkSession spark = RapidsPlanSession.get();
        GpuPlanReport report = GpuPlanReport.of(spark.sql("SELECT slice, smoothkl_summary(m, 'seed') AS s "
                + "FROM (SELECT slice, " + call + " AS m FROM sql_preds) GROUP BY slice"));
        assertThat(report.offGpu()).as(report.text()).isEmpty();
        assertThat(report.text()).contains("*Exec <HashAggregateExec> will run on GPU");
    }

    /**
     * The registered classes' GPU body reads each row's settings from the batch's host columns and
     * hands them, boxed as the CPU body receives them and unconverted, to the CPU body's check: a
     * fractional ignore_index is refused, not truncated; a batch of mixed settings is refused.
     */
    @Test
    void theGpuBodyChecksEachRowsSettingsAsTheCpuBodyDoes() {
        RapidsMetricsUdf5 udf = new RapidsMetricsUdf5();
        assertThatThrownBy(() -> RegisteredColumnar.settings(udf, 2, r -> "seed", r -> 0.1, r -> 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument 5 (ignore_index) must be an integer, got a Double");
        assertThat(RegisteredColumnar.settings(udf, 2, r -> "onmt", r -> 0.2f, r -> (short) 7))
                .isEqualTo(Preset.ONMT.with(0.2f, 7L));
        assertThatThrownBy(() -> RegisteredColumnar.settings(udf, 2, r -> r == 0 ? "seed" : "onmt", r -> 0.1, r -> null))
                .hasMessageContaining("must be one value for the batch");
    }
}
