package org.smoothkl.sql;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF3;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.classic.ColumnNodeToExpressionConverter$;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NullType;
import org.smoothkl.aggregate.AuditAggregation;
import org.smoothkl.api.Settings;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.Metric;
import org.smoothkl.engine.MetricsEngines;
import org.smoothkl.engine.RapidsMetricsEngine;
import org.smoothkl.input.InputColumns;
import org.smoothkl.input.InputReader;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.LossKind;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.Reduction;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.spark.MetricColumns;
import scala.Function1;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The SQL functions, as Catalyst function builders: each checks its arguments when the query is
 * analysed ({@link SqlArguments}). smoothkl_metrics becomes one UDF call, which the RAPIDS
 * Accelerator runs on the GPU where the UDF is the RAPIDS engine's (a {@code RapidsUDF});
 * smoothkl_summary expands into plain Spark SQL aggregates, which it can place on the GPU too.
 * <ul>
 *   <li>{@code smoothkl_metrics(logits, label, preset, epsilon [, ignore_index])}: the job's per-row
 *       struct ({@link MetricColumns#SCHEMA}, the {@link MetricField}s) as one call of the RAPIDS
 *       engine's UDF where the build and class path have it ({@code org.smoothkl.gpu.RapidsMetricsUdf},
 *       loaded by name), else of {@link CpuMetricsUdf}: both score a row with {@link org.smoothkl.loss.SingleRow}.
 *       A label of type float, double or decimal counts when it holds an integer, else the row is
 *       invalid with reason malformed_label, as the job reads such labels.</li>
 *   <li>{@code smoothkl_summary(metrics, preset [, bins, gap_lo, gap_hi [, calibration_bins]])}:
 *       an aggregate over that struct giving a slice's numbers of summary.json (see sql.md).</li>
 * </ul>
 * {@link SmoothklExtensions} injects them at session start; {@link #register} adds them to a
 * running session (PySpark: {@code spark._jvm.org.smoothkl.sql.SmoothklFunctions.register(spark._jsparkSession)}).
 */
public final class SmoothklFunctions {
    public static final String METRICS = "smoothkl_metrics";
    public static final String SUMMARY = "smoothkl_summary";
    static final List<String> METRICS_ARGUMENTS = List.of("logits", "label", "preset", "epsilon", "ignore_index");
    static final List<String> SUMMARY_ARGUMENTS = List.of("metrics", "preset", "bins", "gap_lo", "gap_hi",
            "calibration_bins");
    /**
     * The struct smoothkl_metrics returns, as a DDL type string: the return type to register
     * {@link MetricsUdf4} and {@link MetricsUdf5} with (a Java UDF's cannot be inferred from Row).
     * A method, not a constant, so that py4j reaches it as {@code spark._jvm…metricsType()}.
     */
    public static String metricsType() {
        return MetricColumns.SCHEMA.toDDL();
    }
    /** Each bin of the histograms is one aggregate of the query; beyond this, use the job. */
    static final int MAX_SQL_BINS = 1000;

    private SmoothklFunctions() {
    }

    /** Adds both functions to {@code spark}'s function registry (they replace functions of the same names). */
    public static void register(SparkSession spark) {
        FunctionRegistry registry = ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry();
        for (Tuple3<FunctionIdentifier, ExpressionInfo, Function1<Seq<Expression>, Expression>> f : descriptions()) {
            registry.registerFunction(f._1(), f._2(), f._3());
        }
    }

    /** What the extension injects: name, description (DESCRIBE FUNCTION) and builder of each function. */
    static List<Tuple3<FunctionIdentifier, ExpressionInfo, Function1<Seq<Expression>, Expression>>> descriptions() {
        return List.of(
                new Tuple3<>(FunctionIdentifier.apply(METRICS), new ExpressionInfo(SmoothklFunctions.class.getName(), null,
                        METRICS, "smoothkl_metrics(logits, label, preset, epsilon [, ignore_index]) - the per-row "
                        + "label-smoothing metrics struct (" + String.join(", ", MetricColumns.NAMES) + ")", ""),
                        SmoothklFunctions::metrics),
                new Tuple3<>(FunctionIdentifier.apply(SUMMARY), new ExpressionInfo(SmoothklFunctions.class.getName(), null,
                        SUMMARY, "smoothkl_summary(metrics, preset [, bins, gap_lo, gap_hi [, calibration_bins]]) - "
                        + "aggregate: a slice's summary (counts, sums, means, accuracy, gap histogram, ECE)", ""),
                        SmoothklFunctions::summary));
    }

    // ---- smoothkl_metrics --------------------------------------------------------------------

    static Expression metrics(Seq<Expression> given) {
        SqlArguments args = new SqlArguments(METRICS, METRICS_ARGUMENTS, CollectionConverters.asJava(given));
        args.requireCount(4);
        Column logits = ExpressionUtils.column(args.logits(0));
        Smoothing smoothing = args.metricsSettings();

        Expression labelArg = args.get(1);
        DataType labelType = labelArg.dataType();
        Column label = ExpressionUtils.column(labelArg);
        Column inputError = lit(null).cast(DataTypes.StringType);
        if (InputColumns.isFractional(labelType)) {
            Column parsed = InputReader.integralLabel(label, labelType); // as the job reads such labels
            inputError = when(label.isNotNull().and(parsed.isNull()), lit(InvalidReason.MALFORMED_LABEL.code()));
            label = parsed;
        } else if (InputColumns.isIntegral(labelType) || labelType instanceof NullType) {
            label = label.cast(DataTypes.LongType);
        } else {
            throw args.problem(1, "must be an integer (or a float, double or decimal holding integers), got "
                    + labelType.simpleString());
        }
        Column call = org.apache.spark.sql.functions.udf(udf(smoothing), MetricColumns.SCHEMA)
                .asNonNullable().withName(METRICS).apply(logits, label, inputError);
        return expression(call);
    }

    /**
     * A Column's Catalyst expression, converted now (ExpressionUtils.expression would wrap it for a
     * Dataset to convert later, which a SQL function's result never meets).
     */
    private static Expression expression(Column c) {
        return ColumnNodeToExpressionConverter$.MODULE$.apply(c.node());
    }

    /**
     * The RAPIDS engine's UDF where it loads (a -Pgpu build with the RAPIDS jar), else the CPU one:
     * the same rows. Under an active plugin, only after the GPU self-check passed ({@link GpuChecks}).
     */
    private static UDF3<?, ?, ?, ?> udf(Smoothing smoothing) {
        Class<?> rapids = RapidsUdfClass.CLASS;
        SparkSession spark = SparkSession.active();
        if (rapids == null || MetricsEngines.rapidsActive(spark) && !GpuChecks.passed(spark, smoothing)) {
            return new CpuMetricsUdf(smoothing);
        }
        try {
            return (UDF3<?, ?, ?, ?>) rapids.getConstructor(Smoothing.class).newInstance(smoothing);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + rapids.getName(), e);
        }
    }

    /** Looked up once: the class, or null where it or the RAPIDS classes it implements are missing. */
    static final class RapidsUdfClass {
        static final Class<?> CLASS = load();

        private static Class<?> load() {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            try {
                return Class.forName(RapidsMetricsEngine.UDF_CLASS, false,
                        loader == null ? SmoothklFunctions.class.getClassLoader() : loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
        }
    }

    // ---- smoothkl_summary --------------------------------------------------------------------

    static Expression summary(Seq<Expression> given) {
        SqlArguments args = new SqlArguments(SUMMARY, SUMMARY_ARGUMENTS, CollectionConverters.asJava(given));
        args.requireCount(2);
        if (args.size() == 3 || args.size() == 4) {
            throw args.problem(2, "comes with gap_lo and gap_hi: give all three, or none (the defaults)");
        }
        // nullability aside: the Hive UDF's struct has every field nullable
        if (!MetricColumns.SCHEMA.asNullable().equals(args.get(0).dataType().asNullable())) {
            throw args.problem(0, "must be the struct smoothkl_metrics returns, got " + args.get(0).dataType().simpleString());
        }
        Preset preset = args.preset(1);
        Settings defaults = Settings.load("run", null, java.util.Map.of());
        GapHistogramSpec histogram;
        try {
            histogram = args.size() > 2
                    ? new GapHistogramSpec(args.constantInt(2, 1, MAX_SQL_BINS), args.constantNumber(3).doubleValue(),
                            args.constantNumber(4).doubleValue())
                    : GapHistogramSpec.parse(defaults.integer("bins"), defaults.string("gap-range"));
        } catch (AuditInputException e) { // the range's own check, named as the job's flags are
            throw args.problem(3, "and " + args.describe(4) + ": " + e.getMessage());
        }
        CalibrationSpec calibration = new CalibrationSpec(args.size() > 5 ? args.constantInt(5, 1, MAX_SQL_BINS)
                : defaults.integer("calibration-bins"));
        return expression(summaryOf(ExpressionUtils.column(args.get(0)), preset, histogram, calibration));
    }

    /**
     * The aggregate: plain counts and sums over the struct's fields, in summary.json's order and
     * under its keys. Means, fractions and accuracy are null where summary.json writes null (no
     * valid rows, no rows).
     */
    static Column summaryOf(Column m, Preset preset, GapHistogramSpec histogram, CalibrationSpec calibration) {
        Column status = m.getField(MetricColumns.STATUS);
        Column valid = status.equalTo(RowStatus.VALID.code());
        Column rows = count(lit(1));
        Column validRows = countIf(valid);
        Column ignoredRows = countIf(status.equalTo(RowStatus.IGNORED.code()));
        Column invalidRows = countIf(status.equalTo(RowStatus.INVALID.code()));
        List<Column> reasons = new ArrayList<>();
        for (InvalidReason r : InvalidReason.values()) {
            reasons.add(countIf(m.getField(MetricColumns.REASON).equalTo(r.code())).as(r.code()));
        }
        Column sumKl = validSum(valid, m.getField(MetricColumns.KL));
        Column sumCe = validSum(valid, m.getField(MetricColumns.SMOOTHED_CE));
        Column sumNll = validSum(valid, m.getField(MetricColumns.NLL));
        Column sumGap = validSum(valid, m.getField(MetricColumns.GAP));
        Column correct = countIf(valid.and(m.getField(MetricColumns.CORRECT)));
        Column classes = m.getField(MetricColumns.CLASSES);
        Column validClasses = when(valid, classes);
        Column oneK = min(validClasses).equalTo(max(validClasses));
        Column presetSum = preset.loss() == LossKind.KL ? sumKl : sumCe;

        Column gap = m.getField(MetricColumns.GAP);
        Column bucket = AuditAggregation.bucket(gap, histogram);
        List<Column> counts = new ArrayList<>();
        for (int b = 0; b < histogram.bins(); b++) {
            counts.add(countIf(valid.and(bucket.equalTo(b))));
        }
        List<Column> edges = new ArrayList<>();
        for (double e : histogram.edges()) {
            edges.add(lit(e));
        }

        // ECE = Σ_b |correct_b − Σ_{i∈b} confidence_i| / valid, b the job's calibration bin.
        Column confidence = m.getField(MetricColumns.CONFIDENCE);
        int bins = calibration.bins();
        Column bin = AuditAggregation.calibrationBin(confidence, calibration);
        Column calibrationGaps = lit(0.0);
        for (int b = 0; b < bins; b++) {
            Column inBin = valid.and(bin.equalTo(b));
            calibrationGaps = calibrationGaps.plus(abs(countIf(inBin.and(m.getField(MetricColumns.CORRECT)))
                    .minus(coalesce(sum(when(inBin, confidence)), lit(0.0)))));
        }
        return struct(
                rows.as(Metric.ROWS.code()), validRows.as(Metric.VALID.code()), ignoredRows.as(Metric.IGNORED.code()), invalidRows.as(Metric.INVALID.code()),
                struct(reasons.toArray(Column[]::new)).as("invalid_by_reason"),
                perRow(invalidRows, rows).as(Metric.INVALID_FRACTION.code()), perRow(ignoredRows, rows).as(Metric.IGNORED_FRACTION.code()),
                sumKl.as(Metric.SUM_KL.code()), perRow(sumKl, validRows).as(Metric.MEAN_KL.code()),
                sumCe.as(Metric.SUM_SMOOTHED_CE.code()), perRow(sumCe, validRows).as(Metric.MEAN_SMOOTHED_CE.code()),
                sumNll.as(Metric.SUM_NLL.code()), perRow(sumNll, validRows).as(Metric.MEAN_NLL.code()),
                perRow(correct, validRows).as(Metric.ACCURACY.code()), perRow(sumGap, validRows).as(Metric.MEAN_GAP.code()),
                when(oneK, max(when(valid, m.getField(MetricColumns.GAP_OPT)))).as(Metric.GAP_OPT.code()),
                when(oneK, min(validClasses)).as("classes"),
                (preset.reduction() == Reduction.SUM ? presetSum : perRow(presetSum, validRows)).as(Metric.PRESET_LOSS.code()),
                struct(array(edges.toArray(Column[]::new)).as("edges"), array(counts.toArray(Column[]::new)).as("counts"),
                        countIf(valid.and(bucket.equalTo(GapHistogramSpec.UNDERFLOW))).as("underflow"),
                        countIf(valid.and(bucket.equalTo(histogram.bins()))).as("overflow")).as("gap_histogram"),
                perRow(validSum(valid, confidence), validRows).as(Metric.MEAN_CONFIDENCE.code()),
                perRow(calibrationGaps, validRows).as(Metric.ECE.code()));
    }

    /** How many rows {@code condition} holds for (0 for none). */
    private static Column countIf(Column condition) {
        return count(when(condition, lit(1)));
    }

    /** Σ over valid rows; 0 when there are none, as summary.json has it. */
    private static Column validSum(Column valid, Column value) {
        return coalesce(sum(when(valid, value)), lit(0.0));
    }

    /** x / n as a double, null when n is 0 (summary.json's null for NaN). */
    private static Column perRow(Column x, Column n) {
        return when(n.gt(0), x.cast(DataTypes.DoubleType).divide(n.cast(DataTypes.DoubleType)));
    }
}
