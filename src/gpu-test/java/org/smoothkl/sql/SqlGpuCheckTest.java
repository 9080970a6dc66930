package org.smoothkl.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.smoothkl.LogCapture;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.engine.GpuSelfCheck;
import org.smoothkl.engine.MetricsEngine;
import org.smoothkl.engine.RapidsMetricsEngine;
import org.smoothkl.gpu.GpuPlanReport;
import org.smoothkl.gpu.PerturbedMetricsUdf;
import org.smoothkl.gpu.RapidsPlanSession;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.output.SyntheticOutput;

/**
 * The GPU self-check of the SQL function on the plugin's explainOnly session: smoothkl_metrics is
 * the RAPIDS UDF only after the job's check passed for its settings in the application (run once,
 * while the query is analysed); after a failed check (a deliberately wrong UDF,
 * {@link PerturbedMetricsUdf}) it is the CPU UDF for those settings, with a warning.
 */
@Tag(RapidsPlanSession.TAG)
class SqlGpuCheckTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void data() {
        SparkSession spark = RapidsPlanSession.get();
        String data = dir.resolve("preds").toString();
        SyntheticOutput.write(spark, 200, 10, 0.1, 2, 7, data, false);
        spark.read().parquet(data).createOrReplaceTempView("check_preds");
        SmoothklFunctions.register(spark);
    }

    private static GpuPlanReport plan(SparkSession spark, String preset, String epsilon) {
        return GpuPlanReport.of(spark.sql("SELECT slice, sum(m.kl) AS kl, count(*) AS n FROM (SELECT slice, smoothkl_metrics("
                + "logits, label, '" + preset + "', " + epsilon + ") AS m FROM check_preds) GROUP BY slice"));
    }

    @Test
    void theFunctionIsTheRapidsUdfAfterThePassingCheckOfItsSettings() {
        SparkSession spark = RapidsPlanSession.get();
        GpuPlanReport report = plan(spark, "fairseq", "0.15");
        assertThat(report.offGpu()).as(report.text()).isEmpty();
        // the query's analysis ran the check: asking again finds its outcome, checking nothing
        GpuSelfCheck.Outcome outcome = GpuChecks.outcome(spark, Preset.FAIRSEQ.with(0.15, null), () -> {
            throw new AssertionError("checked a second time");
        });
        assertThat(outcome.passed()).as(outcome.firstDifference()).isTrue();
        assertThat(outcome.rows()).isPositive();
    }

    @Test
    void afterAFailedCheckTheFunctionIsTheCpuUdfWithAWarning() throws Exception {
        SparkSession spark = RapidsPlanSession.get();
        Smoothing settings = Preset.PYTORCH.with(0.37, null);
        Constructor<RapidsMetricsEngine> wrongEngine = RapidsMetricsEngine.class.getDeclaredConstructor(String.class);
        wrongEngine.setAccessible(true); // the engine's seam for a test's UDF class
        MetricsEngine wrong = wrongEngine.newInstance(PerturbedMetricsUdf.class.getName());
        GpuSelfCheck.Outcome outcome;
        List<String> warnings;
        try (LogCapture log = LogCapture.of(GpuChecks.class.getName(), Level.WARN)) {
            outcome = GpuChecks.outcome(spark, settings, () -> wrong);
            warnings = log.messages();
        }
        assertThat(outcome.passed()).isFalse();
        assertThat(warnings).singleElement().asString().startsWith("GPU self-check failed: ").contains("kl of row 'valid'")
                .endsWith("smoothkl_metrics computes on the CPU in this application");

        GpuPlanReport report = plan(spark, "pytorch", "0.37");
        assertThat(report.offGpu()).as(report.text()).anyMatch(l -> l.contains("ScalaUDF"));
        assertThat(plan(spark, "pytorch", "0.36").offGpu()).as("other settings are checked on their own").isEmpty();
    }
}
