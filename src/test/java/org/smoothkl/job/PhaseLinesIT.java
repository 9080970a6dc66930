package org.smoothkl.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.ChildJvms;

/**
 * What a scheduler's log gets: the packaged job through SparkSubmit, as submit/local runs it, with
 * stderr redirected to a file. Even with spark.ui.showConsoleProgress=true (as a cluster's
 * spark-defaults.conf may set it) there is no carriage return, and the phase lines come in order:
 * input, scoring (started, rows read at the interval, the total), aggregation, each output, the
 * verdict. The same run on a pseudo-terminal (util-linux script) does draw Spark's bar, so the
 * first run's lack of one is the job's doing.
 */
class PhaseLinesIT {
    @TempDir
    static Path tmp;
    private static ChildJvms jvms;
    private static Path data;

    @BeforeAll
    static void data() {
        jvms = new ChildJvms(tmp.resolve("logs"));
        data = tmp.resolve("data");
        ChildJvms.Child gen = jvms.submit("generate", "local[2]", List.of(), List.of(),
                List.of("generate", "--rows", "200000", "--classes", "50", "--output", data.toString()));
        assertThat(gen.waitFor(Duration.ofMinutes(3))).as(gen.err()).isZero();
    }

    @AfterAll
    static void stop() {
        jvms.close();
    }

    /** SparkSubmit's arguments for a run with the bar asked for and a 200 ms progress interval. */
    private static List<String> submitArgs(Path out) {
        List<String> args = new ArrayList<>(List.of("--master", "local[2]",
                "--properties-file", ChildJvms.BASEDIR.resolve("conf/spark-local.conf").toString(),
                "--name", "smoothkl-phase-lines", "--class", "org.smoothkl.cli.Main",
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.ui.showConsoleProgress=true",
                "--conf", "spark.smoothkl.progress.interval=200ms",
                ChildJvms.JAR.toString(),
                "run", "--input", data.toString(), "--preset", "seed", "--epsilon", "0.1", "--group-by", "slice",
                "--write-rows", "--check", "mean_kl<=0", "--output", out.toString()));
        return args;
    }

    @Test
    void stderrToAFileHasThePhaseLinesInOrderAndNoCarriageReturn() throws IOException {
        Path out = tmp.resolve("out-file");
        ChildJvms.Child run = jvms.java("run-file", List.of("-Xmx1g"), "org.apache.spark.deploy.SparkSubmit",
                submitArgs(out), Map.of());
        assertThat(run.waitFor(Duration.ofMinutes(5))).as(run.err()).isEqualTo(3); // the check fails, by design
        byte[] err = Files.readAllBytes(run.errFile());
        assertThat(new String(err).indexOf('\r')).as(run.err()).isEqualTo(-1);

        List<String> phases = run.err().lines().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d smoothkl .*"))
                .map(l -> l.substring("00:00:00 smoothkl ".length())).toList();
        String all = String.join("\n", phases);
        assertThat(phases).as(run.err()).isNotEmpty();
        List<Path> files = parquetFiles(data);
        assertThat(phases.get(0)).isEqualTo("input: " + data + " (format parquet), " + files.size() + (files.size() == 1 ? " file, " : " files, ")
                + PhaseLog.bytes(files.stream().mapToLong(p -> p.toFile().length()).sum()) + ", 3 columns (slice, label, logits)");
        assertThat(all).containsPattern("scoring: started, engine cpu \\(scalar\\)")
                .containsPattern("scoring: [\\d,]+ rows read in \\d+ s, [\\d,]+ rows/s")
                .containsPattern("scoring: 200,000 rows in [\\d.]+ s, [\\d,]+ rows/s");
        List<String> expectedOrder = List.of("input: ", "scoring: started", "scoring: 200,000 rows in ",
                "aggregation: 3 slices; 200,000 rows: 200,000 valid, 0 ignored, 0 invalid",
                "wrote invalid/ (0 rows)", "wrote rows/ (200,000 rows)", "wrote histograms/", "wrote summary.json",
                "wrote histograms.csv", "wrote report.html", "wrote " + out + " (committed)",
                "verdict: FAILED, 4 of 4 checks");
        int at = -1;
        for (String prefix : expectedOrder) {
            int next = -1;
            for (int i = at + 1; i < phases.size(); i++) {
                if (phases.get(i).startsWith(prefix)) {
                    next = i;
                    break;
                }
            }
            assertThat(next).as("'" + prefix + "' after line " + at + " in:\n" + all).isGreaterThan(at);
            at = next;
        }
        assertThat(at).as("the verdict is the last phase line").isEqualTo(phases.size() - 1);
        // what a user cannot act on stays out (the JVM's own incubator notice cannot be silenced)
        assertThat(run.err()).doesNotContain("NativeCodeLoader").doesNotContain("Truncated the string representation");
    }

    @Test
    void onATerminalSparksBarIsDrawnToo() throws IOException {
        Path out = tmp.resolve("out-tty");
        List<String> java = ChildJvms.javaCommand(List.of("-Xmx1g"), "org.apache.spark.deploy.SparkSubmit", submitArgs(out));
        String shell = java.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        // script gives the child a pseudo-terminal as stdin, stdout and stderr, and copies it all to its stdout
        ChildJvms.Child run = jvms.start("run-tty", List.of("script", "-qec", shell, "/dev/null"),
                Map.of("CI", "false", "TERM", "xterm"));
        assertThat(run.waitFor(Duration.ofMinutes(5))).as(run.out()).isEqualTo(3);
        assertThat(run.out()).contains("[Stage ").contains("\r").contains(" smoothkl verdict: FAILED, 4 of 4 checks");
    }

    private static List<Path> parquetFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList();
        }
    }
}
