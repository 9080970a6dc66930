package org.smoothkl.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.ChildJvms;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;

/**
 * Tables made in one JVM and audited by name or path in another, the packaged job run through
 * SparkSubmit as submit/local and a cluster run it (src/site/markdown/inputs.md, "Tables, Delta
 * and Iceberg"):
 * <ul>
 * <li>a real Hive metastore (embedded Derby in this test's directory): {@link TableMaker} creates
 * db.preds, the audit reads {@code --table db.preds} and {@code spark_catalog.db.preds}; a
 * missing table is exit 2 naming it;</li>
 * <li>real Delta tables with rows deleted (the file rewritten; and with deletion vectors, the
 * file kept): the audit with Delta's jar (spark.jars, as --jars and --packages give it) and its
 * session settings sees the current version, versionAsOf=0 the rows before the delete; read as
 * plain Parquet the directory is refused; without the jar, and for Iceberg without its jar, exit
 * 2 naming the --packages coordinates.</li>
 * </ul>
 */
class TablesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofMinutes(10);
    private static final List<String> DELTA_CONFS = List.of("spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension",
            "spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog");

    @TempDir
    static Path tmp;
    private static ChildJvms children;
    private static Path makerJar;

    @BeforeAll
    static void start() throws IOException {
        children = new ChildJvms(tmp.resolve("logs"));
        makerJar = tmp.resolve("table-maker.jar");
        String entry = TableMaker.class.getName().replace('.', '/') + ".class";
        try (OutputStream os = Files.newOutputStream(makerJar); JarOutputStream jar = new JarOutputStream(os);
             InputStream in = TableMaker.class.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new JarEntry(entry));
            in.transferTo(jar);
            jar.closeEntry();
        }
    }

    @AfterAll
    static void stop() {
        children.close();
    }

    /** {@link TableMaker} through SparkSubmit with these confs and jars. */
    private static ChildJvms.Child maker(String name, List<String> javaOpts, List<String> confs, List<String> jars, String... args) {
        List<String> submit = new ArrayList<>(List.of("--master", "local[1]", "--conf", "spark.ui.enabled=false",
                "--conf", "spark.ui.showConsoleProgress=false"));
        for (String c : confs) {
            submit.addAll(List.of("--conf", c));
        }
        if (!jars.isEmpty()) {
            submit.addAll(List.of("--jars", String.join(",", jars)));
        }
        submit.addAll(List.of("--class", TableMaker.class.getName(), makerJar.toString()));
        submit.addAll(List.of(args));
        List<String> jvm = new ArrayList<>(List.of("-Xmx1g"));
        jvm.addAll(javaOpts);
        return children.java(name, jvm, "org.apache.spark.deploy.SparkSubmit", submit, Map.of());
    }

    /** The packaged job's {@code run} in a child JVM. */
    private static ChildJvms.Child audit(String name, List<String> javaOpts, List<String> confs, String... flags) {
        List<String> args = new ArrayList<>(List.of("run", "--preset", "seed", "--epsilon", "0.1",
                "--output", tmp.resolve("out-" + name).toString()));
        args.addAll(List.of(flags));
        return children.submit(name, "local[1]", javaOpts, confs, args);
    }

    private static String done(ChildJvms.Child child) {
        int code = child.waitFor(TIMEOUT);
        assertThat(code).as(child.name() + ":\n" + child.err()).isZero();
        return child.out();
    }

    private static String refused(ChildJvms.Child child) {
        int code = child.waitFor(TIMEOUT);
        assertThat(code).as(child.name() + ":\n" + child.err()).isEqualTo(2);
        List<String> errors = child.err().lines().filter(l -> l.startsWith("smoothkl: error: ")).toList();
        assertThat(errors).as(child.err()).hasSize(1);
        assertThat(child.err()).doesNotContain("\tat ");
        return errors.get(0);
    }

    private static JsonNode summary(String name) throws IOException {
        return JSON.readTree(tmp.resolve("out-" + name).resolve("summary.json").toFile());
    }

    private static Map<String, Long> sliceRows(JsonNode summary) {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (JsonNode s : summary.get("slices")) {
            rows.put(s.get("key").elements().next().asText(), s.get("rows").asLong());
        }
        return rows;
    }

    /** Hive's metastore and warehouse in this test's directory (never the working directory's metastore_db). */
    private static List<String> hiveConfs() {
        return List.of("spark.sql.catalogImplementation=hive",
                "spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=" + tmp.resolve("metastore_db") + ";create=true",
                "spark.hadoop.datanucleus.schema.autoCreateAll=true",
                "spark.hadoop.hive.metastore.schema.verification=false",
                "spark.hadoop.hive.exec.scratchdir=" + tmp.resolve("hive-scratch"),
                "spark.sql.warehouse.dir=" + tmp.resolve("warehouse"));
    }

    private static List<String> derbyLog(String name) {
        return List.of("-Dderby.stream.error.file=" + tmp.resolve(name + "-derby.log"));
    }

    /** One JVM creates db.preds in the metastore; others, one at a time (embedded Derby), audit it by name. */
    @Test
    void catalogTableMadeInOneJvmAuditedInAnother() throws IOException {
        String made = done(maker("hive-maker", derbyLog("maker"), hiveConfs(), List.of(), "hive"));
        assertThat(made).contains("rows=30");

        done(audit("hive-table", derbyLog("a"), hiveConfs(), "--table", "db.preds", "--group-by", "slice"));
        JsonNode byName = summary("hive-table");
        assertThat(byName.at("/overall/rows").asLong()).isEqualTo(30);
        assertThat(sliceRows(byName)).isEqualTo(Map.of("a", 15L, "b", 15L));
        assertThat(byName.at("/config/table").asText()).isEqualTo("db.preds");

        done(audit("hive-three-part", derbyLog("b"), hiveConfs(), "--table", "spark_catalog.db.preds", "--group-by", "slice",
                "--where", "id >= 10 AND slice = 'b'"));
        JsonNode threePart = summary("hive-three-part");
        assertThat(threePart.at("/overall/rows").asLong()).isEqualTo(10);
        assertThat(sliceRows(threePart)).isEqualTo(Map.of("b", 10L));

        String missing = refused(audit("hive-missing", derbyLog("c"), hiveConfs(), "--table", "db.missing"));
        assertThat(missing).contains("--table db.missing", "no such table or view").doesNotContain("in-memory");
        assertThat(tmp.resolve("out-hive-missing")).doesNotExist();
        assertThat(ChildJvms.BASEDIR.resolve("metastore_db")).as("the metastore stays in the test's directory").doesNotExist();
    }

    /** The jars of Delta Lake as the test's classpath has them (what --packages io.delta:delta-spark_2.13 brings). */
    private static List<String> deltaJars() {
        return List.of(jarOf(io.delta.tables.DeltaTable.class), jarOf(io.delta.storage.LogStore.class));
    }

    private static String jarOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Delta tables whose rows 0-9 were deleted: rewritten (the Parquet files hold 50 rows, 30
     * stale) and with deletion vectors (the file's 30 rows all there, 10 marked). The audit sees
     * 20; at versionAsOf=0, 30. The same directory read as Parquet (the default) is refused, and
     * so are --format delta without Delta's jar and --format iceberg without Iceberg's.
     */
    @Test
    void deltaTablesAtTheirCurrentAndFirstVersions() throws IOException {
        String rewritten = tmp.resolve("delta-rewritten").toString();
        String vectors = tmp.resolve("delta-vectors").toString();
        ChildJvms.Child makeRewritten = maker("delta-maker", List.of(), DELTA_CONFS, deltaJars(), "delta", rewritten);
        ChildJvms.Child makeVectors = maker("delta-dv-maker", List.of(), DELTA_CONFS, deltaJars(), "delta-dv", vectors);
        assertThat(done(makeRewritten)).contains("rows=20 before=30 files=50");
        assertThat(done(makeVectors)).contains("rows=20 before=30 files=30");

        List<String> withDelta = new ArrayList<>(DELTA_CONFS);
        withDelta.add("spark.jars=" + String.join(",", deltaJars()));
        ChildJvms.Child current = audit("delta-current", List.of(), withDelta, "--input", rewritten, "--format", "delta",
                "--group-by", "slice");
        ChildJvms.Child first = audit("delta-v0", List.of(), withDelta, "--input", rewritten, "--format", "delta",
                "--option", "versionAsOf=0", "--group-by", "slice");
        done(current);
        done(first);
        assertThat(sliceRows(summary("delta-current"))).isEqualTo(Map.of("a", 10L, "b", 10L));
        assertThat(sliceRows(summary("delta-v0"))).isEqualTo(Map.of("a", 15L, "b", 15L));
        assertThat(summary("delta-v0").at("/config/options/versionAsOf").asText()).isEqualTo("0");

        ChildJvms.Child dv = audit("delta-dv", List.of(), withDelta, "--input", vectors, "--format", "delta", "--where", "slice = 'a'");
        ChildJvms.Child noJar = audit("delta-no-jar", List.of(), List.of(), "--input", rewritten, "--format", "delta");
        done(dv);
        assertThat(summary("delta-dv").at("/overall/rows").asLong()).isEqualTo(10);
        assertThat(refused(noJar)).contains("--format delta", "--packages io.delta:delta-spark_2.13:4.0.0",
                "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension");
        ChildJvms.Child noIceberg = audit("iceberg-no-jar", List.of(), List.of(), "--input", rewritten, "--format", "iceberg");
        assertThat(refused(noIceberg)).contains("--format iceberg",
                "--packages org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.10.0");

        for (String table : List.of(rewritten, vectors)) { // in this JVM: the shared session, no Delta extension needed
            CliRun asParquet = CliRun.of("run", "--input", table, "--preset", "seed", "--epsilon", "0.1",
                    "--output", tmp.resolve("out-as-parquet").toString());
            assertThat(asParquet.exitCode()).as(asParquet.err()).isEqualTo(2);
            assertThat(asParquet.err().strip()).doesNotContain("\n")
                    .contains("--input " + table + " is a Delta table (it has _delta_log/)", "give --format delta");
        }
        assertThat(SparkTestSession.get().read().parquet(rewritten).count()).as("what a Parquet read would count").isEqualTo(50);
    }
}
