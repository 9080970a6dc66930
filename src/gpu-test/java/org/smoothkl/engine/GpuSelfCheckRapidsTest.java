package org.smoothkl.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.smoothkl.LogCapture;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.EngineChoice;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.gpu.PerturbedMetricsUdf;
import org.smoothkl.gpu.RapidsPlanSession;
import org.smoothkl.loss.Preset;

/**
 * The GPU self-check through the RAPIDS engine on the plugin's explainOnly session (the UDF's CPU
 * body runs): the real UDF passes; a deliberately wrong UDF ({@link PerturbedMetricsUdf}, kl off
 * by 1e-6) is caught, naming the field, row and setting: --engine rapids stops with
 * {@link GpuSelfCheckFailure}, --engine auto warns and takes the CPU engine.
 */
@Tag(RapidsPlanSession.TAG)
class GpuSelfCheckRapidsTest {
    private static final String WRONG = PerturbedMetricsUdf.class.getName();

    private static AuditSpec spec(EngineChoice engine) {
        return new AuditSpec("/unused", InputFormat.PARQUET, "logits", "label", Preset.SEED, Preset.SEED.with(0.1, null),
                List.of(), new GapHistogramSpec(50, 0, 20), new CalibrationSpec(15), List.of(), null, null, "test",
                "/unused-out", false, false, engine);
    }

    @Test
    void theRealUdfPasses() {
        SparkSession spark = RapidsPlanSession.get();
        assertThat(MetricsEngines.rapidsActive(spark)).isTrue();
        MetricsEngines.Choice choice = MetricsEngines.choose(spark, spec(EngineChoice.AUTO));
        assertThat(choice.engine()).isInstanceOf(RapidsMetricsEngine.class);
        assertThat(choice.selfCheck().passed()).as(choice.selfCheck().firstDifference()).isTrue();
        assertThat(choice.selfCheck().rows()).isEqualTo(GpuSelfCheck.ROWS.size() * GpuSelfCheck.smoothings(Preset.SEED.with(0.1, null)).size());
    }

    @Test
    void aWrongUdfStopsAnExplicitRapidsRun() {
        SparkSession spark = RapidsPlanSession.get();
        assertThatThrownBy(() -> MetricsEngines.choose(spark, spec(EngineChoice.RAPIDS), () -> new RapidsMetricsEngine(WRONG)))
                .isInstanceOf(GpuSelfCheckFailure.class)
                .hasMessageStartingWith("GPU self-check failed: the RAPIDS engine disagrees with the CPU kernel on its built-in batch"
                        + " (kl of row 'valid' under seed ε=0.1: gpu ")
                .hasMessageEndingWith("); run on the CPU engine with --engine cpu");
    }

    @Test
    void aWrongUdfMakesAutoFallBackToTheCpuWithAWarning() {
        SparkSession spark = RapidsPlanSession.get();
        MetricsEngines.Choice choice;
        List<String> warnings;
        try (LogCapture log = LogCapture.of(MetricsEngines.class.getName(), Level.WARN)) {
            choice = MetricsEngines.choose(spark, spec(EngineChoice.AUTO), () -> new RapidsMetricsEngine(WRONG));
            warnings = log.messages();
        }
        assertThat(choice.engine()).isInstanceOf(CpuMetricsEngine.class);
        assertThat(choice.selfCheck().passed()).isFalse();
        assertThat(choice.selfCheck().firstDifference()).startsWith("kl of row 'valid' under seed ε=0.1");
        assertThat(choice.selfCheck().maxRelDiff()).isGreaterThan(1e-7);
        assertThat(warnings).singleElement().asString()
                .startsWith("GPU self-check failed: ").contains("kl of row 'valid'")
                .endsWith("--engine auto falls back to the CPU engine for this run");
    }
}
