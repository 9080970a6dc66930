package org.smoothkl.job;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.aggregate.AuditAggregation;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.RunSnapshot;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.engine.CpuMetricsEngine;
import org.smoothkl.engine.MetricsEngine;
import org.smoothkl.engine.MetricsEngines;
import org.smoothkl.engine.ReadPath;
import org.smoothkl.input.AuditInput;
import org.smoothkl.input.FormatInference;
import org.smoothkl.input.InputReader;
import org.smoothkl.input.TokenSequences;
import org.smoothkl.loss.LossKind;
import org.smoothkl.spark.MetricColumns;
import org.smoothkl.spark.SparkInternals;

/**
 * The one way in: one audit on Spark. Checks the input, scores every row with the engine the spec
 * names ({@link MetricsEngines}), aggregates per slice and assesses the result (checks, baseline);
 * writes nothing ({@code org.smoothkl.output.AuditOutput} writes a run). The input is scanned once
 * for the aggregation; the per-row outputs ({@link AuditRun#scored}) scan it again.
 */
public final class AuditJob {
    private AuditJob() {
    }

    /**
     * Audits the spec's own input (its --input, read with its --format). The engine is chosen (and
     * the RAPIDS engine self-checked) before the input is resolved.
     */
    public static AuditRun run(SparkSession spark, AuditSpec spec, RunSnapshot baseline) {
        return guarded(spec, () -> {
            MetricsEngines.Choice engine = chooseEngine(spark, spec, baseline);
            return audit(spark, spec, InputReader.load(spark, spec), baseline, engine);
        });
    }

    /**
     * Audits {@code source}, a frame with the spec's logits, label and slice columns (any frame
     * the caller has built). {@code baseline}: an earlier run to compare with, or null.
     */
    public static AuditRun run(SparkSession spark, AuditSpec spec, Dataset<Row> source, RunSnapshot baseline) {
        return guarded(spec, () -> audit(spark, spec, source, baseline, chooseEngine(spark, spec, baseline)));
    }

    private static MetricsEngines.Choice chooseEngine(SparkSession spark, AuditSpec spec, RunSnapshot baseline) {
        if (baseline != null) {
            baseline.requireComparableWith(spec);
        }
        long choosing = System.nanoTime();
        MetricsEngines.Choice choice = MetricsEngines.choose(spark, spec);
        if (choice.selfCheck() != null) {
            PhaseLog.selfCheck(choice.selfCheck(), (System.nanoTime() - choosing) / 1e9);
        }
        return choice;
    }

    private static AuditRun audit(SparkSession spark, AuditSpec spec, Dataset<Row> source, RunSnapshot baseline,
                                  MetricsEngines.Choice choice) {
        Instant started = Instant.now();
        MetricsEngine engine = choice.engine();
        AuditInput input = InputReader.normalize(source, spec);
        logInput(spec, input);
        String kernel = MetricsEngines.kernel(spark, engine);
        PhaseLog.scoringStarted(engine.name(), kernel);
        long scoring = System.nanoTime();
        Map<SliceKey, SliceSummary> slices;
        try (ScoringProgress progress = ScoringProgress.start(spark.sparkContext())) {
            slices = slices(input, engine, spec);
        }
        AuditResult result = AuditResult.of(spec, slices);
        PhaseLog.scored(result.overall().rows(), (System.nanoTime() - scoring) / 1e9);
        ReadPath readPath = engine.readPath();
        PhaseLog.logitsRead(readPath.describe());
        PhaseLog.aggregated(result.overall(), result.slices().size());
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("started", started.toString());
        info.put("tag", spec.runTag());
        info.put("seconds", (System.currentTimeMillis() - started.toEpochMilli()) / 1000.0);
        info.put("spark_version", spark.version());
        info.put("engine", engine.name());
        info.put("kernel", kernel);
        info.put("reader", readPath.toJson());
        info.put("gpu_self_check", choice.selfCheckJson());
        return new AuditRun(spec, started, info, result, Assessment.of(result, baseline), input,
                () -> scored(input, engine, spec));
    }

