package org.smoothkl.input;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.loss.SyntheticLogits;

/**
 * Writes a synthetic prediction dataset (Parquet: slice string, label int, logits array&lt;float&gt;)
 * for demos, tests and benchmarks. Slice {@code slice-i} has accuracy 0.92 − 0.12·i (at least
 * 0.3), so slices differ the way real ones do.
 */
public final class SyntheticDataset {
    private SyntheticDataset() {
    }

    /** A generated row; a Java bean so Spark's encoder reads float[] without boxing. */
    public static final class Prediction implements java.io.Serializable {
        private String slice;
        private int label;
        private float[] logits;

        public String getSlice() {
            return slice;
        }

        public void setSlice(String slice) {
            this.slice = slice;
        }

        public int getLabel() {
            return label;
        }

        public void setLabel(int label) {
            this.label = label;
        }

        public float[] getLogits() {
            return logits;
        }

        public void setLogits(float[] logits) {
            this.logits = logits;
        }
    }

    public static double sliceAccuracy(int slice) {
        return Math.max(0.3, 0.92 - 0.12 * slice);
    }

    /** Partitions for {@code rows} rows of K logits: ≈16M logits a file. */
    public static int partitionsFor(long rows, int classes) {
        return (int) Math.max(1, Math.min(10_000, rows * classes / (16L << 20)));
    }

    /** The sample's rows (slice, label, logits), unexecuted, in {@code partitions} partitions. */
    public static Dataset<Row> frame(SparkSession spark, long rows, int classes, double epsilon, int slices, long seed,
                                     int partitions) {
        SyntheticLogits model = new SyntheticLogits(classes, epsilon);
        MapPartitionsFunction<Long, Prediction> generate = ids -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return ids.hasNext();
            }

            @Override
            public Prediction next() {
                long id = ids.next();
                int slice = (int) (id % slices);
                Prediction p = new Prediction();
                p.setSlice("slice-" + slice);
                p.setLabel(model.label(seed, id));
                float[] logits = new float[classes];
                model.logits(seed, id, sliceAccuracy(slice), logits);
                p.setLogits(logits);
                return p;
            }
        };
        return spark.range(0, rows, 1, partitions)
                .mapPartitions(generate, Encoders.bean(Prediction.class))
                .select("slice", "label", "logits");
    }
}
