package org.smoothkl.aggregate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.types.UTF8String;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.spark.MetricColumns;

/**
 * The first level of {@link AuditAggregation}'s tree, computed in plain Java by the task that
 * scores a partition's rows, so that Spark never sees one row per input row. It yields the rows of
 * {@link AuditAggregation#firstLevel}, in the layout of {@link LevelRow}, to the {@link LevelFold}
 * that folds them on up to the partition's level: by their parts (each group's key built once, so
 * a block's rows cost no boxing, copying or hashing of keys), the histogram counts as
 * {@code Object[]} of Spark's internal values:
 * <ul>
 *   <li>per (slice, status, reason, block): count, the sums, min and max K;</li>
 *   <li>per (slice, confidence bin, block), valid rows: the same aggregates;</li>
 *   <li>per (slice, gap bucket), valid rows: the count only, one row per partition.</li>
 * </ul>
 * Block ids are those of {@code monotonically_increasing_id() >> 10}: (partition index &lt;&lt; 33
 * + row index in the partition) &gt;&gt; 10. Blocks are consecutive rows, so a block's rows are
 * emitted as soon as the next block starts, and memory holds one block's groups plus the
 * histogram counts (slices × buckets). Sums are added in row order from 0.0, as Spark's
 * {@code sum} adds them (null when no value was summed), so the level's values are the same bits
 * as the SQL's, and so is everything the upper levels make of them.
 *
 * <p>Two differences from the SQL, in what no reader uses: histogram rows carry only their count
 * (the summary reads nothing else of them), per partition under the partition's first block id
 * (so the upper levels add them up the same tree); and rows that are not valid, which have no
 * bucket and no bin, form no (slice, null bucket) or (slice, null bin) group (the summary skips
 * those).
 */
final class FirstLevelAggregator {
    private static final int BLOCK_SHIFT = 10;
    /** Up to this many slices a row's slice is looked for one by one (cheaper than hashing its values). */
    private static final int LINEAR_SEARCH = 8;
    /** Status groups per slice: valid, ignored, then invalid per reason. */
    private static final int STATUS_GROUPS = 2 + InvalidReason.values().length;

    private final SliceColumns sliceColumns;
    private final GapHistogramSpec histogram;
    private final GapHistogramSpec.Buckets buckets;
    private final CalibrationSpec calibration;
    private final SliceLimit limit;
    private final long firstRowId;
    private final LevelFold out;
    private final double[] partialSums = new double[LevelRow.DOUBLE_SUMS_AT.length];
    private final Map<SliceValues, Slice> slices = new HashMap<>();
    private final List<Slice> known = new ArrayList<>();
    private final List<Slice> inBlock = new ArrayList<>();
    private final Object[] scratch;
    private Slice last;
    /** This batch's dictionary ids of the one slice column, when the reader kept them (else null). */
    private WritableColumnVector dictionaryIds;
    /** The one slice column's vector, when {@link #dictionaryIds} are its ids. */
    private WritableColumnVector sliceVector;
    /** This batch's slices by dictionary id (a batch has one dictionary; the next may have another). */
    private Slice[] byDictionaryId = new Slice[0];
    /** The ids set in {@link #byDictionaryId} this batch (cleared one by one: batches can be a few rows). */
    private int[] idsSet = new int[0];
    private int idsSetCount;
    /** Row {@code i} of the scored chunk is row {@code firstRow + i} of the batch. */
    private int firstRow;
    private long rows;
    private long block = -1;

    /**
     * For the partition of index {@code partition}; emits the level's rows to {@code out}. A slice
     * over {@code limit} throws (the partition's first rows may already have gone out).
     */
    FirstLevelAggregator(SliceColumns sliceColumns, GapHistogramSpec histogram, CalibrationSpec calibration,
                         SliceLimit limit, int partition, LevelFold out) {
        this.sliceColumns = sliceColumns;
        this.histogram = histogram;
        this.buckets = histogram.buckets();
        this.calibration = calibration;
        this.limit = limit;
        this.firstRowId = (long) partition << 33; // monotonically_increasing_id's layout
        this.out = out;
        this.scratch = new Object[sliceColumns.ordinals().length];
    }

    /**
     * Before the rows of a chunk of a columnar batch (rows from {@code firstRow}; 0: a new batch):
     * when the slice is one column that the reader left
     * dictionary-encoded (Parquet does for low-cardinality columns), rows are matched to slices by
     * dictionary id, an int, instead of by value.
     */
    void beginChunk(ColumnarBatch batch, int firstRow) {
        this.firstRow = firstRow;
        if (firstRow > 0) {
            return; // a later chunk of the same batch: same dictionary, same ids
        }
        dictionaryIds = null;
        if (sliceColumns.ordinals().length == 1
                && batch.column(sliceColumns.ordinals()[0]) instanceof WritableColumnVector v && v.hasDictionary()) {
            dictionaryIds = v.getDictionaryIds();
            sliceVector = v;
        }
        for (int k = 0; k < idsSetCount; k++) {
            byDictionaryId[idsSet[k]] = null;
        }
        idsSetCount = 0;
    }

