package org.smoothkl.sql;

import java.util.Objects;
import org.apache.spark.sql.Row;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.Smoothing;
import scala.collection.Seq;

/**
 * {@code smoothkl_metrics} as a plain Java UDF class, for {@code spark.udf.registerJavaFunction}
 * (PySpark) and {@code UDFRegistration.registerJava}, which create it with its no-arg constructor:
 * {@link MetricsUdf4} and {@link MetricsUdf5}, one per arity. Such a UDF sees values, not the
 * query, so its checks run on the executors, in the first row: a bad preset or ε, a preset or ε
 * that is not one value for the whole task, a label that is not an integer or logits that are not
 * an array fail the task with a message naming the argument. The extension's function
 * ({@link SmoothklFunctions}) checks the same at analysis time, and is the one to prefer.
 * Rows are scored by {@link MetricsRows} ({@link org.smoothkl.loss.SingleRow}), as the extension's and
 * the engines' UDFs score them.
 */
abstract class RegisteredMetricsUdf implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    /** The settings of the first row, which every row must share (a UDF instance serves one task). */
    private String preset;
    private double epsilon;
    private Long ignoreIndex;
    private Smoothing smoothing;

    final Row score(Object logits, Object label, String presetCode, Object epsilonValue, Object ignoreIndexValue) {
        Smoothing s = smoothing(presetCode, epsilonValue, ignoreIndexValue);
        if (logits != null && !(logits instanceof Seq<?>)) {
            throw argument(0, "must be array<float> or array<double>, got a " + logits.getClass().getSimpleName());
        }
        if (label != null && !(label instanceof Long || label instanceof Integer || label instanceof Short
                || label instanceof Byte)) {
            // A fractional label would need the job's reading of such labels (InputReader; the extension's function has
            // it): a Java UDF class cannot have it on the GPU as well, so here the label is an integer.
            throw argument(1, "must be an integer, got a " + label.getClass().getSimpleName()
                    + "; cast it (CAST(label AS BIGINT)), or use the extension's smoothkl_metrics, which reads "
                    + "float, double and decimal labels as the job does");
        }
        return MetricsRows.score(s, (Seq<?>) logits, label == null ? null : ((Number) label).longValue(), null);
    }

    private Smoothing smoothing(String presetCode, Object epsilonValue, Object ignoreIndexValue) {
        if (!(epsilonValue instanceof Number e)) {
            throw argument(3, epsilonValue == null ? "must not be null" : "must be a number, got a "
                    + epsilonValue.getClass().getSimpleName());
        }
        Long ignore = null;
        if (ignoreIndexValue != null) {
            if (!(ignoreIndexValue instanceof Long || ignoreIndexValue instanceof Integer
                    || ignoreIndexValue instanceof Short || ignoreIndexValue instanceof Byte)) {
                throw argument(4, "must be an integer, got a " + ignoreIndexValue.getClass().getSimpleName());
            }
            ignore = ((Number) ignoreIndexValue).longValue();
        }
        double eps = e.doubleValue();
        if (smoothing != null) {
            if (!Objects.equals(preset, presetCode) || Double.compare(epsilon, eps) != 0 || !Objects.equals(ignoreIndex, ignore)) {
                throw new IllegalArgumentException(SmoothklFunctions.METRICS + ": preset, epsilon and ignore_index must be"
                        + " one value for the query, got (" + preset + ", " + epsilon + ", " + ignoreIndex + ") and then ("
                        + presetCode + ", " + eps + ", " + ignore + ")");
            }
            return smoothing;
        }
        if (presetCode == null) {
            throw argument(2, "must not be null");
        }
        Preset p = SqlArguments.presetOrNull(presetCode);
        if (p == null) {
            throw argument(2, SqlArguments.notAPreset(presetCode));
        }
        if (!SqlArguments.epsilonInRange(eps)) {
            throw argument(3, SqlArguments.epsilonOutOfRange(eps));
        }
        preset = presetCode;
        epsilon = eps;
        ignoreIndex = ignore;
        smoothing = p.with(eps, ignore);
        return smoothing;
    }

    /** The settings the first row fixed (for the GPU subclasses, which score a whole batch with them). */
    public final Smoothing smoothingOf(String presetCode, Object epsilonValue, Object ignoreIndexValue) {
        return smoothing(presetCode, epsilonValue, ignoreIndexValue);
    }

    private static IllegalArgumentException argument(int i, String what) {
        return new IllegalArgumentException(SmoothklFunctions.METRICS + " (" + "registerJavaFunction" + "): argument "
                + (i + 1) + " (" + SmoothklFunctions.METRICS_ARGUMENTS.get(i) + ") " + what);
    }
}
