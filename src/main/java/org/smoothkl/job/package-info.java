/**
 * The one way in: {@link org.smoothkl.job.AuditJob#run} audits an input under a spec and returns an
 * {@link org.smoothkl.job.AuditRun}; it writes nothing. Orchestration only: input, engine,
 * aggregation and assessment are the other rooms' work.
 */
package org.smoothkl.job;
