package org.smoothkl.spark;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.WireCode;

/**
 * The per-row metric columns every engine appends to its input, as Spark sees them: the schema
 * and names of {@link MetricField}, which owns them, in its order.
 */
public final class MetricColumns {
    /** The status and reason column values by ordinal, as Spark strings: filled into rows without a conversion per row. */
    public static final UTF8String[] STATUS_CODES = codes(RowStatus.values());
    public static final UTF8String[] REASON_CODES = codes(InvalidReason.values());

    private static UTF8String[] codes(WireCode[] byOrdinal) {
        return Arrays.stream(byOrdinal).map(e -> UTF8String.fromString(e.code())).toArray(UTF8String[]::new);
    }

    public static final String STATUS = MetricField.STATUS.code();
    public static final String REASON = MetricField.REASON.code();
    public static final String KL = MetricField.KL.code();
    public static final String SMOOTHED_CE = MetricField.SMOOTHED_CE.code();
    public static final String NLL = MetricField.NLL.code();
    public static final String GAP = MetricField.GAP.code();
    public static final String GAP_OPT = MetricField.GAP_OPT.code();
    public static final String CONFIDENCE = MetricField.CONFIDENCE.code();
    public static final String PRED = MetricField.PRED.code();
    public static final String CORRECT = MetricField.CORRECT.code();
    public static final String CLASSES = MetricField.CLASSES.code();

    public static final StructType SCHEMA = new StructType(Arrays.stream(MetricField.values())
            .map(f -> DataTypes.createStructField(f.code(), sparkType(f.kind()), f.nullable()))
            .toArray(StructField[]::new));

    public static final List<String> NAMES = List.of(SCHEMA.fieldNames());

    private static DataType sparkType(MetricField.Kind kind) {
        return switch (kind) {
            case STRING -> DataTypes.StringType;
            case DOUBLE -> DataTypes.DoubleType;
            case INT -> DataTypes.IntegerType;
            case BOOLEAN -> DataTypes.BooleanType;
        };
    }

    private MetricColumns() {
    }
}
