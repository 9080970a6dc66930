package org.smoothkl.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.GoldenRows;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.loss.InputKind;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.engine.CpuMetricsEngine;
import org.smoothkl.input.AuditInput;
import org.smoothkl.input.InputReader;
import org.smoothkl.spark.SparkInternals;
import org.smoothkl.audit.EngineChoice;
import org.smoothkl.audit.InputFormat;

/**
 * The CPU engine's own levels ({@link FirstLevelAggregator}, then {@link LevelFold} in the task)
 * against the SQL grouping sets and levels over the same scored rows: the same status and
 * calibration rows per partition, the same histogram counts, and the same summary bit for bit,
 * whether the last levels are added on the driver or in SQL, on data that rolls blocks over within and across
 * partitions and mixes slices (null ones too), statuses, reasons, K and infinite values.
 */
class FirstLevelPreAggregationTest {
    private static final GapHistogramSpec HISTOGRAM = new GapHistogramSpec(20, 0, 10);
    private static final CalibrationSpec CALIBRATION = new CalibrationSpec(15);

    @TempDir
    Path tmp;

    /** Three Parquet files (partitions) of 2600 rows: every reason the kernel finds, ignored rows, K = 1…7. */
    @Test
    void parquetLogitsWithEveryStatus() {
        Path data = tmp.resolve("logits");
        SparkSession spark = SparkTestSession.get();
        spark.sql("SELECT IF(id % 7 = 0, NULL, concat('s', CAST(id % 3 AS STRING))) AS slice,"
                + " IF(id % 11 = 0, NULL, CAST(id % 2 AS INT)) AS grp,"
                + " CASE WHEN id % 20 = 0 THEN 100000 WHEN id % 20 = 3 THEN 99 WHEN id % 20 = 4 THEN NULL"
                + "      ELSE CAST(id % 3 AS INT) END AS label,"
                + " CASE WHEN id % 20 = 1 THEN NULL"
                + "      WHEN id % 20 = 2 THEN array(1.0F, CAST('NaN' AS FLOAT), 2.0F)"
                + "      WHEN id % 20 = 5 THEN array(1.0F)"
                + "      ELSE transform(sequence(0, 2 + CAST(id % 5 AS INT)), j -> CAST(sin(id * 7 + j) * 6 AS FLOAT)) END AS logits"
                + " FROM range(0, 7800, 1, 3)").write().parquet(data.toString());
        AuditSpec spec = spec(data, "parquet", Preset.SEED, Preset.SEED.with(0.1, null), List.of("slice", "grp"));
        withOnePartitionPerFile(() -> {
            AuditInput input = InputReader.read(spark, spec);
            assertThat(SparkInternals.logitsBatches(input.frame(), input.logitsColumn()))
                    .as("the columnar path").isNotNull();
            assertThat(input.frame().rdd().getNumPartitions()).isEqualTo(3);
            Map<SliceKey, SliceSummary> slices = assertBothPathsAgree(input, spec);
            SliceSummary all = slices.values().stream().reduce(new SliceSummary(HISTOGRAM, CALIBRATION), SliceSummary::merge);
            assertThat(all.rows()).isEqualTo(7800);
            assertThat(all.ignored()).isEqualTo(390);
            assertThat(all.invalidByReason()).containsKeys("null_logits", "nan_logit", "label_out_of_range", "null_label");
            // one string slice column, which the reader leaves dictionary-encoded: slices matched by dictionary id
            AuditSpec bySlice = spec(data, "parquet", Preset.SEED, Preset.SEED.with(0.1, null), List.of("slice"));
            assertThat(assertBothPathsAgree(InputReader.read(spark, bySlice), bySlice)).hasSize(4);
        });
    }

    /**
     * Rows of K = 100 (and 37): a reader batch of 3000 rows is scored in chunks of ≈65536 logits,
     * so the first level sees several chunks per batch (with a dictionary-encoded string slice).
     */
    @Test
    void batchesScoredInChunks() {
        Path data = tmp.resolve("wide");
        SparkSession spark = SparkTestSession.get();
        spark.sql("SELECT IF(id % 13 = 0, NULL, concat('s', CAST(id % 4 AS STRING))) AS slice,"
                + " IF(id % 17 = 0, 500, CAST(id % 37 AS INT)) AS label,"
                + " IF(id % 29 = 0, NULL, transform(sequence(0, IF(id % 5 = 0, 36, 99)),"
                + "     j -> CAST(sin(id * 3 + j) * 8 AS FLOAT))) AS logits"
                + " FROM range(0, 9000, 1, 3)").write().parquet(data.toString());
        AuditSpec spec = spec(data, "parquet", Preset.SEED, Preset.SEED.with(0.1, null), List.of("slice"));
        assertThat(3000L * 100).isGreaterThan(2L * CpuMetricsEngine.CHUNK_VALUES);
        withOnePartitionPerFile(() -> {
            AuditInput input = InputReader.read(spark, spec);
            assertThat(input.frame().rdd().getNumPartitions()).isEqualTo(3);
            Map<SliceKey, SliceSummary> slices = assertBothPathsAgree(input, spec);
            assertThat(slices).hasSize(5);
            SliceSummary all = slices.values().stream().reduce(new SliceSummary(HISTOGRAM, CALIBRATION), SliceSummary::merge);
            assertThat(all.rows()).isEqualTo(9000);
            assertThat(all.invalidByReason()).containsKeys("null_logits", "label_out_of_range");
        });
    }

