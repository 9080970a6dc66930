/**
 * The RAPIDS engine's UDF and its cuDF kernel, and the GPU twins of the SQL functions' UDF classes
 * ({@link org.smoothkl.gpu.RapidsMetricsUdf4}, {@link org.smoothkl.gpu.RapidsMetricsUdf5},
 * {@link org.smoothkl.gpu.RapidsHiveMetricsUdf}): the only package that mentions RAPIDS or cuDF types,
 * loaded by class name only where they are used. Depends on {@code loss}, and (the twins) on
 * {@code sql}, whose classes they extend.
 */
package org.smoothkl.gpu;
