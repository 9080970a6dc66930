/**
 * What a run writes, and nothing else: {@link org.smoothkl.output.AuditOutput} owns every file name
 * of the output directory and writes all parts into an {@link org.smoothkl.output.AtomicOutput}
 * (claimed, committed whole or not at all), then appends to the history table.
 */
package org.smoothkl.output;
