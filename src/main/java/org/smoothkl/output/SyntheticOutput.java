package org.smoothkl.output;

import org.apache.spark.sql.SparkSession;
import org.smoothkl.input.SyntheticDataset;

/** Writes a synthetic sample ({@link SyntheticDataset}) as a Parquet directory, whole or not at all. */
public final class SyntheticOutput {
    private SyntheticOutput() {
    }

    public static void write(SparkSession spark, long rows, int classes, double epsilon, int slices, long seed,
                             String output, boolean overwrite) {
        write(spark, rows, classes, epsilon, slices, seed, SyntheticDataset.partitionsFor(rows, classes), output, overwrite);
    }

    /**
     * As above, in {@code partitions} files. An existing {@code output} is refused (exit 2) unless
     * {@code overwrite}; then it is replaced whole.
     */
    public static void write(SparkSession spark, long rows, int classes, double epsilon, int slices, long seed,
                             int partitions, String output, boolean overwrite) {
        // Through the run's atomic output: written into a hidden temporary sibling and renamed into
        // place, so a killed write leaves the old dataset (or none), never half of the new one.
        try (AtomicOutput out = AtomicOutput.begin(spark.sparkContext().hadoopConfiguration(), output, overwrite)) {
            SyntheticDataset.frame(spark, rows, classes, epsilon, slices, seed, partitions)
                    .write().mode(org.apache.spark.sql.SaveMode.Append).parquet(out.path("."));
            out.commit();
        }
    }
}
