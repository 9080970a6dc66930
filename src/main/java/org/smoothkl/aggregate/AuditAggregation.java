package org.smoothkl.aggregate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.shiftright;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.SequenceSummary;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.loss.RowStatus;
import scala.jdk.javaapi.CollectionConverters;
import org.smoothkl.spark.MetricColumns;
import org.smoothkl.input.TokenSequences;
import org.smoothkl.spark.Columns;
import org.smoothkl.spark.SparkInternals;

/**
 * The audit's aggregation, in Spark SQL so that both engines share it (and RAPIDS can run it).
 *
 * <p>Sums stay exact to ~1e-12 relative at any row count: Spark's sum of doubles adds one value
 * at a time, whose error grows with the number of terms (up to n·2⁻⁵³ relative for values of one
 * sign: 1e-7 at 1e9 rows). So rows are summed in a tree: first within blocks of 1024 consecutive
 * rows of a partition, then blocks of blocks, then per partition, then groups of 1024 partitions,
 * then per slice. No level adds more than a few thousand terms, which bounds the relative error
 * of the non-negative losses by about 1.3e4·2⁻⁵³ ≈ 1.5e-12 in the worst case and ≈3.5e-13 for
 * partitions under 2²⁷ rows; the driver then merges the few final partials with compensation.
 * Counts are longs and exact whatever the order.
 *
 * <p>The result is the same bits on every run of the same input, whatever the cluster does:
 * a block lies within one partition, so its sum is taken in the partition's row order (a
 * retried task reads the same rows in the same order), and every level above adds its partial
 * sums in block order ({@code sort_array(collect_list(struct(block, value)))} folded with
 * {@code aggregate}), never in the order the shuffle happens to deliver them. A plain {@code sum}
 * there would depend on which executor answered first (double addition is not associative), so
 * a run that lost an executor could differ from an undisturbed one in the last bits. Each such
 * list holds at most 8192 partials of one group.
 *
 * <p>The gap histogram rides in the same scan as a second grouping set, (slice, bucket), and
 * calibration as a third, (slice, confidence bin, block): its confidence sums go up the same
 * tree as the losses, its counts (rows, correct rows) are longs.
 *
 * <p>The CPU engine computes the first level itself, in the tasks that score the rows
 * ({@link FirstLevelAggregator}: the same groups, sums added in the same order, so the same bits),
 * and hands {@link #upperLevels} the few rows per block instead of one row per input row;
 * the levels above are this class's either way. The RAPIDS engine keeps the whole plan in SQL.
 *
 * <p>Token-sequence input adds the per-sequence columns of {@link TokenSequences} (non-null on
 * the last row of each sequence only): counts and sums add up level by level like the others
 * (the sums in block order), min and max combine; only the status grouping set's values are read.
 */
public final class AuditAggregation {
    /** Shifts applied to the block id (itself row id >> 10) at each level above the first. */
    static final int[] LEVEL_SHIFTS = {10, 13, 10};

    private AuditAggregation() {
    }

    /**
     * Up to this many partitions, the partition-level rows (one per key and partition: about 70 per
     * slice) are collected and the last two levels added on the driver ({@link #finishOnDriver}):
     * one Spark stage for the whole summary instead of four more, each of which costs a few tenths
     * of a second however small. Above it, those levels stay in Spark SQL, and the driver receives
     * one row per key.
     */
    static final int DRIVER_LEVELS_MAX_PARTITIONS = 1024;

    /** One state per slice of scored rows (a frame with {@link MetricColumns}): the whole tree in SQL. */
    public static Map<SliceKey, SliceSummary> ofScored(Dataset<Row> scored, AuditSpec spec) {
        return slices(aggregate(scored, spec.groupBy(), spec.histogram(), spec.calibration()), spec.groupBy(),
                spec.histogram(), spec.calibration(), limit(spec));
    }

    /** {@link #ofScored} with no limit on the slices. */
    static Map<SliceKey, SliceSummary> summarize(Dataset<Row> scored, List<String> groupBy, GapHistogramSpec spec,
                                                 CalibrationSpec calibration) {
        return slices(aggregate(scored, groupBy, spec, calibration), groupBy, spec, calibration,
                new SliceLimit(groupBy, Integer.MAX_VALUE));
    }

    /**
     * One state per slice of partition-level rows ({@link PartitionLevel}): their last levels on the
     * driver up to {@link #DRIVER_LEVELS_MAX_PARTITIONS} partitions, else in SQL.
     */
    public static Map<SliceKey, SliceSummary> ofPartitionLevel(Dataset<Row> partitions, AuditSpec spec) {
        return ofPartitionLevel(partitions, spec, DRIVER_LEVELS_MAX_PARTITIONS);
    }

