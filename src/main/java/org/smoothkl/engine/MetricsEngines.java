package org.smoothkl.engine;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.EngineChoice;
import java.util.function.Supplier;
import org.smoothkl.loss.InputKind;
import org.smoothkl.loss.RowKernels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which engine scores the rows. {@code auto}: the RAPIDS engine when the RAPIDS Accelerator is
 * active in this session, else the CPU engine; {@code cpu} and {@code rapids} force one.
 */
public final class MetricsEngines {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEngines.class);
    static final String SQL_PLUGIN = "com.nvidia.spark.SQLPlugin";

    private MetricsEngines() {
    }

    /**
     * The engine chosen for a run, and what the GPU self-check found: summary.json's
     * run.gpu_self_check ({@link GpuSelfCheck.Outcome#toJson}, or {@value GpuSelfCheck#NOT_RUN}).
     */
    public record Choice(MetricsEngine engine, GpuSelfCheck.Outcome selfCheck) {
        /** summary.json's run.gpu_self_check. */
        public Object selfCheckJson() {
            return selfCheck == null ? GpuSelfCheck.NOT_RUN : selfCheck.toJson();
        }
    }

    /**
     * The engine for {@link AuditSpec#engine()}. The RAPIDS engine scores logits only (its cuDF
     * kernel has no probability checks): {@code auto} then takes the CPU engine and says so, an
     * explicit {@code rapids} is refused. A chosen RAPIDS engine first passes the
     * {@link GpuSelfCheck}; when it fails, {@code rapids} stops ({@link GpuSelfCheckFailure},
     * exit 1) and {@code auto} warns and takes the CPU engine.
     */
    public static Choice choose(SparkSession spark, AuditSpec spec) {
        return choose(spark, spec, RapidsMetricsEngine::new);
    }

    /** {@link #choose} with {@code rapids} making the RAPIDS engine (a test's wrong UDF). */
    static Choice choose(SparkSession spark, AuditSpec spec, Supplier<MetricsEngine> rapids) {
        InputKind kind = spec.smoothing().inputKind();
        boolean wantRapids = switch (spec.engine()) {
            case CPU -> false;
            case RAPIDS -> {
                if (kind != InputKind.LOGITS) {
                    throw new AuditInputException("--engine rapids scores logits only, not --input-kind "
                            + kind.code() + ": use --engine cpu (or auto)");
                }
                yield true;
            }
            case AUTO -> {
                if (!rapidsActive(spark)) {
                    yield false;
                }
                if (kind != InputKind.LOGITS) {
                    LOG.warn("the RAPIDS Accelerator is active, but its engine scores logits only: --input-kind {}"
                            + " runs on the CPU engine", kind.code());
                    yield false;
                }
                yield true;
            }
        };
        if (!wantRapids) {
            return new Choice(new CpuMetricsEngine(), null);
        }
        MetricsEngine engine = rapids.get();
        return afterSelfCheck(spec.engine(), engine, GpuSelfCheck.run(spark, engine, spec.smoothing()));
    }

    /** The RAPIDS engine when its self-check passed; else the run stops (rapids) or falls back to the CPU (auto). */
    static Choice afterSelfCheck(EngineChoice asked, MetricsEngine rapids, GpuSelfCheck.Outcome outcome) {
        if (outcome.passed()) {
            return new Choice(rapids, outcome);
        }
        if (asked == EngineChoice.RAPIDS) {
            throw new GpuSelfCheckFailure(outcome.failure());
        }
        LOG.warn("{}; --engine auto falls back to the CPU engine for this run", outcome.failure());
        return new Choice(new CpuMetricsEngine(), outcome);
    }

    /**
     * The plugin is active when {@code spark.plugins} lists {@value #SQL_PLUGIN} and
     * {@code spark.rapids.sql.enabled} is not false (explainOnly mode counts: the plugin then plans
     * for the GPU and runs the same plan on the CPU).
     */
    public static boolean rapidsActive(SparkSession spark) {
        SparkConf conf = spark.sparkContext().getConf();
        boolean listed = Arrays.stream(conf.get("spark.plugins", "").split(","))
                .map(String::trim).anyMatch(SQL_PLUGIN::equals);
        boolean enabled = !"false".equalsIgnoreCase(spark.conf().get("spark.rapids.sql.enabled", "true").trim());
        return listed && enabled;
    }

    /**
     * What computed the metrics, for summary.json's {@code run.kernel}: the CPU engine's row kernel
     * as the executors pick it (vector or scalar; several, comma-separated, when they differ); or
     * cuDF on the GPU, except in the plugin's explainOnly mode, where the plan is only explained and
     * the UDF's CPU body runs the executors' kernel.
     */
    public static String kernel(SparkSession spark, MetricsEngine engine) {
        if (!(engine instanceof RapidsMetricsEngine)) {
            return executorKernels(spark);
        }
        String mode = spark.conf().get("spark.rapids.sql.mode", "executeongpu").trim();
        return mode.equalsIgnoreCase("explainOnly") ? executorKernels(spark) + " (RAPIDS explainOnly)" : "cudf";
    }

    /**
     * The row kernels the executors run, asked of them: one tiny task per task slot (an RDD job,
     * outside Spark SQL, so the RAPIDS plugin plans nothing for it), each returning
     * {@link RowKernels#name()} of its JVM (what the CPU engine's tasks create there). The driver's
     * own answer may differ: on a cluster it scores nothing. In local mode the driver is the
     * executor: its answer is theirs, and no job runs for it.
     */
    static String executorKernels(SparkSession spark) {
        if (spark.sparkContext().isLocal()) {
            return RowKernels.name();
        }
        int slots = Math.max(1, spark.sparkContext().defaultParallelism());
        try {
            List<String> names = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(Collections.nCopies(slots, 0), slots)
                    .mapPartitions(ignored -> List.of(RowKernels.name()).iterator())
                    .collect();
            return String.join(",", new TreeSet<>(names));
        } catch (RuntimeException e) {
            LOG.warn("could not ask the executors which row kernel they run: {}", e.toString());
            return "unknown";
        }
    }
}
