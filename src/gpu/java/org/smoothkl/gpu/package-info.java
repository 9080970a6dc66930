/**
 * The RAPIDS engine's UDF and its cuDF kernel, and the GPU twins of the SQL functions' UDF classes
 * ({@link org.smoothkl.gpu.RapidsMetricsUdf4}, {@link org.smoothkl.gpu.RapidsMetricsUdf5},
 * {@link org.smoothkl.gpu.RapidsHiveMetricsUdf}): the only package that mentions RAPIDS or cuDF types,
 * loaded by class name only where they are used. Depends on {@code loss}, and on {@code sql} for the
 * CPU bodies it shares ({@code sql.MetricsRows}) and the classes it extends.
 */
package org.smoothkl.gpu;
