package org.smoothkl.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.ChildJvms;
import org.smoothkl.SharedInput;

/**
 * Executor loss on a real cluster: a Spark standalone master and two workers (Spark's own
 * {@code Master} and {@code Worker}, separate JVMs from the Maven-resolved jars, on 127.0.0.1),
 * a driver in a child JVM through SparkSubmit, and the audit of a 64-file input ({@link SharedInput}) run twice: once
 * undisturbed, once with one executor JVM killed (SIGKILL) while it is running a task of the scan
 * stage, after it has finished two tasks (so, usually, shuffle outputs are lost too). Spark retries the lost
 * tasks and recomputes the lost outputs; the two summaries must be equal to the last bit.
 *
 * <p>A standalone worker launches executors through SPARK_HOME: the test builds one under the
 * temporary directory, {@code jars/} holding links to the Maven jars.
 */
class ClusterExecutorLossIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long ROWS = SharedInput.ROWS;
    private static final Pattern RUNNING = Pattern.compile("Running task \\S+ in stage");
    private static final Pattern FINISHED = Pattern.compile("Finished task \\S+ in stage");

    @TempDir
    Path tmp;

    @Test
    void losingAnExecutorMidStageChangesNothing() throws Exception {
        Path input = SharedInput.get();
        Path sparkHome = sparkHome();
        Map<String, String> env = Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.13");

        try (ChildJvms jvms = new ChildJvms(tmp.resolve("logs"))) {
            int port = freePort();
            jvms.java("master", List.of("-Xmx256m", "-Dspark.master.rest.enabled=false"),
                    "org.apache.spark.deploy.master.Master",
                    List.of("--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", "0"), env);
            awaitPort(port, Duration.ofMinutes(5));
            List<ChildJvms.Child> workers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                workers.add(jvms.java("worker-" + i, List.of("-Xmx256m"), "org.apache.spark.deploy.worker.Worker",
                        List.of("--host", "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", "1",
                                "--memory", "1536m", "--work-dir", workDir(i).toString(),
                                "spark://127.0.0.1:" + port), env));
            }
            String master = "spark://127.0.0.1:" + port;
            List<String> confs = List.of(
                    "spark.cores.max=2", "spark.executor.cores=1", "spark.executor.memory=1g",
                    // Start only when both executors are up, so both runs see the same cluster.
                    "spark.scheduler.minRegisteredResourcesRatio=1.0",
                    "spark.scheduler.maxRegisteredResourcesWaitingTime=180s",
                    // The same splits in both runs (one file each), whatever registered first.
                    "spark.default.parallelism=2", "spark.sql.files.maxPartitionBytes=8m",
                    // Executors score with the scalar kernel too (see ChildJvms): the runs are compared bit for bit.
                    "spark.executor.extraJavaOptions=--add-modules=jdk.incubator.vector -D" + org.smoothkl.loss.RowKernels.PROPERTY + "=scalar");

            // The driver picks the vector kernel but scores nothing on a cluster: run.kernel must say
            // what the executors ran.
            List<String> driver = List.of("-D" + org.smoothkl.loss.RowKernels.PROPERTY + "=vector");
            ChildJvms.Child undisturbed = jvms.submit("undisturbed", master, driver, confs, args(input, tmp.resolve("undisturbed")));
            assertThat(undisturbed.waitFor(Duration.ofMinutes(15))).as(undisturbed.err()).isZero();

            ChildJvms.Child disturbed = jvms.submit("disturbed", master, driver, confs, args(input, tmp.resolve("disturbed")));
            ProcessHandle victim = killAnExecutorMidStage(workers, disturbed, Duration.ofMinutes(15));
            assertThat(disturbed.waitFor(Duration.ofMinutes(15))).as(disturbed.err()).isZero();
            assertThat(victim.isAlive()).isFalse();
            assertThat(disturbed.err()).as("the driver saw the executor and its running task go")
                    .contains("Lost executor").contains("ExecutorLostFailure");

            JsonNode a = summary(tmp.resolve("undisturbed"));
            JsonNode b = summary(tmp.resolve("disturbed"));
            assertThat(a.at("/overall/rows").asLong()).isEqualTo(ROWS);
            assertThat(b).isEqualTo(a);
            for (String run : List.of("undisturbed", "disturbed")) {
                JsonNode kernel = JSON.readTree(tmp.resolve(run).resolve("summary.json").toFile()).at("/run/kernel");
                assertThat(kernel.asText()).as(run + ": the executors' kernel, not the driver's").isEqualTo("scalar");
            }
        }
    }

    private Path workDir(int worker) {
        return tmp.resolve("work-" + worker);
    }

    private static List<String> args(Path input, Path out) {
        return List.of("run", "--input", input.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--group-by", "slice", "--run-tag", "executor-loss", "--output", out.toString());
    }

    /** summary.json without what differs by design: the "run" section (timings) and config.output. */
    private static JsonNode summary(Path out) throws IOException {
        ObjectNode s = (ObjectNode) JSON.readTree(out.resolve("summary.json").toFile());
        s.remove("run");
        ((ObjectNode) s.get("config")).remove("output");
        return s;
    }

    /**
     * Waits until an executor launched by one of the {@code workers} for the running app has
     * finished two tasks and is running another (its log says so), then kills it with SIGKILL.
     */
    private ProcessHandle killAnExecutorMidStage(List<ChildJvms.Child> workers, ChildJvms.Child driver,
                                                        Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(driver.process().isAlive()).as("driver ended before an executor could be killed: " + driver.err()).isTrue();
            for (int i = 0; i < workers.size(); i++) {
                ProcessHandle victim = killIfMidStage(workers.get(i), workDir(i));
                if (victim != null) {
                    return victim;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no executor of the second run reached its third task in time; driver:\n" + driver.err());
    }

    /**
     * Kills an executor of {@code worker} that has finished two tasks (the schema job's, or scan
     * tasks whose shuffle output dies with it) and is running another; null if none has yet.
     */
    private static ProcessHandle killIfMidStage(ChildJvms.Child worker, Path workDir) throws Exception {
        for (ProcessHandle p : worker.process().descendants().toList()) {
            Optional<String[]> argv = p.info().arguments();
            if (argv.isEmpty() || !String.join(" ", argv.get()).contains("CoarseGrainedExecutorBackend")) {
                continue;
            }
            Optional<Path> log = executorLog(workDir, argv.get());
            if (log.isEmpty() || !Files.exists(log.get())) {
                continue;
            }
            String text = Files.readString(log.get());
            long running = count(RUNNING, text);
            long finished = count(FINISHED, text);
            if (finished >= 2 && running > finished) {
                // Freeze it, then look again: a task that finished between the read and now has
                // logged "Finished" (the executor logs before it tells the driver). Only a task
                // still unfinished in the frozen JVM is surely in flight when the kill lands.
                signal("STOP", p);
                Thread.sleep(200);
                String frozen = Files.readString(log.get());
                if (count(RUNNING, frozen) > count(FINISHED, frozen)) {
                    p.destroyForcibly();
                    p.onExit().get();
                    return p;
                }
                signal("CONT", p);
            }
        }
        return null;
    }

    private static void signal(String name, ProcessHandle p) throws Exception {
        int rc = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start().waitFor();
        assertThat(rc).as("kill -" + name + " " + p.pid()).isZero();
    }

    /**
     * The stderr of an executor: WORK_DIR/APP_ID/EXECUTOR_ID/stderr, with the ids read from its
     * arguments (an executor's command line is short; a worker's, with the full classpath, is
     * longer than the JDK reads arguments of).
     */
    private static Optional<Path> executorLog(Path workDir, String[] argv) {
        String app = null;
        String id = null;
        for (int i = 0; i + 1 < argv.length; i++) {
            if (argv[i].equals("--app-id")) {
                app = argv[i + 1];
            } else if (argv[i].equals("--executor-id")) {
                id = argv[i + 1];
            }
        }
        return app == null || id == null ? Optional.empty() : Optional.of(workDir.resolve(app).resolve(id).resolve("stderr"));
    }

    private static long count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** SPARK_HOME for the workers: jars/ (links to the Maven jars) and conf/ (executor logging). */
    private Path sparkHome() throws IOException {
        Path home = tmp.resolve("spark-home");
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String jar : ChildJvms.sparkClasspath().split(java.io.File.pathSeparator)) {
            Path target = Path.of(jar);
            Files.createSymbolicLink(jars.resolve(target.getFileName()), target);
        }
        Path conf = Files.createDirectories(home.resolve("conf"));
        // Executors log which task they run and finish: the test reads that to kill one mid-stage.
        Files.writeString(conf.resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level = warn",
                "rootLogger.appenderRef.stderr.ref = console",
                "appender.console.type = Console",
                "appender.console.name = console",
                "appender.console.target = SYSTEM_ERR",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex",
                "logger.executor.name = org.apache.spark.executor.Executor",
                "logger.executor.level = info", ""));
        return home;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the standalone master did not open port " + port + " in " + timeout);
    }
}
