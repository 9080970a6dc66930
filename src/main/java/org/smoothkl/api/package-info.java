/**
 * The library API, for Java, Scala and PySpark (through py4j), and the door the command line goes
 * through too. {@link org.smoothkl.api.Smoothkl#audit} takes a DataFrame (or a session that reads
 * --input) and gives an {@link org.smoothkl.api.Audit}: the {@code run} command's settings, under
 * the flags' names camel-cased, resolved by {@link org.smoothkl.api.AuditSettings} (given values
 * &gt; --config file &gt; the bundled conf/smoothkl.conf) with the command line's checks and
 * messages. {@link org.smoothkl.api.Audit#run()} returns an {@link org.smoothkl.api.AuditReport}
 * (overall and slice {@link org.smoothkl.api.Summary summaries}, their
 * {@link org.smoothkl.api.Histogram gap histograms}, the checks' {@link org.smoothkl.api.Verdict
 * verdicts}, summary.json); {@link org.smoothkl.api.Audit#write()} also writes the output directory
 * and the history. No public method takes varargs or a lambda, and numbers are
 * {@link java.lang.Number}s, so that py4j finds every method from Python's ints, floats, strings,
 * lists and dicts.
 */
package org.smoothkl.api;
