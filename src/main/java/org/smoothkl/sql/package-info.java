/**
 * The metrics as SQL functions (src/site/markdown/sql.md): {@code smoothkl_metrics}, the job's per-row
 * struct, and {@code smoothkl_summary}, a slice's summary.json numbers, as Catalyst function builders
 * that check their arguments at analysis ({@link org.smoothkl.sql.SmoothklFunctions}, injected by
 * {@link org.smoothkl.sql.SmoothklExtensions}); the same per-row function as Java UDF classes for
 * registerJavaFunction ({@link org.smoothkl.sql.MetricsUdf4}, {@link org.smoothkl.sql.MetricsUdf5}) and
 * as a Hive GenericUDF for CREATE TEMPORARY FUNCTION ({@link org.smoothkl.sql.HiveMetricsUdf}). Every
 * one of them, and the RAPIDS engine's UDF, scores a row with {@link org.smoothkl.loss.SingleRow}.
 * Depends on {@code api} (settings' defaults), {@code engine} (the RAPIDS UDF's class name),
 * {@code audit} (did-you-mean: EditDistance), {@code input} (type checks, label reading), {@code aggregate},
 * {@code spark} and {@code loss}; only {@code gpu} (their GPU twins) and tests depend on it.
 */
package org.smoothkl.sql;
