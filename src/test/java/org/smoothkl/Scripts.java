package org.smoothkl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one of the project's scripts (submit/*) from the checkout and keeps what it printed. */
public record Scripts(int exitCode, String out, String err) {
    public static final Path BASEDIR = Path.of(System.getProperty("smoothkl.basedir", ".")).toAbsolutePath();

    /** {@code BASEDIR/script args...} with {@code env} added; fails the test if it outlives two minutes. */
    public static Scripts run(Map<String, String> env, String script, String... args) {
        return in(BASEDIR, env, script, args);
    }

    /** The same, run in the working directory {@code dir}. */
    public static Scripts in(Path dir, Map<String, String> env, String script, String... args) {
        List<String> command = new ArrayList<>(List.of(BASEDIR.resolve(script).toString()));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("smoothkl-script", ".out");
            Path err = Files.createTempFile("smoothkl-script", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(2, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError(command + " still running after two minutes");
                }
                return new Scripts(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static Scripts run(String script, String... args) {
        return run(Map.of(), script, args);
    }

    /** The script's standard output, stripped; fails the test unless it exited 0. */
    public String ok() {
        if (exitCode != 0) {
            throw new AssertionError("exit " + exitCode + ", stderr:\n" + err);
        }
        return out.strip();
    }
}
