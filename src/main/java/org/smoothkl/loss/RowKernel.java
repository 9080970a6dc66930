package org.smoothkl.loss;

/** Computes per-row metrics for a whole batch. Implementations must agree with {@link ScalarKernel}; one instance per thread. */
public interface RowKernel {
    void compute(LogitBatch in, MetricsBatch out);

    Smoothing smoothing();
}
