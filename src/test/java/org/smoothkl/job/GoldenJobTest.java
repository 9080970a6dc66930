package org.smoothkl.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.smoothkl.CliRun;
import org.smoothkl.GoldenRows;
import org.smoothkl.audit.CompensatedSum;

/**
 * The golden files through the whole job, as JSON lines read by Spark's JSON reader: for each
 * file and each ε in it, one run grouped by the golden "batch" column. Every batch's counts and
 * sums must match the reference summary, and the runs together must match the file totals.
 */
class GoldenJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOL = 1e-12;

    static Stream<String> files() {
        return Stream.of("seed", "pytorch", "fairseq", "onmt_legacy");
    }

    @ParameterizedTest
    @MethodSource("files")
    void summariesMatchTheReference(String file, @TempDir Path tmp) throws IOException {
        List<String> lines = Files.readAllLines(GoldenRows.file(file));
        List<GoldenRows.Row> rows = GoldenRows.load(file);
        JsonNode reference = GoldenRows.summary(file);
        Map<Integer, JsonNode> batches = new HashMap<>();
        reference.get("batches").forEach(b -> batches.put(b.get("batch").asInt(), b));
        long ignoreIndex = rows.get(0).ignoreIndex();
        assertThat(rows).allMatch(r -> r.ignoreIndex() == ignoreIndex);

        CompensatedSum kl = new CompensatedSum();
        CompensatedSum ce = new CompensatedSum();
        CompensatedSum nll = new CompensatedSum();
        long valid = 0;
        long total = 0;
        for (double eps : new TreeSet<>(rows.stream().map(GoldenRows.Row::eps).toList())) {
            List<String> subset = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i).eps() == eps) {
                    subset.add(lines.get(i));
                }
            }
            Path input = tmp.resolve("in-" + eps + ".jsonl");
            Files.write(input, subset);
            Path out = tmp.resolve("out-" + eps);
            CliRun run = CliRun.of("run", "--input", input.toString(), "--format", "json",
                    "--preset", GoldenRows.presetOf(rows.get(0).variant()).code(), "--epsilon", Double.toString(eps),
                    "--ignore-index", Long.toString(ignoreIndex), "--group-by", "batch", "--output", out.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
            assertThat(summary.at("/overall/rows").asLong()).isEqualTo(subset.size());
            assertThat(summary.at("/overall/invalid").asLong()).as("no golden row is invalid once the seed bug is fixed").isZero();
            for (JsonNode slice : summary.get("slices")) {
                JsonNode expected = batches.get(slice.at("/key/batch").asInt());
                String where = file + " eps=" + eps + " batch " + expected.get("batch");
                if (expected.has("invalid")) { // the seed's bug rows: the reference crashed, we ignore them
                    assertThat(slice.get("ignored").asLong()).as(where).isEqualTo(expected.get("n_rows").asLong());
                    continue;
                }
                assertThat(slice.get("valid").asLong()).as(where + " count").isEqualTo(expected.get("count").asLong());
                assertThat(slice.get("valid").asLong() + slice.get("ignored").asLong()).as(where + " rows")
                        .isEqualTo(expected.get("n_rows").asLong());
                for (String f : List.of("kl", "smoothed_ce", "nll")) {
                    double got = slice.get("sum_" + f).asDouble();
                    double exp = GoldenRows.number(expected.get("sum_" + f));
                    assertThat(GoldenRows.close(got, exp, TOL)).as(where + " sum_" + f + " got " + got + " expected " + exp).isTrue();
                }
            }
            kl.add(summary.at("/overall/sum_kl").asDouble());
            ce.add(summary.at("/overall/sum_smoothed_ce").asDouble());
            nll.add(summary.at("/overall/sum_nll").asDouble());
            valid += summary.at("/overall/valid").asLong();
            total += summary.at("/overall/rows").asLong();
        }
        assertThat(total).isEqualTo(reference.get("rows").asLong());
        assertThat(valid).isEqualTo(reference.get("count").asLong());
        assertThat(GoldenRows.close(kl.value(), reference.get("sum_kl").asDouble(), TOL)).as("file sum_kl").isTrue();
        assertThat(GoldenRows.close(ce.value(), reference.get("sum_smoothed_ce").asDouble(), TOL)).as("file sum_ce").isTrue();
        assertThat(GoldenRows.close(nll.value(), reference.get("sum_nll").asDouble(), TOL)).as("file sum_nll").isTrue();
    }

    @org.junit.jupiter.api.Test
    void bigVocabularyRowsWithTheIgnoreLabelAreIgnoredAtEveryEpsilon(@TempDir Path tmp) throws IOException {
        // seed_bigK: K = 100001 and label 100000 = the seed's ignore index. The seed counted the
        // ε > 0 rows (class 100000 became the target); the product ignores all three.
        List<GoldenRows.Row> rows = GoldenRows.load("seed_bigK");
        for (GoldenRows.Row row : rows) {
            Path input = tmp.resolve("in-" + row.eps() + ".jsonl");
            Files.write(input, List.of(Files.readAllLines(GoldenRows.file("seed_bigK")).get(rows.indexOf(row))));
            Path out = tmp.resolve("out-" + row.eps());
            CliRun run = CliRun.of("run", "--input", input.toString(), "--format", "json", "--preset", "seed",
                    "--epsilon", Double.toString(row.eps()), "--output", out.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
            assertThat(summary.at("/overall/ignored").asLong()).isEqualTo(1);
            assertThat(summary.at("/overall/valid").asLong()).isZero();
        }
    }
}
