package org.smoothkl.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Iterator;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.smoothkl.input.AuditInput;
import org.smoothkl.input.InputReader;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.loss.Preset;
import org.smoothkl.job.AuditJob;
import org.smoothkl.spark.SparkInternals;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.EngineChoice;

/**
 * Token sequences: what flattening in Spark SQL costs. The same float32 tokens (S sequences of T
 * tokens of V logits) audited as sequences (posexplode of arrays_zip before the engine, row path)
 * and as one Parquet row per token (columnar path); medians of interleaved rounds after a warm-up.
 * Args: S T V [rounds] [data dir]. Run with SMOOTHKL_MAIN_CLASS=org.smoothkl.bench.SequenceBench submit/local.
 */
public final class SequenceBench {
    private SequenceBench() {
    }

    private static void measure(Map<String, List<Double>> times, String name, int round, java.util.function.Supplier<Object> what) {
        long start = System.nanoTime();
        Object result = what.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (round > 0) {
            times.computeIfAbsent(name, k -> new ArrayList<>()).add(seconds);
        }
        System.err.printf(Locale.ROOT, "round %d %s: %s in %.2f s%n", round, name, result, seconds);
    }

    /** Σ of every logit of a nested array<array<float>> column, read from the scan's column vectors. */
    static double nestedScan(Dataset<Row> logitsOnly) {
        FlatMapFunction<Iterator<ColumnarBatch>, Double> sum = batches -> {
            double s = 0;
            while (batches.hasNext()) {
                ColumnarBatch b = batches.next();
                ColumnVector logits = b.column(0);
                for (int r = 0; r < b.numRows(); r++) {
                    ColumnarArray tokens = logits.getArray(r);
                    for (int t = 0; t < tokens.numElements(); t++) {
                        ColumnarArray z = tokens.getArray(t);
                        for (int j = 0; j < z.numElements(); j++) {
                            s += z.getFloat(j);
                        }
                    }
                }
            }
            return List.of(s).iterator();
        };
        return ScanFloor.sumOverBatches(org.smoothkl.spark.SparkInternals.leafColumnarScan(logitsOnly), sum);
    }

    /** Σ of every logit of the token rows InputReader makes of the sequences (the SQL flattening, no scoring). */
    static double flattened(AuditInput input) {
        Dataset<Row> frame = input.frame();
        int logits = frame.schema().fieldIndex(input.logitsColumn());
        FlatMapFunction<Iterator<InternalRow>, Double> sum = rows -> {
            double s = 0;
            while (rows.hasNext()) {
                InternalRow row = rows.next();
                if (!row.isNullAt(logits)) {
                    ArrayData z = row.getArray(logits);
                    for (int j = 0; j < z.numElements(); j++) {
                        s += z.getFloat(j);
                    }
                }
            }
            return List.of(s).iterator();
        };
        return SparkInternals.internalRows(frame).toJavaRDD().mapPartitions(sum).reduce(Double::sum);
    }

    public static void main(String[] args) throws Exception {
        int s = Integer.parseInt(args[0]);
        int t = Integer.parseInt(args[1]);
        int v = Integer.parseInt(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Path dir = Path.of(args.length > 4 ? args[4] : "bench-data").resolve("seq-" + s + "x" + t + "x" + v);
        SparkSession spark = SparkSession.builder().appName("smoothkl-sequence-bench").getOrCreate();
        Path seq = dir.resolve("sequences");
        Path flat = dir.resolve("tokens");
        if (!Files.exists(flat.resolve("_SUCCESS"))) {
            spark.sql(String.format(Locale.ROOT, "SELECT CAST(id %% 3 AS STRING) AS slice, "
                    + "transform(sequence(0, %1$d - 1), t -> CAST(pmod(hash(id, t), %2$d) AS INT)) AS label, "
                    + "transform(sequence(0, %1$d - 1), t -> transform(sequence(0, %2$d - 1), "
                    + "j -> CAST(4 * sin(id * 12.9898 + t * 78.233 + j * 37.719) AS FLOAT))) AS logits FROM range(%3$d)",
                    t, v, s)).write().mode("overwrite").parquet(seq.toString());
            spark.read().parquet(seq.toString()).createOrReplaceTempView("seq");
            spark.sql("SELECT slice, element_at(label, p + 1) AS label, l AS logits FROM seq LATERAL VIEW posexplode(logits) x AS p, l")
                    .write().mode("overwrite").parquet(flat.toString());
        }
        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (int round = 0; round <= rounds; round++) {
            for (Path p : List.of(seq, flat)) {
                AuditSpec spec = new AuditSpec(p.toString(), InputFormat.PARQUET, "logits", "label", Preset.SEED,
                        Preset.SEED.with(0.1, null), List.of("slice"), new GapHistogramSpec(50, 0, 20), new CalibrationSpec(15), List.of(), null, null,
                        "bench", "unused", false, false, EngineChoice.CPU);
                String name = p.getFileName().toString();
                measure(times, name + " job", round, () -> AuditJob.run(spark, spec, null).result().overall().rows());
                if (p.equals(seq)) {
                    measure(times, name + " scan (nested columnar, every value)", round,
                            () -> nestedScan(spark.read().parquet(p.toString()).select("logits")));
                    measure(times, name + " SQL flattening alone (every value)", round,
                            () -> flattened(InputReader.read(spark, spec)));
                } else {
                    measure(times, name + " scan (columnar, every value)", round,
                            () -> ScanFloor.touchEveryValue(spark.read().parquet(p.toString()).select("logits")));
                }
            }
        }
        times.forEach((name, ts) -> {
            List<Double> sorted = new ArrayList<>(ts);
            Collections.sort(sorted);
            System.out.printf(Locale.ROOT, "%s: median %.2f s over %d rounds %s%n", name, sorted.get(sorted.size() / 2), ts.size(), ts);
        });
        spark.stop();
    }
}
