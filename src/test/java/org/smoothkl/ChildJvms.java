package org.smoothkl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Child JVMs for the integration tests: the packaged job through Spark's SparkSubmit, exactly as
 * submit/local starts it (conf/jvm-options, conf/log4j2.properties, conf/spark-local.conf, Spark's
 * jars alone as {@code submit/classpath spark} prints them), and Spark's standalone daemons.
 * Every child binds to 127.0.0.1 (SPARK_LOCAL_IP). {@link #close()} kills every process started here and its
 * descendants (executors a worker launched), also when a test fails.
 */
public final class ChildJvms implements AutoCloseable {
    public static final Path BASEDIR = Scripts.BASEDIR;
    public static final Path JAR = Path.of(System.getProperty("smoothkl.jar", "target/smoothkl.jar")).toAbsolutePath();
    private static String sparkClasspath;

    private final Path logDir;
    private final List<Child> started = new ArrayList<>();

    public ChildJvms(Path logDir) {
        this.logDir = logDir;
    }

    /** A started child; its stdout and stderr go to files. */
    public record Child(String name, Process process, Path outFile, Path errFile) {
        /** Waits for the exit code; fails the test if the child outlives {@code timeout}. */
        public int waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError(name + " still running after " + timeout + "; stderr:\n" + err());
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        public String out() {
            return read(outFile);
        }

        public String err() {
            return read(errFile);
        }

        private static String read(Path p) {
            try {
                return Files.exists(p) ? Files.readString(p) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Spark's jars, as a cluster has them and submit/local runs with them ({@code submit/classpath spark}). */
    public static synchronized String sparkClasspath() {
        if (sparkClasspath == null) {
            sparkClasspath = Scripts.run("submit/classpath", "spark").ok();
        }
        return sparkClasspath;
    }

    /** The options of conf/jvm-options (the --add-opens Spark needs on JDK 17). */
    public static List<String> jvmOptions() {
        try {
            return Files.readAllLines(BASEDIR.resolve("conf/jvm-options")).stream()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code java [jvmArgs] -cp SPARK_CLASSPATH mainClass args} with {@code env} added. */
    public Child java(String name, List<String> jvmArgs, String mainClass, List<String> args, Map<String, String> env) {
        return start(name, javaCommand(jvmArgs, mainClass, args), env);
    }

    /** The command line {@link #java} runs. */
    public static List<String> javaCommand(List<String> jvmArgs, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions());
        // The tests compare summaries bit for bit across JVMs: the scalar kernel is reproducible
        // everywhere, the vector kernel's exp is not across JIT tiers (src/site/markdown/testing.md, "The scalar kernel across JVMs").
        command.add("-D" + org.smoothkl.loss.RowKernels.PROPERTY + "=scalar");
        command.addAll(jvmArgs);
        command.add("-Dlog4j2.configurationFile=" + BASEDIR.resolve("conf/log4j2.properties"));
        command.add("-cp");
        command.add(sparkClasspath());
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** Starts {@code command} in the base directory, its stdout and stderr to files, with {@code env} added. */
    public Child start(String name, List<String> command, Map<String, String> env) {
        try {
            Files.createDirectories(logDir);
            Path out = logDir.resolve(name + ".out");
            Path err = logDir.resolve(name + ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(BASEDIR.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
            pb.environment().putAll(env);
            Child child = new Child(name, pb.start(), out, err);
            synchronized (started) {
                started.add(child);
            }
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /**
     * The job on {@code master} through SparkSubmit, as submit/local runs it; {@code javaOpts}
     * go to the driver JVM (e.g. -D test hooks), {@code confs} are extra {@code --conf k=v}.
     */
    public Child submit(String name, String master, List<String> javaOpts, List<String> confs, List<String> jobArgs) {
        List<String> args = new ArrayList<>(List.of("--master", master,
                "--properties-file", BASEDIR.resolve("conf/spark-local.conf").toString(),
                "--name", "smoothkl-" + name, "--class", "org.smoothkl.cli.Main",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.ui.showConsoleProgress=false"));
        for (String c : confs) {
            args.add("--conf");
            args.add(c);
        }
        args.add(JAR.toString());
        args.addAll(jobArgs);
        List<String> jvm = new ArrayList<>(List.of("-Xmx1g"));
        jvm.addAll(javaOpts);
        return java(name, jvm, "org.apache.spark.deploy.SparkSubmit", args, Map.of());
    }

    /** Kills every child started here, and its descendants, and waits for them. */
    @Override
    public void close() {
        List<Child> all;
        synchronized (started) {
            all = new ArrayList<>(started);
        }
        for (Child c : all) {
            c.process().descendants().forEach(ProcessHandle::destroyForcibly);
            c.process().destroyForcibly();
        }
        for (Child c : all) {
            try {
                c.process().onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Reported by the test that owns it; nothing more to do here.
            }
        }
    }

    public Path logDir() {
        return logDir;
    }
}
