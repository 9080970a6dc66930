package org.smoothkl.engine;

import java.util.Arrays;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.loss.InputKind;
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
     * The engine for {@link AuditSpec#engine()}. The RAPIDS engine scores logits only (its cuDF
     * kernel has no probability checks): {@code auto} then takes the CPU engine and says so, an
     * explicit {@code rapids} is refused.
     */
    public static MetricsEngine choose(SparkSession spark, AuditSpec spec) {
        InputKind kind = spec.smoothing().inputKind();
        return switch (spec.engine()) {
            case CPU -> new CpuMetricsEngine();
            case RAPIDS -> {
                if (kind != InputKind.LOGITS) {
                    throw new AuditInputException("--engine rapids scores logits only, not --input-kind "
                            + kind.code() + ": use --engine cpu (or auto)");
                }
                yield new RapidsMetricsEngine();
            }
            case AUTO -> {
                if (!rapidsActive(spark)) {
                    yield new CpuMetricsEngine();
                }
                if (kind != InputKind.LOGITS) {
                    LOG.warn("the RAPIDS Accelerator is active, but its engine scores logits only: --input-kind {}"
                            + " runs on the CPU engine", kind.code());
                    yield new CpuMetricsEngine();
                }
                yield new RapidsMetricsEngine();
            }
        };
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
     * What computes the metrics, for summary.json: the CPU engine's kernel (vector or scalar); or
     * cuDF on the GPU, except in the plugin's explainOnly mode, where the plan is only explained and
     * the UDF's CPU body runs.
     */
    public static String kernel(SparkSession spark, MetricsEngine engine) {
        if (!(engine instanceof RapidsMetricsEngine)) {
            return org.smoothkl.loss.RowKernels.name();
        }
        String mode = spark.conf().get("spark.rapids.sql.mode", "executeongpu").trim();
        return mode.equalsIgnoreCase("explainOnly") ? org.smoothkl.loss.RowKernels.name() + " (RAPIDS explainOnly)" : "cudf";
    }
}
