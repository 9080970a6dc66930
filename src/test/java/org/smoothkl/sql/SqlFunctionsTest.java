package org.smoothkl.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.hive.serde2.objectinspector.primitive.PrimitiveObjectInspectorFactory;
import org.apache.hadoop.hive.serde2.typeinfo.TypeInfoFactory;
import org.apache.spark.SparkException;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.smoothkl.SparkTestSession;
import org.smoothkl.SummaryCompare;
import org.smoothkl.api.Smoothkl;
import org.smoothkl.output.SyntheticOutput;
import org.smoothkl.spark.MetricColumns;
import py4j.reflection.MethodInvoker;
import py4j.reflection.ReflectionEngine;

/**
 * The SQL functions on the suite's session: {@code smoothkl_metrics} through the function registry
 * (what the extension injects; {@link SmoothklFunctions#register}, called as PySpark calls it) and
 * through {@code UDFRegistration.registerJava} (PySpark's registerJavaFunction), against the job's
 * own rows/ and invalid/ bit for bit, and {@code smoothkl_summary} against its summary.json, on
 * synthetic rows plus one row of each kind of bad row; every bad argument an AnalysisException.
 */
class SqlFunctionsTest {
    private static final SparkSession spark = SparkTestSession.get();
    private static final ReflectionEngine PY4J = new ReflectionEngine();
    private static final String[] FIELDS = MetricColumns.NAMES.toArray(String[]::new);

    @TempDir
    static Path dir;
    private static String data;