    /** Log-probabilities with zeros (−∞): +∞ gaps and losses, confidence 1.0, rows that do not sum to 1. */
    @Test
    void logProbabilitiesWithInfiniteGaps() {
        Path data = tmp.resolve("log-probs");
        SparkSession spark = SparkTestSession.get();
        spark.sql("SELECT IF(id % 8 < 4, 0, 1) AS slice,"
                + " IF(id % 13 = 0, 100000, CAST(id % 4 AS INT)) AS label,"
                + " CASE WHEN id % 5 = 1 THEN array_repeat(CAST(log(0.5) AS FLOAT), 4)"
                + "      WHEN id % 4 = 0 THEN array(CAST('-Infinity' AS FLOAT), CAST(log(1.0 / 3) AS FLOAT),"
                + "                                 CAST(log(1.0 / 3) AS FLOAT), CAST(log(1.0 / 3) AS FLOAT))"
                + "      WHEN id % 4 = 2 THEN array(0.0F, CAST('-Infinity' AS FLOAT), CAST('-Infinity' AS FLOAT),"
                + "                                 CAST('-Infinity' AS FLOAT))"
                + "      ELSE transform(sequence(0, 3), j -> CAST(log(IF(j = id % 4, 0.7, 0.1)) AS FLOAT)) END AS logits"
                + " FROM range(0, 5000, 1, 2)").write().parquet(data.toString());
        Smoothing smoothing = Preset.SEED.with(0.1, null).withInput(InputKind.LOG_PROBS, Smoothing.DEFAULT_SUM_TOLERANCE);
        AuditSpec spec = spec(data, "parquet", Preset.SEED, smoothing, List.of("slice"));
        withOnePartitionPerFile(() -> {
            AuditInput input = InputReader.read(spark, spec);
            assertThat(input.frame().rdd().getNumPartitions()).isEqualTo(2);
            Map<SliceKey, SliceSummary> slices = assertBothPathsAgree(input, spec);
            for (SliceSummary s : slices.values()) {
                assertThat(s.sumGap()).isEqualTo(Double.POSITIVE_INFINITY);
                assertThat(s.overflow()).isPositive();
                assertThat(s.invalidByReason()).containsKey("not_normalized");
                assertThat(s.ignored()).isPositive();
                assertThat(s.reliability().get(CALIBRATION.bins() - 1).count()).isPositive();
            }
        });
    }

    /** The row path (JSON): the golden rows, one slice per golden batch. */
    @Test
    void jsonGoldenRows() {
        AuditSpec spec = spec(GoldenRows.file("pytorch"), "json", Preset.PYTORCH, Preset.PYTORCH.with(0.1, null), List.of("batch"));
        AuditInput input = InputReader.read(SparkTestSession.get(), spec);
        assertThat(SparkInternals.logitsBatches(input.frame(), input.logitsColumn()))
                .as("the row path").isNull();
        assertThat(assertBothPathsAgree(input, spec)).hasSizeGreaterThan(1);
    }

    /** No group-by column: one slice, the overall one. */
    @Test
    void noSliceColumns() {
        AuditSpec spec = spec(GoldenRows.file("seed"), "json", Preset.SEED, Preset.SEED.with(0.1, null), List.of());
        assertThat(assertBothPathsAgree(InputReader.read(SparkTestSession.get(), spec), spec)).containsOnlyKeys(SliceKey.OVERALL);
    }

