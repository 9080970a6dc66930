/**
 * Rendering a result: summary.json (the contract other tools read), histograms.csv, the console
 * table and the self-contained report.html; and reading a summary.json back (baselines, the
 * report command). No Spark.
 */
package org.smoothkl.report;
