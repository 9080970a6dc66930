package org.smoothkl.spark;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.RowStatus;

/**
 * The per-row metric columns every engine appends to its input, in this order. Invalid rows
 * have a reason and null metrics; ignored rows have zero losses but a gap and a prediction.
 */
public final class MetricColumns {
    /** The status and reason column values by ordinal, as Spark strings: filled into rows without a conversion per row. */
    public static final UTF8String[] STATUS_CODES = codes(RowStatus.values());
    public static final UTF8String[] REASON_CODES = codes(InvalidReason.values());

    private static UTF8String[] codes(Enum<?>[] values) {
        UTF8String[] out = new UTF8String[values.length];
        for (Enum<?> e : values) {
            out[e.ordinal()] = UTF8String.fromString(e instanceof RowStatus s ? s.code() : ((InvalidReason) e).code());
        }
        return out;
    }

    public static final String STATUS = "status";
    public static final String REASON = "reason";
    public static final String KL = "kl";
    public static final String SMOOTHED_CE = "smoothed_ce";
    public static final String NLL = "nll";
    public static final String GAP = "gap";
    public static final String GAP_OPT = "gap_opt";
    public static final String CONFIDENCE = "confidence";
    public static final String PRED = "pred";
    public static final String CORRECT = "correct";
    public static final String CLASSES = "classes";

    public static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField(STATUS, DataTypes.StringType, false),
        DataTypes.createStructField(REASON, DataTypes.StringType, true),
        DataTypes.createStructField(KL, DataTypes.DoubleType, true),
        DataTypes.createStructField(SMOOTHED_CE, DataTypes.DoubleType, true),
        DataTypes.createStructField(NLL, DataTypes.DoubleType, true),
        DataTypes.createStructField(GAP, DataTypes.DoubleType, true),
        DataTypes.createStructField(GAP_OPT, DataTypes.DoubleType, true),
        DataTypes.createStructField(CONFIDENCE, DataTypes.DoubleType, true),
        DataTypes.createStructField(PRED, DataTypes.IntegerType, true),
        DataTypes.createStructField(CORRECT, DataTypes.BooleanType, false),
        DataTypes.createStructField(CLASSES, DataTypes.IntegerType, true),
    });

    public static final List<String> NAMES = List.of(SCHEMA.fieldNames());

    private MetricColumns() {
    }
}
