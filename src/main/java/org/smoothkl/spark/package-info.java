/**
 * The Spark plumbing every Spark room shares: the scored frame's metric columns
 * ({@link org.smoothkl.spark.MetricColumns}), quoted column references, and every use of Spark's
 * internal API ({@link org.smoothkl.spark.SparkInternals}). Depends on {@code loss} and {@code audit}.
 */
package org.smoothkl.spark;
