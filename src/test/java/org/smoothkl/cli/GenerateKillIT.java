package org.smoothkl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.ChildJvms;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;
import org.smoothkl.output.AtomicOutput;
import org.smoothkl.output.TreeSnapshot;

/**
 * {@code generate --overwrite} killed in its commit (a child JVM halted as by kill -9 at
 * {@link AtomicOutput}'s points) leaves the old dataset, never the old one deleted and the new
 * one half-written; the next generate puts back an old dataset the killed one had moved aside.
 */
class GenerateKillIT {
    @TempDir
    static Path tmp;

    private static String[] generate(Path out, long rows, boolean overwrite) {
        return Stream.concat(Stream.of("generate", "--rows", Long.toString(rows), "--classes", "4", "--output", out.toString()),
                overwrite ? Stream.of("--overwrite") : Stream.empty()).toArray(String[]::new);
    }

    private static long rows(Path dataset) {
        return SparkTestSession.get().read().parquet(dataset.toString()).count();
    }

    private static List<Path> beside(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out.getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith("." + out.getFileName() + ".")).toList();
        }
    }

    @Test
    void aKilledGenerateKeepsOrRestoresTheOldDataset() throws IOException {
        Path beforeRename = tmp.resolve("before-rename");
        Path movedAside = tmp.resolve("moved-aside");
        Map<Path, Map<String, String>> old = new java.util.HashMap<>();
        for (Path out : List.of(beforeRename, movedAside)) {
            assertThat(CliRun.of(generate(out, 50, false)).exitCode()).isZero();
            old.put(out, TreeSnapshot.of(out));
        }
        try (ChildJvms children = new ChildJvms(tmp.resolve("logs"))) {
            ChildJvms.Child a = children.submit("gen-before-rename", "local[1]",
                    List.of("-D" + AtomicOutput.HALT_PROPERTY + "=before-rename"), List.of(), List.of(generate(beforeRename, 80, true)));
            ChildJvms.Child b = children.submit("gen-old-moved-aside", "local[1]",
                    List.of("-D" + AtomicOutput.HALT_PROPERTY + "=old-moved-aside"), List.of(), List.of(generate(movedAside, 80, true)));
            for (ChildJvms.Child c : List.of(a, b)) {
                assertThat(c.waitFor(Duration.ofMinutes(10))).as(c.err()).isEqualTo(137);
            }
        }

        // Killed before its rename: the old dataset as it was; the new one, whole, in a hidden sibling.
        assertThat(TreeSnapshot.of(beforeRename)).isEqualTo(old.get(beforeRename));
        assertThat(beside(beforeRename)).filteredOn(p -> p.getFileName().toString().contains(".tmp-"))
                .singleElement().satisfies(t -> assertThat(rows(t)).isEqualTo(80));

        // Killed with the old dataset moved aside: the next generate puts it back (and refuses it).
        assertThat(movedAside).doesNotExist();
        CliRun plain = CliRun.of(generate(movedAside, 80, false));
        assertThat(plain.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(plain.err()).contains("already exists; give --overwrite");
        assertThat(TreeSnapshot.of(movedAside)).isEqualTo(old.get(movedAside));

        // Rerun: replaced whole, nothing left beside.
        for (Path out : List.of(beforeRename, movedAside)) {
            CliRun rerun = CliRun.of(generate(out, 80, true));
            assertThat(rerun.exitCode()).as(rerun.err()).isZero();
            assertThat(rows(out)).isEqualTo(80);
            assertThat(beside(out)).isEmpty();
        }
    }
}
