/**
 * Scoring: every input row gets the metric columns. The CPU engine feeds Spark's own buffers to
 * the {@code loss} kernel (and can aggregate while it scores); the RAPIDS engine is one SQL UDF that
 * the RAPIDS Accelerator runs on the GPU. {@link org.smoothkl.engine.MetricsEngines} chooses.
 */
package org.smoothkl.engine;
