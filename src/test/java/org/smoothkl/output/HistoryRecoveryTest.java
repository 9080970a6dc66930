package org.smoothkl.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.loss.Preset;

/**
 * The history append after a kill: a run's file is its own (appending the same run again adds
 * nothing), the staging directory a killed append left is deleted by the next append, and the
 * table then reads each run's rows once. The kills are simulated by leaving exactly what a kill
 * between the Spark write and the rename, or between the rename and the cleanup, leaves.
 */
class HistoryRecoveryTest {
    private static final SparkSession spark = SparkTestSession.get();
    private static final Instant T1 = Instant.parse("2026-12-01T10:00:00.123456789Z");
    private static final Instant T2 = Instant.parse("2026-12-02T10:00:00Z");

    @TempDir
    Path tmp;

    /** The history rows of a run of two slices (three rows with overall). */
    private static List<Row> rows(Instant started, String tag) {
        AuditSpec spec = new AuditSpec("in", InputFormat.PARQUET, "logits", "label", Preset.SEED, Preset.SEED.with(0.1, null),
                List.of("s"), new GapHistogramSpec(2, 0, 2), new CalibrationSpec(2), List.of(), null, "history", tag, "out/" + tag,
                false, false);
        Map<SliceKey, SliceSummary> slices = new LinkedHashMap<>();
        for (String s : List.of("a", "b")) {
            SliceSummary state = new SliceSummary(spec.histogram(), spec.calibration());
            state.addValidRow(0.5, 1, 1, 0.5, 0.9, true, 10);
            slices.put(new SliceKey(List.of("s"), List.of(s)), state);
        }
        AuditResult result = AuditResult.of(spec, slices);
        return HistoryTable.rows(started, spec, Assessment.of(result, null));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static List<String> table(Path dir) {
        return spark.read().schema(HistoryTable.schema()).parquet(dir.toString()).orderBy("run_tag", "slice").collectAsList().stream()
                .map(r -> r.<String>getAs("run_tag") + " " + r.<String>getAs("slice")).toList();
    }

    /** What a killed append leaves: its staging directory, named for {@code owner}, holding the run's finished Spark write. */
    private static Path leftStaging(Path dir, OutputClaim.Owner owner, List<Row> rows) {
        Path staging = dir.resolve(HistoryTable.stagingName(owner));
        spark.createDataFrame(rows, HistoryTable.schema()).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                .parquet(staging.toString());
        return staging;
    }

    /** An owner on this host whose process has exited. */
    private static OutputClaim.Owner deadOwner() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        OutputClaim.Owner me = OutputClaim.Owner.current();
        return new OutputClaim.Owner(UUID.randomUUID().toString(), me.host(), p.pid(), 0, "");
    }

    @Test
    void appendingTheSameRunAgainAddsNothing() throws IOException {
        Path h = tmp.resolve("history");
        assertThat(HistoryTable.append(spark, h.toString(), rows(T1, "day-1"), T1)).isTrue();
        List<String> once = names(h);
        assertThat(once).singleElement().asString().startsWith("run-" + T1.toEpochMilli() + "-day-1-").endsWith(".parquet");
        assertThat(HistoryTable.append(spark, h.toString(), rows(T1, "day-1"), T1)).as("the same run").isFalse();
        assertThat(names(h)).isEqualTo(once);
        // Another start, tag or output is another run.
        assertThat(HistoryTable.append(spark, h.toString(), rows(T2, "day-1"), T2)).isTrue();
        assertThat(HistoryTable.append(spark, h.toString(), rows(T1, "day-1b"), T1)).isTrue();
        assertThat(names(h)).hasSize(3);
        assertThat(table(h)).containsExactly("day-1 overall", "day-1 overall", "day-1 s=a", "day-1 s=a", "day-1 s=b", "day-1 s=b",
                "day-1b overall", "day-1b s=a", "day-1b s=b");
        assertThat(HistoryTable.fileName(T1, "a/b c", "o")).startsWith("run-" + T1.toEpochMilli() + "-a_b_c-");
        assertThat(HistoryTable.fileName(T1, "t", "out-1")).isNotEqualTo(HistoryTable.fileName(T1, "t", "out-2"));
    }

