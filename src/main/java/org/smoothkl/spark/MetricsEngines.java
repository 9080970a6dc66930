package org.smoothkl.spark;

import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;

/**
 * Which engine scores the rows. {@code auto}: the RAPIDS engine when the RAPIDS Accelerator is
 * active in this session, else the CPU engine; {@code cpu} and {@code rapids} force one.
 */
public final class MetricsEngines {
    static final String SQL_PLUGIN = "com.nvidia.spark.SQLPlugin";

    private MetricsEngines() {
    }

    /** The engine for {@link AuditSpec#engine()}. */
    public static MetricsEngine choose(SparkSession spark, String choice) {
        return switch (choice.toLowerCase(Locale.ROOT)) {
            case "cpu" -> new CpuMetricsEngine();
            case "rapids" -> new RapidsMetricsEngine();
            case "auto" -> rapidsActive(spark) ? new RapidsMetricsEngine() : new CpuMetricsEngine();
            default -> throw new AuditInputException("--engine must be one of " + AuditSpec.ENGINES + ", got '" + choice + "'");
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
