package org.smoothkl.audit;

/**
 * One row of a reliability table: the valid rows whose confidence fell in [lo, hi), their
 * number, their mean confidence and their accuracy (both NaN for an empty bin).
 */
public record ReliabilityBin(int bin, double lo, double hi, long count, double meanConfidence, double accuracy) {
}
