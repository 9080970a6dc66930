package org.smoothkl.input;

import org.smoothkl.SummaryCompare;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.GoldenRows;
import org.smoothkl.SparkTestSession;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.ScalarKernel;
import org.smoothkl.loss.Smoothing;

/** Token sequences: one audited row per token, padding ignored, per-sequence totals, malformed sequences quarantined. */
class TokenSequencesTest {
    private static final long PAD = -100; // pytorch's ignore index
    private final SparkSession spark = SparkTestSession.get();

    @TempDir
    Path tmp;

    private static final StructType SEQUENCES = new StructType()
            .add("lang", DataTypes.StringType)
            .add("label", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("logits", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)));
    private static final StructType TOKENS = new StructType()
            .add("lang", DataTypes.StringType)
            .add("label", DataTypes.IntegerType)
            .add("logits", DataTypes.createArrayType(DataTypes.FloatType));

    /** A batch of padded sequences as a decoder writes them, and its tokens. */
    private record Data(List<Row> sequences, List<Row> tokens, Map<Integer, double[]> sequenceTotals, int padTokens) {
    }

    /**
     * 60 sequences of T ≤ 12 real tokens padded to 16, V = 7 or 11 per sequence. Padding logits are
     * huge (1e30): a padding token that reached a sum would show at once. Sequence 5 has a NaN
     * token (invalid; its totals are not scored).
     */
    private static Data data() {
        SplittableRandom r = new SplittableRandom(3);
        List<Row> sequences = new ArrayList<>();
        List<Row> tokens = new ArrayList<>();
        Map<Integer, double[]> totals = new HashMap<>();
        int pads = 0;
        Smoothing smoothing = Preset.PYTORCH.with(0.1, null);
        for (int s = 0; s < 60; s++) {
            String lang = s % 3 == 0 ? "de" : "fr";
            int v = s % 2 == 0 ? 7 : 11;
            int real = 1 + r.nextInt(12);
            List<Integer> labels = new ArrayList<>();
            List<float[]> logits = new ArrayList<>();
            double loss = 0;
            double nll = 0;
            for (int t = 0; t < 16; t++) {
                float[] z = new float[v];
                int label;
                if (t < real) {
                    for (int j = 0; j < v; j++) {
                        z[j] = (float) (r.nextGaussian() * 3);
                    }
                    label = r.nextInt(v);
                    if (s == 5 && t == 2) {
                        z[1] = Float.NaN;
                    }
                    MetricsBatch m = new MetricsBatch();
                    double[] zd = new double[v];
                    for (int j = 0; j < v; j++) {
                        zd[j] = z[j];
                    }
                    new ScalarKernel(smoothing).compute(LogitBatch.of(new double[][] {zd}, new long[] {label}), m);
                    if (m.status(0) == RowStatus.VALID) {
                        loss += m.smoothedCe(0);
                        nll += m.nll(0);
                    }
                } else {
                    for (int j = 0; j < v; j++) {
                        z[j] = 1e30f;
                    }
                    label = (int) PAD;
                    pads++;
                }
                labels.add(label);
                logits.add(z);
                tokens.add(RowFactory.create(lang, label, z));
            }
            if (s != 5) {
                totals.put(s, new double[] {loss, nll});
            }
            sequences.add(RowFactory.create(lang, labels.stream().mapToInt(Integer::intValue).toArray(), logits.toArray(float[][]::new)));
        }
        return new Data(sequences, tokens, totals, pads);
    }

    private CliRun audit(Path input, String out, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--input", input.toString(), "--preset", "pytorch",
                "--epsilon", "0.1", "--group-by", "lang", "--output", tmp.resolve(out).toString()));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void paddedSequencesSummariseLikeTheirTokensOneRowEach() {
        Data d = data();
        Path seq = tmp.resolve("seq");
        Path flat = tmp.resolve("flat");
        spark.createDataFrame(d.sequences(), SEQUENCES).repartition(2).write().parquet(seq.toString());
        spark.createDataFrame(d.tokens(), TOKENS).write().parquet(flat.toString());

        CliRun a = audit(seq, "out-seq", "--write-rows");
        CliRun b = audit(flat, "out-flat");
        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(b.exitCode()).as(b.err()).isZero();
        JsonNode seqSummary = SummaryCompare.read(tmp.resolve("out-seq"));
        JsonNode flatSummary = SummaryCompare.read(tmp.resolve("out-flat"));
        SummaryCompare.assertSameSummary(flatSummary, seqSummary, 1e-12);

        JsonNode overall = seqSummary.get("overall");
        assertThat(overall.get("rows").asLong()).isEqualTo(60 * 16);
        assertThat(overall.get("ignored").asLong()).isEqualTo(d.padTokens());
        assertThat(overall.get("invalid_by_reason").toString()).isEqualTo("{\"nan_logit\":1}");
        // padding never reaches the sums: the padding logits are 1e30, every sum stays small
        assertThat(overall.get("sum_nll").asDouble()).isLessThan(1e5);
        assertThat(overall.get("mean_gap").asDouble()).isLessThan(100);
        assertThat(flatSummary.get("overall").has("sequences")).isFalse();

        JsonNode sequences = overall.get("sequences");
        assertThat(sequences.get("sequences").asLong()).isEqualTo(60);
        assertThat(sequences.get("tokens").asLong()).isEqualTo(60 * 16);
        assertThat(sequences.get("scored").asLong()).isEqualTo(59);
        JsonNode loss = sequences.get("loss_per_sequence");
        assertThat(loss.get("name").asText()).isEqualTo("smoothed_ce");
        double sum = d.sequenceTotals().values().stream().mapToDouble(t -> t[0]).sum();
        double nllSum = d.sequenceTotals().values().stream().mapToDouble(t -> t[1]).sum();
        double min = d.sequenceTotals().values().stream().mapToDouble(t -> t[0]).min().orElseThrow();
        double max = d.sequenceTotals().values().stream().mapToDouble(t -> t[0]).max().orElseThrow();
        assertThat(GoldenRows.close(loss.get("sum").asDouble(), sum, 1e-12)).as(loss + " vs " + sum).isTrue();
        assertThat(GoldenRows.close(loss.get("mean").asDouble(), sum / 59, 1e-12)).isTrue();
        assertThat(GoldenRows.close(loss.get("min").asDouble(), min, 1e-12)).isTrue();
        assertThat(GoldenRows.close(loss.get("max").asDouble(), max, 1e-12)).isTrue();
        assertThat(GoldenRows.close(sequences.get("nll_per_sequence").get("sum").asDouble(), nllSum, 1e-12)).isTrue();
        // the per-sequence sums of the preset's loss add up to the token sums, up to the NaN sequence
        assertThat(loss.get("sum").asDouble()).isLessThanOrEqualTo(overall.get("sum_smoothed_ce").asDouble() + 1e-9);

        // slices: the de/fr split of sequences carries to the tokens
        long deSequences = d.sequences().stream().filter(row -> row.getString(0).equals("de")).count();
        JsonNode de = seqSummary.get("slices").get(0);
        assertThat(de.get("key").get("lang").asText()).isEqualTo("de");
        assertThat(de.get("sequences").get("sequences").asLong()).isEqualTo(deSequences);
        assertThat(de.get("rows").asLong()).isEqualTo(deSequences * 16);

        // rows/ carries the token position
        List<Row> rows = spark.read().parquet(tmp.resolve("out-seq").resolve("rows").toString())
                .where("_token = 15").select("status").distinct().collectAsList();
        assertThat(rows).extracting(row -> row.getString(0)).containsExactly("ignored");
    }

    @Test
    void malformedSequencesAreOneInvalidRowEachWithTheirReason() {
        List<Row> rows = List.of(
                RowFactory.create("de", new int[] {0, 1}, new float[][] {{1, 2, 3}, {3, 2, 1}}),            // good
                RowFactory.create("de", new int[] {0, 1, 2}, new float[][] {{1, 2, 3}, {3, 2, 1}}),         // T mismatch
                RowFactory.create("de", new int[] {0, 1}, new float[][] {{1, 2, 3}, {3, 2}}),               // ragged
                RowFactory.create("fr", new int[] {}, new float[][] {}),                                     // empty
                RowFactory.create("fr", new int[] {0}, null),                                                // null logits
                RowFactory.create("fr", null, new float[][] {{1, 2}}),                                       // null labels
                RowFactory.create("fr", new int[] {0, (int) PAD}, new float[][] {{1, 2, 3}, null}));        // null token: kernel
        Path input = tmp.resolve("bad");
        spark.createDataFrame(rows, SEQUENCES).coalesce(1).write().parquet(input.toString());
        CliRun r = audit(input, "out");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode overall = SummaryCompare.read(tmp.resolve("out")).get("overall");
        assertThat(overall.get("invalid_by_reason").toString()).isEqualTo("{\"empty_sequence\":1,\"null_label\":1,"
                + "\"null_logits\":2,\"ragged_sequence\":1,\"sequence_length_mismatch\":1}");
        assertThat(overall.get("rows").asLong()).isEqualTo(2 + 5 + 2);
        assertThat(overall.get("valid").asLong()).isEqualTo(3);
        assertThat(overall.get("ignored").asLong()).isZero();
        JsonNode sequences = overall.get("sequences");
        assertThat(sequences.get("sequences").asLong()).isEqualTo(7);
        assertThat(sequences.get("tokens").asLong()).isEqualTo(4);
        assertThat(sequences.get("scored").asLong()).isEqualTo(1);

        List<Row> invalid = spark.read().parquet(tmp.resolve("out").resolve("invalid").toString())
                .orderBy("reason").collectAsList();
        assertThat(invalid).hasSize(6);
        Row mismatch = invalid.stream().filter(x -> "sequence_length_mismatch".equals(x.getAs("reason"))).findFirst().orElseThrow();
        assertThat(mismatch.<scala.collection.Seq<?>>getAs(TokenSequences.SEQUENCE_LOGITS).size()).isEqualTo(2);
        assertThat(mismatch.<scala.collection.Seq<?>>getAs(TokenSequences.SEQUENCE_LABEL).size()).isEqualTo(3);
        Row nullToken = invalid.stream().filter(x -> x.getAs(TokenSequences.TOKEN) != null).findFirst().orElseThrow();
        assertThat(nullToken.<Integer>getAs(TokenSequences.TOKEN)).isEqualTo(1);
        assertThat(nullToken.<String>getAs("reason")).isEqualTo("null_logits");
    }

    @Test
    void sequenceLogitsNeedSequenceLabels() {
        Path input = tmp.resolve("half");
        spark.sql("SELECT 'x' AS lang, 1 AS label, array(array(1.0F, 2.0F)) AS logits").write().parquet(input.toString());
        CliRun r = audit(input, "out");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("label column 'label'", "int", "expected array<int> or array<bigint>");

        Path other = tmp.resolve("half2");
        spark.sql("SELECT 'x' AS lang, array(1) AS label, array(1.0F, 2.0F) AS logits").write().parquet(other.toString());
        CliRun r2 = audit(other, "out2");
        assertThat(r2.exitCode()).isEqualTo(2);
        assertThat(r2.err()).contains("logits column 'logits'", "array<float>", "expected array<array<float>>");
    }

    @Test
    void jsonSequencesReadAsDoubles() throws Exception {
        Path input = tmp.resolve("seq.jsonl");
        java.nio.file.Files.write(input, List.of(
                "{\"lang\": \"de\", \"label\": [0, -100], \"logits\": [[1.0, 2.0], [\"NaN\", 1.0]]}",
                "{\"lang\": \"de\", \"label\": [1], \"logits\": [[1.0, \"Infinity\"]]}",
                "{\"lang\": \"fr\", \"label\": [1, 0], \"logits\": [[1.0, 2.0, 0.5], [3.0, 1.0, 0.0]]}"));
        CliRun r = audit(input, "out", "--format", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode overall = SummaryCompare.read(tmp.resolve("out")).get("overall");
        assertThat(overall.get("rows").asLong()).isEqualTo(5);
        assertThat(overall.get("valid").asLong()).isEqualTo(3);
        assertThat(overall.get("invalid_by_reason").toString()).isEqualTo("{\"inf_logit\":1,\"nan_logit\":1}");
    }
}
