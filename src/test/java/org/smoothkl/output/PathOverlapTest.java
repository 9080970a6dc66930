package org.smoothkl.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.output.PathOverlap.FlagPath;
import org.smoothkl.output.PathOverlap.Location;

/** How {@link PathOverlap} resolves and compares paths (no Spark; it only looks). */
class PathOverlapTest {
    @TempDir
    Path tmp;
    private Path t;
    private final Configuration conf = new Configuration();

    @BeforeEach
    void realTmp() throws IOException {
        t = tmp.toRealPath();
        Files.createDirectories(t.resolve("x/outputs"));
        Files.createDirectories(t.resolve("a/b"));
    }

    private void check(String output, String input) {
        PathOverlap.refuse(conf, List.of(FlagPath.pattern("--input", input)), List.of(FlagPath.literal("--output", output)));
    }

    private void assertRefused(String output, String input) {
        assertThatThrownBy(() -> check(output, input)).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--output " + output).hasMessageContaining("--input " + input);
    }

    @Test
    void segmentsNotStringsDecide() {
        assertThatCode(() -> check(t + "/x/out", t + "/x/outputs")).doesNotThrowAnyException();
        assertThatCode(() -> check(t + "/a/bc", t + "/a/b")).doesNotThrowAnyException();
        assertThatCode(() -> check(t + "/a/b", t + "/a/bc")).doesNotThrowAnyException();
        assertRefused(t + "/a/b/c", t + "/a/b");
        assertRefused(t + "/a", t + "/a/b");
        assertRefused(t + "/a/b/", t + "/a/b");
    }

    @Test
    void dotSegmentsAndRelativePathsAreNormalised() {
        assertRefused(t + "/x/../a/./b", t + "/a/b");
        // Relative paths qualify against the working directory: "." contains any relative input.
        assertRefused(".", "src");
        assertRefused("src/../src", "src");
        assertThatCode(() -> check("target/../src-elsewhere", "src")).doesNotThrowAnyException();
    }

    @Test
    void theRootContainsEveryLocalInput() {
        assertRefused("/", t + "/a/b");
        assertRefused("file:///", t + "/a/b");
    }

    @Test
    void symlinksAreResolvedOnTheLongestExistingPrefix() throws IOException {
        Files.createSymbolicLink(t.resolve("link"), t.resolve("a/b"));
        assertThatThrownBy(() -> check(t + "/link/new/deeper", t + "/a/b")).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("(file:" + t + "/a/b/new/deeper) lies inside --input " + t + "/a/b");
        assertRefused(t + "/a/b/out", t + "/link");
        assertThatCode(() -> check(t + "/link-out", t + "/link")).doesNotThrowAnyException();
    }

    @Test
    void aGlobIsItsFixedPrefixAndItsMatches() throws IOException {
        Files.createDirectories(t.resolve("data/day1"));
        Files.createDirectories(t.resolve("elsewhere/day2"));
        Files.createSymbolicLink(t.resolve("data/day2"), t.resolve("elsewhere/day2"));
        assertRefused(t + "/data/out", t + "/data/*/");
        assertRefused(t + "/data", t + "/data/day{1,2}");
        // A match through a symlink is read where it points.
        assertRefused(t + "/elsewhere/day2/out", t + "/data/*");
        // A pattern matching nothing still has its prefix.
        assertRefused(t + "/data/none/out", t + "/data/none/*.parquet");
        assertThatCode(() -> check(t + "/elsewhere/other", t + "/data/*")).doesNotThrowAnyException();
    }

    @Test
    void onlyTheInputIsAPattern() {
        // A baseline named run[1] is that directory, not a pattern over its parent.
        assertThatCode(() -> PathOverlap.refuse(conf, List.of(FlagPath.literal("--baseline", t + "/run[1]")),
                List.of(FlagPath.literal("--output", t + "/run2")))).doesNotThrowAnyException();
        assertThatThrownBy(() -> PathOverlap.refuse(conf, List.of(),
                List.of(FlagPath.literal("--output", t + "/h"), FlagPath.literal("--history", t + "/h/rows"))))
                .hasMessageContaining("--output " + t + "/h contains --history " + t + "/h/rows");
    }

    @Test
    void differentFileSystemsNeverOverlap() {
        Location hdfs = Location.of(new org.apache.hadoop.fs.Path("hdfs://nn:8020/data/out"));
        assertThat(hdfs.within(Location.of(new org.apache.hadoop.fs.Path("file:/data")))).isFalse();
        assertThat(hdfs.within(Location.of(new org.apache.hadoop.fs.Path("hdfs://other:8020/data")))).isFalse();
        assertThat(hdfs.within(Location.of(new org.apache.hadoop.fs.Path("hdfs://NN:8020/data")))).isTrue();
        assertThat(Location.of(new org.apache.hadoop.fs.Path("s3a://bucket/a/bc"))
                .within(Location.of(new org.apache.hadoop.fs.Path("s3a://bucket/a/b")))).isFalse();
    }

    @Test
    void refusingTouchesNothing() {
        Map<String, String> before = TreeSnapshot.of(t);
        assertRefused(t + "/a/b/new/out", t + "/a/*");
        assertThat(TreeSnapshot.of(t)).isEqualTo(before);
    }
}
