/**
 * Pure numerics, no Spark: the per-row maths of label smoothing. A {@link org.smoothkl.loss.LogitBatch}
 * of rows goes through a {@link org.smoothkl.loss.RowKernel} (the scalar reference or the Vector API
 * kernel, {@link org.smoothkl.loss.RowKernels} picks) into a {@link org.smoothkl.loss.MetricsBatch}:
 * KL(q‖p), smoothed CE, NLL, prediction, confidence, the logit gap and its optimum, or the reason a
 * row is invalid. {@link org.smoothkl.loss.Preset}s name the training criteria reproduced,
 * {@link org.smoothkl.loss.TargetConvention} the smoothed target q, {@link org.smoothkl.loss.MetricField}
 * the per-row struct every engine emits and {@link org.smoothkl.loss.ReaderCheck} the order of the checks
 * made as rows are read. Everything above builds on this package; it depends on nothing of the project.
 */
package org.smoothkl.loss;
