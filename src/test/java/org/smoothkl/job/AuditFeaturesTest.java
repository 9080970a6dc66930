package org.smoothkl.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.Metric;
import org.smoothkl.output.HistoryTable;

/**
 * Thresholds, baselines, history and the report command through the command line, on data of
 * `generate` at ε = 0.1 (the baseline) and ε = 0.3 (this run): the acceptance.
 */
class AuditFeaturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROWS = "30000";
    private static final SparkSession spark = SparkTestSession.get();

    @TempDir
    static Path tmp;
    static Path gen01;
    static Path gen03;
    static Path base;
    static Path history;

    @BeforeAll
    static void generateAndAuditTheBaseline() {
        gen01 = tmp.resolve("gen-eps0.1");
        gen03 = tmp.resolve("gen-eps0.3");
        for (Object[] g : new Object[][] {{gen01, "0.1"}, {gen03, "0.3"}}) {
            CliRun r = CliRun.of("generate", "--rows", ROWS, "--classes", "100", "--epsilon", (String) g[1], "--slices", "3",
                    "--output", g[0].toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
        }
        base = tmp.resolve("audit-eps0.1");
        history = tmp.resolve("history");
        CliRun b = audit(gen01, "0.1", base, "--history", history.toString(), "--run-tag", "baseline");
        assertThat(b.exitCode()).as(b.err()).isZero();
    }

    private static CliRun audit(Path input, String epsilon, Path output, String... more) {
        List<String> args = new ArrayList<>(List.of("run", "--input", input.toString(), "--preset", "seed", "--epsilon", epsilon,
                "--group-by", "slice", "--output", output.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static JsonNode summary(Path dir) throws IOException {
        return JSON.readTree(dir.resolve("summary.json").toFile());
    }

    /** overall and the slices of a summary.json, by label. */
    private static Map<String, JsonNode> parts(JsonNode summary) {
        Map<String, JsonNode> m = new HashMap<>();
        m.put("overall", summary.get("overall"));
        summary.get("slices").forEach(s -> m.put("slice=" + s.at("/key/slice").asText(), s));
        return m;
    }

    @Test
    void aBrokenThresholdExits3AfterWritingEveryOutputAndNamesTheCheck() throws IOException {
        Path out = tmp.resolve("breaks");
        // slice-2 is generated at accuracy 0.68: "accuracy>=0.75" breaks there only.
        CliRun r = audit(gen03, "0.3", out, "--check", "accuracy>=0.75", "--check", "mean_kl<=5");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.out()).contains("check FAILED: accuracy>=0.75  [slice=slice-2]  accuracy = 0.68")
                .contains("checks: 1 of 8 verdicts FAILED (exit code 3");
        assertThat(r.out()).doesNotContain("check FAILED: mean_kl");
        for (String f : List.of("_SUCCESS", "summary.json", "report.html", "histograms.csv", "histograms", "invalid")) {
            assertThat(out.resolve(f)).as(f).exists();
        }
        JsonNode s = summary(out);
        assertThat(s.at("/verdict/passed").asBoolean()).isFalse();
        assertThat(s.at("/verdict/checks").asInt()).isEqualTo(8);
        assertThat(s.at("/verdict/failed").asInt()).isEqualTo(1);
        List<JsonNode> failed = new ArrayList<>();
        s.get("checks").forEach(c -> {
            if (!c.get("passed").asBoolean()) {
                failed.add(c);
            }
        });
        assertThat(failed).hasSize(1);
        JsonNode f = failed.get(0);
        assertThat(f.get("check").asText()).isEqualTo("accuracy>=0.75");
        assertThat(f.get("slice").asText()).isEqualTo("slice=slice-2");
        assertThat(f.get("kind").asText()).isEqualTo("absolute");
        assertThat(f.get("bound").asText()).isEqualTo(">= 0.75");
        assertThat(f.get("value").asDouble()).isEqualTo(parts(s).get("slice=slice-2").get("accuracy").asDouble());
        assertThat(s.at("/config/checks").size()).isEqualTo(2);

        // The same run without the breaking threshold, or with none, exits 0.
        CliRun passing = audit(gen03, "0.3", tmp.resolve("passes"), "--check", "accuracy>=0.6", "--check", "mean_kl<=5");
        assertThat(passing.exitCode()).as(passing.out() + passing.err()).isZero();
        assertThat(passing.out()).contains("checks: all 8 verdicts passed").doesNotContain("FAILED");
        assertThat(summary(tmp.resolve("passes")).at("/verdict/passed").asBoolean()).isTrue();
        CliRun none = audit(gen03, "0.3", tmp.resolve("no-checks"));
        assertThat(none.exitCode()).as(none.err()).isZero();
        JsonNode noChecks = summary(tmp.resolve("no-checks"));
        assertThat(noChecks.get("checks")).isEmpty();
        assertThat(noChecks.at("/verdict/passed").asBoolean()).isTrue();
        assertThat(noChecks.get("baseline").isNull()).isTrue();
    }

    @Test
    void epsilon01AgainstEpsilon03HasALargePsiAndAgainstItselfZero() throws IOException {
        Path shifted = tmp.resolve("eps0.3-vs-0.1");
        CliRun r = audit(gen03, "0.3", shifted, "--baseline", base.toString(), "--check", "gap_psi<0.25",
                "--check", "delta(accuracy)>=-0.02", "--check", "ratio(mean_kl)<=1.1", "--history", history.toString(),
                "--run-tag", "shifted");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.out()).contains("gap PSI").contains("check FAILED: gap_psi<0.25  [overall]");
        JsonNode s = summary(shifted);
        JsonNode b = summary(base);
        assertThat(s.at("/baseline/path").asText()).isEqualTo(base.toString());
        Map<String, JsonNode> now = parts(s);
        Map<String, JsonNode> then = parts(b);
        assertThat(now).hasSize(4);
        for (Map.Entry<String, JsonNode> e : now.entrySet()) {
            JsonNode cmp = e.getValue().get("baseline");
            assertThat(cmp.get("gap_psi").asDouble()).as("PSI %s", e.getKey()).isGreaterThan(1.0);
            assertThat(cmp.get("gap_js").asDouble()).as("JS %s", e.getKey()).isBetween(0.3, 1.0);
            // Every metric's difference and ratio, from the two summary.json files as written.
            for (Metric m : Metric.values()) {
                JsonNode x = m == Metric.PRESET_LOSS ? e.getValue().at("/preset_loss/value") : e.getValue().get(m.code());
                JsonNode y = m == Metric.PRESET_LOSS ? then.get(e.getKey()).at("/preset_loss/value")
                        : then.get(e.getKey()).get(m.code());
                assertThat(cmp.at("/values/" + m.code()).asDouble()).as(m.code()).isEqualTo(y.asDouble());
                assertThat(cmp.at("/difference/" + m.code()).asDouble()).as(m.code()).isEqualTo(x.asDouble() - y.asDouble());
                if (y.asDouble() != 0) {
                    assertThat(cmp.at("/ratio/" + m.code()).asDouble()).as(m.code()).isEqualTo(x.asDouble() / y.asDouble());
                }
            }
            // The baseline's histogram and reliability table ride along for the report's overlays.
            assertThat(cmp.at("/gap_histogram/counts")).isEqualTo(then.get(e.getKey()).at("/gap_histogram/counts"));
            assertThat(cmp.get("reliability")).isEqualTo(then.get(e.getKey()).get("reliability"));
        }
        List<String> kinds = new ArrayList<>();
        s.get("checks").forEach(c -> kinds.add(c.get("kind").asText()));
        assertThat(kinds).containsOnly("distance", "difference", "ratio");

        Path self = tmp.resolve("eps0.1-vs-itself");
        CliRun same = audit(gen01, "0.1", self, "--baseline", base.toString(), "--check", "gap_psi<=0", "--check", "gap_js<=0");
        assertThat(same.exitCode()).as(same.out() + same.err()).isZero();
        for (Map.Entry<String, JsonNode> e : parts(summary(self)).entrySet()) {
            JsonNode cmp = e.getValue().get("baseline");
            assertThat(cmp.get("gap_psi").asDouble()).as("PSI %s", e.getKey()).isEqualTo(0.0);
            assertThat(cmp.get("gap_js").asDouble()).as("JS %s", e.getKey()).isEqualTo(0.0);
            assertThat(cmp.at("/difference/rows").asDouble()).isZero();
            assertThat(cmp.at("/difference/accuracy").asDouble()).isZero();
            assertThat(Math.abs(cmp.at("/difference/mean_kl").asDouble()))
                    .isLessThanOrEqualTo(1e-12 * e.getValue().get("mean_kl").asDouble());
        }
    }

    @Test
    void historyOnlyGrowsAndKeepsEarlierFilesUntouched() throws IOException {
        Path h = tmp.resolve("history-own");
        CliRun first = audit(gen01, "0.1", tmp.resolve("h1"), "--history", h.toString(), "--run-tag", "day-1");
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("appended to " + h);
        Map<Path, byte[]> before = files(h);
        assertThat(before).hasSize(1);

        CliRun second = audit(gen03, "0.3", tmp.resolve("h2"), "--history", h.toString(), "--baseline", tmp.resolve("h1").toString(),
                "--check", "accuracy>=0.75");
        assertThat(second.exitCode()).isEqualTo(3);
        Map<Path, byte[]> after = files(h);
        assertThat(after).hasSize(2).containsKeys(before.keySet().toArray(Path[]::new));
        before.forEach((p, bytes) -> assertThat(after.get(p)).as("%s unchanged", p).isEqualTo(bytes));

        Dataset<Row> table = spark.read().parquet(h.toString());
        assertThat(table.columns()).contains("run_time", "run_tag", "slice", "slice_key", "mean_kl", "accuracy", "ece",
                "gap_psi", "gap_js", "checks", "checks_failed");
        assertThat(table.count()).isEqualTo(8);
        List<Row> tags = table.groupBy("run_tag").count().orderBy("run_tag").collectAsList();
        assertThat(tags).extracting(t -> t.getString(0) + ":" + t.getLong(1)).containsExactly("day-1:4", "h2:4");
        Row failing = table.where("run_tag = 'h2' AND slice = 'slice=slice-2'").first();
        assertThat(failing.<Integer>getAs("checks_failed")).isEqualTo(1);
        assertThat(failing.<Double>getAs("gap_psi")).isGreaterThan(1.0);
        assertThat(table.where("run_tag = 'day-1'").where("gap_psi IS NOT NULL").count()).isZero();
        Row overall = table.where("run_tag = 'day-1' AND slice = 'overall'").first();
        assertThat(overall.<Long>getAs("rows")).isEqualTo(Long.parseLong(ROWS));
        assertThat(overall.getJavaMap(overall.fieldIndex("slice_key"))).isEmpty();
        Row slice0 = table.where("run_tag = 'day-1' AND slice = 'slice=slice-0'").first();
        assertThat(slice0.getJavaMap(slice0.fieldIndex("slice_key"))).containsEntry("slice", "slice-0");
    }

    @Test
    void concurrentAppendsDoNotClobberEachOther() throws Exception {
        Path h = tmp.resolve("history-concurrent");
        int writers = 4;
        int rowsEach = 3;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                Callable<Void> append = () -> {
                    List<Row> rows = new ArrayList<>();
                    for (int i = 0; i < rowsEach; i++) {
                        rows.add(row(Instant.parse("2026-11-28T00:00:00Z").plusSeconds(id), "writer-" + id, i));
                    }
                    HistoryTable.append(spark, h.toString(), rows, Instant.now());
                    return null;
                };
                done.add(pool.submit(append));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Dataset<Row> table = spark.read().parquet(h.toString());
        assertThat(table.count()).isEqualTo((long) writers * rowsEach);
        assertThat(table.select("run_tag").distinct().count()).isEqualTo(writers);
        assertThat(files(h)).hasSize(writers);
        try (Stream<Path> left = Files.list(h)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .allMatch(n -> n.startsWith(HistoryTable.FILE_PREFIX) || n.startsWith("."), "only run files (and checksums)");
        }
    }

    /** A history row with the table's schema: run time, tag, and zeros. */
    private static Row row(Instant t, String tag, int i) {
        List<Object> v = new ArrayList<>(List.of(java.sql.Timestamp.from(t), tag, "out", "in", "seed", 0.1, "slice=" + i,
                Map.of("slice", Integer.toString(i)), "{\"slice\":{\"type\":\"int\",\"value\":" + i + "}}"));
        for (Metric m : Metric.values()) {
            v.add(m.isCount() ? (Object) 0L : (Object) 0.0);
        }
        v.addAll(List.of(0.0, 0.0, 0, 0));
        return RowFactory.create(v.toArray());
    }

    /** The history table's Parquet files and their bytes. */
    private static Map<Path, byte[]> files(Path dir) throws IOException {
        Map<Path, byte[]> m = new HashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
                m.put(p, Files.readAllBytes(p));
            }
        }
        return m;
    }

    @Test
    void reportReRendersAFinishedRunFromItsSummary() throws IOException {
        Path out = tmp.resolve("rerender");
        CliRun r = audit(gen03, "0.3", out, "--baseline", base.toString(), "--check", "accuracy>=0.6");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String original = Files.readString(out.resolve("report.html"));
        Files.writeString(out.resolve("report.html"), "stale");
        CliRun again = CliRun.of("report", "--output", out.toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("wrote " + out + "/report.html");
        assertThat(Files.readString(out.resolve("report.html"))).isEqualTo(original);
        try (Stream<Path> left = Files.list(out)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }

    @Test
    void badBaselinesAndReportsAreInputErrors() throws IOException {
        CliRun missing = audit(gen01, "0.1", tmp.resolve("x1"), "--baseline", tmp.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nope").contains("_SUCCESS");

        CliRun otherBins = audit(gen01, "0.1", tmp.resolve("x2"), "--baseline", base.toString(), "--bins", "40");
        assertThat(otherBins.exitCode()).isEqualTo(2);
        assertThat(otherBins.err()).contains("--bins").contains("--gap-range");
        assertThat(tmp.resolve("x2")).doesNotExist();

        CliRun noBaseline = audit(gen01, "0.1", tmp.resolve("x3"), "--check", "ratio(ece)<=1.2");
        assertThat(noBaseline.exitCode()).isEqualTo(2);
        assertThat(noBaseline.err()).contains("ratio(ece)<=1.2").contains("--baseline");

        CliRun badCheck = audit(gen01, "0.1", tmp.resolve("x4"), "--check", "accuracy >= high");
        assertThat(badCheck.exitCode()).isEqualTo(2);
        assertThat(badCheck.err()).contains("--check 'accuracy >= high'");

        Path unfinished = Files.createDirectories(tmp.resolve("unfinished"));
        Files.writeString(unfinished.resolve("summary.json"), "{}");
        CliRun report = CliRun.of("report", "--output", unfinished.toString());
        assertThat(report.exitCode()).isEqualTo(2);
        assertThat(report.err()).contains("not a finished smoothkl output");
    }
}
