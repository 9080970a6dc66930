package org.smoothkl.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.smoothkl.Scripts;

/**
 * The class paths the build splits for submit/local, the integration tests and spark-submit's
 * --jars (submit/classpath, submit/nd4j-jars).
 */
class SubmitScriptsTest {
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

    private static List<String> entries(String joined, String separator) {
        return Arrays.stream(joined.strip().split(Pattern.quote(separator))).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> names(List<String> paths) {
        return paths.stream().map(p -> Path.of(p).getFileName().toString()).toList();
    }
}
