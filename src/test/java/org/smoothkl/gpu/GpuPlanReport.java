package org.smoothkl.gpu;

import com.nvidia.spark.rapids.ExplainPlan;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The RAPIDS Accelerator's own report on a query (ExplainPlan.explainPotentialGpuPlan, the text
 * the plugin logs with spark.rapids.sql.explain=ALL): one line per operator ("Exec"), partitioning,
 * output and expression, starting with '*' when it will run on the GPU, '!' when it cannot, '@'
 * when it could but its parent or child keeps it off, '#' when it is removed/not needed.
 */
record GpuPlanReport(String text) {

    static GpuPlanReport of(Dataset<Row> query) {
        return new GpuPlanReport(ExplainPlan.explainPotentialGpuPlan(query, "ALL"));
    }

    List<String> lines() {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * Every line that is not "*… will run on GPU", or that mentions the CPU (a plain UDF shows as
     * running "via CPU bridge" in some versions): whatever would leave the GPU.
     */
    List<String> offGpu() {
        return lines().stream()
                .filter(l -> !(l.startsWith("*") && l.endsWith("will run on GPU")) || l.contains("CPU"))
                .toList();
    }
}
