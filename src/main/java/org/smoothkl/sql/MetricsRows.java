package org.smoothkl.sql;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.Smoothing;
import scala.collection.Seq;

/**
 * One row's metrics as Spark SQL sees them: the struct of {@link MetricField}s, in their order.
 * The CPU body of every per-row UDF of the project (the RAPIDS engine's
 * {@code org.smoothkl.gpu.RapidsMetricsUdf}, {@link CpuMetricsUdf}, the registerJava classes), so
 * one row is scored one way: through the JVM's row kernel ({@link RowKernels}, as the CPU engine
 * picks it), after the reader-side checks in {@link org.smoothkl.loss.ReaderCheck} order.
 */
public final class MetricsRows {
    private MetricsRows() {
    }

    /**
     * The metrics of one row: its logits (a Seq of floats or doubles, as Spark hands an array to a
     * Java UDF), its label, and the reader's own reason it is bad (a reason code, or null).
     */
    public static Row score(Smoothing smoothing, Seq<?> logits, Long label, String inputError) {
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
}