    private static Map<SliceKey, SliceSummary> assertBothPathsAgree(AuditInput input, AuditSpec spec) {
        CpuMetricsEngine cpu = new CpuMetricsEngine();
        assertThat(CpuMetricsEngine.canAggregate(input)).isTrue();
        Dataset<Row> sqlFirst = AuditAggregation.firstLevel(cpu.withMetrics(input, spec.smoothing()), spec.groupBy(), HISTOGRAM,
                CALIBRATION);
        Dataset<Row> sqlLevel = AuditAggregation.levels(sqlFirst, spec.groupBy(), 1, 3);
        Dataset<Row> engineLevel = cpu.partitionLevel(input, spec.smoothing(), HISTOGRAM, CALIBRATION, spec.maxSlices());
        assertThat(engineLevel.schema().fieldNames()).containsExactlyInAnyOrder(sqlLevel.schema().fieldNames());

        int g = spec.groupBy().size();
        List<Row> sqlRows = sqlLevel.collectAsList();
        List<Row> engineRows = engineLevel.select(sqlLevel.columns()[0], java.util.Arrays.copyOfRange(sqlLevel.columns(), 1,
                sqlLevel.columns().length)).collectAsList();
        // status and calibration rows: all columns; histogram rows: counts per (slice, bucket)
        assertThat(byKey(engineRows, g)).isEqualTo(byKey(sqlRows, g)).isNotEmpty();
        assertThat(bucketCounts(engineRows, g)).isEqualTo(bucketCounts(sqlRows, g)).isNotEmpty();

        Map<SliceKey, SliceSummary> sql = AuditAggregation.summarize(cpu.withMetrics(input, spec.smoothing()), spec.groupBy(),
                HISTOGRAM, CALIBRATION);
        Map<SliceKey, SliceSummary> onDriver = AuditAggregation.ofPartitionLevel(engineLevel, spec);
        // as with more partitions than the driver takes
        Map<SliceKey, SliceSummary> inSql = AuditAggregation.ofPartitionLevel(engineLevel, spec, 0);
        assertThat(onDriver.keySet()).isEqualTo(sql.keySet());
        assertThat(inSql.keySet()).isEqualTo(sql.keySet());
        for (SliceKey k : sql.keySet()) {
            assertSameBits(k + " (levels on the driver)", onDriver.get(k), sql.get(k));
            assertSameBits(k + " (levels in SQL)", inSql.get(k), sql.get(k));
        }
        return onDriver;
    }

    /** Rows of the status (status not null) and calibration (bin not null) grouping sets, by their keys. */
    private static Map<String, Row> byKey(List<Row> rows, int g) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : rows) {
            boolean status = !r.isNullAt(g);
            boolean calibration = !r.isNullAt(g + 3);
            if (status || calibration) {
                List<Object> key = new ArrayList<>();
                for (int c = 0; c <= g + 4; c++) {
                    key.add(r.get(c));
                }
                assertThat(out.put(key.toString(), r)).as("one row per key %s", key).isNull();
            }
        }
        return out;
    }

    private static Map<String, Long> bucketCounts(List<Row> rows, int g) {
        Map<String, Long> out = new HashMap<>();
        for (Row r : rows) {
            if (!r.isNullAt(g + 2)) {
                List<Object> key = new ArrayList<>();
                for (int c = 0; c < g; c++) {
                    key.add(r.get(c));
                }
                key.add(r.getInt(g + 2));
                out.merge(key.toString(), r.getLong(g + 5), Long::sum);
            }
        }
        return out;
    }

    static void assertSameBits(String where, SliceSummary a, SliceSummary b) {
        assertThat(a.rows()).as(where).isEqualTo(b.rows());
        assertThat(a.valid()).as(where).isEqualTo(b.valid());
        assertThat(a.ignored()).as(where).isEqualTo(b.ignored());
        assertThat(a.invalidByReason()).as(where).isEqualTo(b.invalidByReason());
        assertThat(Double.doubleToRawLongBits(a.sumKl())).as(where + " kl").isEqualTo(Double.doubleToRawLongBits(b.sumKl()));
        assertThat(Double.doubleToRawLongBits(a.sumSmoothedCe())).as(where + " ce")
                .isEqualTo(Double.doubleToRawLongBits(b.sumSmoothedCe()));
        assertThat(Double.doubleToRawLongBits(a.sumNll())).as(where + " nll").isEqualTo(Double.doubleToRawLongBits(b.sumNll()));
        assertThat(Double.doubleToRawLongBits(a.sumGap())).as(where + " gap").isEqualTo(Double.doubleToRawLongBits(b.sumGap()));
        assertThat(a.correct()).as(where).isEqualTo(b.correct());
        assertThat(a.classes()).as(where).isEqualTo(b.classes());
        assertThat(a.histogram()).as(where).isEqualTo(b.histogram());
        assertThat(a.underflow()).as(where).isEqualTo(b.underflow());
        assertThat(a.overflow()).as(where).isEqualTo(b.overflow());
        assertThat(a.reliability()).as(where).isEqualTo(b.reliability());
        assertThat(Double.doubleToRawLongBits(a.expectedCalibrationError())).as(where + " ece")
                .isEqualTo(Double.doubleToRawLongBits(b.expectedCalibrationError()));
    }

    private AuditSpec spec(Path input, String format, Preset preset, Smoothing smoothing, List<String> groupBy) {
        return new AuditSpec(input.toString(), InputFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT)), "logits", "label", preset, smoothing, groupBy, HISTOGRAM, CALIBRATION,
                List.of(), null, null, "test", tmp.resolve("unused").toString(), false, false, EngineChoice.CPU);
    }

    /** Small files are packed into one partition unless opening each costs more than the split holds. */
    static void withOnePartitionPerFile(Runnable body) {
        SparkSession spark = SparkTestSession.get();
        String key = "spark.sql.files.openCostInBytes";
        String before = spark.conf().get(key);
        spark.conf().set(key, Long.toString(1L << 40));
        try {
            body.run();
        } finally {
            spark.conf().set(key, before);
        }
    }
}
