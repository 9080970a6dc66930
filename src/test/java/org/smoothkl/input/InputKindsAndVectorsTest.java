package org.smoothkl.input;

import org.smoothkl.SummaryCompare;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;

/** --input-kind probs|log_probs through the job, and Spark ML vector logits read without conversion by the user. */
class InputKindsAndVectorsTest {
    private final SparkSession spark = SparkTestSession.get();

    @TempDir
    Path tmp;

    private static final StructType ARRAYS = new StructType().add("slice", DataTypes.StringType)
            .add("label", DataTypes.IntegerType).add("logits", DataTypes.createArrayType(DataTypes.DoubleType));

    private CliRun audit(Path input, String out, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--input", input.toString(), "--preset", "seed",
                "--epsilon", "0.1", "--group-by", "slice", "--output", tmp.resolve(out).toString()));
        args.addAll(List.of(extra));
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.err()).isZero();
        return r;
    }

    /**
     * The same rows as logits, as softmax probabilities and as log-probabilities (float64) give one
     * summary: the kernel's lp agree to a few ulps of |lp| (InputKindKernelTest), so sums over 300
     * rows agree to 1e-12 relative, the gap (shift-invariant) too.
     */
    @Test
    void logitsProbabilitiesAndLogProbabilitiesGiveOneSummary() {
        SplittableRandom r = new SplittableRandom(8);
        List<Row> logits = new ArrayList<>();
        List<Row> probs = new ArrayList<>();
        List<Row> logProbs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int k = 10;
            double[] z = new double[k];
            for (int j = 0; j < k; j++) {
                z[j] = r.nextGaussian() * 2;
            }
            z[r.nextInt(k)] += 4;
            double[] lp = org.smoothkl.loss.InputKindKernelTestAccess.logSoftmax(z);
            double[] p = new double[k];
            for (int j = 0; j < k; j++) {
                p[j] = Math.exp(lp[j]);
            }
            int label = r.nextInt(k);
            String slice = "s" + i % 3;
            logits.add(RowFactory.create(slice, label, z));
            probs.add(RowFactory.create(slice, label, p));
            logProbs.add(RowFactory.create(slice, label, lp));
        }
        for (var e : List.of(List.of("logits", logits), List.of("probs", probs), List.of("log_probs", logProbs))) {
            @SuppressWarnings("unchecked")
            List<Row> rows = (List<Row>) e.get(1);
            spark.createDataFrame(rows, ARRAYS).write().parquet(tmp.resolve("in-" + e.get(0)).toString());
            audit(tmp.resolve("in-" + e.get(0)), "out-" + e.get(0), "--input-kind", (String) e.get(0));
        }
        JsonNode reference = SummaryCompare.read(tmp.resolve("out-logits"));
        for (String kind : List.of("probs", "log_probs")) {
            JsonNode s = SummaryCompare.read(tmp.resolve("out-" + kind));
            SummaryCompare.assertSameSummary(reference, s, 1e-12);
            assertThat(s.get("config").get("input_kind").asText()).isEqualTo(kind);
            assertThat(s.get("config").get("prob_tolerance").asDouble()).isEqualTo(1e-3);
        }
        assertThat(reference.get("config").get("input_kind").asText()).isEqualTo("logits");
    }

    @Test
    void badProbabilityRowsAreCountedByReasonAndZerosGiveInfinityNotNull() {
        List<Row> rows = List.of(
                RowFactory.create("a", 0, new double[] {0.5, 0.5, 0}),        // valid, a zero elsewhere: KL = +inf
                RowFactory.create("a", 0, new double[] {0.5, 0.6, -0.1}),     // negative
                RowFactory.create("a", 0, new double[] {0.5, 0.6, 0.1}),      // sum 1.2
                RowFactory.create("a", 0, new double[] {0.5, 0.5 + 5e-4, 0}), // within 1e-3
                RowFactory.create("a", 1, new double[] {0.2, 0.8, 0}));       // valid
        Path input = tmp.resolve("probs");
        spark.createDataFrame(rows, ARRAYS).coalesce(1).write().parquet(input.toString());
        audit(input, "out", "--input-kind", "probs");
        JsonNode overall = SummaryCompare.read(tmp.resolve("out")).get("overall");
        assertThat(overall.get("valid").asLong()).isEqualTo(3);
        assertThat(overall.get("invalid_by_reason").toString()).isEqualTo("{\"negative_probability\":1,\"not_normalized\":1}");
        assertThat(overall.get("sum_kl").asText()).isEqualTo("Infinity");
        assertThat(overall.get("mean_gap").asText()).isEqualTo("Infinity");
        assertThat(overall.get("sum_nll").isNumber()).isTrue();

        // a tighter tolerance from the flag refuses the 5e-4 row too
        audit(input, "out2", "--input-kind", "probs", "--prob-tolerance", "1e-4");
        assertThat(SummaryCompare.read(tmp.resolve("out2")).get("overall").get("invalid_by_reason").get("not_normalized").asLong())
                .isEqualTo(2);
    }

    @Test
    void unknownInputKindIsExitTwo() {
        Path input = tmp.resolve("p");
        spark.createDataFrame(List.of(RowFactory.create("a", 0, new double[] {1, 2})), ARRAYS).write().parquet(input.toString());
        CliRun r = CliRun.of("run", "--input", input.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--input-kind", "softmax", "--output", tmp.resolve("o").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--input-kind", "softmax", "logits, probs, log_probs");
    }

    /** Dense and sparse Spark ML vectors read as the same logits given as arrays (a sparse vector's gaps are 0.0). */
    @Test
    void sparkMlVectorsAreReadAsTheirArrays() {
        SplittableRandom r = new SplittableRandom(4);
        List<Row> vectors = new ArrayList<>();
        List<Row> arrays = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            int k = 8;
            double[] z = new double[k];
            for (int j = 0; j < k; j++) {
                z[j] = r.nextInt(3) == 0 ? 0.0 : r.nextGaussian() * 3;
            }
            int label = i == 7 ? 42 : r.nextInt(k); // one label out of range: quarantined with its vector
            var v = i % 2 == 0 ? Vectors.dense(z) : Vectors.dense(z).toSparse();
            vectors.add(RowFactory.create("s" + i % 2, label, v));
            arrays.add(RowFactory.create("s" + i % 2, label, z));
        }
        StructType vectorSchema = new StructType().add("slice", DataTypes.StringType).add("label", DataTypes.IntegerType)
                .add("logits", new VectorUDT());
        spark.createDataFrame(vectors, vectorSchema).write().parquet(tmp.resolve("vec").toString());
        spark.createDataFrame(arrays, ARRAYS).write().parquet(tmp.resolve("arr").toString());
        audit(tmp.resolve("vec"), "out-vec");
        audit(tmp.resolve("arr"), "out-arr");
        SummaryCompare.assertSameSummary(SummaryCompare.read(tmp.resolve("out-arr")), SummaryCompare.read(tmp.resolve("out-vec")), 1e-12);
        List<Row> invalid = spark.read().parquet(tmp.resolve("out-vec").resolve("invalid").toString()).collectAsList();
        assertThat(invalid).hasSize(1);
        assertThat(invalid.get(0).<Object>getAs("logits")).isInstanceOf(org.apache.spark.ml.linalg.Vector.class);
    }
}
