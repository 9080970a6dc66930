package org.smoothkl.gpu;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.DType;
import com.nvidia.spark.RapidsUDF;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.sql.MetricsRows;
import scala.collection.Seq;

/**
 * The per-row metrics as one Spark UDF with two bodies, as the spark-rapids examples do: the
 * RAPIDS Accelerator calls {@link #evaluateColumnar} on GPU batches (cuDF, {@link CudfKernel});
 * Spark on the CPU (and the plugin in explainOnly mode) calls {@link #call}, which hands the row
 * to the {@code loss} kernel. Both return the struct of {@link MetricField}s, in their order: the
 * metric columns of the CPU engine.
 *
 * <p>Arguments: the logits (array&lt;float|double&gt;), the label cast to long, and the reader's
 * own reason the row is bad (string, null when none). This class mentions RAPIDS types, so it
 * cannot even be loaded without the RAPIDS jar: the Spark side loads it by name, and only when
 * the plugin is active.
 */
public final class RapidsMetricsUdf implements UDF3<Seq<?>, Long, String, Row>, RapidsUDF {
    private static final long serialVersionUID = 1L;

    private final Smoothing smoothing;

    public RapidsMetricsUdf(Smoothing smoothing) {
        if (smoothing == null) {
            throw new IllegalArgumentException("smoothing must not be null");
        }
        this.smoothing = smoothing;
    }

    /**
     * CPU: one row by {@link MetricsRows#score}, the body of every smoothkl SQL function: the JVM's
     * row kernel ({@link org.smoothkl.loss.RowKernels}, as the CPU engine picks it, so both engines
     * give the same bits on one machine), by {@link org.smoothkl.loss.SingleRow}: the reader-side
     * checks in {@link org.smoothkl.loss.ReaderCheck} order, as in the CPU engine, before the kernel's own.
     */
    @Override
    public Row call(Seq<?> logits, Long label, String inputError) {
        return MetricsRows.score(smoothing, logits, label, inputError);
    }

    /**
     * GPU: the same metrics for a whole batch with cuDF. The plugin closes the arguments; the
     * returned struct column is the caller's to close.
     */
    @Override
    public ColumnVector evaluateColumnar(int numRows, ColumnVector... args) {
        if (args.length != 3) {
            throw new IllegalArgumentException("expected 3 columns (logits, label, input error), got " + args.length);
        }
        ColumnVector logits = args[0];
        ColumnVector label = args[1];
        ColumnVector inputError = args[2];
        for (ColumnVector c : args) {
            if (c.getRowCount() != numRows) {
                throw new IllegalArgumentException("expected " + numRows + " rows, got a column of " + c.getRowCount());
            }
        }
        if (!logits.getType().equals(DType.LIST)) {
            throw new IllegalArgumentException("logits must be a LIST column, got " + logits.getType());
        }
        try (ai.rapids.cudf.ColumnView child = logits.getChildColumnView(0)) {
            DType t = child.getType();
            if (!t.equals(DType.FLOAT32) && !t.equals(DType.FLOAT64)) {
                throw new IllegalArgumentException("logits must hold FLOAT32 or FLOAT64, got " + t);
            }
        }
        if (!label.getType().equals(DType.INT64)) {
            throw new IllegalArgumentException("label must be INT64, got " + label.getType());
        }
        if (!inputError.getType().equals(DType.STRING)) {
            throw new IllegalArgumentException("input error must be STRING, got " + inputError.getType());
        }
        return new CudfKernel(smoothing).score(numRows, logits, label, inputError);
    }
}
