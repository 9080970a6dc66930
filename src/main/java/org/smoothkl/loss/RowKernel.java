package org.smoothkl.loss;

/** Computes per-row metrics for a whole batch. Implementations must agree with {@link ScalarKernel}. */
public interface RowKernel {
    void compute(LogitBatch in, MetricsBatch out);

    Smoothing smoothing();
}
