package org.smoothkl.sql;

import java.util.Objects;
import org.apache.spark.sql.Row;
import org.smoothkl.loss.Smoothing;
import scala.collection.Seq;

/**
 * {@code smoothkl_metrics} as a plain Java UDF class, for {@code spark.udf.registerJavaFunction}
 * (PySpark) and {@code UDFRegistration.registerJava}, which create it with its no-arg constructor:
 * {@link MetricsUdf4} and {@link MetricsUdf5}, one per arity. Such a UDF sees values, not the
 * query, so its checks run where the rows are scored: a bad preset or ε, a label that is not an
 * integer or logits that are not an array fail the task with a message naming the argument
 * ({@link SqlArguments#smoothing}, the extension's check). The extension's function
 * ({@link SmoothklFunctions}) checks the same at analysis time, and is the one to prefer.
 *
 * <p>One instance serves every query that calls the registered name, on the driver too (Spark
 * evaluates local relations there: VALUES, createDataFrame of rows) and from several threads at
 * once (a Thrift server): it holds no per-query state, only a cache of the last settings it
 * resolved, one immutable record. Rows are scored by {@link MetricsRows}.
 */
abstract class RegisteredMetricsUdf implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** The argument values last resolved and their settings: a row with the same values skips the checks. */
    private record Resolved(String preset, Object epsilon, Object ignoreIndex, Smoothing smoothing) {
        boolean of(String p, Object e, Object i) {
            return Objects.equals(preset, p) && Objects.equals(epsilon, e) && Objects.equals(ignoreIndex, i);
        }
    }

    private transient volatile Resolved last;

    final Row score(Object logits, Object label, String presetCode, Object epsilonValue, Object ignoreIndexValue) {
        Smoothing s = smoothingOf(presetCode, epsilonValue, ignoreIndexValue);
        if (logits != null && !(logits instanceof Seq<?>)) {
            throw argument(0, "must be array<float> or array<double>, got a " + logits.getClass().getSimpleName());
        }
        if (label != null && !SqlArguments.isBoxedInteger(label)) {
            // A fractional label would need the job's reading of such labels (InputReader; the extension's function has
            // it): a Java UDF class cannot have it on the GPU as well, so here the label is an integer.
            throw argument(1, "must be an integer, got a " + label.getClass().getSimpleName()
                    + "; cast it (CAST(label AS BIGINT)), or use the extension's smoothkl_metrics, which reads "
                    + "float, double and decimal labels as the job does");
        }
        return MetricsRows.score(s, (Seq<?>) logits, label == null ? null : ((Number) label).longValue(), null);
    }

    /** The settings of one row's argument values (the GPU subclasses call it for each row of a batch). */
    public final Smoothing smoothingOf(String presetCode, Object epsilonValue, Object ignoreIndexValue) {
        Resolved r = last;
        if (r != null && r.of(presetCode, epsilonValue, ignoreIndexValue)) {
            return r.smoothing();
        }
        Smoothing s = SqlArguments.smoothing(presetCode, epsilonValue, ignoreIndexValue, p -> argument(p.position(), p.what()));
        last = new Resolved(presetCode, epsilonValue, ignoreIndexValue, s);
        return s;
    }

    private static IllegalArgumentException argument(int i, String what) {
        return new IllegalArgumentException(SmoothklFunctions.METRICS + " (registerJavaFunction): argument "
                + (i + 1) + " (" + SmoothklFunctions.METRICS_ARGUMENTS.get(i) + ") " + what);
    }
}