    @BeforeAll
    static void data() {
        String clean = dir.resolve("clean").toString();
        SyntheticOutput.write(spark, 3000, 10, 0.1, 3, 42, clean, false);
        data = dir.resolve("data").toString();
        spark.read().parquet(clean).unionByName(edgeRows()).repartition(3)
                .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id())
                .write().parquet(data);
        spark.read().parquet(data).createOrReplaceTempView("preds");
        // spark._jvm.org.smoothkl.sql.SmoothklFunctions.register(spark._jsparkSession)
        py4j(SmoothklFunctions.class, "register", spark);
    }

    /** Rows of each status and reason (seed: ignore index 100000; onmt: pad 1), float logits, int labels. */
    private static Dataset<Row> edgeRows() {
        return spark.sql("""
                SELECT 'edge' AS slice, label, CAST(logits AS array<float>) AS logits FROM VALUES
                  (0, array(1D, 2D, 3D)), (100000, array(1D, 5D, 3D)), (1, array(4D, 2D, 3D, 0D)),
                  (-100, array(1D, 2D, 3D)), (7, array(1D, 2D, 3D)), (CAST(NULL AS INT), array(1D, 2D)),
                  (0, CAST(NULL AS array<double>)), (0, array(1D, NULL, 3D)), (0, array(1D)),
                  (0, array(1D, CAST('NaN' AS DOUBLE), CAST('Infinity' AS DOUBLE))), (2, array(9D, 9D, 1D))
                  AS t(label, logits)
                """);
    }

    /** {@code target.name(args)} as py4j calls it (Py4jCallTest): resolved from the arguments' runtime classes. */
    private static Object py4j(Object target, String name, Object... args) {
        Class<?>[] types = java.util.Arrays.stream(args).map(a -> a == null ? Object.class : a.getClass()).toArray(Class<?>[]::new);
        MethodInvoker m = target instanceof Class<?> c ? PY4J.getMethod(c, name, types) : PY4J.getMethod(target, name, args);
        assertThat(m).as("py4j finds %s", name).isNotSameAs(MethodInvoker.INVALID_INVOKER);
        return PY4J.invoke(target instanceof Class<?> ? null : target, m, args);
    }

    /** The job's per-row metrics (rows/ and invalid/, --keep id) by id, as text of the metric columns. */
    private static Map<Long, String> jobRows(String preset, double epsilon, Path out) {
        Smoothkl.audit(spark.read().parquet(data)).preset(preset).epsilon(epsilon).groupBy("slice").keep("id")
                .set("write-rows", true).set("engine", "cpu").output(out.toString()).write();
        Map<Long, String> rows = new HashMap<>();
        List<String> cols = new ArrayList<>(List.of("id"));
        cols.addAll(MetricColumns.NAMES);
        for (Row r : spark.read().parquet(out.resolve("rows").toString()).selectExpr(cols.toArray(String[]::new)).collectAsList()) {
            rows.put(r.getLong(0), r.toString());
        }
        // invalid/ holds the reason (and the logits): status invalid, no metrics, correct false
        for (Row r : spark.read().parquet(out.resolve("invalid").toString()).select("id", "reason").collectAsList()) {
            rows.put(r.getLong(0), "[" + r.getLong(0) + ",invalid," + r.getString(1) + ",null,null,null,null,null,null,null,false,null]");
        }
        return rows;
    }

    private static Map<Long, String> sqlRows(String query) {
        Map<Long, String> rows = new HashMap<>();
        List<String> cols = new ArrayList<>(List.of("id"));
        for (String f : FIELDS) {
            cols.add("m." + f);
        }
        for (Row r : spark.sql(query).selectExpr(cols.toArray(String[]::new)).collectAsList()) {
            rows.put(r.getLong(0), r.toString());
        }
        return rows;
    }

    @ParameterizedTest(name = "{0} eps={1}")
    @CsvSource({"seed, 0.1, 100000", "onmt, 0.2, 1", "pytorch, 0, -100"})
    void everyRegistrationGivesTheJobsRowsBitForBit(String preset, double epsilon, long ignoreIndex) {
        Map<Long, String> job = jobRows(preset, epsilon, dir.resolve("rows-" + preset));
        assertThat(job).hasSize(3000 + 11);
        String eps = Double.toString(epsilon);
        // the registry's function, ε as SQL's decimal literal and as a double
        assertThat(sqlRows("SELECT id, smoothkl_metrics(logits, label, '" + preset + "', " + eps + ") AS m FROM preds"))
                .isEqualTo(job);
        assertThat(sqlRows("SELECT id, smoothkl_metrics(logits, label, '" + preset.toUpperCase() + "', CAST(" + eps
                + " AS DOUBLE), " + ignoreIndex + ") AS m FROM preds")).isEqualTo(job);

        // registerJavaFunction(name, className, returnType) as PySpark calls it:
        // spark._jsparkSession.udf().registerJava(name, className, spark._jsparkSession.parseDataType(returnType.json()))
        String ddl = (String) py4j(SmoothklFunctions.class, "metricsType"); // spark._jvm.org.smoothkl.sql.SmoothklFunctions.metricsType()
        DataType type = DataType.fromJson(DataType.fromDDL(ddl).json());
        py4j(spark.udf(), "registerJava", "smoothkl_metrics_j4", MetricsUdf4.class.getName(), type);
        py4j(spark.udf(), "registerJava", "smoothkl_metrics_j5", MetricsUdf5.class.getName(), type);
        assertThat(sqlRows("SELECT id, smoothkl_metrics_j4(logits, label, '" + preset + "', " + eps + ") AS m FROM preds"))
                .isEqualTo(job);
        assertThat(sqlRows("SELECT id, smoothkl_metrics_j5(logits, label, '" + preset + "', " + eps + ", " + ignoreIndex
                + ") AS m FROM preds")).isEqualTo(job);
    }

    @Test
    void labelsOfFractionalTypesAreReadAsTheJobReadsThem() {
        List<Row> r = spark.sql("SELECT smoothkl_metrics(array(1D, 2D, 3D), l, 'seed', 0.1) AS m FROM VALUES (2.0D), (2.5D), "
                + "(CAST('NaN' AS DOUBLE)), (1e30D) AS t(l)").selectExpr("m.status", "m.reason", "m.nll").collectAsList();
        assertThat(r.get(0).getString(0)).isEqualTo("valid");
        assertThat(r.get(0).getDouble(2)).isEqualTo(spark.sql(
                "SELECT smoothkl_metrics(array(1D, 2D, 3D), 2, 'seed', 0.1).nll").first().getDouble(0));
        for (Row bad : r.subList(1, 4)) {
            assertThat(bad.getString(1)).as(bad.toString()).isEqualTo("malformed_label");
        }
        // a registerJavaFunction class takes integer labels (its GPU body could not read others as the job does)
        py4j(spark.udf(), "registerJava", "smoothkl_metrics_j4", MetricsUdf4.class.getName(),
                DataType.fromDDL(SmoothklFunctions.metricsType()));
        assertThatThrownBy(() -> spark.sql("SELECT smoothkl_metrics_j4(array(1D, 2D, 3D), 2.0D, 'seed', 0.1)").collect())
                .hasStackTraceContaining("argument 2 (label) must be an integer, got a Double; cast it");
    }

    @Test
    void theSummaryQueryGivesTheJobsSummary() {
        Path out = dir.resolve("summary-seed");
        Smoothkl.audit(spark.read().parquet(data)).preset("seed").epsilon(0.1).groupBy("slice").set("engine", "cpu")
                .output(out.toString()).write();
        JsonNode job = SummaryCompare.read(out);
        String summary = "smoothkl_summary(smoothkl_metrics(logits, label, 'seed', 0.1), 'seed', 50, 0, 20, 15)";
        JsonNode overall = asSummaryJson(spark.sql("SELECT " + summary + " AS s FROM preds").first().getStruct(0));
        List<Row> slices = spark.sql("SELECT slice, " + summary + " AS s FROM preds GROUP BY slice ORDER BY slice").collectAsList();
        // Spark's sum adds a partition's rows one by one (error up to n·2⁻⁵³ relative for terms of one sign), the job in a
        // tree of blocks with compensation at the end: 3011 rows differ by at most 3011·2⁻⁵³ ≈ 3.3e-13 relative.
        double tol = 3011 * 0x1p-53;
        SummaryCompare.assertSameSlice("overall", job.get("overall"), overall, tol);
        SummaryCompare.assertClose("overall ece", job.at("/overall/ece"), overall.get("ece"), tol);
        SummaryCompare.assertClose("overall mean_confidence", job.at("/overall/mean_confidence"),
                overall.get("mean_confidence"), tol);
        assertThat(slices).hasSize(job.get("slices").size());
        double measured = 0;
        for (int i = 0; i < slices.size(); i++) {
            JsonNode s = job.get("slices").get(i);
            assertThat(s.at("/key/slice").asText()).isEqualTo(slices.get(i).getString(0));
            JsonNode sql = asSummaryJson(slices.get(i).getStruct(1));
            SummaryCompare.assertSameSlice("slice " + s.get("key"), s, sql, tol);
            SummaryCompare.assertClose("ece", s.get("ece"), sql.get("ece"), tol);
            for (String k : List.of("sum_kl", "sum_smoothed_ce", "sum_nll")) {
                measured = Math.max(measured, Math.abs(sql.get(k).asDouble() - s.get(k).asDouble()) / Math.abs(s.get(k).asDouble()));
            }
        }
        System.out.printf("smoothkl_summary vs summary.json: largest relative difference of the sums %.3g%n", measured);
        assertThat(overall.get("invalid").asLong()).isEqualTo(7); // of the edge rows: -100 and 7 are out of range for seed
    }

    /** The SQL summary in summary.json's shape: preset_loss under "value", the reasons that occur, no reason at 0. */
    private static JsonNode asSummaryJson(Row s) {
        ObjectNode n = (ObjectNode) readJson(s.json());
        ObjectNode reasons = n.putObject("invalid_by_reason_nonzero");
        for (Iterator<Map.Entry<String, JsonNode>> it = n.get("invalid_by_reason").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().asLong() > 0) {
                reasons.set(e.getKey(), e.getValue());
            }
        }
        n.set("invalid_by_reason", reasons);
        n.remove("invalid_by_reason_nonzero");
        double loss = n.get("preset_loss").asDouble();
        n.putObject("preset_loss").put("value", loss);
        ArrayNode edges = (ArrayNode) n.at("/gap_histogram/edges");
        assertThat(edges.size()).isEqualTo(51);
        return n;
    }

    private static JsonNode readJson(String s) {
        try {
            return SummaryCompare.JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aBadArgumentIsAnAnalysisErrorNamingIt() {
        assertAnalysisError("smoothkl_metrics(logits, label, slice, 0.1)", "argument 3 (preset) must be a constant");
        assertAnalysisError("smoothkl_metrics(logits, label, 'sed', 0.1)", "argument 3 (preset) is not a preset: 'sed' (did you mean seed?); the presets are seed");
        assertAnalysisError("smoothkl_metrics(logits, label, 'seed', 1.5)", "argument 4 (epsilon) must lie in [0, 1], got 1.5");
        assertAnalysisError("smoothkl_metrics(logits, label, 'seed', -0.1D)", "argument 4 (epsilon) must lie in [0, 1]");
        assertAnalysisError("smoothkl_metrics(logits, label, 'seed', CAST(id AS DOUBLE) / 1e9)",
                "argument 4 (epsilon) must be a constant");
        assertAnalysisError("smoothkl_metrics(CAST(logits AS STRING), label, 'seed', 0.1)",
                "argument 1 (logits) must be array<float> or array<double>, got string");
        assertAnalysisError("smoothkl_metrics(logits, slice, 'seed', 0.1)", "argument 2 (label) must be an integer");
        assertAnalysisError("smoothkl_metrics(logits, label, 'seed', 0.1, 1.5)", "argument 5 (ignore_index) must be an integer");
        assertAnalysisError("smoothkl_metrics(logits, label, 'seed')", "smoothkl_metrics takes 4 to 5 arguments");
        assertAnalysisError("smoothkl_summary(label, 'seed')", "argument 1 (metrics) must be the struct smoothkl_metrics returns");
        assertAnalysisError("smoothkl_summary(smoothkl_metrics(logits, label, 'seed', 0.1), 'seed', 10, 5, 1)",
                "argument 4 (gap_lo) and argument 5 (gap_hi): --gap-range must be LO:HI with finite LO < HI");
        assertAnalysisError("smoothkl_summary(smoothkl_metrics(logits, label, 'seed', 0.1), 'seed', 5000, 0, 20)",
                "argument 3 (bins) must be an integer from 1 to 1000, got 5000");
    }

    private static void assertAnalysisError(String call, String message) {
        assertThatThrownBy(() -> spark.sql("SELECT " + call + " FROM preds").schema())
                .as(call).isInstanceOf(AnalysisException.class).hasMessageContaining(message);
    }

    /**
     * CREATE TEMPORARY FUNCTION … AS 'class' [USING JAR]: Spark's own catalog makes functions only of
     * aggregate classes (UserDefinedAggregateFunction, Aggregator); a UDF class is refused when the
     * function is called. (With Hive support it takes Hive UDF classes: HiveMetricsUdf, SparkConnectIT.)
     */
    @Test
    void createTemporaryFunctionTakesNoJavaUdfClass() {
        spark.sql("CREATE OR REPLACE TEMPORARY FUNCTION smoothkl_created AS '" + MetricsUdf4.class.getName() + "'");
        assertThatThrownBy(() -> spark.sql("SELECT smoothkl_created(logits, label, 'seed', 0.1) FROM preds").schema())
                .isInstanceOf(AnalysisException.class).hasMessageContaining("NO_HANDLER_FOR_UDAF");
    }

    /** registerJavaFunction's classes see values, not the query: their checks fail the task, naming the argument. */
    @Test
    void theRegisteredJavaClassesCheckTheirArgumentsInTheTask() {
        py4j(spark.udf(), "registerJava", "smoothkl_metrics_j4", MetricsUdf4.class.getName(),
                DataType.fromDDL(SmoothklFunctions.metricsType()));
        assertThatThrownBy(() -> spark.sql("SELECT smoothkl_metrics_j4(logits, label, 'sed', 0.1) FROM preds").collect())
                .isInstanceOf(SparkException.class)
                .hasStackTraceContaining("smoothkl_metrics (registerJavaFunction): argument 3 (preset) is not a preset: 'sed' (did you mean seed?); the presets are seed");
        assertThatThrownBy(() -> spark.sql("SELECT smoothkl_metrics_j4(logits, label, 'seed', 2) FROM preds").collect())
                .hasStackTraceContaining("argument 4 (epsilon) must lie in [0, 1], got 2.0");
        assertThatThrownBy(() -> spark.sql("SELECT smoothkl_metrics_j4(logits, label, 'seed', CAST(NULL AS DOUBLE)) FROM preds").collect())
                .hasStackTraceContaining("argument 4 (epsilon) must not be null");
        py4j(spark.udf(), "registerJava", "smoothkl_metrics_j5", MetricsUdf5.class.getName(),
                DataType.fromDDL(SmoothklFunctions.metricsType()));
        assertThatThrownBy(() -> spark.sql("SELECT smoothkl_metrics_j5(logits, label, 'seed', 0.1, 1.5D) FROM preds").collect())
                .hasStackTraceContaining("argument 5 (ignore_index) must be an integer, got a Double");
        // without a return type Spark cannot infer one from Row: registerJavaFunction needs metricsType()
        assertThatThrownBy(() -> py4j(spark.udf(), "registerJava", "smoothkl_metrics_j0", MetricsUdf4.class.getName(), null))
                .isInstanceOf(Exception.class);
    }

    /** Rows of a local relation, which the driver scores itself with the registered instance (one for every query). */
    private static final String LOCAL_ROWS = "VALUES (0L, 0, array(1D, 2D, 3D)), (1L, 2, array(0.5D, 4D, 1D)), (2L, 1, array(3D, 3D, 9D)),"
            + " (3L, -100, array(1D, 2D)), (4L, 100000, array(1D, 2D)), (5L, 1, array(2D, 1D)) AS t(id, label, logits)";

    private static Map<Long, String> localRows(String function, String preset, String epsilon) {
        return sqlRows("SELECT id, " + function + "(logits, label, '" + preset + "', " + epsilon + ") AS m FROM " + LOCAL_ROWS);
    }

    /**
     * registerJava makes one instance for every query that calls the name, evaluated on the driver
     * for VALUES and createDataFrame of rows: a second query with other settings is scored with its
     * own (as the extension's function, which the first test holds to the job's rows, scores it), also
     * when two threads query at once.
     */
    @Test
    void oneRegisteredInstanceServesQueriesOfOtherSettings() throws Exception {
        py4j(spark.udf(), "registerJava", "smoothkl_metrics_shared", MetricsUdf4.class.getName(),
                DataType.fromDDL(SmoothklFunctions.metricsType()));
        Map<Long, String> seed = localRows(SmoothklFunctions.METRICS, "seed", "0.1");
        Map<Long, String> pytorch = localRows(SmoothklFunctions.METRICS, "pytorch", "0.2");
        assertThat(seed).hasSize(6).isNotEqualTo(pytorch);
        assertThat(localRows("smoothkl_metrics_shared", "seed", "0.1")).isEqualTo(seed);
        assertThat(localRows("smoothkl_metrics_shared", "pytorch", "0.2")).isEqualTo(pytorch);

        // createDataFrame(List<Row>): a local relation too
        List<Row> rows = spark.sql("SELECT * FROM " + LOCAL_ROWS).collectAsList();
        spark.createDataFrame(rows, spark.sql("SELECT * FROM " + LOCAL_ROWS).schema()).createOrReplaceTempView("local_rows");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Boolean>> runs = new ArrayList<>();
            for (int k = 0; k < 6; k++) {
                boolean even = k % 2 == 0;
                runs.add(pool.submit(() -> sqlRows("SELECT id, smoothkl_metrics_shared(logits, label, '"
                        + (even ? "seed', 0.1" : "pytorch', 0.2") + ") AS m FROM local_rows").equals(even ? seed : pytorch)));
            }
            for (java.util.concurrent.Future<Boolean> run : runs) {
                assertThat(run.get()).as("a concurrent query's rows").isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The Hive UDF's checks at initialize: the type of each setting, then the extension's check of its value. */
    @Test
    void theHiveUdfChecksTheSettingsTypesAndValues() {
        assertHiveRefuses(hiveConstant(TypeInfoFactory.stringTypeInfo, new org.apache.hadoop.io.Text("0.1")),
                "argument 4 (epsilon) must be a number, got string");
        assertHiveRefuses(hiveConstant(TypeInfoFactory.booleanTypeInfo, new org.apache.hadoop.io.BooleanWritable(true)),
                "argument 4 (epsilon) must be a number, got boolean");
        assertHiveRefuses(hiveConstant(TypeInfoFactory.doubleTypeInfo, null), "argument 4 (epsilon) must not be null");
        assertHiveRefuses(hiveConstant(TypeInfoFactory.doubleTypeInfo, new org.apache.hadoop.hive.serde2.io.DoubleWritable(1.5)),
                "argument 4 (epsilon) must lie in [0, 1], got 1.5");
    }

    private static org.apache.hadoop.hive.serde2.objectinspector.ObjectInspector hiveConstant(
            org.apache.hadoop.hive.serde2.typeinfo.PrimitiveTypeInfo type, Object value) {
        return PrimitiveObjectInspectorFactory.getPrimitiveWritableConstantObjectInspector(type, value);
    }

    private static void assertHiveRefuses(org.apache.hadoop.hive.serde2.objectinspector.ObjectInspector epsilon, String message) {
        var args = new org.apache.hadoop.hive.serde2.objectinspector.ObjectInspector[] {
                org.apache.hadoop.hive.serde2.objectinspector.ObjectInspectorFactory.getStandardListObjectInspector(
                        PrimitiveObjectInspectorFactory.javaDoubleObjectInspector),
                PrimitiveObjectInspectorFactory.javaLongObjectInspector,
                hiveConstant(TypeInfoFactory.stringTypeInfo, new org.apache.hadoop.io.Text("seed")), epsilon};
        assertThatThrownBy(() -> new HiveMetricsUdf().initialize(args))
                .isInstanceOf(org.apache.hadoop.hive.ql.exec.UDFArgumentException.class)
                .hasMessage(SmoothklFunctions.METRICS + ": " + message);
    }
}
