package org.smoothkl.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.smoothkl.Scripts;

/**
 * The command lines the cluster wrapper builds (its --dry-run prints them) for each mode and
 * cluster manager, and the class paths the build splits for submit/local, the integration tests
 * and spark-submit's --jars (submit/classpath, submit/nd4j-jars).
 */
class SubmitScriptsTest {
    private static final String ROOT = Scripts.BASEDIR.toString();
    private static final String JOB_JAR = ROOT + "/target/smoothkl.jar";
    private static final String RAPIDS_JAR = "/jars/rapids-4-spark_2.13-26.08.1.jar";
    private static final Map<String, String> ENV = Map.of("SPARK_SUBMIT", "/opt/spark/bin/spark-submit");

    private static List<String> dryRun(String script, String... args) {
        Scripts run = Scripts.run(ENV, script, args);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return Arrays.asList(run.out().strip().split(" "));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "submit/gpu-cluster, yarn", "submit/gpu-cluster, k8s://https://k8s.example:6443", "submit/gpu-cluster, spark://master:7077",
        "submit/cluster, yarn", "submit/cluster, k8s://https://k8s.example:6443", "submit/cluster, spark://master:7077"})
    void theGpuCommandLineKeepsTheClustersDefaultsAndShipsBothJars(String script, String master) {
        List<String> line = dryRun(script, withMode(script.equals("submit/cluster") ? "--gpu" : null,
                "--master", master, "--image", "spark-rapids:4.0.4", "--rapids-jar", RAPIDS_JAR, "--dry-run",
                "run", "--input", "hdfs:///preds", "--output", "hdfs:///audit"));
        assertThat(line.get(0)).isEqualTo("/opt/spark/bin/spark-submit");
        assertThat(line).contains("--load-spark-defaults")
                .containsSequence("--master", master)
                .containsSequence("--properties-file", ROOT + "/conf/spark-gpu.conf")
                .containsSequence("--jars", RAPIDS_JAR)
                .containsSequence("--conf", "spark.task.resource.gpu.amount=0.25")
                .containsSequence(JOB_JAR, "run", "--input", "hdfs:///preds", "--output", "hdfs:///audit");
        assertThat(line.get(line.size() - 6)).isEqualTo(JOB_JAR);
        if (master.startsWith("k8s://")) {
            assertThat(line).containsSequence("--conf", "spark.kubernetes.container.image=spark-rapids:4.0.4")
                    .containsSequence("--conf", "spark.executor.resource.gpu.vendor=nvidia.com");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"yarn", "k8s://https://k8s.example:6443", "spark://master:7077"})
    void theCpuCommandLineKeepsTheClustersDefaultsAndShipsNoRapids(String master) {
        List<String> line = dryRun("submit/cluster", "--cpu", "--master", master, "--image", "spark:4.0.4",
                "--jars", "/jars/a.jar,/jars/b.jar", "--conf", "spark.yarn.queue=audit", "--dry-run",
                "run", "--input", "hdfs:///preds", "--output", "hdfs:///audit");
        assertThat(line).contains("--load-spark-defaults")
                .containsSequence("--master", master)
                .containsSequence("--properties-file", ROOT + "/conf/spark-cpu.conf")
                .containsSequence("--jars", "/jars/a.jar,/jars/b.jar")
                .containsSequence("--conf", "spark.yarn.queue=audit", JOB_JAR, "run", "--input", "hdfs:///preds")
                .noneMatch(a -> a.contains("rapids") || a.contains("resource.gpu") || a.contains("com.nvidia"));
    }

    @Test
    void theWrapperRefusesWhatItCannotBuild() {
        for (String[] args : List.of(
                new String[] {"--master", "yarn", "run"},                   // no mode
                new String[] {"--cpu", "run"},                              // no master
                new String[] {"--cpu", "--master", "local[2]", "run"},      // not a cluster manager
                new String[] {"--cpu", "--master", "k8s://https://h:1", "run"}, // no image
                new String[] {"--cpu", "--master", "yarn"})) {              // no job arguments
            Scripts run = Scripts.run(ENV, "submit/cluster", args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.out()).isEmpty();
        }
        Scripts help = Scripts.run(ENV, "submit/gpu-cluster", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--load-spark-defaults").contains("--cpu");
    }

    /**
     * Spark's jars, ND4J's and the shaded ones partition the build's class path (less RAPIDS);
     * Spark's has no ND4J and none of the jars the job jar shades, so what the job jar lacks on a
     * cluster is missing in submit/local and the integration tests too.
     */
    @Test
    void theClassPathsSplitTheBuildsJarsAsAClusterHasThem() throws Exception {
        List<String> spark = entries(Scripts.run("submit/classpath", "spark").ok(), File.pathSeparator);
        List<String> nd4j = entries(Scripts.run("submit/classpath", "nd4j").ok(), File.pathSeparator);
        List<String> shaded = entries(Scripts.run("submit/classpath", "shaded").ok(), File.pathSeparator);
        List<String> all = entries(Files.readString(Scripts.BASEDIR.resolve("target/classpath.txt")), File.pathSeparator)
                .stream().filter(p -> !p.contains("/com/nvidia/")).toList();

        Set<String> union = new HashSet<>(spark);
        union.addAll(nd4j);
        union.addAll(shaded);
        assertThat(union).containsExactlyInAnyOrderElementsOf(all).hasSize(spark.size() + nd4j.size() + shaded.size());
        assertThat(names(spark)).anyMatch(n -> n.startsWith("spark-sql_2.13-")).anyMatch(n -> n.startsWith("spark-mllib_2.13-"))
                .anyMatch(n -> n.startsWith("commons-io-")).anyMatch(n -> n.startsWith("commons-codec-"))
                .anyMatch(n -> n.startsWith("threeten-extra-")) // Spark's (ORC), though its group is ND4J's threetenbp's
                .noneMatch(n -> n.matches("(nd4j|javacpp|openblas|picocli|config|commons-csv|chart\\.js|rapids|junit|selenium).*"));
        assertThat(names(shaded)).containsExactlyInAnyOrder("picocli-4.7.7.jar", "config-1.4.3.jar", "commons-csv-1.12.0.jar",
                "chart.js-4.5.1.jar");
    }

    /** ND4J's jars for --jars: nd4j-native with its natives and its own dependencies, nothing of Spark's, RAPIDS or the tests. */
    @Test
    void nd4jJarsAreNd4jsAlone() {
        List<String> jars = entries(Scripts.run("submit/nd4j-jars").ok(), ",");
        assertThat(names(jars)).contains("nd4j-native-1.0.0-M2.1.jar", "nd4j-native-1.0.0-M2.1-linux-x86_64.jar",
                "nd4j-api-1.0.0-M2.1.jar", "javacpp-1.5.7.jar", "javacpp-1.5.7-linux-x86_64.jar",
                "openblas-0.3.19-1.5.7-linux-x86_64.jar");
        assertThat(jars).allSatisfy(j -> assertThat(j).endsWith(".jar").satisfiesAnyOf(
                p -> assertThat(p).contains("/org/nd4j/"), p -> assertThat(p).contains("/org/bytedeco/"),
                // ND4J's own small dependencies, none of which Spark ships
                p -> assertThat(p).containsPattern("/(com/github/oshi|net/java/dev/jna|org/threeten/threetenbp|"
                        + "com/jakewharton/byteunits|net/ericaro|commons-net)/")));
        assertThat(String.join(",", jars)).doesNotContain("com/nvidia", "junit", "org/apache/spark", "selenium", "scala");
        assertThat(Scripts.run("submit/nd4j-jars", "--help").out()).contains("--jars");
    }

    /**
     * Every script in submit/ (listed from the directory, so a new one is covered) takes --help:
     * exit 0, a usage line and an example invocation of itself on stdout, nothing on stderr, and
     * nothing else done: no file created, changed or removed in the checkout (target/ included:
     * no build), in the working directory (submit/bigrun once wrote 22 GB into "./--help") or in
     * the temporary directory.
     */
    @Test
    void everyScriptsHelpPrintsUsageAndAnExampleAndDoesNothingElse(@TempDir Path workDir, @TempDir Path tmpDir) throws Exception {
        List<Path> scripts;
        try (var listing = Files.list(Scripts.BASEDIR.resolve("submit"))) {
            scripts = listing.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(10);
        for (Path script : scripts) {
            String name = "submit/" + script.getFileName();
            assertThat(Files.isExecutable(script)).as(name + " is executable").isTrue();
            Map<String, String> before = tree(Scripts.BASEDIR);
            Scripts help = Scripts.in(workDir, Map.of("TMPDIR", tmpDir.toString()), name, "--help");
            assertThat(help.exitCode()).as(name + " --help: " + help.err()).isZero();
            assertThat(help.err()).as(name + " --help prints to stdout only").isEmpty();
            assertThat(help.out()).as(name + " --help has a usage line").containsPattern("(?im)^usage: .*" + Pattern.quote(name));
            assertThat(help.out()).as(name + " --help has an example invocation")
                    .containsPattern("(?m)^Examples?:\\s*\\n(\\s+[^\\n]*\\n)*?\\s+[^\\n]*" + Pattern.quote(name) + "\\b");
            assertThat(tree(workDir)).as(name + " --help writes nothing into the working directory").isEmpty();
            assertThat(tree(tmpDir)).as(name + " --help writes nothing into TMPDIR").isEmpty();
            assertThat(tree(Scripts.BASEDIR)).as(name + " --help changes nothing in the checkout").isEqualTo(before);
        }
    }

    /** Every file under {@code root} (but .git and the test reports being written) → its size and modification time. */
    private static Map<String, String> tree(Path root) throws java.io.IOException {
        Map<String, String> files = new java.util.TreeMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty() || rel.equals(".git") || rel.startsWith(".git/") || rel.startsWith("target/surefire-reports")
                        || rel.startsWith("target/failsafe-reports")) {
                    continue;
                }
                var attrs = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                files.put(rel, attrs.isDirectory() ? "dir" : attrs.size() + "@" + attrs.lastModifiedTime());
            }
        }
        return files;
    }

    private static String[] withMode(String mode, String... args) {
        if (mode == null) {
            return args;
        }
        String[] out = new String[args.length + 1];
        out[0] = mode;
        System.arraycopy(args, 0, out, 1, args.length);
        return out;
    }

    private static List<String> entries(String joined, String separator) {
        return Arrays.stream(joined.strip().split(Pattern.quote(separator))).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> names(List<String> paths) {
        return paths.stream().map(p -> Path.of(p).getFileName().toString()).toList();
    }
}
