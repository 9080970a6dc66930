package org.smoothkl.aggregate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.spark.MetricColumns;

/**
 * The tree summation of {@link AuditAggregation} against adversarial magnitudes, with a plain
 * Spark sum beside it to show the loss the tree avoids, and the SQL bucket against the Java one.
 */
class AggregationAccuracyTest {
    private static final double REL = 1e-12;
    private static final int CLASSES = 10;
    private static final double GAP = 1.0;
    private static final GapHistogramSpec SPEC = new GapHistogramSpec(50, 0, 20);
    private static final CalibrationSpec CAL = new CalibrationSpec(15);

    /**
     * A metrics frame with the names and types of {@link MetricColumns#SCHEMA}: every row valid
     * with the given kl, K = 10, gap 1.0, not correct. A plain select over range: a narrow plan.
     */
    private static Dataset<Row> metrics(long rows, int partitions, Column kl) {
        return metrics(rows, partitions, kl, lit(0.5), lit(false));
    }

    /** As above with the given confidence and correct columns. */
    private static Dataset<Row> metrics(long rows, int partitions, Column kl, Column confidence, Column correct) {
        SparkSession spark = SparkTestSession.get();
        Map<String, Column> byName = new LinkedHashMap<>();
        byName.put(MetricColumns.STATUS, lit(RowStatus.VALID.code()));
        byName.put(MetricColumns.REASON, lit(null));
        byName.put(MetricColumns.KL, kl);
        byName.put(MetricColumns.SMOOTHED_CE, kl);
        byName.put(MetricColumns.NLL, kl);
        byName.put(MetricColumns.GAP, lit(GAP));
        byName.put(MetricColumns.GAP_OPT, lit(2.0));
        byName.put(MetricColumns.CONFIDENCE, confidence);
        byName.put(MetricColumns.PRED, lit(0));
        byName.put(MetricColumns.CORRECT, correct);
        byName.put(MetricColumns.CLASSES, lit(CLASSES));
        List<Column> select = new ArrayList<>();
        for (StructField f : MetricColumns.SCHEMA.fields()) {
            select.add(byName.get(f.name()).cast(f.dataType()).as(f.name()));
        }
        Dataset<Row> frame = spark.range(0, rows, 1, partitions).select(select.toArray(Column[]::new));
        assertThat(frame.schema().fieldNames()).containsExactly(MetricColumns.SCHEMA.fieldNames());
        for (StructField f : MetricColumns.SCHEMA.fields()) {
            assertThat(frame.schema().apply(f.name()).dataType()).as(f.name()).isEqualTo(f.dataType());
        }
        return frame;
    }

    private static SliceSummary overall(Dataset<Row> frame) {
        Map<SliceKey, SliceSummary> slices = AuditAggregation.summarize(frame, List.of(), SPEC, CAL);
        assertThat(slices).containsOnlyKeys(SliceKey.OVERALL);
        return slices.get(SliceKey.OVERALL);
    }

    private static double relativeError(double got, BigDecimal exact) {
        return new BigDecimal(got).subtract(exact).abs().divide(exact.abs(), MathContext.DECIMAL64).doubleValue();
    }

    @Test
    void oneHugeValueThenMillionsOfOnes() {
        long n = 3_000_000;
        double big = 1e16; // ulp 2: a running double sum drops every 1.0 that follows it
        Dataset<Row> frame = metrics(n, 3, when(col("id").equalTo(0), lit(big)).otherwise(lit(1.0)));
        BigDecimal exact = new BigDecimal(big).add(BigDecimal.valueOf(n - 1));

        SliceSummary s = overall(frame);
        assertThat(s.valid()).isEqualTo(n);
        assertThat(s.rows()).isEqualTo(n);
        assertThat(s.classes()).isEqualTo(CLASSES);
        assertThat(s.correct()).isZero();
        assertThat(relativeError(s.sumKl(), exact)).as("tree sum %s vs exact %s", s.sumKl(), exact).isLessThanOrEqualTo(REL);
        assertThat(relativeError(s.sumSmoothedCe(), exact)).isLessThanOrEqualTo(REL);
        assertThat(relativeError(s.sumNll(), exact)).isLessThanOrEqualTo(REL);
        assertThat(s.sumGap()).isEqualTo(GAP * n);
        long[] histogram = new long[SPEC.bins()];
        histogram[SPEC.bucket(GAP)] = n;
        assertThat(s.histogram()).containsExactly(histogram);
        assertThat(s.underflow() + s.overflow()).isZero();

        // Spark's own sum adds one row at a time within a partition: the ones after 1e16 vanish.
        double plain = frame.agg(sum(col(MetricColumns.KL))).first().getDouble(0);
        assertThat(relativeError(plain, exact)).as("plain Spark sum %s vs exact %s", plain, exact).isGreaterThan(REL);
    }

