/**
 * The one way in: {@link org.smoothkl.job.AuditJob#run} audits an input under a spec and returns an
 * {@link org.smoothkl.job.AuditRun}; it writes nothing. Orchestration only: input, engine,
 * aggregation and assessment are the other rooms' work. What the run says while it works is
 * here too: the phase lines ({@link org.smoothkl.job.PhaseLog}), the scoring progress and whether
 * Spark's progress bar is shown ({@link org.smoothkl.job.ConsoleProgress}).
 */
package org.smoothkl.job;
