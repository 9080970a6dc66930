package org.smoothkl.gpu;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.DType;
import com.nvidia.spark.RapidsUDF;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF3;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.loss.Smoothing;
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
     * CPU: one row through the JVM's row kernel ({@link RowKernels}, as the CPU engine picks it, so
     * both engines give the same bits on one machine). The reader-side checks come in
     * {@link org.smoothkl.loss.ReaderCheck} order, as in the CPU engine, before the kernel's own.
     */
    @Override
    public Row call(Seq<?> logits, Long label, String inputError) {
        int k = logits == null ? 0 : logits.size();
        LogitBatch batch = new LogitBatch(1, k);
        if (!batch.endRowIfUnreadable(inputError == null ? null : InvalidReason.fromCode(inputError), logits == null,
                label == null)) {
            boolean nullElement = false;
            scala.collection.Iterator<?> it = logits.iterator(); // not apply(j): O(j) on a linked Seq
            while (it.hasNext() && !nullElement) {
                Object v = it.next();
                if (v == null) {
                    nullElement = true;
                } else {
                    batch.appendValue(((Number) v).doubleValue()); // float → double is exact
                }
            }
            if (nullElement) {
                batch.endRowWithProblem(InvalidReason.NULL_LOGIT);
            } else {
                batch.endRow(label);
            }
        }
        MetricsBatch m = new MetricsBatch();
        RowKernels.create(smoothing).compute(batch, m);
        RowStatus status = m.status(0);
        Object[] fields = new Object[MetricField.values().length]; // by ordinal; an invalid row's metrics stay null
        fields[MetricField.STATUS.ordinal()] = status.code();
        if (status == RowStatus.INVALID) {
            fields[MetricField.REASON.ordinal()] = m.reason(0).code();
            fields[MetricField.CORRECT.ordinal()] = false;
            return RowFactory.create(fields);
        }
        fields[MetricField.KL.ordinal()] = m.kl(0);
        fields[MetricField.SMOOTHED_CE.ordinal()] = m.smoothedCe(0);
        fields[MetricField.NLL.ordinal()] = m.nll(0);
        fields[MetricField.GAP.ordinal()] = m.gap(0);
        fields[MetricField.GAP_OPT.ordinal()] = m.gapOpt(0);
        fields[MetricField.CONFIDENCE.ordinal()] = m.confidence(0);
        fields[MetricField.PRED.ordinal()] = m.pred(0);
        fields[MetricField.CORRECT.ordinal()] = m.correct(0);
        fields[MetricField.CLASSES.ordinal()] = k;
        return RowFactory.create(fields);
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
