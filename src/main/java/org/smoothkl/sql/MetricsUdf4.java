package org.smoothkl.sql;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF4;

/**
 * {@code smoothkl_metrics(logits, label, preset, epsilon)} for registerJavaFunction
 * ({@link RegisteredMetricsUdf}). Register it with its struct type,
 * {@link SmoothklFunctions#metricsType()}: a Java UDF's return type cannot be inferred from {@link Row}. On a -Pgpu build, {@code org.smoothkl.gpu.RapidsMetricsUdf4} is the same
 * function that the RAPIDS Accelerator also runs on the GPU.
 */
public class MetricsUdf4 extends RegisteredMetricsUdf implements UDF4<Object, Object, String, Object, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Row call(Object logits, Object label, String preset, Object epsilon) {
        return score(logits, label, preset, epsilon, null);
    }
}