    @Test
    void mixedMagnitudesMatchTheExactSum() {
        long n = 3_000_000;
        // 10^(id % 20 - 10): 1e-10 … 1e9, interleaved, so every block mixes twenty decades.
        Column kl = pow(lit(10.0), pmod(col("id"), lit(20L)).minus(lit(10L)));
        Dataset<Row> frame = metrics(n, 2, kl);

        // The exact sum of the doubles Spark actually produced: each distinct value times its count.
        BigDecimal exact = BigDecimal.ZERO;
        long counted = 0;
        List<Row> distinct = frame.groupBy(col(MetricColumns.KL)).count().collectAsList();
        assertThat(distinct).hasSize(20);
        for (Row r : distinct) {
            exact = exact.add(new BigDecimal(r.getDouble(0)).multiply(BigDecimal.valueOf(r.getLong(1))));
            counted += r.getLong(1);
        }
        assertThat(counted).isEqualTo(n);

        SliceSummary s = overall(frame);
        assertThat(s.valid()).isEqualTo(n);
        assertThat(relativeError(s.sumKl(), exact)).as("tree sum %s vs exact %s", s.sumKl(), exact).isLessThanOrEqualTo(REL);
        assertThat(relativeError(s.sumNll(), exact)).isLessThanOrEqualTo(REL);
        assertThat(s.meanKl()).isCloseTo(exact.doubleValue() / n, org.assertj.core.api.Assertions.withinPercentage(1e-10));
    }

