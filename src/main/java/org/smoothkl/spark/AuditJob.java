package org.smoothkl.spark;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;

/**
 * One audit on Spark: read and check the input, score every row (with the engine the caller chose,
 * {@link MetricsEngines}), aggregate per slice, and write
 * the Parquet outputs into the (uncommitted) output directory. The input is scanned once for
 * the aggregation, and once more only to write quarantined rows (when there are any) and per-row
 * metrics (with --write-rows). The aggregation's scan yields per-row rows only on the SQL path
 * ({@link #slices}).
 */
public final class AuditJob {
    /** Reader settings that decide Parquet decode speed (DESIGN.md); applied unless the user set them. */
    static final Map<String, String> SQL_DEFAULTS = Map.of(
            "spark.sql.parquet.enableNestedColumnVectorizedReader", "true",
            "spark.sql.orc.enableNestedColumnVectorizedReader", "true");

    private AuditJob() {
    }

    public static AuditResult run(SparkSession spark, AuditSpec spec, MetricsEngine engine, AtomicOutput output) {
        try {
            return runUnchecked(spark, spec, engine, output);
        } catch (Exception e) {
            throw asInputProblem(e);
        }
    }

    /**
     * A file Spark could not read (corrupt, truncated, not of the format) is bad input: exit 2
     * naming the file, not a stack trace. Anything else stays unexpected.
     */
    static RuntimeException asInputProblem(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuditInputException bad) { // thrown in a task (a bad .npz shard), carried by Spark's failure
                return bad;
            }
            if (t instanceof org.apache.spark.SparkThrowable st && st.getCondition() != null
                    && st.getCondition().startsWith("FAILED_READ_FILE")) {
                Throwable cause = t.getCause() == null ? t : t.getCause();
                return new AuditInputException("cannot read an input file: " + firstLine(cause.getMessage()), e);
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    /** The audit's summary alone, no outputs written (the benchmark's "job"). */
    public static AuditResult summarize(SparkSession spark, AuditSpec spec) {
        applySqlDefaults(spark, spec);
        AuditInput input = InputReader.read(spark, spec);
        return AuditResult.of(spec, slices(input, MetricsEngines.choose(spark, spec), spec));
    }

    /**
     * Up to this many partitions, the CPU engine's partition-level rows (one per key and partition:
     * about 70 per slice) are collected and the last two levels added on the driver
     * ({@link AuditAggregation#finishOnDriver}): one Spark stage for the whole summary instead of
     * four more, each of which costs a few tenths of a second however small. Above it, those levels
     * stay in Spark SQL, and the driver receives one row per key.
     */
    static final int DRIVER_LEVELS_MAX_PARTITIONS = 1024;

    /**
     * The per-slice states: the CPU engine's partition-level rows finished on the driver (up to
     * {@link #DRIVER_LEVELS_MAX_PARTITIONS} partitions), else {@link #aggregated}'s last level,
     * collected and merged on the driver.
     */
    static Map<SliceKey, SliceSummary> slices(AuditInput input, MetricsEngine engine, AuditSpec spec) {
        return slices(input, engine, spec, DRIVER_LEVELS_MAX_PARTITIONS);
    }

    /** {@link #slices(AuditInput, MetricsEngine, AuditSpec)} with another partition limit (tests: 0 forces SQL). */
    static Map<SliceKey, SliceSummary> slices(AuditInput input, MetricsEngine engine, AuditSpec spec,
                                              int driverLevelsMaxPartitions) {
        if (preAggregated(input, engine)) {
            Dataset<Row> partitions = partitionLevel((CpuMetricsEngine) engine, input, spec);
            // the plan's own RDD (collectAsList reuses it), not Dataset.rdd(), which plans a deserializer anew
            int count = ((org.apache.spark.sql.classic.Dataset<Row>) partitions).queryExecution().toRdd().getNumPartitions();
            if (count <= driverLevelsMaxPartitions) {
                List<Row> last = AuditAggregation.finishOnDriver(partitions.collectAsList(), partitions.schema(),
                        spec.groupBy().size());
                return AuditAggregation.slices(last, false, spec.groupBy(), spec.histogram(), spec.calibration());
            }
            // the same plan, its last levels in SQL (not planned again through aggregated)
            return AuditAggregation.slices(levelsAbovePartitions(partitions, spec), spec.groupBy(), spec.histogram(),
                    spec.calibration());
        }
        return AuditAggregation.slices(aggregated(input, engine, spec), spec.groupBy(), spec.histogram(), spec.calibration());
    }

    /**
     * The aggregation, unexecuted. The CPU engine aggregates the tree's first three levels while it
     * scores ({@link CpuMetricsEngine#partitionLevel}), so no per-row rows reach Spark; the RAPIDS
     * engine (whose plan must stay on the GPU) and token sequences (per-sequence columns from a
     * window over the scored rows) take the SQL path. Both give the same bits.
     */
    private static Dataset<Row> aggregated(AuditInput input, MetricsEngine engine, AuditSpec spec) {
        if (preAggregated(input, engine)) {
            return levelsAbovePartitions(partitionLevel((CpuMetricsEngine) engine, input, spec), spec);
        }
        return AuditAggregation.aggregate(scored(input, engine, spec), spec.groupBy(), spec.histogram(), spec.calibration());
    }

    /** The SQL levels above the CPU engine's partition level (level 3), up to one row per key. */
    private static Dataset<Row> levelsAbovePartitions(Dataset<Row> partitions, AuditSpec spec) {
        return AuditAggregation.upperLevels(partitions, spec.groupBy(), 3);
    }

    private static boolean preAggregated(AuditInput input, MetricsEngine engine) {
        return engine instanceof CpuMetricsEngine && CpuMetricsEngine.canAggregate(input);
    }

    private static Dataset<Row> partitionLevel(CpuMetricsEngine cpu, AuditInput input, AuditSpec spec) {
        return cpu.partitionLevel(input, spec.smoothing(), spec.histogram(), spec.calibration());
    }

    /** Every row with its metrics (and, for token sequences, the per-sequence totals). */
    static Dataset<Row> scored(AuditInput input, MetricsEngine engine, AuditSpec spec) {
        return withSequenceTotals(input, engine.withMetrics(input, spec.smoothing()), spec);
    }

    /**
     * The aggregation query exactly as {@link #run} executes it (scan, metrics, slice aggregates
     * and gap histogram), unexecuted: for checking where its operators run.
     */
    public static Dataset<Row> aggregationQuery(SparkSession spark, AuditSpec spec, MetricsEngine engine) {
        applySqlDefaults(spark, spec);
        return aggregated(InputReader.read(spark, spec), engine, spec);
    }

    /** Token sequences: the per-sequence totals of the preset's loss and the NLL ({@link TokenSequences}). */
    static Dataset<Row> withSequenceTotals(AuditInput input, Dataset<Row> scored, AuditSpec spec) {
        if (!input.tokenSequences()) {
            return scored;
        }
        String loss = spec.preset().loss() == org.smoothkl.loss.LossKind.KL ? MetricColumns.KL : MetricColumns.SMOOTHED_CE;
        return TokenSequences.withSequenceTotals(scored, loss);
    }

    static final String PARQUET_BATCH_ROWS = "spark.sql.parquet.columnarReaderBatchSize";

    /** Reader settings for this input, each unless the user set it (public: the benchmark's floor reads alike). */
    public static void applySqlDefaults(SparkSession spark, AuditSpec spec) {
        SQL_DEFAULTS.forEach((k, v) -> {
            if (!spark.conf().contains(k)) {
                spark.conf().set(k, v);
            }
        });
        if (spec.format().equals("parquet") && !userSet(spark, PARQUET_BATCH_ROWS)) {
            ReaderBatchSize.rowsFor(spark.sparkContext().hadoopConfiguration(), spec.input(), spec.logitsColumn())
                    .ifPresent(rows -> spark.conf().set(PARQUET_BATCH_ROWS, Integer.toString(rows)));
        }
    }

    /** Set in the Spark conf the job was started with (a value we set on an earlier run does not count). */
    private static boolean userSet(SparkSession spark, String key) {
        return spark.sparkContext().getConf().contains(key);
    }

    private static AuditResult runUnchecked(SparkSession spark, AuditSpec spec, MetricsEngine engine, AtomicOutput output) {
        applySqlDefaults(spark, spec);
        AuditInput input = InputReader.read(spark, spec);
        AuditResult result = AuditResult.of(spec, slices(input, engine, spec));
        // Per-row outputs scan the input again (only when there is something to write).
        Dataset<Row> scored = scored(input, engine, spec);

        AuditOutputs.writeInvalid(input, scored, result, output.path(AuditOutputs.INVALID));
        if (spec.writeRows()) {
            AuditOutputs.writeRows(input, scored, output.path(AuditOutputs.ROWS));
        }
        StructType sliceSchema = new StructType(spec.groupBy().stream()
                .map(g -> input.frame().schema().apply(g)).toArray(org.apache.spark.sql.types.StructField[]::new));
        AuditOutputs.writeHistograms(spark, sliceSchema, result, output.path(AuditOutputs.HISTOGRAMS));
        return result;
    }
}
