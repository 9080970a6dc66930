package org.smoothkl.sql;

import java.util.Iterator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.loss.SingleRow;
import org.smoothkl.loss.Smoothing;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One row's metrics as a Spark Java UDF returns them: {@link SingleRow} (the RAPIDS engine's UDF's
 * CPU body too) through the JVM's row kernel ({@link RowKernels}, as the CPU engine picks it), as
 * the Row of {@link MetricField}s. For {@link CpuMetricsUdf} and the registerJavaFunction classes.
 */
final class MetricsRows {
    private MetricsRows() {
    }

    /** The logits as Spark hands an array to a Java UDF (a Seq of floats or doubles), the label, the reader's reason. */
    static Row score(Smoothing smoothing, Seq<?> logits, Long label, String inputError) {
        // an iterator, not apply(j): O(j) on a linked Seq
        Iterator<?> values = logits == null ? null : CollectionConverters.asJava(logits.iterator());
        return RowFactory.create(SingleRow.score(RowKernels.create(smoothing), values, logits == null ? 0 : logits.size(),
                label, inputError));
    }
}
