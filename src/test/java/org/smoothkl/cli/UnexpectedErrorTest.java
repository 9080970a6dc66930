package org.smoothkl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.SparkTestSession;

/**
 * An Error (out of memory, stack overflow) ends a run like any unexpected failure: the
 * uncommitted output and the claim are cleaned up, stderr says {@code smoothkl: unexpected
 * failure: ERROR} followed by the stack trace, and the exit code is 1. In-process, through
 * {@link Main#execute}.
 */
class UnexpectedErrorTest {
    @TempDir
    Path tmp;

    private record Result(int code, String err) {
    }

    private Result run(Supplier<SparkSession> sessions, String input, String format) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"run", "--input", input, "--format", format, "--preset", "seed",
            "--epsilon", "0.1", "--output", tmp.resolve("out").toString()}, sessions, false,
                new PrintWriter(out), new PrintWriter(err));
        return new Result(code, err.toString());
    }

    private static void assertUnexpected(Result r, String error) {
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.UNEXPECTED);
        List<String> lines = r.err().lines().toList();
        assertThat(lines.get(0)).isEqualTo("smoothkl: unexpected failure: " + error);
        assertThat(lines.get(1)).as("then the stack trace").isEqualTo(error);
        assertThat(lines.get(2)).startsWith("\tat ");
    }

    /** Everything beside the output: the output itself, its claim, its temporary directory. */
    private List<String> outputAndBeside() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.equals("out") || n.startsWith(".out.")).sorted().toList();
        }
    }

    @Test
    void outOfMemoryBeforeTheRunStarts() throws IOException {
        Result r = run(() -> {
            throw new OutOfMemoryError("test");
        }, tmp.resolve("in").toString(), "parquet");
        assertUnexpected(r, "java.lang.OutOfMemoryError: test");
        assertThat(outputAndBeside()).isEmpty();
    }

    @Test
    void aStackOverflowBeforeTheRunStarts() throws IOException {
        Result r = run(UnexpectedErrorTest::bottomless, tmp.resolve("in").toString(), "parquet");
        assertUnexpected(r, "java.lang.StackOverflowError");
        assertThat(outputAndBeside()).isEmpty();
    }

    private static SparkSession bottomless() {
        return bottomless();
    }

    /** A file system that runs out of memory reading the input once the run has claimed its output, noting first what lies beside it. */
    public static final class OutOfMemoryFs extends RawLocalFileSystem {
        static final String SCHEME = "smoothkl-oom";
        static volatile Path watched;
        static volatile List<String> besideWhenThrown;

        /** Its own scheme, so the paths the run qualifies and resolves before the claim stay on it. */
        @Override
        public java.net.URI getUri() {
            return java.net.URI.create(SCHEME + ":///");
        }

        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public FileStatus[] globStatus(org.apache.hadoop.fs.Path pattern) throws IOException {
            outOfMemoryOnceClaimed();
            return super.globStatus(pattern);
        }

        @Override
        public FileStatus getFileStatus(org.apache.hadoop.fs.Path f) throws IOException {
            outOfMemoryOnceClaimed();
            return super.getFileStatus(f);
        }

        @Override
        public boolean exists(org.apache.hadoop.fs.Path f) throws IOException {
            outOfMemoryOnceClaimed();
            return super.exists(f);
        }

        /** Looks at the input as the overlap check does before the claim; runs out of memory once the run holds its output. */
        private static void outOfMemoryOnceClaimed() throws IOException {
            if (!Files.exists(watched.resolve(".out.lock"))) {
                return;
            }
            try (Stream<Path> s = Files.list(watched)) {
                besideWhenThrown = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            throw new OutOfMemoryError("test: listing the input");
        }
    }

    @Test
    void outOfMemoryWhileTheRunHoldsItsOutput() throws IOException {
        SparkSession spark = SparkTestSession.get();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        conf.set("fs." + OutOfMemoryFs.SCHEME + ".impl", OutOfMemoryFs.class.getName());
        conf.setBoolean("fs." + OutOfMemoryFs.SCHEME + ".impl.disable.cache", true);
        OutOfMemoryFs.watched = tmp;
        String input = OutOfMemoryFs.SCHEME + "://" + tmp.resolve("in");
        Result r;
        try {
            r = run(() -> spark, input, "csv"); // the input is first listed after the output is claimed
        } finally {
            conf.unset("fs." + OutOfMemoryFs.SCHEME + ".impl");
            conf.unset("fs." + OutOfMemoryFs.SCHEME + ".impl.disable.cache");
        }
        assertUnexpected(r, "java.lang.OutOfMemoryError: test: listing the input");
        assertThat(OutOfMemoryFs.besideWhenThrown).as("claimed, writing into its temporary directory")
                .contains(".out.lock").anyMatch(n -> n.startsWith(".out.tmp-"));
        assertThat(outputAndBeside()).as("no output, claim or temporary directory left").isEmpty();
    }
}