    /** Adds row {@code i} of a scored batch: its input row (for the slice values), metrics and K. */
    void add(InternalRow input, MetricsBatch m, int i, int classes) {
        long b = (firstRowId + rows++) >> BLOCK_SHIFT;
        if (b != block) {
            endBlock();
            block = b;
        }
        Slice s = dictionaryIds == null || sliceVector.isNullAt(firstRow + i) ? slice(input)
                : sliceByDictionaryId(input, dictionaryIds.getDictId(firstRow + i));
        if (!s.inBlock) {
            s.inBlock = true;
            inBlock.add(s);
        }
        RowStatus status = m.status(i);
        if (status == RowStatus.INVALID) {
            s.status(2 + m.reason(i).ordinal()).count(m.correct(i));
            return;
        }
        // the row's metrics read once for its status group and its calibration bin's
        double kl = m.kl(i);
        double smoothedCe = m.smoothedCe(i);
        double nll = m.nll(i);
        double gap = m.gap(i);
        double confidence = m.confidence(i);
        boolean correct = m.correct(i);
        s.status(status.ordinal()).add(kl, smoothedCe, nll, gap, confidence, correct, classes);
        if (status == RowStatus.VALID) {
            s.calibration(calibration.bin(confidence)).add(kl, smoothedCe, nll, gap, confidence, correct, classes);
            s.buckets[buckets.bucket(gap) + 1]++; // underflow (−1) first
        }
    }

    /** After the partition's last row: emits the last block and the histogram counts. */
    void finish() {
        endBlock();
        Long partitionBlock = firstRowId >> BLOCK_SHIFT;
        for (Slice s : known) {
            for (int b = 0; b < s.buckets.length; b++) {
                if (s.buckets[b] > 0) {
                    out.add(row(s.values, b - 1, partitionBlock, s.buckets[b]));
                }
            }
        }
        slices.clear();
        known.clear();
    }

    private void endBlock() {
        for (Slice s : inBlock) {
            for (int g = 0; g < s.status.length; g++) {
                Group a = s.status[g];
                if (a != null && a.n > 0) {
                    if (a.key == null) {
                        UTF8String status = g < 2 ? MetricColumns.STATUS_CODES[g] : MetricColumns.STATUS_CODES[RowStatus.INVALID.ordinal()];
                        UTF8String reason = g < 2 ? null : MetricColumns.REASON_CODES[g - 2];
                        a.key = levelKey(s.values, status, reason, null);
                    }
                    emit(a);
                }
            }
            for (int k = 0; k < s.binsInBlock; k++) {
                int bin = s.touchedBins[k];
                Group a = s.calibration[bin];
                if (a.key == null) {
                    a.key = levelKey(s.values, null, null, bin);
                }
                emit(a);
            }
            s.binsInBlock = 0;
            s.inBlock = false;
        }
        inBlock.clear();
    }

    private Slice sliceByDictionaryId(InternalRow input, int id) {
        if (id >= byDictionaryId.length) {
            byDictionaryId = Arrays.copyOf(byDictionaryId, Math.max(id + 1, 2 * byDictionaryId.length));
        }
        Slice s = byDictionaryId[id];
        if (s == null) {
            s = byDictionaryId[id] = slice(input);
            if (idsSetCount == idsSet.length) {
                idsSet = Arrays.copyOf(idsSet, Math.max(8, 2 * idsSetCount));
            }
            idsSet[idsSetCount++] = id;
        }
        return s;
    }

    /**
     * The slice of an input row, found without allocating in the usual cases: the last row's slice,
     * then (few slices, as interleaved input has them) each known one; else a hash lookup.
     */
    private Slice slice(InternalRow input) {
        if (last != null && sliceColumns.matches(input, last.values.values())) {
            return last;
        }
        Slice found = null;
        if (known.size() <= LINEAR_SEARCH) {
            for (Slice s : known) {
                if (sliceColumns.matches(input, s.values.values())) {
                    found = s;
                    break;
                }
            }
        } else {
            found = slices.get(new SliceValues(sliceColumns.read(input, scratch)));
        }
        if (found == null) {
            limit.check(known.size() + 1);
            Object[] values = sliceColumns.read(input, scratch);
            SliceValues key = new SliceValues(SliceColumns.copy(values));
            found = new Slice(key, histogram.bins() + 2, calibration.bins());
            slices.put(key, found);
            known.add(found);
        }
        last = found;
        return found;
    }

