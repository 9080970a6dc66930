package org.smoothkl.loss;

import java.util.Iterator;

/**
 * One row through a row kernel, as a Spark UDF sees it: the logits (boxed numbers, a null element
 * allowed), the label (null allowed) and the reader's own reason the row is bad (a reason code,
 * null when none); the result is the {@link MetricField}s by ordinal. The reader-side checks come
 * in {@link ReaderCheck} order, as in the CPU engine, before the kernel's own. An invalid row's
 * metrics stay null and its {@code correct} false; {@code classes} is the row's logit count.
 *
 * <p>The RAPIDS UDF's CPU body is this, and the GPU self-check's reference (the CPU kernel's
 * answer for each built-in row) is this too, so the self-check compares the cuDF kernel with
 * exactly what the CPU would give.
 */
public final class SingleRow {
    private SingleRow() {
    }

    /** @param logits the row's logits in order, or null; @param classes their count (0 when null) */
    public static Object[] score(RowKernel kernel, Iterator<?> logits, int classes, Long label, String inputError) {
        LogitBatch batch = new LogitBatch(1, classes);
        if (!batch.endRowIfUnreadable(inputError == null ? null : InvalidReason.fromCode(inputError), logits == null,
                label == null)) {
            boolean nullElement = false;
            while (logits.hasNext() && !nullElement) {
                Object v = logits.next();
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
        kernel.compute(batch, m);
        RowStatus status = m.status(0);
        Object[] fields = new Object[MetricField.values().length];
        fields[MetricField.STATUS.ordinal()] = status.code();
        if (status == RowStatus.INVALID) {
            fields[MetricField.REASON.ordinal()] = m.reason(0).code();
            fields[MetricField.CORRECT.ordinal()] = false;
            return fields;
        }
        fields[MetricField.KL.ordinal()] = m.kl(0);
        fields[MetricField.SMOOTHED_CE.ordinal()] = m.smoothedCe(0);
        fields[MetricField.NLL.ordinal()] = m.nll(0);
        fields[MetricField.GAP.ordinal()] = m.gap(0);
        fields[MetricField.GAP_OPT.ordinal()] = m.gapOpt(0);
        fields[MetricField.CONFIDENCE.ordinal()] = m.confidence(0);
        fields[MetricField.PRED.ordinal()] = m.pred(0);
        fields[MetricField.CORRECT.ordinal()] = m.correct(0);
        fields[MetricField.CLASSES.ordinal()] = classes;
        return fields;
    }
}