    @Test
    void aKillBeforeTheRenameIsMadeGoodByTheNextAppendOfTheRun() throws Exception {
        Path h = tmp.resolve("history");
        Files.createDirectories(h);
        Path staging = leftStaging(h, deadOwner(), rows(T1, "killed"));
        assertThat(table(h)).as("readers skip the staging directory").isEmpty();

        assertThat(HistoryTable.append(spark, h.toString(), rows(T1, "killed"), T1)).isTrue();
        assertThat(staging).doesNotExist();
        assertThat(names(h)).singleElement().asString().startsWith("run-");
        assertThat(table(h)).containsExactly("killed overall", "killed s=a", "killed s=b");
    }

    @Test
    void aKillAfterTheRenameLeavesTheRowsOnceAndTheStagingDirectoryForTheNextAppend() throws Exception {
        Path h = tmp.resolve("history");
        assertThat(HistoryTable.append(spark, h.toString(), rows(T1, "renamed"), T1)).isTrue();
        Path staging = leftStaging(h, deadOwner(), rows(T1, "renamed"));
        try (Stream<Path> files = Files.list(staging)) { // the rename took the Parquet file
            Files.delete(files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow());
        }

        assertThat(HistoryTable.append(spark, h.toString(), rows(T1, "renamed"), T1)).isFalse();
        assertThat(staging).doesNotExist();
        assertThat(table(h)).containsExactly("renamed overall", "renamed s=a", "renamed s=b");
    }

    @Test
    void theNextAppendDeletesStagingDirectoriesWhoseOwnerIsGoneAndKeepsLiveOnes() throws Exception {
        Path h = tmp.resolve("history");
        Files.createDirectories(h);
        OutputClaim.Owner me = OutputClaim.Owner.current();
        OutputClaim.Owner elsewhere = new OutputClaim.Owner(UUID.randomUUID().toString(), "another-host", me.pid(), 0, "");
        FileTime twoHoursAgo = FileTime.from(Instant.now().minus(HistoryTable.STAGING_STALE_AFTER).minusSeconds(3600));
        Map<String, Boolean> kept = new LinkedHashMap<>();
        Map<String, Path> dirs = new LinkedHashMap<>();
        dirs.put("dead process on this host", leftStaging(h, deadOwner(), rows(T1, "x")));
        kept.put("dead process on this host", false);
        dirs.put("this live process", leftStaging(h, me, rows(T1, "x")));
        kept.put("this live process", true);
        dirs.put("another host, recent", leftStaging(h, elsewhere, rows(T1, "x")));
        kept.put("another host, recent", true);
        dirs.put("another host, old", leftStaging(h, new OutputClaim.Owner(UUID.randomUUID().toString(), "another-host", 1, 0, ""),
                rows(T1, "x")));
        Files.setLastModifiedTime(dirs.get("another host, old"), twoHoursAgo);
        kept.put("another host, old", false);
        Path unnamedOld = Files.createDirectories(h.resolve(HistoryTable.STAGING_PREFIX + UUID.randomUUID()));
        Files.setLastModifiedTime(unnamedOld, twoHoursAgo);
        dirs.put("no owner (an older version), old", unnamedOld);
        kept.put("no owner (an older version), old", false);
        dirs.put("no owner, recent", Files.createDirectories(h.resolve(HistoryTable.STAGING_PREFIX + UUID.randomUUID())));
        kept.put("no owner, recent", true);

        assertThat(HistoryTable.append(spark, h.toString(), rows(T2, "next"), T2)).isTrue();
        kept.forEach((what, stays) -> assertThat(Files.exists(dirs.get(what))).as(what).isEqualTo(stays));
        assertThat(table(h)).containsExactly("next overall", "next s=a", "next s=b");
    }
}