    /** A row for the histogram counts: the count only (the summary reads nothing else of them). */
    private static Object[] row(SliceValues slice, Integer bucket, Long block, long n) {
        return LevelRow.of(slice.values(), null, null, bucket, null, block, n);
    }

    /** The key of a group's rows in the level above: the slice values, then status, reason, bucket (none), bin. */
    private static SliceValues levelKey(SliceValues slice, UTF8String status, UTF8String reason, Integer bin) {
        int k = LevelRow.keyWidth(slice.values().length);
        return new SliceValues(Arrays.copyOf(LevelRow.of(slice.values(), status, reason, null, bin, null, 0), k));
    }

    /** The block's row of a group, handed to the level above by its parts, and the group cleared. */
    private void emit(Group a) {
        double[] sums = partialSums;
        Long correct = a.correct;
        if (a.summed) {
            for (int d = 0; d < sums.length; d++) {
                sums[d] = a.sum(LevelRow.DOUBLE_SUMS_AT[d]);
            }
            out.add(a.key, block, a.n, sums, correct, a.minK, a.maxK);
        } else { // null sums, min and max, as Spark's sum, min and max over no value
            Arrays.fill(sums, 0.0);
            out.add(a.key, block, a.n, sums, correct, null, null);
        }
        a.clear();
    }

    /**
     * Count, sums and K range of one group, as Spark's count, sum, min and max compute them: a sum
     * starts at 0.0 with the first non-null value and adds the rest in row order. Invalid rows have
     * null metrics (counted, not summed); the others have all of them. Correct is 0 or 1, never null.
     */
    static final class Group {
        /** This group's key in the level above (built at its first block). */
        SliceValues key;
        long n;
        boolean summed;
        double kl;
        double smoothedCe;
        double nll;
        double gap;
        double confidence;
        long correct;
        int minK = Integer.MAX_VALUE;
        int maxK = Integer.MIN_VALUE;

        /** An invalid row: counted, its metrics null. */
        void count(boolean isCorrect) {
            n++;
            if (isCorrect) {
                correct++;
            }
        }

        /** A valid or ignored row: counted and summed. */
        void add(double rowKl, double rowSmoothedCe, double rowNll, double rowGap, double rowConfidence,
                 boolean isCorrect, int classes) {
            count(isCorrect);
            summed = true;
            kl += rowKl;
            smoothedCe += rowSmoothedCe;
            nll += rowNll;
            gap += rowGap;
            confidence += rowConfidence;
            minK = Math.min(minK, classes);
            maxK = Math.max(maxK, classes);
        }

        /** The sum at level-row offset {@code at} ({@link LevelRow#KL_AT} …). */
        double sum(int at) {
            if (at == LevelRow.KL_AT) {
                return kl;
            } else if (at == LevelRow.SMOOTHED_CE_AT) {
                return smoothedCe;
            } else if (at == LevelRow.NLL_AT) {
                return nll;
            } else if (at == LevelRow.GAP_AT) {
                return gap;
            } else if (at == LevelRow.CONFIDENCE_AT) {
                return confidence;
            }
            throw new IllegalArgumentException("no double sum at " + at);
        }

        void clear() {
            n = 0;
            summed = false;
            kl = smoothedCe = nll = gap = confidence = 0.0;
            correct = 0;
            minK = Integer.MAX_VALUE;
            maxK = Integer.MIN_VALUE;
        }
    }

    /** One slice's groups: the current block's status and calibration groups, the partition's histogram. */
    private static final class Slice {
        final SliceValues values;
        final Group[] status = new Group[STATUS_GROUPS];
        final Group[] calibration;
        final int[] touchedBins;
        int binsInBlock;
        final long[] buckets;
        boolean inBlock;

        Slice(SliceValues values, int buckets, int bins) {
            this.values = values;
            this.calibration = new Group[bins];
            this.touchedBins = new int[bins];
            this.buckets = new long[buckets];
        }

        Group status(int g) {
            Group a = status[g];
            if (a == null) {
                a = status[g] = new Group();
            }
            return a;
        }

        Group calibration(int bin) {
            Group a = calibration[bin];
            if (a == null) {
                a = calibration[bin] = new Group();
            }
            if (a.n == 0) {
                touchedBins[binsInBlock++] = bin;
            }
            return a;
        }
    }

