package org.smoothkl.aggregate;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.spark.MetricColumns;

/**
 * The one owner of the layout of the rows of {@link AuditAggregation}'s tree, whoever makes them
 * (its SQL, {@link FirstLevelAggregator}, {@link LevelFold}): the slice columns, the rest of the
 * key (status, reason, gap bucket, calibration bin), the block, the count, the sums (KL, smoothed
 * CE, NLL, gap, correct, confidence), min K and max K. SQL takes the names from here, Java the
 * positions, so the two cannot drift apart.
 */
final class LevelRow {
    // Internal names start with _smoothkl_, which source columns may not (InputReader refuses them).
    static final String BUCKET = "_smoothkl_bucket";
    static final String CALIBRATION_BIN = "_smoothkl_cal";
    static final String BLOCK = "_smoothkl_blk";
    static final String COUNT = "_smoothkl_n";
    static final String MIN_K = "_smoothkl_min_k";
    static final String MAX_K = "_smoothkl_max_k";

    /**
     * The columns after the slice columns, in order, as the first level's grouping sets make them:
     * every grouping column nullable (each set nulls the others), the count not, the sums, min and
     * max nullable (null over no non-null value).
     */
    private static final StructType AFTER_SLICES = new StructType()
            .add(MetricColumns.STATUS, DataTypes.StringType, true)
            .add(MetricColumns.REASON, DataTypes.StringType, true)
            .add(BUCKET, DataTypes.IntegerType, true)
            .add(CALIBRATION_BIN, DataTypes.IntegerType, true)
            .add(BLOCK, DataTypes.LongType, true)
            .add(COUNT, DataTypes.LongType, false)
            .add(MetricColumns.KL, DataTypes.DoubleType, true)
            .add(MetricColumns.SMOOTHED_CE, DataTypes.DoubleType, true)
            .add(MetricColumns.NLL, DataTypes.DoubleType, true)
            .add(MetricColumns.GAP, DataTypes.DoubleType, true)
            .add(MetricColumns.CORRECT, DataTypes.LongType, true)
            .add(MetricColumns.CONFIDENCE, DataTypes.DoubleType, true)
            .add(MIN_K, DataTypes.IntegerType, true)
            .add(MAX_K, DataTypes.IntegerType, true);

    /** The key after the slice columns: status, reason, bucket, bin (a level groups by these and its block). */
    static final List<String> KEY = names(MetricColumns.STATUS, BLOCK);
    /** The summed columns: correct is a long (exact in any order), the others doubles. */
    static final List<String> SUMS = names(MetricColumns.KL, MIN_K);
    /** The summed doubles: above the first level they are added in block order. */
    static final List<String> DOUBLE_SUMS = SUMS.stream()
            .filter(c -> AFTER_SLICES.apply(c).dataType().equals(DataTypes.DoubleType)).toList();

    /** Offsets after the key (at {@link #keyWidth}). */
    static final int BLOCK_AT = at(BLOCK);
    static final int COUNT_AT = at(COUNT);
    static final int KL_AT = at(MetricColumns.KL);
    static final int SMOOTHED_CE_AT = at(MetricColumns.SMOOTHED_CE);
    static final int NLL_AT = at(MetricColumns.NLL);
    static final int GAP_AT = at(MetricColumns.GAP);
    static final int CORRECT_AT = at(MetricColumns.CORRECT);
    static final int CONFIDENCE_AT = at(MetricColumns.CONFIDENCE);
    static final int MIN_K_AT = at(MIN_K);
    static final int MAX_K_AT = at(MAX_K);
    static final int[] DOUBLE_SUMS_AT = DOUBLE_SUMS.stream().mapToInt(LevelRow::at).toArray();
    private static final int AFTER_KEY = AFTER_SLICES.size() - KEY.size();

    /*
     * Token sequences (SQL levels only) add per-sequence columns after max K: these and
     * TokenSequences' SEQ_TOKENS, SEQ_LOSS and SEQ_NLL, in the order AuditAggregation adds them.
     */
    static final String SEQS = "_smoothkl_seqs";
    static final String SEQ_SCORED = "_smoothkl_seq_scored";
    static final String SEQ_LOSS_MIN = "_smoothkl_seq_loss_min";
    static final String SEQ_LOSS_MAX = "_smoothkl_seq_loss_max";
    static final String SEQ_NLL_MIN = "_smoothkl_seq_nll_min";
    static final String SEQ_NLL_MAX = "_smoothkl_seq_nll_max";

    private LevelRow() {
    }

    /**
     * The most rows one slice has at the last level: one per status (valid, ignored, invalid per
     * reason), per gap bucket (with underflow, overflow and none) and per confidence bin (and none).
     */
    static int maxRowsPerSlice(GapHistogramSpec histogram, CalibrationSpec calibration) {
        return 2 + InvalidReason.values().length + histogram.bins() + 3 + calibration.bins() + 1;
    }

    /** The key's width for {@code sliceColumns} slice columns: what a level groups by, besides its block. */
    static int keyWidth(int sliceColumns) {
        return sliceColumns + KEY.size();
    }

    /** The schema of a level's rows (without token sequences): the slice columns, made nullable, then the rest. */
    static StructType schema(StructType sliceColumns) {
        StructType s = new StructType();
        for (StructField f : sliceColumns.fields()) {
            s = s.add(f.name(), f.dataType(), true);
        }
        for (StructField f : AFTER_SLICES.fields()) {
            s = s.add(f);
        }
        return s;
    }

    /**
     * A first-level row: the slice values, the rest of the key, block and count; the sums, min and
     * max K null (to fill at their offsets).
     */
    static Object[] of(Object[] slice, UTF8String status, UTF8String reason, Integer bucket, Integer bin, Long block,
                       long count) {
        Object[] row = Arrays.copyOf(slice, keyWidth(slice.length) + AFTER_KEY);
        int k = slice.length;
        // in the order of KEY
        row[k++] = status;
        row[k++] = reason;
        row[k++] = bucket;
        row[k++] = bin;
        return withBlockAndCount(row, k, block, count);
    }

    /** A row of the given key (slice values and the rest), block and count; the sums, min and max K null. */
    static Object[] of(Object[] key, Long block, long count) {
        return withBlockAndCount(Arrays.copyOf(key, key.length + AFTER_KEY), key.length, block, count);
    }

    private static Object[] withBlockAndCount(Object[] row, int keyWidth, Long block, long count) {
        row[keyWidth + BLOCK_AT] = block;
        row[keyWidth + COUNT_AT] = count;
        return row;
    }

    /** A row's values, in column order. */
    static Object[] values(Row r) {
        Object[] values = new Object[r.size()];
        for (int c = 0; c < values.length; c++) {
            values[c] = r.get(c);
        }
        return values;
    }

    /** Values of external types (as {@link #values} gives them) as a row of {@code schema}. */
    static Row row(Object[] values, StructType schema) {
        return new GenericRowWithSchema(values, schema);
    }

    /** Values of Spark's internal types (as {@link FirstLevelAggregator} makes them) as an internal row. */
    static InternalRow internalRow(Object[] values) {
        return new GenericInternalRow(values);
    }

    /** The names of {@link #AFTER_SLICES} from {@code first} up to, not including, {@code end}. */
    private static List<String> names(String first, String end) {
        List<String> all = List.of(AFTER_SLICES.fieldNames());
        return List.copyOf(all.subList(all.indexOf(first), all.indexOf(end)));
    }

    private static int at(String column) {
        return AFTER_SLICES.fieldIndex(column) - KEY.size();
    }
}
