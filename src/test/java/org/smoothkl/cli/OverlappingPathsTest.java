package org.smoothkl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.output.TreeSnapshot;

/**
 * No run destroys what it reads, rule 1, through the command line: every shape of a written path
 * (--output, --history, demo's --sample) that equals, contains or lies inside a read one (--input,
 * --baseline) or another written one is refused with exit 2 and one line naming both, before
 * anything is touched: every file and directory around the workspace is as it was, no lock file,
 * no temporary directory. Neighbours that only look alike still run.
 */
class OverlappingPathsTest {
    @TempDir
    static Path tmp;
    /** A generated dataset and one audit of it (a valid --baseline), copied into each workspace. */
    private static Path dataset;
    private static Path audit;

    @BeforeAll
    static void generateOnce() {
        dataset = tmp.resolve("template/data");
        audit = tmp.resolve("template/audit");
        CliRun gen = CliRun.of("generate", "--rows", "300", "--classes", "5", "--slices", "2", "--output", dataset.toString());
        assertThat(gen.exitCode()).as(gen.err()).isZero();
        CliRun run = CliRun.of(runArgs("--input", dataset.toString(), "--output", audit.toString()));
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    private static String[] runArgs(String... more) {
        List<String> a = new ArrayList<>(List.of("run", "--preset", "seed", "--epsilon", "0.1", "--group-by", "slice"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /**
     * A workspace {@code root/ws}: data/ (the dataset), link -&gt; data, base/ (an audit),
     * audits/base/ (an audit one level down) and audits/run.conf (a config file). The snapshot covers root, so also ws's own listing.
     */
    private static Path workspace() throws IOException {
        Path root = Files.createTempDirectory(tmp, "case").toRealPath(); // messages show real paths
        Path ws = root.resolve("ws");
        Files.createDirectories(ws.resolve("audits"));
        TreeSnapshot.copy(dataset, ws.resolve("data"));
        TreeSnapshot.copy(audit, ws.resolve("base"));
        TreeSnapshot.copy(audit, ws.resolve("audits/base"));
        Files.createSymbolicLink(ws.resolve("link"), ws.resolve("data"));
        Files.writeString(ws.resolve("audits/run.conf"), "smoothkl.run { bins = 50 }\n");
        return ws;
    }

    /** A refused shape: its arguments and what the error must name, with {ws} for the workspace. */
    record Shape(String name, List<String> args, List<String> named) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Shape run(String name, String args, String... named) {
        List<String> a = new ArrayList<>(List.of(runArgs()));
        a.addAll(List.of(args.split(" ")));
        return new Shape(name, a, List.of(named));
    }

    private static Shape other(String name, String args, String... named) {
        return new Shape(name, List.of(args.split(" ")), List.of(named));
    }

    static Stream<Shape> refused() {
        return Stream.of(
                run("output is the input", "--input {ws}/data --output {ws}/data --overwrite",
                        "--output {ws}/data is the same path as --input {ws}/data"),
                run("output is the input's parent", "--input {ws}/data --output {ws} --overwrite",
                        "--output {ws} contains --input {ws}/data"),
                run("output inside the input", "--input {ws}/data --output {ws}/data/out",
                        "--output {ws}/data/out lies inside --input {ws}/data"),
                run("output is a symlink to the input", "--input {ws}/data --output {ws}/link --overwrite",
                        "--output {ws}/link (file:{ws}/data) is the same path as --input {ws}/data"),
                run("output under a symlink to the input", "--input {ws}/data --output {ws}/link/out",
                        "--output {ws}/link/out (file:{ws}/data/out) lies inside --input {ws}/data"),
                run("input through a symlink", "--input {ws}/link --output {ws}/data/out",
                        "--output {ws}/data/out lies inside --input {ws}/link (file:{ws}/data)"),
                run("output in a glob input's directory", "--input {ws}/data/*.parquet --output {ws}/data/out",
                        "--output {ws}/data/out lies inside --input {ws}/data/*.parquet (file:{ws}/data)"),
                run("output is a glob input's directory", "--input {ws}/data/part-* --output {ws}/data --overwrite",
                        "--output {ws}/data is the same path as --input {ws}/data/part-* (file:{ws}/data)"),
                run("'..' leads back to the input", "--input {ws}/data --output {ws}/base/../data --overwrite",
                        "--output {ws}/base/../data is the same path as --input {ws}/data"),
                run("history inside the input", "--input {ws}/data --output {ws}/new --history {ws}/data/history",
                        "--history {ws}/data/history lies inside --input {ws}/data"),
                run("history inside the output", "--input {ws}/data --output {ws}/new --history {ws}/new/history",
                        "--output {ws}/new contains --history {ws}/new/history"),
                run("output inside the history", "--input {ws}/data --output {ws}/history/run --history {ws}/history",
                        "--output {ws}/history/run lies inside --history {ws}/history"),
                run("history inside the baseline", "--input {ws}/data --output {ws}/new --baseline {ws}/base --history {ws}/base/h",
                        "--history {ws}/base/h lies inside --baseline {ws}/base"),
                run("baseline is the output", "--input {ws}/data --baseline {ws}/base --output {ws}/base --overwrite",
                        "--output {ws}/base is the same path as --baseline {ws}/base"),
                run("output contains the baseline", "--input {ws}/data --baseline {ws}/audits/base --output {ws}/audits --overwrite",
                        "--output {ws}/audits contains --baseline {ws}/audits/base"),
                run("output contains the --config file", "--input {ws}/data --config {ws}/audits/run.conf --output {ws}/audits --overwrite",
                        "--output {ws}/audits contains --config {ws}/audits/run.conf"),
                other("demo: sample is the output", "demo --sample {ws}/data --output {ws}/data",
                        "--output {ws}/data is the same path as --sample {ws}/data"),
                other("demo: sample inside the output", "demo --sample {ws}/audits/sample --output {ws}/audits",
                        "--output {ws}/audits contains --sample {ws}/audits/sample"),
                other("generate onto an existing dataset", "generate --rows 10 --output {ws}/data",
                        "{ws}/data already exists; give --overwrite"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusedWithExit2AndNothingTouched(Shape shape) throws IOException {
        Path ws = workspace();
        Map<String, String> before = TreeSnapshot.of(ws.getParent());

        CliRun r = CliRun.of(shape.args().stream().map(a -> a.replace("{ws}", ws.toString())).toArray(String[]::new));

        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith("smoothkl: error: ");
        for (String named : shape.named()) {
            assertThat(r.err()).contains(named.replace("{ws}", ws.toString()));
        }
        assertThat(TreeSnapshot.of(ws.getParent())).isEqualTo(before);
    }

    /** Paths that share a prefix string or a parent, but no directory: the audit runs. */
    static Stream<Shape> neighbours() {
        return Stream.of(
                run("output beside an input whose name starts alike", "--input {ws}/outputs --output {ws}/out"),
                run("siblings: output, history and a glob input's directory",
                        "--input {ws}/data/*.parquet --output {ws}/data-audit --history {ws}/data-history --baseline {ws}/base"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("neighbours")
    void neighboursStillRun(Shape shape) throws IOException {
        Path ws = workspace();
        TreeSnapshot.copy(dataset, ws.resolve("outputs"));
        List<String> reads = List.of("data", "outputs", "base");
        Map<String, Map<String, String>> before = new java.util.HashMap<>();
        for (String dir : reads) {
            before.put(dir, TreeSnapshot.of(ws.resolve(dir)));
        }

        CliRun r = CliRun.of(shape.args().stream().map(a -> a.replace("{ws}", ws.toString())).toArray(String[]::new));

        assertThat(r.exitCode()).as(r.err()).isZero();
        for (String dir : reads) {
            assertThat(TreeSnapshot.of(ws.resolve(dir))).as(dir).isEqualTo(before.get(dir));
        }
    }
}
