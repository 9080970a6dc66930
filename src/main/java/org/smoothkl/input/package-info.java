/**
 * Reading what is audited: Spark's readers for Parquet, ORC, JSON and CSV, NumPy .npz shards,
 * Spark ML vectors and token sequences, checked and shaped into an
 * {@link org.smoothkl.input.AuditInput} ({@link org.smoothkl.input.InputReader}); and the synthetic
 * sample the demo audits. Bad columns are refused with one line; bad rows are flagged, never dropped.
 */
package org.smoothkl.input;