    @Test
    void statusesAndSlicesAreCountedApart() {
        // Every status and two slices: slice = id mod 2; id ≡ 0 (mod 10) ignored, ≡ 1 invalid.
        Column mod10 = pmod(col("id"), lit(10L));
        Column status = when(mod10.equalTo(0), lit(RowStatus.IGNORED.code()))
                .when(mod10.equalTo(1), lit(RowStatus.INVALID.code()))
                .otherwise(lit(RowStatus.VALID.code()));
        Column isValid = status.equalTo(RowStatus.VALID.code());
        Dataset<Row> frame = SparkTestSession.get().range(0, 1000, 1, 2).select(
                pmod(col("id"), lit(2L)).as("slice"),
                status.as(MetricColumns.STATUS),
                when(mod10.equalTo(1), lit("nan_logit")).as(MetricColumns.REASON),
                when(isValid, lit(0.5)).as(MetricColumns.KL),
                when(isValid, lit(0.25)).as(MetricColumns.SMOOTHED_CE),
                when(isValid, lit(0.125)).as(MetricColumns.NLL),
                when(status.notEqual(RowStatus.INVALID.code()), lit(GAP)).as(MetricColumns.GAP),
                lit(2.0).as(MetricColumns.GAP_OPT),
                lit(0.5).as(MetricColumns.CONFIDENCE),
                lit(0).as(MetricColumns.PRED),
                pmod(col("id"), lit(4L)).equalTo(2).as(MetricColumns.CORRECT),
                when(status.notEqual(RowStatus.INVALID.code()), lit(CLASSES)).as(MetricColumns.CLASSES));

        Map<SliceKey, SliceSummary> slices = AuditAggregation.summarize(frame, List.of("slice"), SPEC, CAL);
        List<Object> sliceValues = slices.keySet().stream().map(k -> k.values().get(0)).toList();
        assertThat(sliceValues).containsExactlyInAnyOrder(0L, 1L);
        long rows = 0;
        for (Map.Entry<SliceKey, SliceSummary> e : slices.entrySet()) {
            long slice = (Long) e.getKey().values().get(0);
            SliceSummary s = e.getValue();
            long ignored = slice == 0 ? 100 : 0; // ids 0, 10, 20, … are even
            long invalid = slice == 1 ? 100 : 0; // ids 1, 11, 21, … are odd
            long valid = 500 - ignored - invalid;
            long correct = slice == 0 ? 250 - 50 : 0; // ids ≡ 2 (mod 4), minus those ≡ 0 (mod 10)
            assertThat(s.rows()).isEqualTo(500);
            assertThat(s.ignored()).isEqualTo(ignored);
            assertThat(s.invalid()).isEqualTo(invalid);
            assertThat(s.invalidByReason()).isEqualTo(invalid == 0 ? Map.of() : Map.of("nan_logit", invalid));
            assertThat(s.valid()).isEqualTo(valid);
            assertThat(s.correct()).isEqualTo(correct);
            assertThat(s.sumKl()).isEqualTo(0.5 * valid);
            assertThat(s.sumSmoothedCe()).isEqualTo(0.25 * valid);
            assertThat(s.sumNll()).isEqualTo(0.125 * valid);
            // The histogram and the gap sum cover valid rows only, though ignored rows have a gap.
            assertThat(s.sumGap()).isEqualTo(GAP * valid);
            assertThat(s.histogram()[SPEC.bucket(GAP)]).isEqualTo(valid);
            assertThat(s.bins().stream().mapToLong(SliceSummary.Bin::count).sum()).isEqualTo(valid);
            assertThat(s.classes()).isEqualTo(CLASSES);
            // Calibration covers valid rows only, though ignored rows have a confidence too.
            for (org.smoothkl.audit.ReliabilityBin b : s.reliability()) {
                assertThat(b.count()).as("bin %d", b.bin()).isEqualTo(b.bin() == CAL.bin(0.5) ? valid : 0);
            }
            assertThat(s.meanConfidence()).isEqualTo(0.5);
            assertThat(s.reliability().get(CAL.bin(0.5)).accuracy()).isEqualTo((double) correct / valid);
            rows += s.rows();
        }
        assertThat(rows).isEqualTo(1000);
    }

    @Test
    void calibrationCountsAreExactAndConfidenceSumsTreeExact() {
        long n = 2_000_000;
        // 1000 distinct confidences in (0, 1], interleaved so that every block mixes every bin,
        // and a correct flag that is independent of the bin.
        Column confidence = pmod(col("id").multiply(lit(7919L)), lit(1000L)).plus(lit(1L)).cast(DataTypes.DoubleType)
                .divide(lit(1000.0));
        Dataset<Row> frame = metrics(n, 3, lit(1.0), confidence, pmod(col("id"), lit(3L)).equalTo(0));

        // Exact per-bin expectations from the distinct (confidence, correct) values Spark produced.
        long[] count = new long[CAL.bins()];
        long[] correct = new long[CAL.bins()];
        BigDecimal[] sum = new BigDecimal[CAL.bins()];
        java.util.Arrays.fill(sum, BigDecimal.ZERO);
        for (Row r : frame.groupBy(col(MetricColumns.CONFIDENCE), col(MetricColumns.CORRECT)).count().collectAsList()) {
            int b = CAL.bin(r.getDouble(0));
            long k = r.getLong(2);
            count[b] += k;
            correct[b] += r.getBoolean(1) ? k : 0;
            sum[b] = sum[b].add(new BigDecimal(r.getDouble(0)).multiply(BigDecimal.valueOf(k)));
        }
        assertThat(java.util.Arrays.stream(count).sum()).isEqualTo(n);

        SliceSummary s = overall(frame);
        BigDecimal eceTimesN = BigDecimal.ZERO;
        for (org.smoothkl.audit.ReliabilityBin b : s.reliability()) {
            int i = b.bin();
            assertThat(b.count()).as("bin %d count", i).isEqualTo(count[i]);
            assertThat(b.accuracy()).as("bin %d accuracy", i).isEqualTo((double) correct[i] / count[i]);
            BigDecimal exactMean = sum[i].divide(BigDecimal.valueOf(count[i]), MathContext.DECIMAL128);
            assertThat(relativeError(b.meanConfidence(), exactMean)).as("bin %d mean confidence", i).isLessThanOrEqualTo(REL);
            eceTimesN = eceTimesN.add(BigDecimal.valueOf(correct[i]).subtract(sum[i]).abs());
        }
        BigDecimal exactEce = eceTimesN.divide(BigDecimal.valueOf(n), MathContext.DECIMAL128);
        assertThat(relativeError(s.expectedCalibrationError(), exactEce)).isLessThanOrEqualTo(REL);
    }

