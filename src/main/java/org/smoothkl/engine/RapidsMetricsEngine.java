package org.smoothkl.engine;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.input.AuditInput;
import org.smoothkl.spark.MetricColumns;
import org.smoothkl.spark.Columns;

/**
 * The RAPIDS engine: the metrics are one Spark SQL UDF, {@code org.smoothkl.gpu.RapidsMetricsUdf},
 * which the RAPIDS Accelerator evaluates on GPU batches with cuDF (and Spark on the CPU with the
 * same kernel as {@link CpuMetricsEngine}). Keeping the metrics inside Spark SQL is what lets the
 * plugin put the whole plan (scan, UDF, aggregation) on the GPU; the CPU engine's RDD detour would
 * cut it in two.
 *
 * <p>The UDF class implements {@code com.nvidia.spark.RapidsUDF}, so it cannot be loaded where the
 * RAPIDS jar is absent: it is loaded by name here, only when this engine is chosen, and nothing
 * else in this package mentions it. It is built only in the {@code gpu} profile (src/gpu/java):
 * a job jar built without {@code -Pgpu} has no RAPIDS engine. Output columns and semantics are
 * those of the CPU engine: the input's columns (the logits kept only on invalid rows) followed by
 * {@link MetricColumns}.
 */
public final class RapidsMetricsEngine implements MetricsEngine {
    public static final String UDF_CLASS = "org.smoothkl.gpu.RapidsMetricsUdf";
    private static final String METRICS = "_smoothkl_metrics";

    @Override
    public String name() {
        return "rapids";
    }

    @Override
    public ReadPath readPath() {
        return ReadPath.spark("the RAPIDS engine reads with the plugin's scan");
    }

    @Override
    public Dataset<Row> withMetrics(AuditInput input, Smoothing smoothing) {
        Dataset<Row> frame = input.frame();
        Column logits = Columns.quoted(input.logitsColumn());
        Column label = Columns.quoted(input.labelColumn()).cast(DataTypes.LongType);
        Column inputError = input.inputErrorColumn() == null
                ? lit(null).cast(DataTypes.StringType)
                : Columns.quoted(input.inputErrorColumn());
        UserDefinedFunction metrics = org.apache.spark.sql.functions.udf(udf(smoothing), MetricColumns.SCHEMA)
                .asNonNullable().withName("smoothkl_metrics");

        List<Column> inputColumns = new ArrayList<>();
        for (String name : frame.columns()) {
            inputColumns.add(Columns.quoted(name));
        }
        inputColumns.add(metrics.apply(logits, label, inputError).as(METRICS));
        Dataset<Row> withStruct = frame.select(inputColumns.toArray(Column[]::new));

        List<Column> out = new ArrayList<>();
        Column invalid = col(METRICS).getField(MetricColumns.STATUS).equalTo(RowStatus.INVALID.code());
        for (String name : frame.columns()) {
            Column c = Columns.quoted(name);
            // As in the CPU engine, only quarantined rows keep their logits (for invalid/).
            out.add(name.equals(input.logitsColumn()) ? when(invalid, c).as(name) : c);
        }
        for (String name : MetricColumns.NAMES) {
            out.add(col(METRICS).getField(name).as(name));
        }
        return withStruct.select(out.toArray(Column[]::new));
    }

    /** The UDF class; loading it fails here, when the engine is chosen, if it cannot run. */
    private final Class<?> udfClass;

    public RapidsMetricsEngine() {
        this(UDF_CLASS);
    }

    /** An engine with another UDF of the same contract (a test's deliberately wrong one). */
    RapidsMetricsEngine(String udfClassName) {
        this.udfClass = udfClass(udfClassName);
    }

    /**
     * The UDF class, loaded by name. Two things can be missing, each an exit 2 saying what to do:
     * the class itself (a job jar built without {@code -Pgpu}), or the RAPIDS classes it
     * implements (the RAPIDS jar not passed).
     */
    static Class<?> udfClass(String name) {
        try {
            return Class.forName(name, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AuditInputException(MISSING_UDF, e);
        } catch (NoClassDefFoundError e) {
            throw new AuditInputException("--engine rapids needs the RAPIDS Accelerator jar on the classpath "
                    + "(spark-submit --jars rapids-4-spark_2.13-*.jar; submit/fetch-rapids prints its path): " + e, e);
        }
    }

    static final String MISSING_UDF = "the RAPIDS engine is not in this job jar (" + UDF_CLASS + " is missing): "
            + "build it with `mvn -Pgpu package` (submit/gpu-cluster does) and submit that jar, "
            + "or run on the CPU with --engine cpu and without the RAPIDS plugin";

    /** A new instance of the UDF for this run. */
    private UDF3<?, ?, ?, ?> udf(Smoothing smoothing) {
        try {
            return (UDF3<?, ?, ?, ?>) udfClass.getConstructor(Smoothing.class).newInstance(smoothing);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + udfClass.getName(), e);
        }
    }
}
