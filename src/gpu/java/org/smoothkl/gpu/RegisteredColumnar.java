package org.smoothkl.gpu;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.DType;
import ai.rapids.cudf.HostColumnVector;
import ai.rapids.cudf.Scalar;
import java.util.function.IntFunction;
import org.smoothkl.loss.Smoothing;

/**
 * The GPU body of the registerJavaFunction classes ({@link RapidsMetricsUdf4}, {@link RapidsMetricsUdf5}):
 * the RAPIDS Accelerator hands every argument as a column, literals too. Preset, ε and ignore index
 * are read on the host, each row's checked by the CPU body's check ({@code smoothingOf}), and
 * must be one value for the batch; the label, an integer column of any width, is widened to INT64; then the batch is
 * scored as the RAPIDS engine scores it ({@link RapidsMetricsUdf#evaluateColumnar}, no reader
 * problems). A float, double or decimal label is refused, as the CPU body refuses it: cast it, or
 * use the extension's smoothkl_metrics, which reads such labels as the job does.
 */
final class RegisteredColumnar {
    private RegisteredColumnar() {
    }

    static ColumnVector evaluate(MetricsUdf4OrUdf5 udf, int numRows, ColumnVector... args) {
        if (args.length != 4 && args.length != 5) {
            throw new IllegalArgumentException("expected 4 or 5 columns, got " + args.length);
        }
        Smoothing smoothing;
        try (HostColumnVector preset = args[2].copyToHost();
             HostColumnVector epsilon = args[3].copyToHost();
             HostColumnVector ignore = args.length > 4 ? args[4].copyToHost() : null) {
            smoothing = settings(udf, numRows, r -> preset.isNull(r) ? null : preset.getJavaString(r),
                    r -> epsilon.isNull(r) ? null : number(epsilon, r),
                    r -> ignore == null || ignore.isNull(r) ? null : number(ignore, r));
        }
        return score(smoothing, numRows, args[0], args[1]);
    }

    /**
     * The batch's settings: each row's values, boxed as the CPU body receives them and unconverted,
     * through the CPU body's check ({@code smoothingOf}), so that it refuses what that refuses (an
     * ignore_index of 1.5); one value for the batch. An empty batch has none: nothing is scored.
     */
    static Smoothing settings(MetricsUdf4OrUdf5 udf, int numRows, IntFunction<String> preset, IntFunction<Object> epsilon,
            IntFunction<Object> ignoreIndex) {
        Smoothing smoothing = null;
        for (int r = 0; r < numRows; r++) {
            Smoothing row = udf.smoothingOf(preset.apply(r), epsilon.apply(r), ignoreIndex.apply(r));
            if (smoothing != null && !smoothing.equals(row)) {
                throw new IllegalArgumentException("smoothkl_metrics on the GPU: preset, epsilon and ignore_index must"
                        + " be one value for the batch, got " + smoothing + " and " + row
                        + "; use the extension's smoothkl_metrics, whose settings are constants of the query");
            }
            smoothing = row;
        }
        return smoothing == null ? org.smoothkl.loss.Preset.SEED.with(0, null) : smoothing;
    }

    /**
     * The batch scored with {@code smoothing} as the RAPIDS engine scores it: the label, an integer
     * column of any width, widened to INT64; no reader problems.
     */
    static ColumnVector score(Smoothing smoothing, int numRows, ColumnVector logits, ColumnVector label) {
        DType labelType = label.getType();
        if (!labelType.isIntegral()) {
            throw new IllegalArgumentException("smoothkl_metrics on the GPU: argument 2 (label) must "
                    + "be an integer column, got " + labelType + "; cast it, or use the extension's smoothkl_metrics");
        }
        try (ColumnVector label64 = label.castTo(DType.INT64);
             Scalar noError = Scalar.fromNull(DType.STRING);
             ColumnVector inputError = ColumnVector.fromScalar(noError, numRows)) {
            return new RapidsMetricsUdf(smoothing).evaluateColumnar(numRows, logits, label64, inputError);
        }
    }

    /** Row r of a numeric host column, boxed as Spark's CPU body receives it. */
    private static Object number(HostColumnVector c, int r) {
        DType t = c.getType();
        if (t.equals(DType.FLOAT64)) {
            return c.getDouble(r);
        }
        if (t.equals(DType.FLOAT32)) {
            return c.getFloat(r);
        }
        if (t.equals(DType.INT64)) {
            return c.getLong(r);
        }
        if (t.equals(DType.INT32)) {
            return c.getInt(r);
        }
        if (t.equals(DType.INT16)) {
            return c.getShort(r);
        }
        if (t.equals(DType.INT8)) {
            return c.getByte(r);
        }
        if (t.isDecimalType()) {
            return c.getBigDecimal(r);
        }
        throw new IllegalArgumentException("expected a numeric column, got " + t);
    }

    /** What both classes offer: the CPU body's settings check. */
    interface MetricsUdf4OrUdf5 {
        Smoothing smoothingOf(String preset, Object epsilon, Object ignoreIndex);
    }
}
