package org.smoothkl.sql;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF5;

/**
 * {@code smoothkl_metrics(logits, label, preset, epsilon, ignore_index)} for registerJavaFunction
 * ({@link RegisteredMetricsUdf}; see {@link MetricsUdf4}). A null ignore_index is the preset's default.
 */
public class MetricsUdf5 extends RegisteredMetricsUdf implements UDF5<Object, Object, String, Object, Object, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Row call(Object logits, Object label, String preset, Object epsilon, Object ignoreIndex) {
        return score(logits, label, preset, epsilon, ignoreIndex);
    }
}
