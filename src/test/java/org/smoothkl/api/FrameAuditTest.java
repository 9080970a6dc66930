package org.smoothkl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.AuditInputException;

/**
 * The library on a DataFrame built in code: the overall and slice summaries against numbers worked
 * out here from the rows, the verdicts, toJson() as the written summary.json, and what a frame
 * audit refuses.
 */
class FrameAuditTest {
    private static final SparkSession spark = SparkTestSession.get();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double EPS = 0.1;

    @TempDir
    Path tmp;

    /** K = 3: slice a two valid rows (one right), slice b one valid (right), one label out of range, one ignored (-1). */
    private static Dataset<Row> frame() {
        return spark.sql("""
                SELECT * FROM VALUES
                  ('a', 0, array(2.0D, 0.0D, 0.0D)),
                  ('a', 1, array(0.0D, 1.0D, 3.0D)),
                  ('b', 2, array(0.0D, 0.0D, 1.0D)),
                  ('b', 5, array(1.0D, 0.0D, 0.0D)),
                  ('b', -1, array(0.0D, 4.0D, 0.0D))
                  AS t(slice, label, logits)
                """);
    }

    /** KL(q||p) of the seed convention: q = 1 - eps on the label, eps / (K - 1) elsewhere. */
    private static double kl(int label, double... z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        double kl = 0;
        for (int j = 0; j < z.length; j++) {
            double q = j == label ? 1 - EPS : EPS / (z.length - 1);
            double logp = z[j] - max - Math.log(sum);
            kl += q * (Math.log(q) - logp);
        }
        return kl;
    }

    private static Audit audit() {
        return Smoothkl.audit(frame()).preset("seed").epsilon(EPS).ignoreIndex(-1).groupBy("slice")
                .check("mean_kl <= 10").check("accuracy >= 0.75");
    }