    /** The input phase line: where from, its files and bytes (when file-based), its columns. */
    private static void logInput(AuditSpec spec, AuditInput input) {
        String format = spec.format() == InputFormat.SOURCE ? spec.source().sourceName() : spec.format().code();
        String source = spec.source().table() != null ? "table " + spec.source().table()
                : spec.input() != null ? spec.input() + " (" + FormatInference.describe(spec.input(), format) + ")"
                : "the DataFrame";
        SparkInternals.InputScale scale = SparkInternals.inputScale(input.frame());
        PhaseLog.input(source, scale.files(), scale.bytes(), input.sourceColumns());
    }

    /**
     * The aggregation query exactly as {@link #run} executes it (scan, metrics, slice aggregates
     * and gap histogram), unexecuted: for checking where its operators run (the GPU plan check).
     * The engine is chosen as {@link #run} chooses it, so the RAPIDS engine's self-check runs first.
     */
    public static Dataset<Row> aggregationQuery(SparkSession spark, AuditSpec spec) {
        AuditInput input = InputReader.read(spark, spec);
        MetricsEngine engine = MetricsEngines.choose(spark, spec).engine();
        return preAggregated(input, engine)
                ? AuditAggregation.planOfPartitionLevel(partitionLevel((CpuMetricsEngine) engine, input, spec), spec)
                : AuditAggregation.planOfScored(scored(input, engine, spec), spec);
    }

    /**
     * The per-slice states. The CPU engine aggregates the tree's first three levels while it
     * scores ({@link CpuMetricsEngine#partitionLevel}), so no per-row rows reach Spark; the RAPIDS
     * engine (whose plan must stay on the GPU) and token sequences (per-sequence columns from a
     * window over the scored rows) take the SQL path over scored rows. Both give the same bits.
     */
    private static Map<SliceKey, SliceSummary> slices(AuditInput input, MetricsEngine engine, AuditSpec spec) {
        return preAggregated(input, engine)
                ? AuditAggregation.ofPartitionLevel(partitionLevel((CpuMetricsEngine) engine, input, spec), spec)
                : AuditAggregation.ofScored(scored(input, engine, spec), spec);
    }

    private static boolean preAggregated(AuditInput input, MetricsEngine engine) {
        return engine instanceof CpuMetricsEngine && CpuMetricsEngine.canAggregate(input);
    }

    private static Dataset<Row> partitionLevel(CpuMetricsEngine cpu, AuditInput input, AuditSpec spec) {
        return cpu.partitionLevel(input, spec.smoothing(), spec.histogram(), spec.calibration(), spec.maxSlices());
    }

    /** Every row with its metrics (and, for token sequences, the per-sequence totals). */
    private static Dataset<Row> scored(AuditInput input, MetricsEngine engine, AuditSpec spec) {
        Dataset<Row> scored = engine.withMetrics(input, spec.smoothing());
        if (!input.tokenSequences()) {
            return scored;
        }
        String loss = spec.preset().loss() == LossKind.KL ? MetricColumns.KL : MetricColumns.SMOOTHED_CE;
        return TokenSequences.withSequenceTotals(scored, loss);
    }

    private static AuditRun guarded(AuditSpec spec, java.util.function.Supplier<AuditRun> work) {
        try {
            return work.get();
        } catch (Exception e) { // Spark throws Scala's checked exceptions (AnalysisException) undeclared
            throw asInputProblem(spec, e);
        }
    }

    /**
     * A failure of a job over the input that is bad input, as one line (exit 2) rather than a stack
     * trace: a problem a task found (a bad .npz shard), a file Spark could not read (corrupt,
     * truncated, not of the format), or the --where predicate failing on the rows (an ANSI error in
     * its own SQL). Anything else stays unexpected. The one mapping, for the audit and the writes
     * that scan the input again (rows/, invalid/).
     */
    public static RuntimeException asInputProblem(AuditSpec spec, Exception e) {
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
        AuditInputException where = InputReader.whereFailure(spec, e);
        if (where != null) {
            return where;
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
