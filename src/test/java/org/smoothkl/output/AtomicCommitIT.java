package org.smoothkl.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.ChildJvms;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;

/**
 * The output commit under kills: a driver (a child JVM running the packaged job through
 * SparkSubmit) is halted at each named point of {@link AtomicOutput}'s commit, as a kill -9
 * would stop it. Each time the output directory is either absent or complete with _SUCCESS,
 * and a rerun of the same command succeeds over what the killed run left (its claim, its
 * temporary directory, an old result it had moved aside), leaving nothing else behind.
 */
class AtomicCommitIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long ROWS = 3000;

    @TempDir
    static Path tmp;
    private static Path input;
    private static JsonNode expected;
    private static ChildJvms children;

    @BeforeAll
    static void generate() throws IOException {
        input = tmp.resolve("input");
        SyntheticOutput.write(SparkTestSession.get(), ROWS, 10, 0.1, 3, 7, input.toString(), false);
        CliRun reference = CliRun.of(args(tmp.resolve("reference"), false));
        assertThat(reference.exitCode()).as(reference.err()).isZero();
        expected = overall(tmp.resolve("reference"));
        children = new ChildJvms(tmp.resolve("logs"));
    }

    @AfterAll
    static void stopChildren() {
        children.close();
    }

    private static String[] args(Path out, boolean overwrite) {
        List<String> a = new ArrayList<>(List.of("run", "--input", input.toString(), "--preset", "seed",
                "--epsilon", "0.1", "--group-by", "slice", "--output", out.toString()));
        if (overwrite) {
            a.add("--overwrite");
        }
        return a.toArray(String[]::new);
    }

    private static JsonNode overall(Path out) throws IOException {
        return JSON.readTree(out.resolve("summary.json").toFile()).get("overall");
    }

    /** Starts the job in a child JVM that halts at {@code point}. */
    private static ChildJvms.Child haltingAt(String point, Path out, boolean overwrite) {
        return children.submit("halt-" + point, "local[1]",
                List.of("-D" + AtomicOutput.HALT_PROPERTY + "=" + point), List.of(), List.of(args(out, overwrite)));
    }

    private static void assertHalted(ChildJvms.Child child, String point) {
        int code = child.waitFor(Duration.ofMinutes(15));
        assertThat(code).as(child.err()).isEqualTo(AtomicOutput.HALT_EXIT);
        assertThat(child.err()).contains("halting at " + point);
    }

    private static void assertAbsentOrComplete(Path out) throws IOException {
        if (Files.exists(out)) {
            assertThat(out.resolve(AtomicOutput.SUCCESS)).exists();
            assertThat(overall(out)).isEqualTo(expected);
        }
    }

    private static List<String> siblingsOf(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out.getParent())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("." + out.getFileName() + ".")).toList();
        }
    }

    /**
     * A lock a full disk left empty does not block the next run, and that run's roll-back leaves
     * alone another output's temporary directory whose name starts like its own.
     */
    @Test
    void aLockLeftEmptyDoesNotBlockTheNextRun() throws IOException {
        Path out = tmp.resolve("disk-was-full");
        Files.write(tmp.resolve(".disk-was-full.lock"), new byte[0]);
        String neighbours = ".disk-was-full.tmp-1.tmp-" + java.util.UUID.randomUUID(); // output "disk-was-full.tmp-1"
        Files.createDirectories(tmp.resolve(neighbours));
        CliRun run = CliRun.of(args(out, false));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(overall(out)).isEqualTo(expected);
        assertThat(siblingsOf(out)).containsExactly(neighbours);
    }

    /**
     * The driver killed at each point of the commit. The four killed runs (child JVMs) run at
     * once, each against its own output; then each output is checked and rerun.
     */
    @Test
    void killedAtEachPointOfTheCommit() throws IOException {
        Path claimed = tmp.resolve("claimed");
        Path beforeRename = tmp.resolve("before-rename");
        Path movedAside = tmp.resolve("moved-aside");
        Path renamed = tmp.resolve("renamed");
        for (Path old : List.of(movedAside, renamed)) { // --overwrite runs: an older result is there
            Files.createDirectories(old);
            Files.writeString(old.resolve("previous.txt"), "the previous result");
        }
        ChildJvms.Child a = haltingAt("claimed", claimed, false);
        ChildJvms.Child b = haltingAt("before-rename", beforeRename, false);
        ChildJvms.Child c = haltingAt("old-moved-aside", movedAside, true);
        ChildJvms.Child d = haltingAt("renamed", renamed, true);
        assertHalted(a, "claimed");
        assertHalted(b, "before-rename");
        assertHalted(c, "old-moved-aside");
        assertHalted(d, "renamed");

        // Right after the kill: absent, or complete with _SUCCESS. The dead runs' claims are left.
        for (Path out : List.of(claimed, beforeRename, movedAside, renamed)) {
            assertAbsentOrComplete(out);
            assertThat(siblingsOf(out)).as("claim left by the killed run").contains("." + out.getFileName() + ".lock");
        }
        assertThat(claimed).doesNotExist();
        assertThat(beforeRename).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) { // complete, but never renamed into place
            assertThat(s.filter(p -> p.getFileName().toString().startsWith(".before-rename.tmp-")))
                    .singleElement().satisfies(t -> assertThat(t.resolve(AtomicOutput.SUCCESS)).exists());
        }
        assertThat(movedAside).as("--overwrite killed with the old result moved aside").doesNotExist();
        assertThat(renamed.resolve(AtomicOutput.SUCCESS)).as("killed after its rename: the new result").exists();
        assertThat(siblingsOf(renamed)).anyMatch(n -> n.contains(".old-"));

        // The next run rolls an interrupted commit back: the old result moved aside returns.
        CliRun plain = CliRun.of(args(movedAside, false));
        assertThat(plain.exitCode()).isEqualTo(2);
        assertThat(plain.err()).contains("already exists");
        assertThat(movedAside.resolve("previous.txt")).hasContent("the previous result");

        // A rerun of each command succeeds over what the killed run left, and leaves nothing beside.
        for (Path out : List.of(claimed, beforeRename, movedAside, renamed)) {
            boolean overwrite = out.equals(movedAside) || out.equals(renamed);
            CliRun rerun = CliRun.of(args(out, overwrite));
            assertThat(rerun.exitCode()).as(out + ": " + rerun.err()).isZero();
            assertThat(out.resolve(AtomicOutput.SUCCESS)).exists();
            assertThat(out.resolve("previous.txt")).doesNotExist();
            assertThat(overall(out)).isEqualTo(expected);
            assertThat(siblingsOf(out)).as("nothing left beside " + out).isEmpty();
        }
    }
}
