package org.smoothkl.sql;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.smoothkl.loss.Smoothing;
import scala.collection.Seq;

/**
 * What {@code smoothkl_metrics} calls where the build has no RAPIDS UDF (a job jar built without
 * {@code -Pgpu}, or no RAPIDS jar on the class path): the arguments and body of
 * {@code org.smoothkl.gpu.RapidsMetricsUdf}'s CPU side ({@link org.smoothkl.loss.SingleRow}, through
 * {@link MetricsRows}), without its GPU side.
 */
final class CpuMetricsUdf implements UDF3<Seq<?>, Long, String, Row> {
    private static final long serialVersionUID = 1L;
    private final Smoothing smoothing;

    CpuMetricsUdf(Smoothing smoothing) {
        this.smoothing = smoothing;
    }

    @Override
    public Row call(Seq<?> logits, Long label, String inputError) {
        return MetricsRows.score(smoothing, logits, label, inputError);
    }
}