    @Test
    void sqlCalibrationBinAgreesWithTheJavaBin() {
        SparkSession spark = SparkTestSession.get();
        StructType schema = new StructType(new StructField[] {
            DataTypes.createStructField("i", DataTypes.IntegerType, false),
            DataTypes.createStructField(MetricColumns.CONFIDENCE, DataTypes.DoubleType, true),
        });
        for (CalibrationSpec spec : List.of(CAL, new CalibrationSpec(1), new CalibrationSpec(10), new CalibrationSpec(7),
                new CalibrationSpec(1000))) {
            List<Double> values = new ArrayList<>(List.of(0.0, -0.0, 1.0, Math.nextDown(1.0), Math.nextUp(1.0), -1e-300,
                    Double.MIN_VALUE, 0.5, 2.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN));
            for (int b = 0; b < spec.bins(); b++) {
                values.add(spec.lo(b));
                values.add(Math.nextDown(spec.lo(b)));
                values.add(Math.nextUp(spec.lo(b)));
            }
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < values.size(); i++) {
                rows.add(RowFactory.create(i, values.get(i)));
            }
            List<Row> got = spark.createDataFrame(rows, schema)
                    .select(col("i"), AuditAggregation.calibrationBin(col(MetricColumns.CONFIDENCE), spec).as("b"))
                    .orderBy("i").collectAsList();
            assertThat(got).hasSize(values.size());
            for (Row r : got) {
                double c = values.get(r.getInt(0));
                assertThat(r.getInt(1)).as("%s confidence %s", spec, c).isEqualTo(spec.bin(c));
            }
        }
    }

    @Test
    void sqlBucketAgreesWithTheJavaBucket() {
        SparkSession spark = SparkTestSession.get();
        StructType schema = new StructType(new StructField[] {
            DataTypes.createStructField("i", DataTypes.IntegerType, false),
            DataTypes.createStructField(MetricColumns.GAP, DataTypes.DoubleType, true),
        });
        for (GapHistogramSpec spec : List.of(SPEC, new GapHistogramSpec(7, -5, 20), new GapHistogramSpec(6, 0.1, 0.7),
                new GapHistogramSpec(1, 0, 1), new GapHistogramSpec(1000, -1e-3, 1e-3))) {
            List<Double> gaps = new ArrayList<>(List.of(spec.lo(), spec.hi(), Math.nextDown(spec.lo()), Math.nextUp(spec.lo()),
                    Math.nextDown(spec.hi()), Math.nextUp(spec.hi()), -1.0, -1e300, 1e300, 0.0, -0.0,
                    Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE,
                    Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN));
            for (double e : spec.edges()) {
                gaps.add(e);
                gaps.add(Math.nextDown(e));
                gaps.add(Math.nextUp(e));
            }
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < gaps.size(); i++) {
                rows.add(RowFactory.create(i, gaps.get(i)));
            }
            List<Row> got = spark.createDataFrame(rows, schema)
                    .select(col("i"), AuditAggregation.bucket(col(MetricColumns.GAP), spec).as("b"))
                    .orderBy("i").collectAsList();
            assertThat(got).hasSize(gaps.size());
            for (Row r : got) {
                double g = gaps.get(r.getInt(0));
                assertThat(r.isNullAt(1)).as("%s gap %s", spec, g).isFalse();
                assertThat(r.getInt(1)).as("%s gap %s", spec, g).isEqualTo(spec.bucket(g));
            }
        }
    }
}
