/**
 * The aggregation tree: per slice, counts and sums that are exact to about 1e-12 and the same bits
 * on every run, whatever the cluster does ({@link org.smoothkl.aggregate.AuditAggregation}). Its
 * levels run in Spark SQL (so RAPIDS can run them), or the first three in the scoring task
 * ({@link org.smoothkl.aggregate.PartitionLevel}) with the same arithmetic.
 */
package org.smoothkl.aggregate;