    /**
     * Slice values (or a whole key of a level, {@link LevelFold}) as Spark keeps them (UTF8String,
     * boxed numbers, …), compared as Spark groups them. The hash is computed once: a key the first
     * level passes up for every block is hashed once. The values must not change afterwards.
     */
    static final class SliceValues {
        private final Object[] values;
        private final int hash;

        SliceValues(Object[] values) {
            this.values = values;
            this.hash = Arrays.deepHashCode(values);
        }

        Object[] values() {
            return values;
        }

        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof SliceValues other && hash == other.hash && Arrays.deepEquals(values, other.values);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The group-by columns of the input rows: where they are and how to read them. */
    record SliceColumns(int[] ordinals, DataType[] types) implements java.io.Serializable {
        static SliceColumns of(StructType schema, List<String> groupBy) {
            int[] ordinals = new int[groupBy.size()];
            DataType[] types = new DataType[groupBy.size()];
            for (int c = 0; c < ordinals.length; c++) {
                ordinals[c] = schema.fieldIndex(groupBy.get(c));
                types[c] = schema.fields()[ordinals[c]].dataType();
            }
            return new SliceColumns(ordinals, types);
        }

        /**
         * Whether Java equality of the values groups as Spark does: plain types, and strings whose
         * collation compares bytes (a case-insensitive collation groups "A" with "a"; Spark's SQL
         * path does that).
         */
        static boolean supported(StructType schema, List<String> groupBy) {
            for (String g : groupBy) {
                DataType t = schema.apply(g).dataType();
                boolean plain = t instanceof BooleanType || t instanceof ByteType || t instanceof ShortType
                        || t instanceof IntegerType || t instanceof LongType || t instanceof FloatType
                        || t instanceof DoubleType || t instanceof DecimalType || t instanceof DateType
                        || t instanceof TimestampType || t instanceof TimestampNTZType || t instanceof BinaryType
                        || t instanceof StringType st && st.supportsBinaryEquality();
                if (!plain) {
                    return false;
                }
            }
            return true;
        }

        /** The row's slice values into {@code into} (values may point into buffers the reader reuses). */
        Object[] read(InternalRow row, Object[] into) {
            for (int c = 0; c < ordinals.length; c++) {
                into[c] = read(row, c);
            }
            return into;
        }

        /**
         * Whether the row's slice values equal {@code values} (as {@link #read} would give them, by
         * {@link Arrays#deepEquals}), without boxing: strings, ints and longs are compared in place.
         */
        boolean matches(InternalRow row, Object[] values) {
            for (int c = 0; c < ordinals.length; c++) {
                int o = ordinals[c];
                Object v = values[c];
                if (row.isNullAt(o) || v == null) {
                    if (row.isNullAt(o) != (v == null)) {
                        return false;
                    }
                    continue;
                }
                DataType t = types[c];
                boolean same;
                if (t instanceof StringType) {
                    same = v.equals(row.getUTF8String(o));
                } else if (t instanceof IntegerType || t instanceof DateType) {
                    same = (Integer) v == row.getInt(o);
                } else if (t instanceof LongType || t instanceof TimestampType || t instanceof TimestampNTZType) {
                    same = (Long) v == row.getLong(o);
                } else {
                    same = java.util.Objects.deepEquals(v, read(row, c));
                }
                if (!same) {
                    return false;
                }
            }
            return true;
        }

        /** Values read by {@link #read(InternalRow, Object[])}, copied out of the reader's buffers. */
        static Object[] copy(Object[] values) {
            Object[] copy = new Object[values.length];
            for (int c = 0; c < values.length; c++) {
                Object v = values[c];
                copy[c] = v instanceof UTF8String s ? s.copy() : v instanceof byte[] b ? b.clone() : v;
            }
            return copy;
        }

        /** As a grouping key: Spark groups −0.0 with 0.0 and every NaN together (and outputs 0.0, NaN). */
        private Object read(InternalRow row, int c) {
            int o = ordinals[c];
            if (row.isNullAt(o)) {
                return null;
            }
            Object v = row.get(o, types[c]);
            if (v instanceof Double d) {
                return d == 0.0 ? 0.0 : Double.isNaN(d) ? Double.NaN : d;
            }
            if (v instanceof Float f) {
                return f == 0.0f ? 0.0f : Float.isNaN(f) ? Float.NaN : f;
            }
            return v;
        }
    }

    /** Whether {@code groupBy} columns of {@code schema} can be grouped here ({@link SliceColumns#supported}). */
    static boolean supports(StructType schema, List<String> groupBy) {
        return SliceColumns.supported(schema, groupBy);
    }

    static StructType sliceSchema(StructType schema, List<String> groupBy) {
        return new StructType(groupBy.stream().map(schema::apply).toArray(StructField[]::new));
    }
}
