package org.smoothkl.engine;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.input.AuditInput;
import org.smoothkl.spark.MetricColumns;

/**
 * Scores every row of an input: returns the input's columns with {@link MetricColumns} appended.
 * Every engine yields the same columns with the same semantics, so one aggregation and one set
 * of outputs serve them all.
 */
public interface MetricsEngine {
    Dataset<Row> withMetrics(AuditInput input, Smoothing smoothing);

    /** The name written to summary.json's "run" (e.g. "cpu"). */
    String name();

    /** Who read the logits of the engine's last scoring (once its rows have been read). */
    ReadPath readPath();
}
