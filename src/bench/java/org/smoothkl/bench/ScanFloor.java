package org.smoothkl.bench;

import java.util.Iterator;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.smoothkl.spark.SparkInternals;

/**
 * The floor of a CPU audit: Spark's vectorized Parquet scan of the logits column, every value
 * read once (summed, so the JIT cannot drop the reads), nothing else.
 */
final class ScanFloor {
    private ScanFloor() {
    }

    /** Sum of all logits of {@code logitsOnly} (a frame with just the logits column), read by Spark's reader. */
    static double touchEveryValue(Dataset<Row> logitsOnly) {
        return sumOverBatches(SparkInternals.leafColumnarScan(logitsOnly), everyValue());
    }

    /** The same sum with the logits read by the job's page decoder (its floor). */
    static double touchEveryValueDecoded(Dataset<Row> logitsOnly) {
        SparkInternals.LogitsRead<ColumnarBatch> scan = SparkInternals.logitsBatches(logitsOnly, "logits");
        if (scan == null || scan.counts() == null) {
            throw new IllegalStateException("the page decoder does not read this frame: " + (scan == null ? "no plain scan" : scan.because()));
        }
        return sumOverBatches(scan.data(), everyValue());
    }

    private static FlatMapFunction<Iterator<ColumnarBatch>, Double> everyValue() {
        return batches -> {
            double s = 0;
            while (batches.hasNext()) {
                ColumnarBatch b = batches.next();
                ColumnVector logits = b.column(0);
                for (int r = 0; r < b.numRows(); r++) {
                    if (logits.isNullAt(r)) {
                        continue;
                    }
                    ColumnarArray a = logits.getArray(r);
                    for (int j = 0, n = a.numElements(); j < n; j++) {
                        s += a.getFloat(j);
                    }
                }
            }
            return java.util.List.of(s).iterator();
        };
    }

    /** Runs {@code sum} on each partition of the scan's own columnar batches (no row conversion) and adds the results. */
    static double sumOverBatches(RDD<ColumnarBatch> batches, FlatMapFunction<Iterator<ColumnarBatch>, Double> sum) {
        return batches.toJavaRDD().mapPartitions(sum).reduce(Double::sum);
    }
}
