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
public record GpuPlanReport(String text) {

    public static GpuPlanReport of(Dataset<Row> query) {
        return new GpuPlanReport(ExplainPlan.explainPotentialGpuPlan(query, "ALL"));
    }

    public List<String> lines() {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * Every line that is not "*… will run on GPU", or that mentions the CPU (a plain UDF shows as
     * running "via CPU bridge" in some versions): whatever would leave the GPU. A GPU line may
     * carry the plugin's note that an aggregation buffer's type is converted on the GPU (Spark's
     * ObjectHashAggregate keeps collect_list's buffer as binary; the GPU keeps the array itself).
     */
    public List<String> offGpu() {
        return lines().stream()
                .map(l -> l.replaceFirst(BUFFER_NOTE, ""))
                .filter(l -> !(l.startsWith("*") && l.endsWith("will run on GPU")) || l.contains("CPU"))
                .toList();
    }

    private static final String BUFFER_NOTE =
            "\\. The data type of following expressions will be converted in GPU runtime: (buf#\\d+: Converted BinaryType to [^;]*(; )?)+$";
}
