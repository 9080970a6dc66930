package org.smoothkl.loss;

import java.util.Arrays;

/**
 * A batch of rows in the layout of a columnar list: all logits flattened into one array,
 * {@code offsets[i]..offsets[i+1]} the logits of row i, one label per row. The CPU engine
 * fills it from Spark rows; the GPU engine sees the same layout in a cuDF list column.
 *
 * <p>A row the reader already knows to be bad (null logits, a malformed record) carries that
 * reason and no logits. Buffers grow as needed and are reused after {@link #clear()}.
 */
public final class LogitBatch {
    private double[] values;
    private int[] offsets;
    private long[] labels;
    private InvalidReason[] inputProblems;
    private int rows;
    private int size;

    public LogitBatch(int rowCapacity, int valueCapacity) {
        values = new double[Math.max(1, valueCapacity)];
        offsets = new int[Math.max(1, rowCapacity) + 1];
        labels = new long[Math.max(1, rowCapacity)];
        inputProblems = new InvalidReason[Math.max(1, rowCapacity)];
    }

    /** Builds a batch from whole rows; handy for tests and single-row use. */
    public static LogitBatch of(double[][] logits, long[] labels) {
        int total = Arrays.stream(logits).mapToInt(r -> r.length).sum();
        LogitBatch batch = new LogitBatch(logits.length, total);
        for (int i = 0; i < logits.length; i++) {
            for (double v : logits[i]) {
                batch.appendValue(v);
            }
            batch.endRow(labels[i]);
        }
        return batch;
    }

    public void clear() {
        rows = 0;
        size = 0;
    }

    /** Appends one logit to the row being built. */
    public void appendValue(double v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, Math.max(16, values.length * 2));
        }
        values[size++] = v;
    }

    /**
     * Makes room for {@code n} more logits in the row being built and returns where they start in
     * {@link #values()}: the caller writes them there (a reader copying straight from its buffers).
     */
    public int appendSlots(int n) {
        ensureValueCapacity(n);
        int at = size;
        size += n;
        return at;
    }

    private void ensureValueCapacity(int more) {
        if (values.length - size < more) {
            values = Arrays.copyOf(values, Math.max(size + more, values.length * 2));
        }
    }

    /** Ends the row being built, with its label. */
    public void endRow(long label) {
        ensureRowCapacity();
        labels[rows] = label;
        inputProblems[rows] = null;
        offsets[++rows] = size;
    }

    /** Ends the row being built as known-bad: any logits appended to it are dropped. */
    public void endRowWithProblem(InvalidReason reason) {
        ensureRowCapacity();
        size = offsets[rows];
        labels[rows] = 0;
        inputProblems[rows] = reason;
        offsets[++rows] = size;
    }

    /**
     * Ends the row being built with its problem and returns true if the checks made before its
     * logits are read find one ({@link ReaderCheck#firstProblem}); else returns false, and the
     * caller appends the logits, ending the row with {@link InvalidReason#NULL_LOGIT} at the first
     * null one, or else with {@link #endRow}.
     */
    public boolean endRowIfUnreadable(InvalidReason readerProblem, boolean nullLogits, boolean nullLabel) {
        InvalidReason problem = ReaderCheck.firstProblem(readerProblem, nullLogits, nullLabel);
        if (problem == null) {
            return false;
        }
        endRowWithProblem(problem);
        return true;
    }

    private void ensureRowCapacity() {
        if (rows == labels.length) {
            int capacity = labels.length * 2;
            labels = Arrays.copyOf(labels, capacity);
            inputProblems = Arrays.copyOf(inputProblems, capacity);
            offsets = Arrays.copyOf(offsets, capacity + 1);
        }
    }

    public int rows() {
        return rows;
    }

    /** Number of logits in the batch (the flattened length). */
    public int size() {
        return size;
    }

    public double[] values() {
        return values;
    }

    public int[] offsets() {
        return offsets;
    }

    public long label(int row) {
        return labels[row];
    }

    /** The reader's reason this row is bad, or null. */
    public InvalidReason inputProblem(int row) {
        return inputProblems[row];
    }
}
