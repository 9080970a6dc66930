package org.smoothkl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.smoothkl.output.SyntheticOutput;

/**
 * A generated input shared by the integration tests of one JVM (written once, deleted at exit):
 * {@link #ROWS} rows of K = {@link #CLASSES} float logits in {@link #FILES} Parquet files, four slices.
 */
public final class SharedInput {
    public static final long ROWS = 320_000;
    public static final int CLASSES = 100;
    public static final int FILES = 64;
    private static Path path;

    private SharedInput() {
    }

    public static synchronized Path get() {
        if (path == null) {
            try {
                Path dir = Files.createTempDirectory("smoothkl-it-input");
                Path p = dir.resolve("input");
                SyntheticOutput.write(SparkTestSession.get(), ROWS, CLASSES, 0.1, 4, 5, FILES, p.toString(), false);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                path = p;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return path;
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory; nothing more to do.
        }
    }
}