    /** {@link #ofPartitionLevel(Dataset, AuditSpec)} with another partition limit (tests: 0 forces SQL). */
    static Map<SliceKey, SliceSummary> ofPartitionLevel(Dataset<Row> partitions, AuditSpec spec, int driverMaxPartitions) {
        SliceLimit limit = limit(spec); // the scoring tasks have counted their own (PartitionLevel)
        if (SparkInternals.partitions(partitions) <= driverMaxPartitions) {
            List<Row> last = finishOnDriver(SparkInternals.collect(partitions), partitions.schema(), limit);
            return slices(last, false, Spellings.of(partitions.schema(), spec.groupBy()), spec.groupBy(),
                    spec.histogram(), spec.calibration(), limit);
        }
        return slices(planOfPartitionLevel(partitions, spec), spec.groupBy(), spec.histogram(), spec.calibration(), limit);
    }

    private static SliceLimit limit(AuditSpec spec) {
        return new SliceLimit(spec.groupBy(), spec.maxSlices());
    }

    /** The whole aggregation of scored rows, unexecuted (for checking where its operators run). */
    public static Dataset<Row> planOfScored(Dataset<Row> scored, AuditSpec spec) {
        return aggregate(scored, spec.groupBy(), spec.histogram(), spec.calibration());
    }

    /** The SQL levels above partition-level rows (level 3), up to one row per key, unexecuted. */
    public static Dataset<Row> planOfPartitionLevel(Dataset<Row> partitions, AuditSpec spec) {
        return upperLevels(partitions, spec.groupBy(), 3);
    }

    /**
     * One state per slice from the rows of {@link #aggregate} or {@link #upperLevels}. Of a run with
     * too many slices, the driver receives no more rows than the limit's slices can have.
     */
    private static Map<SliceKey, SliceSummary> slices(Dataset<Row> aggregated, List<String> groupBy, GapHistogramSpec spec,
                                                      CalibrationSpec calibration, SliceLimit limit) {
        long enough = (long) limit.max() * LevelRow.maxRowsPerSlice(spec, calibration) + 1;
        // read partition by partition, stopping there: no limit in the plan (RAPIDS keeps a
        // CollectLimitExec on the CPU), and no more rows on the driver than the limit needs
        List<Row> rows = new ArrayList<>();
        java.util.Iterator<Row> it = aggregated.toLocalIterator();
        while (it.hasNext() && rows.size() < enough) {
            rows.add(it.next());
        }
        return slices(rows, sequences(aggregated), Spellings.of(aggregated.schema(), groupBy), groupBy,
                spec, calibration, limit);
    }

    /** One state per slice from the tree's last level: rows of {@link #upperLevels} or {@link #finishOnDriver}. */
    static Map<SliceKey, SliceSummary> slices(List<Row> rows, boolean sequences, Spellings spellings, List<String> groupBy,
                                              GapHistogramSpec spec, CalibrationSpec calibration, SliceLimit limit) {
        Map<SliceKey, SliceSummary> slices = new HashMap<>();
        Map<SliceKey, List<Object>> names = new HashMap<>();
        int g = groupBy.size();
        for (Row r : rows) {
            List<Object> values = new ArrayList<>(g);
            for (int i = 0; i < g; i++) {
                values.add(r.get(i));
            }
            SliceKey key = new SliceKey(groupBy, spellings.group(values));
            if (!spellings.none()) {
                names.merge(key, spellings.spelled(values, r), spellings::smaller);
            }
            SliceSummary s = slices.get(key);
            if (s == null) {
                limit.check(slices.size() + 1);
                s = new SliceSummary(spec, calibration);
                slices.put(key, s);
            }
            String status = r.getAs(MetricColumns.STATUS);
            long n = r.getAs(LevelRow.COUNT);
            if (status == null) { // the histogram or the calibration grouping set; null keys are rows not valid
                Integer bucket = r.getAs(LevelRow.BUCKET);
                Integer bin = r.getAs(LevelRow.CALIBRATION_BIN);
                if (bucket != null) {
                    s.addGap(bucket, n);
                } else if (bin != null) {
                    s.addCalibration(bin, n, r.<Long>getAs(MetricColumns.CORRECT), r.<Double>getAs(MetricColumns.CONFIDENCE));
                }
            } else if (status.equals(RowStatus.VALID.code())) {
                s.addValid(n, r.getAs(MetricColumns.KL), r.getAs(MetricColumns.SMOOTHED_CE), r.getAs(MetricColumns.NLL),
                        r.getAs(MetricColumns.GAP), r.<Long>getAs(MetricColumns.CORRECT), r.<Integer>getAs(LevelRow.MIN_K),
                        r.<Integer>getAs(LevelRow.MAX_K));
            } else {
                s.addCount(RowStatus.valueOf(status.toUpperCase(java.util.Locale.ROOT)), r.getAs(MetricColumns.REASON), n);
            }
            if (status != null && sequences) {
                s.addSequences(new SequenceSummary().add(r.<Long>getAs(LevelRow.SEQS),
                        orZero(r.<Long>getAs(TokenSequences.SEQ_TOKENS)), r.<Long>getAs(LevelRow.SEQ_SCORED),
                        orNaN(r.getAs(TokenSequences.SEQ_LOSS)), orNaN(r.getAs(LevelRow.SEQ_LOSS_MIN)),
                        orNaN(r.getAs(LevelRow.SEQ_LOSS_MAX)), orNaN(r.getAs(TokenSequences.SEQ_NLL)),
                        orNaN(r.getAs(LevelRow.SEQ_NLL_MIN)), orNaN(r.getAs(LevelRow.SEQ_NLL_MAX))));
            }
        }
        return spellings.none() ? slices : spellings.named(slices, names);
    }

