/**
 * What an audit is and what it found, no Spark: the resolved settings
 * ({@link org.smoothkl.audit.AuditSpec}), per-slice states that merge exactly
 * ({@link org.smoothkl.audit.SliceSummary}), the result, checks, baselines and their comparison
 * ({@link org.smoothkl.audit.Assessment}). Depends on {@code loss} only.
 */
package org.smoothkl.audit;