    @Test
    void overallSlicesAndVerdictsAreObjects() {
        AuditReport report = audit().run();
        double klA0 = kl(0, 2, 0, 0);
        double klA1 = kl(1, 0, 1, 3);
        double klB = kl(2, 0, 0, 1);

        Summary overall = report.overall();
        assertThat(overall.isOverall()).isTrue();
        assertThat(overall.key()).isEmpty();
        assertThat(overall.rows()).isEqualTo(5);
        assertThat(overall.valid()).isEqualTo(3);
        assertThat(overall.ignored()).isEqualTo(1);
        assertThat(overall.invalid()).isEqualTo(1);
        assertThat(overall.invalidByReason()).containsExactly(Map.entry("label_out_of_range", 1L));
        assertThat(overall.classes()).isEqualTo(3);
        assertThat(overall.accuracy()).isEqualTo(2.0 / 3);
        assertThat(overall.meanKl()).isCloseTo((klA0 + klA1 + klB) / 3, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(overall.metric("mean_kl")).isEqualTo(overall.meanKl());
        assertThat(overall.metrics()).containsEntry("rows", 5.0).containsKeys("ece", "preset_loss", "gap_opt");
        assertThat(overall.optimalGap()).isCloseTo(Math.log((1 - EPS) / (EPS / 2)), org.assertj.core.data.Offset.offset(1e-12));
        assertThatThrownBy(() -> overall.metric("mean_kll")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mean_kl");

        assertThat(report.slices()).extracting(Summary::label).containsExactly("slice=a", "slice=b");
        Summary a = report.slice(Map.of("slice", "a"));
        assertThat(a.key()).containsExactly(Map.entry("slice", "a"));
        assertThat(a.rows()).isEqualTo(2);
        assertThat(a.accuracy()).isEqualTo(0.5);
        assertThat(a.meanKl()).isCloseTo((klA0 + klA1) / 2, org.assertj.core.data.Offset.offset(1e-12));
        Summary b = report.slice("slice=b");
        assertThat(b.rows()).isEqualTo(3);
        assertThat(b.valid()).isEqualTo(1);
        assertThat(b.meanKl()).isCloseTo(klB, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(report.slice(Map.of("slice", "c"))).isNull();
        assertThat(report.slice(Map.of())).extracting(Summary::label).isEqualTo("overall");
        assertThatThrownBy(() -> report.slice(Map.of("model", "a"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[slice]");

        // The gap histogram: 50 bins over 0:20 (the bundled defaults), the valid rows' gaps counted once.
        Histogram h = overall.histogram();
        assertThat(h.edges()).hasSize(51).startsWith(0.0).endsWith(20.0);
        assertThat(java.util.Arrays.stream(h.counts()).sum() + h.underflow() + h.overflow()).isEqualTo(3);
        assertThat(overall.reliability()).hasSize(15);

        // Verdicts: mean_kl <= 10 everywhere; accuracy >= 0.75 fails overall (2/3) and on a (1/2), passes on b.
        assertThat(report.checks()).extracting(Verdict::check, Verdict::slice, Verdict::passed).containsExactly(
                org.assertj.core.groups.Tuple.tuple("mean_kl <= 10", "overall", true),
                org.assertj.core.groups.Tuple.tuple("mean_kl <= 10", "slice=a", true),
                org.assertj.core.groups.Tuple.tuple("mean_kl <= 10", "slice=b", true),
                org.assertj.core.groups.Tuple.tuple("accuracy >= 0.75", "overall", false),
                org.assertj.core.groups.Tuple.tuple("accuracy >= 0.75", "slice=a", false),
                org.assertj.core.groups.Tuple.tuple("accuracy >= 0.75", "slice=b", true));
        Verdict failedOnA = report.checks().get(4);
        assertThat(failedOnA.key()).containsExactly(Map.entry("slice", "a"));
        assertThat(failedOnA.value()).isEqualTo(0.5);
        assertThat(failedOnA.kind()).isEqualTo("absolute");
        assertThat(failedOnA.describe()).startsWith("check FAILED: accuracy >= 0.75  [slice=a]");
        assertThat(report.passed()).isFalse();
        assertThat(report.failed()).isEqualTo(2);
        assertThat(report.output()).as("run() writes nothing").isNull();
        assertThat(report.scored().count()).isEqualTo(5);
    }

    @Test
    void toJsonIsTheSummaryJsonThatWriteWrites() throws Exception {
        Path out = tmp.resolve("out");
        AuditReport report = audit().output(out.toString()).meta("model", "v7").write();
        assertThat(report.output()).isEqualTo(out.toString());
        assertThat(Files.readString(out.resolve("summary.json"))).isEqualTo(report.toJson());
        assertThat(out.resolve("report.html")).exists();
        assertThat(out.resolve("_SUCCESS")).exists();

        JsonNode json = JSON.readTree(report.toJson());
        assertThat(json.at("/overall/rows").asLong()).isEqualTo(5);
        assertThat(json.at("/overall/mean_kl").asDouble()).isEqualTo(report.overall().meanKl());
        assertThat(json.at("/config/input").isNull()).as("a frame has no path").isTrue();
        assertThat(json.at("/config/format").asText()).isEqualTo(AuditSettings.FRAME_FORMAT);
        assertThat(json.at("/config/meta/model").asText()).isEqualTo("v7");
        assertThat(json.at("/verdict/failed").asInt()).isEqualTo(2);
        assertThat(json.at("/run/tag").asText()).as("the output's name").isEqualTo("out");
        // invalid/ holds the quarantined row, as the command line writes it
        assertThat(spark.read().parquet(out.resolve("invalid").toString()).count()).isEqualTo(1);
    }

    @Test
    void whereFiltersTheFrame() {
        AuditReport report = Smoothkl.audit(frame()).preset("seed").epsilon(EPS).ignoreIndex(-1).groupBy("slice")
                .where("slice = 'a'").run();
        assertThat(report.overall().rows()).isEqualTo(2);
        assertThat(report.slices()).extracting(Summary::label).containsExactly("slice=a");
        assertThat(report.config()).containsEntry("where", "slice = 'a'");
        assertThatThrownBy(() -> audit().where("slice = = 'a'").run()).isInstanceOf(AuditInputException.class)
                .hasMessageStartingWith("--where slice = = 'a': ");
    }

    @Test
    void aFrameStandsForTheInputSettings() {
        for (String key : List.of("input", "table", "format")) {
            assertThatThrownBy(() -> audit().set(key, "x").run()).isInstanceOf(AuditInputException.class)
                    .hasMessageStartingWith("--" + key + " x: an audit of a DataFrame takes its rows from the frame");
        }
        assertThatThrownBy(() -> audit().option("versionAsOf", "3").spec()).isInstanceOf(AuditInputException.class)
                .hasMessageStartingWith("--option {versionAsOf=3}: an audit of a DataFrame");
        assertThatThrownBy(() -> audit().set("epsilom", 0.1)).isInstanceOf(AuditInputException.class)
                .hasMessage("unknown setting 'epsilom'; did you mean epsilon?");
        assertThatThrownBy(() -> audit().write()).as("write() needs --output").isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--output");
    }

    @Test
    void anOutputOverTheFramesFilesIsRefused() throws Exception {
        Path data = tmp.resolve("data");
        frame().write().parquet(data.toString());
        Dataset<Row> read = spark.read().parquet(data.toString());
        assertThatThrownBy(() -> Smoothkl.audit(read).preset("seed").epsilon(EPS).output(data.toString()).overwrite(true).write())
                .isInstanceOf(AuditInputException.class)
                .hasMessageContaining("the DataFrame's input")
                .hasMessageContaining("nothing was touched");
        assertThat(spark.read().parquet(data.toString()).count()).isEqualTo(5);
    }
}
