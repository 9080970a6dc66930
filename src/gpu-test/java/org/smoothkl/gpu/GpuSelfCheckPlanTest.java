package org.smoothkl.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.smoothkl.engine.GpuSelfCheck;
import org.smoothkl.engine.RapidsMetricsEngine;
import org.smoothkl.loss.Preset;

/**
 * The self-check's query is placed on the GPU as a whole (range, the literal batch, the metrics
 * UDF, the union): on a GPU cluster it exercises the cuDF kernel, not a CPU fallback.
 */
@Tag(RapidsPlanSession.TAG)
class GpuSelfCheckPlanTest {
    @Test
    void theSelfCheckRunsOnTheGpu() {
        GpuPlanReport report = GpuPlanReport.of(
                GpuSelfCheck.query(RapidsPlanSession.get(), new RapidsMetricsEngine(), Preset.ONMT.with(0.2, null)));
        assertThat(report.offGpu()).as(report.text()).isEmpty();
        assertThat(report.text()).containsPattern("\\*Expression <ScalaUDF> smoothkl_metrics\\(.*\\) will run on GPU")
                .contains("*Exec <RangeExec> will run on GPU");
    }
}