    /** Token sequences: the scored rows, and every level of the tree, carry the per-sequence columns. */
    private static boolean sequences(Dataset<Row> frame) {
        return List.of(frame.columns()).contains(TokenSequences.SEQ_TOKENS);
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    private static double orNaN(Double v) {
        return v == null ? Double.NaN : v;
    }

    /** The aggregation plan: one row per (slice, status, reason), per (slice, bucket) and per (slice, confidence bin). */
    static Dataset<Row> aggregate(Dataset<Row> scored, List<String> groupBy, GapHistogramSpec spec,
                                  CalibrationSpec calibration) {
        return upperLevels(firstLevel(scored, groupBy, spec, calibration), groupBy);
    }

    /**
     * The tree's first level: the three grouping sets over the scored rows, with their block ids.
     * Columns in the layout of {@link LevelRow} (and the per-sequence aggregates for token sequences).
     */
    static Dataset<Row> firstLevel(Dataset<Row> scored, List<String> groupBy, GapHistogramSpec spec,
                                  CalibrationSpec calibration) {
        List<Column> slice = groupBy.stream().map(Columns::quoted).toList();
        Column valid = col(MetricColumns.STATUS).equalTo(RowStatus.VALID.code());
        List<Column> selected = concat(slice,
                col(MetricColumns.STATUS), col(MetricColumns.REASON), col(MetricColumns.CLASSES),
                col(MetricColumns.KL), col(MetricColumns.SMOOTHED_CE), col(MetricColumns.NLL), col(MetricColumns.GAP),
                col(MetricColumns.CONFIDENCE),
                when(col(MetricColumns.CORRECT), lit(1L)).otherwise(lit(0L)).as(MetricColumns.CORRECT),
                shiftright(monotonically_increasing_id(), 10).as(LevelRow.BLOCK),
                when(valid, bucket(col(MetricColumns.GAP), spec)).as(LevelRow.BUCKET),
                when(valid, calibrationBin(col(MetricColumns.CONFIDENCE), calibration)).as(LevelRow.CALIBRATION_BIN));
        boolean sequences = sequences(scored);
        if (sequences) {
            selected.add(col(TokenSequences.SEQ_TOKENS).cast(DataTypes.LongType).as(TokenSequences.SEQ_TOKENS));
            selected.add(col(TokenSequences.SEQ_LOSS));
            selected.add(col(TokenSequences.SEQ_NLL));
        }
        Spellings spellings = Spellings.of(scored.schema(), groupBy);
        selected.addAll(spellings.columns());
        Dataset<Row> rows = scored.select(selected.toArray(Column[]::new));

        Column block = col(LevelRow.BLOCK);
        List<Column> statusKey = concat(slice, col(MetricColumns.STATUS), col(MetricColumns.REASON), block);
        List<Column> bucketKey = concat(slice, col(LevelRow.BUCKET));
        List<Column> calibrationKey = concat(slice, col(LevelRow.CALIBRATION_BIN), block);
        List<Column> keyWithBlock = key(groupBy);
        keyWithBlock.add(block);
        return rows.groupingSets(
                        CollectionConverters.asScala(List.of(seq(statusKey), seq(bucketKey), seq(calibrationKey))).toList(),
                        keyWithBlock.toArray(Column[]::new))
                .agg(count(lit(1)).as(LevelRow.COUNT),
                        plus(withSequences(firstLevelAggregates(), sequences, true), spellings.aggregates()));
    }

    /** The levels above the first: regroup by shifted block ids, then per key. */
    static Dataset<Row> upperLevels(Dataset<Row> firstLevel, List<String> groupBy) {
        return upperLevels(firstLevel, groupBy, 1);
    }

    /**
     * The levels above level {@code done} (1: the first level's rows; 3: one row per key and
     * partition, as {@link PartitionLevel} gives them) up to the last, per key.
     */
    static Dataset<Row> upperLevels(Dataset<Row> level, List<String> groupBy, int done) {
        Dataset<Row> upTo = levels(level, groupBy, done, LEVEL_SHIFTS.length + 1);
        return upTo.groupBy(key(groupBy).toArray(Column[]::new))
                .agg(sum(LevelRow.COUNT).as(LevelRow.COUNT), upperLevelAggregates(level, groupBy));
    }

    /** From level {@code done} to level {@code to} (at most {@code LEVEL_SHIFTS.length + 1}), each by shifted block ids. */
    static Dataset<Row> levels(Dataset<Row> level, List<String> groupBy, int done, int to) {
        Column[] aggregates = upperLevelAggregates(level, groupBy);
        List<Column> key = key(groupBy);
        for (int l = done; l < to; l++) {
            List<Column> keyWithBlock = new ArrayList<>(key);
            keyWithBlock.add(shiftright(col(LevelRow.BLOCK), LEVEL_SHIFTS[l - 1]).as(LevelRow.BLOCK));
            level = level.groupBy(keyWithBlock.toArray(Column[]::new))
                    .agg(sum(LevelRow.COUNT).as(LevelRow.COUNT), aggregates);
        }
        return level;
    }

    /** A level's key: the slice columns and {@link LevelRow#KEY}. */
    private static List<Column> key(List<String> groupBy) {
        List<Column> key = new ArrayList<>(groupBy.stream().map(Columns::quoted).toList());
        LevelRow.KEY.forEach(c -> key.add(col(c)));
        return key;
    }

    /**
     * The levels above the partitions' ({@link PartitionLevel}'s collected rows, in
     * partition order) on the driver, by {@link LevelFold}: the same groups and the same additions in
     * the same order as {@link #upperLevels}' SQL, so the same bits, without a Spark stage per level.
     * Returns the last level's rows, one per key, in the partition rows' schema (block null).
     */
    static List<Row> finishOnDriver(List<Row> partitionRows, StructType schema, int groupByColumns) {
        return finishOnDriver(partitionRows, schema,
                new SliceLimit(List.of(schema.names()).subList(0, groupByColumns), Integer.MAX_VALUE));
    }

    /** {@link #finishOnDriver(List, StructType, int)}, stopping at the first slice over {@code limit}, whichever partition has it. */
    static List<Row> finishOnDriver(List<Row> partitionRows, StructType schema, SliceLimit limit) {
        int groupByColumns = limit.groupBy().size();
        int keyWidth = LevelRow.keyWidth(groupByColumns);
        List<Row> last = new ArrayList<>();
        LevelFold perKey = new LevelFold(keyWidth, LevelFold.ONE_GROUP, values -> last.add(LevelRow.row(values, schema)));
        LevelFold partitionGroups = new LevelFold(keyWidth, LEVEL_SHIFTS[2], perKey::add);
        Set<FirstLevelAggregator.SliceValues> seen = new HashSet<>();
        for (Row r : partitionRows) {
            Object[] values = LevelRow.values(r);
            if (seen.add(new FirstLevelAggregator.SliceValues(Arrays.copyOf(values, groupByColumns)))) {
                limit.check(seen.size());
            }
            partitionGroups.add(values);
        }
        partitionGroups.finish();
        perKey.finish();
        return last;
    }

    /** The bucket of {@link GapHistogramSpec#bucket}, as a column expression. */
    public static Column bucket(Column gap, GapHistogramSpec spec) {
        Column inside = least(lit(spec.bins() - 1),
                floor(gap.minus(lit(spec.lo())).multiply(lit(spec.scale()))).cast(DataTypes.IntegerType));
        return when(gap.lt(lit(spec.lo())), lit(GapHistogramSpec.UNDERFLOW))
                .when(gap.geq(lit(spec.hi())), lit(spec.bins()))
                .otherwise(inside);
    }

    /** The bin of {@link CalibrationSpec#bin}, as a column expression. */
    public static Column calibrationBin(Column confidence, CalibrationSpec spec) {
        Column inside = least(lit(spec.bins() - 1),
                floor(confidence.multiply(lit((double) spec.bins()))).cast(DataTypes.IntegerType));
        return when(confidence.lt(lit(0.0)), lit(0))
                .when(confidence.geq(lit(1.0)), lit(spec.bins() - 1))
                .otherwise(inside);
    }

    private static Column[] firstLevelAggregates() {
        List<Column> a = new ArrayList<>();
        LevelRow.SUMS.forEach(c -> a.add(sum(col(c)).as(c)));
        a.add(min(col(MetricColumns.CLASSES)).as(LevelRow.MIN_K));
        a.add(max(col(MetricColumns.CLASSES)).as(LevelRow.MAX_K));
        return a.toArray(Column[]::new);
    }

    /** The aggregates of a level above the first over {@code level}'s rows (with their per-sequence and spelling columns). */
    private static Column[] upperLevelAggregates(Dataset<Row> level, List<String> groupBy) {
        return plus(withSequences(upperLevelAggregates(), sequences(level), false),
                Spellings.of(level.schema(), groupBy).aggregates());
    }

    private static Column[] upperLevelAggregates() {
        List<Column> a = new ArrayList<>();
        // the doubles in block order; correct, a long, is exact in any order
        LevelRow.SUMS.forEach(c -> a.add((LevelRow.DOUBLE_SUMS.contains(c) ? sumInBlockOrder(c) : sum(col(c))).as(c)));
        a.add(min(col(LevelRow.MIN_K)).as(LevelRow.MIN_K));
        a.add(max(col(LevelRow.MAX_K)).as(LevelRow.MAX_K));
        return a.toArray(Column[]::new);
    }

    /**
     * The sum of the partial sums in column {@code c}, added in the order of their block ids (unique
     * within a group). Partials of rows without a value (quarantined rows) count as 0; their sums
     * are never read.
     */
    static Column sumInBlockOrder(String c) {
        String v = "`" + c + "`";
        return expr("aggregate(sort_array(collect_list(struct(`" + LevelRow.BLOCK + "`, " + v + "))), 0D, "
                + "(acc, x) -> acc + coalesce(x." + v + ", 0D))");
    }

    /** {@code aggregates} and, for token sequences, the per-sequence ones of the first or an upper level. */
    private static Column[] withSequences(Column[] aggregates, boolean sequences, boolean firstLevel) {
        if (!sequences) {
            return aggregates;
        }
        List<Column> a = new ArrayList<>(List.of(aggregates));
        String tokens = TokenSequences.SEQ_TOKENS;
        String loss = TokenSequences.SEQ_LOSS;
        String nll = TokenSequences.SEQ_NLL;
        a.add((firstLevel ? count(col(tokens)) : sum(col(LevelRow.SEQS))).as(LevelRow.SEQS));
        a.add(sum(col(tokens)).as(tokens));
        a.add((firstLevel ? count(col(loss)) : sum(col(LevelRow.SEQ_SCORED))).as(LevelRow.SEQ_SCORED));
        a.add((firstLevel ? sum(col(loss)) : sumInBlockOrder(loss)).as(loss));
        a.add(min(col(firstLevel ? loss : LevelRow.SEQ_LOSS_MIN)).as(LevelRow.SEQ_LOSS_MIN));
        a.add(max(col(firstLevel ? loss : LevelRow.SEQ_LOSS_MAX)).as(LevelRow.SEQ_LOSS_MAX));
        a.add((firstLevel ? sum(col(nll)) : sumInBlockOrder(nll)).as(nll));
        a.add(min(col(firstLevel ? nll : LevelRow.SEQ_NLL_MIN)).as(LevelRow.SEQ_NLL_MIN));
        a.add(max(col(firstLevel ? nll : LevelRow.SEQ_NLL_MAX)).as(LevelRow.SEQ_NLL_MAX));
        return a.toArray(Column[]::new);
    }

    private static Column[] plus(Column[] head, List<Column> tail) {
        List<Column> all = new ArrayList<>(List.of(head));
        all.addAll(tail);
        return all.toArray(Column[]::new);
    }

    private static List<Column> concat(List<Column> head, Column... tail) {
        List<Column> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static scala.collection.immutable.Seq<Column> seq(List<Column> columns) {
        return CollectionConverters.asScala(columns).toList();
    }
}
