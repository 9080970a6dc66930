package org.smoothkl.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.ChildJvms;
import org.smoothkl.Scripts;

/**
 * npz input on the class path a cluster has: the packaged job through SparkSubmit with Spark's
 * jars alone is exit 2 saying ND4J is missing; with {@code --jars $(submit/nd4j-jars)}, as on a
 * cluster, ND4J loads from those jars alone and the shard is audited.
 */
class Nd4jJarsIT {
    @TempDir
    Path tmp;

    @Test
    void npzRunsWithNd4jsJarsAndOnlyWithThem() throws Exception {
        Path input = tmp.resolve("shards");
        Files.createDirectories(input);
        int rows = 40;
        int k = 5;
        double[] logits = new double[rows * k];
        double[] labels = new double[rows];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = Math.sin(i) * 3;
        }
        for (int i = 0; i < rows; i++) {
            labels[i] = i % k;
        }
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        arrays.put("logits", NpyWriter.npy(new NpyWriter.Array(logits, "f4", new long[] {rows, k}), false, false));
        arrays.put("label", NpyWriter.npy(new NpyWriter.Array(labels, "i8", new long[] {rows}), false, false));
        NpyWriter.npz(input.resolve("part-0.npz"), arrays);

        try (ChildJvms jvms = new ChildJvms(tmp.resolve("logs"))) {
            ChildJvms.Child without = jvms.submit("npz-spark-only", "local[1]", List.of(), List.of(), args(input, tmp.resolve("a")));
            assertThat(without.waitFor(Duration.ofMinutes(15))).as(without.err()).isEqualTo(2);
            assertThat(without.err()).contains("--format npz needs ND4J");

            String jars = Scripts.run("submit/nd4j-jars").ok();
            ChildJvms.Child with = jvms.submit("npz-nd4j-jars", "local[1]", List.of(), List.of("spark.jars=" + jars),
                    args(input, tmp.resolve("b")));
            assertThat(with.waitFor(Duration.ofMinutes(15))).as(with.err()).isZero();
            assertThat(new ObjectMapper().readTree(tmp.resolve("b/summary.json").toFile()).at("/overall/rows").asLong())
                    .isEqualTo(rows);
        }
    }

    private static List<String> args(Path input, Path out) {
        return List.of("run", "--format", "npz", "--input", input.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--output", out.toString());
    }
}
