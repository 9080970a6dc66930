package org.smoothkl.sql;

import java.util.Iterator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.RowKernel;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.loss.SingleRow;
import org.smoothkl.loss.Smoothing;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One row's metrics as the UDFs return them: {@link SingleRow} through the JVM's row kernel
 * ({@link RowKernels}, as the CPU engine picks it), as the Row of {@link MetricField}s. The one
 * row-scoring body of {@link CpuMetricsUdf}, the registerJavaFunction classes, {@link HiveMetricsUdf}
 * and the RAPIDS engine's UDF's CPU side ({@code org.smoothkl.gpu.RapidsMetricsUdf#call}).
 */
public final class MetricsRows {
    /**
     * One kernel per thread, made again only when the settings change: a kernel holds scratch
     * buffers (not thread-safe), and one UDF instance may serve several threads (the driver evaluates
     * local relations itself); making one per row would read a property and allocate each time.
     */
    private static final ThreadLocal<RowKernel> KERNEL = new ThreadLocal<>();

    private MetricsRows() {
    }

    /** The logits as Spark hands an array to a Java UDF (a Seq of floats or doubles), the label, the reader's reason. */
    public static Row score(Smoothing smoothing, Seq<?> logits, Long label, String inputError) {
        // an iterator, not apply(j): O(j) on a linked Seq
        Iterator<?> values = logits == null ? null : CollectionConverters.asJava(logits.iterator());
        return RowFactory.create(fields(smoothing, values, logits == null ? 0 : logits.size(), label, inputError));
    }

    /** The row's {@link MetricField} values ({@link SingleRow#score}) with this thread's kernel for {@code smoothing}. */
    static Object[] fields(Smoothing smoothing, Iterator<?> logits, int classes, Long label, String inputError) {
        return SingleRow.score(kernel(smoothing), logits, classes, label, inputError);
    }

    /** This thread's kernel for {@code smoothing}. */
    static RowKernel kernel(Smoothing smoothing) {
        RowKernel k = KERNEL.get();
        if (k == null || !k.smoothing().equals(smoothing)) {
            k = RowKernels.create(smoothing);
            KERNEL.set(k);
        }
        return k;
    }
}
