package org.smoothkl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.smoothkl.SparkTestSession;
import org.smoothkl.spark.MetricColumns;

/**
 * {@link LevelFold}'s levels against the SQL ones ({@link AuditAggregation#upperLevels}) on
 * first-level rows whose block ids cross every level's boundary: blocks of blocks within a
 * partition (over 1024 blocks), partitions, and groups of 1024 partitions. Partial sums span
 * twenty orders of magnitude, so any other order of addition changes the last bits.
 */
class LevelFoldTest {
    @Test
    void sameBitsAsTheSqlLevels() {
        StructType schema = LevelRow.schema(new StructType().add("slice", DataTypes.StringType));
        SplittableRandom random = new SplittableRandom(7);
        List<Row> firstLevel = new ArrayList<>();
        int[] partitions = {0, 1, 2, 1023, 1024, 1030, 2050};
        long[] blocksInPartition = {0, 1, 2, 1023, 1024, 1025, 4097, 9000};
        for (int p : partitions) {
            for (long b : blocksInPartition) {
                long block = ((long) p << 23) | b;
                for (String slice : new String[] {"a", "b"}) {
                    // a status row, and a calibration row in one of two bins; some blocks lack a slice or a bin
                    if (random.nextInt(5) > 0) {
                        firstLevel.add(row(slice, "valid", null, block, random));
                    }
                    if (random.nextInt(5) > 0) {
                        firstLevel.add(row(slice, null, random.nextInt(2), block, random));
                    }
                }
                if (random.nextInt(3) == 0) { // invalid rows: counted, sums null
                    firstLevel.add(RowFactory.create("a", "invalid", "nan_logit", null, null, block, 3L,
                            null, null, null, null, 0L, null, null, null));
                }
            }
        }

        List<Row> sql = AuditAggregation.upperLevels(SparkTestSession.get().createDataFrame(firstLevel, schema), List.of("slice"))
                .collectAsList();

        // as the tasks fold: each key's rows in block order, then the partitions' rows in partition order
        List<Row> partitionRows = new ArrayList<>();
        LevelFold partitionTotal = new LevelFold(5, AuditAggregation.LEVEL_SHIFTS[1], v -> partitionRows.add(new GenericRowWithSchema(v, schema)));
        LevelFold blocksOfBlocks = new LevelFold(5, AuditAggregation.LEVEL_SHIFTS[0], partitionTotal::add);
        firstLevel.stream().sorted(Comparator.comparingLong(r -> r.getLong(5)))
                .forEach(r -> blocksOfBlocks.add(LevelRow.values(r)));
        blocksOfBlocks.finish();
        partitionTotal.finish();
        partitionRows.sort(Comparator.comparingLong(r -> r.getLong(5)));
        List<Row> folded = AuditAggregation.finishOnDriver(partitionRows, schema, 1);

        Map<String, List<Object>> expected = byKey(sql);
        assertThat(byKey(folded)).isEqualTo(expected).hasSize(7);
    }

    private static Row row(String slice, String status, Integer bin, long block, SplittableRandom random) {
        long n = 1 + random.nextInt(1024);
        return RowFactory.create(slice, status, null, null, bin, block, n,
                value(random), value(random), value(random), value(random), (long) random.nextInt((int) n + 1), value(random),
                2 + random.nextInt(10), 12 + random.nextInt(10));
    }

    private static double value(SplittableRandom random) {
        return random.nextDouble() * Math.pow(10, random.nextInt(-10, 10));
    }

    /** Per key: count, the sums as raw bits, correct, min and max K. */
    private static Map<String, List<Object>> byKey(List<Row> rows) {
        Map<String, List<Object>> out = new HashMap<>();
        for (Row r : rows) {
            List<Object> keyValues = new ArrayList<>();
            for (String c : List.of("slice", MetricColumns.STATUS, MetricColumns.REASON, LevelRow.CALIBRATION_BIN)) {
                keyValues.add(r.get(r.fieldIndex(c)));
            }
            String key = keyValues.toString();
            List<Object> v = new ArrayList<>();
            v.add(r.<Long>getAs(LevelRow.COUNT));
            for (String c : List.of(MetricColumns.KL, MetricColumns.SMOOTHED_CE, MetricColumns.NLL, MetricColumns.GAP,
                    MetricColumns.CONFIDENCE)) {
                v.add(Double.doubleToRawLongBits(r.<Double>getAs(c)));
            }
            v.add(r.<Long>getAs(MetricColumns.CORRECT));
            v.add(r.<Integer>getAs(LevelRow.MIN_K));
            v.add(r.<Integer>getAs(LevelRow.MAX_K));
            assertThat(out.put(key, v)).as("one row per key %s", key).isNull();
        }
        return out;
    }
}
