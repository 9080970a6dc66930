package org.smoothkl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;
import org.smoothkl.output.TreeSnapshot;
import org.smoothkl.output.SyntheticOutput;

/**
 * generate writes its dataset as run writes its output: refused over an existing directory
 * without --overwrite; with it, replaced whole, and a write that fails leaves the old dataset.
 */
class GenerateOutputTest {
    @TempDir
    Path tmp;

    private CliRun generate(Path out, long rows, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("generate", "--rows", Long.toString(rows),
                "--classes", "4", "--slices", "2", "--output", out.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static long rows(Path dataset) {
        return SparkTestSession.get().read().parquet(dataset.toString()).count();
    }

    /** The names beside the dataset: no lock file, no temporary or moved-aside directory left. */
    private List<String> besideIt() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anExistingDirectoryNeedsOverwriteAndIsThenReplacedWhole() throws IOException {
        Path data = tmp.resolve("data");
        assertThat(generate(data, 50).exitCode()).isZero();
        assertThat(data.resolve("_SUCCESS")).exists();
        Map<String, String> old = TreeSnapshot.of(tmp);

        CliRun refused = generate(data, 80);
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(refused.err().strip()).isEqualTo("smoothkl: error: output " + data + " already exists; give --overwrite to replace it");
        assertThat(TreeSnapshot.of(tmp)).isEqualTo(old);

        CliRun replaced = generate(data, 80, "--overwrite");
        assertThat(replaced.exitCode()).as(replaced.err()).isZero();
        assertThat(rows(data)).isEqualTo(80);
        assertThat(besideIt()).containsExactly("data");
    }

    @Test
    void aFailedWriteLeavesTheOldDatasetAndNothingBesideIt() throws IOException {
        Path data = tmp.resolve("data");
        assertThat(generate(data, 50).exitCode()).isZero();
        Map<String, String> old = TreeSnapshot.of(tmp);

        // Zero slices: every task fails (id % 0) after the temporary directory was created.
        assertThatThrownBy(() -> SyntheticOutput.write(SparkTestSession.get(), 80, 4, 0.1, 0, 1, data.toString(), true))
                .hasStackTraceContaining("ArithmeticException");

        assertThat(TreeSnapshot.of(tmp)).isEqualTo(old);
        assertThat(rows(data)).isEqualTo(50);
    }
}
