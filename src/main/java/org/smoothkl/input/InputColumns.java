package org.smoothkl.input;

import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;

/** The columns the readers add to a source, and the source column types they accept. */
public final class InputColumns {
    /** Reader-side reason a row is bad (an {@link org.smoothkl.loss.InvalidReason} code), or null. */
    static final String INPUT_ERROR = "_smoothkl_input_error";
    static final String PARSED_LOGITS = "_smoothkl_logits";
    static final String PARSED_LABEL = "_smoothkl_label";
    /** A JSON or CSV record the reader could not parse, as text: the name invalid/ shows it under. */
    static final String CORRUPT_RECORD = "_corrupt_record";
    /** The readers' own name for it, so that a source column called _corrupt_record is not taken for it. */
    static final String READER_CORRUPT_RECORD = "_smoothkl_corrupt_record";

    /** Every internal column's name starts with this (the aggregation's, the engines', these). */
    static final String INTERNAL_PREFIX = "_smoothkl_";
    /** Columns written beside the source's into invalid/ and rows/. */
    static final List<String> OUTPUT_COLUMNS = List.of(CORRUPT_RECORD, TokenSequences.TOKEN,
            TokenSequences.SEQUENCE_LOGITS, TokenSequences.SEQUENCE_LABEL);

    /** Columns written beside the slice columns into histograms/ (AuditOutputs). */
    static final List<String> HISTOGRAM_COLUMNS = List.of("bin_lo", "bin_hi", "count");

    private InputColumns() {
    }

    public static boolean isFloatingArray(DataType t) {
        return t instanceof ArrayType a
                && (a.elementType() == DataTypes.FloatType || a.elementType() == DataTypes.DoubleType);
    }

    public static boolean isIntegral(DataType t) {
        return t == DataTypes.IntegerType || t == DataTypes.LongType
                || t == DataTypes.ShortType || t == DataTypes.ByteType;
    }

    /** Float, double, decimal: a label of such a type counts when its value is an integer (Spark ML writes doubles). */
    public static boolean isFractional(DataType t) {
        return t == DataTypes.FloatType || t == DataTypes.DoubleType || t instanceof DecimalType;
    }
}
