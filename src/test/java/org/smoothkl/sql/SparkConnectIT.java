package org.smoothkl.sql;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.ChildJvms;
import org.smoothkl.SparkTestSession;
import org.smoothkl.output.SyntheticOutput;

/**
 * The SQL functions over Spark Connect: a real Connect server (spark-connect, started through
 * SparkSubmit as sbin/start-connect-server.sh starts it) with the job jar in --jars and
 * {@code spark.sql.extensions=org.smoothkl.sql.SmoothklExtensions}, bound to 127.0.0.1 on a free
 * port, in one child JVM; the Spark Connect JVM client in another, with its own class path (it
 * bundles its own copy of Spark's SQL API and shaded gRPC). The client runs smoothkl_metrics and
 * smoothkl_summary there; the rows and summaries it prints must equal, as text, the same queries
 * run in this JVM's classic session (both sides run the scalar kernel), and a bad ε must come back
 * as the server's AnalysisException naming the argument. The server has Hive support, so the same
 * holds for {@link HiveMetricsUdf} made a function by CREATE TEMPORARY FUNCTION … USING JAR.
 */
class SparkConnectIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final Path CONNECT = ChildJvms.BASEDIR.resolve("target/connect");

    @TempDir
    static Path tmp;
    private static ChildJvms children;
    private static ChildJvms.Child server;
    private static int port;
    private static String data;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        SparkSession spark = SparkTestSession.get();
        data = tmp.resolve("preds").toString();
        SyntheticOutput.write(spark, 600, 5, 0.1, 2, 7, tmp.resolve("clean").toString(), false);
        spark.read().parquet(tmp.resolve("clean").toString())
                .unionByName(spark.sql("SELECT 'edge' AS slice, 9 AS label, array(CAST(1 AS FLOAT), 2, 3) AS logits"))
                .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id())
                .write().parquet(data);
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        children = new ChildJvms(tmp.resolve("logs"));
        server = children.java("connect-server", List.of("-Xmx1g"), "org.apache.spark.deploy.SparkSubmit", List.of(
                "--master", "local[2]", "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.ui.showConsoleProgress=false",
                "--conf", "spark.sql.shuffle.partitions=2",
                "--conf", "spark.sql.extensions=" + SmoothklExtensions.class.getName(),
                "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
                "--conf", "spark.connect.grpc.binding.port=" + port,
                // Hive support, for CREATE TEMPORARY FUNCTION of the Hive UDF; its metastore in this test's directory
                "--conf", "spark.sql.catalogImplementation=hive",
                "--conf", "spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=" + tmp.resolve("metastore_db")
                        + ";create=true",
                "--conf", "spark.hadoop.datanucleus.schema.autoCreateAll=true",
                "--conf", "spark.hadoop.hive.metastore.schema.verification=false",
                "--conf", "spark.hadoop.hive.exec.scratchdir=" + tmp.resolve("hive-scratch"),
                "--conf", "spark.sql.warehouse.dir=" + tmp.resolve("warehouse"),
                "--driver-java-options", "-Dderby.stream.error.file=" + tmp.resolve("derby.log"),
                "--jars", ChildJvms.JAR.toString(),
                CONNECT.resolve("spark-connect-server.jar").toString()), Map.of());
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!listening()) {
            assertThat(server.process().isAlive()).as("the Connect server exited:\n" + server.err()).isTrue();
            assertThat(System.nanoTime()).as("the Connect server is not listening:\n" + server.err()).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    private static boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (children != null) {
            children.close();
            // the children's logs outlive the temporary directory, for a failure's details
            Path kept = ChildJvms.BASEDIR.resolve("target/connect-it-logs");
            Files.createDirectories(kept);
            try (var logs = Files.list(children.logDir())) {
                for (Path log : logs.toList()) {
                    Files.copy(log, kept.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The client JVM: the Connect client jar first, then Spark's jars for what it depends on (Scala, Jackson, ...). */
    private static List<String> client(String... queries) {
        String cp = CONNECT.resolve("spark-connect-client.jar") + java.io.File.pathSeparator
                + ChildJvms.BASEDIR.resolve("target/test-classes") + java.io.File.pathSeparator + ChildJvms.sparkClasspath();
        List<String> args = new ArrayList<>(List.of("sc://127.0.0.1:" + port));
        args.addAll(List.of(queries));
        List<String> command = new ArrayList<>(ChildJvms.javaCommand(List.of("-Xmx512m"), ConnectClientMain.class.getName(), args));
        command.set(command.indexOf("-cp") + 1, cp); // not Spark's jars first
        ChildJvms.Child c = children.start("connect-client", command, Map.of());
        assertThat(c.waitFor(TIMEOUT)).as(c.err()).isZero();
        assertThat(c.out()).contains("SESSION org.apache.spark.sql.connect.SparkSession");
        return c.out().lines().filter(l -> l.startsWith("ROW ") || l.startsWith("ERROR ")).toList();
    }

    /** The same query here, in the classic session, printed as the client prints it. */
    private static List<String> local(int i, String query) {
        SparkSession spark = SparkTestSession.get();
        SmoothklFunctions.register(spark);
        List<String> out = new ArrayList<>();
        for (Row r : spark.sql(query).collectAsList()) {
            out.add("ROW " + i + " " + r.mkString("\t"));
        }
        return out;
    }

    @Test
    void theFunctionsAndTheSummaryRunOnAConnectServerWithTheExtension() {
        String preds = "parquet.`" + data + "`";
        String rows = "SELECT id, to_json(smoothkl_metrics(logits, label, 'seed', 0.1)) FROM " + preds + " ORDER BY id";
        String summary = "SELECT slice, to_json(smoothkl_summary(smoothkl_metrics(logits, label, 'seed', 0.1), 'seed')) FROM "
                + preds + " GROUP BY slice ORDER BY slice";
        String bad = "SELECT smoothkl_metrics(logits, label, 'seed', 1.5) FROM " + preds;
        String[] exprs = {"id", "to_json(smoothkl_metrics(logits, label, 'onmt', 0.2, 1))"};
        // CREATE TEMPORARY FUNCTION … USING JAR of the Hive UDF, in the server's Hive-enabled session
        String create = "CREATE TEMPORARY FUNCTION smoothkl_hive AS '" + HiveMetricsUdf.class.getName() + "' USING JAR '"
                + ChildJvms.JAR + "'";
        String hiveRows = rows.replace("smoothkl_metrics(", "smoothkl_hive(");
        String hiveSummary = summary.replace("smoothkl_metrics(", "smoothkl_hive(");
        String hiveBad = bad.replace("smoothkl_metrics(", "smoothkl_hive(");
        List<String> got = client(rows, summary, bad, ConnectClientMain.SELECT_EXPR + data + "|" + String.join("|", exprs),
                create, hiveRows, hiveSummary, hiveBad);

        List<String> expected = new ArrayList<>(local(1, rows));
        expected.addAll(local(2, summary));
        assertThat(expected).hasSize(601 + 3);
        assertThat(got.subList(0, expected.size())).isEqualTo(expected);
        assertThat(got.get(expected.size())).startsWith("ERROR 3 org.apache.spark.sql.AnalysisException")
                .contains("smoothkl_metrics: argument 4 (epsilon) must lie in [0, 1], got 1.5");
        assertThat(String.join("\n", got)).contains("\"status\":\"invalid\",\"reason\":\"label_out_of_range\"");

        // the DataFrame API (PySpark's df.selectExpr) over Connect: the same rows as here, in any order
        List<String> selected = new ArrayList<>();
        for (Row r : SparkTestSession.get().read().parquet(data).selectExpr(exprs).collectAsList()) {
            selected.add("ROW 4 " + r.mkString("\t"));
        }
        assertThat(queryLines(got, 4)).containsExactlyInAnyOrderElementsOf(selected).hasSize(601);

        // the Hive UDF gives the extension function's rows and summaries; its bad ε is an analysis error too
        assertThat(queryLines(got, 5)).isEmpty();
        assertThat(queryLines(got, 6)).isEqualTo(renumbered(local(1, rows), 6));
        assertThat(queryLines(got, 7)).isEqualTo(renumbered(local(2, summary), 7));
        assertThat(queryLines(got, 8)).singleElement().asString().startsWith("ERROR 8 org.apache.spark.sql.AnalysisException")
                .contains("smoothkl_metrics: argument 4 (epsilon) must lie in [0, 1], got 1.5");
    }

    private static List<String> queryLines(List<String> lines, int i) {
        return lines.stream().filter(l -> l.startsWith("ROW " + i + " ") || l.startsWith("ERROR " + i + " ")).toList();
    }

    private static List<String> renumbered(List<String> lines, int i) {
        return lines.stream().map(l -> l.replaceFirst("^ROW \\d+ ", "ROW " + i + " ")).toList();
    }
}
