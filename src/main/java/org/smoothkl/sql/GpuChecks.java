package org.smoothkl.sql;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.engine.GpuSelfCheck;
import org.smoothkl.engine.MetricsEngine;
import org.smoothkl.engine.RapidsMetricsEngine;
import org.smoothkl.loss.Smoothing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's GPU self-check ({@link GpuSelfCheck}) for the SQL function: before
 * {@code smoothkl_metrics} first hands rows to the RAPIDS UDF in an application whose plugin is
 * active, the built-in batch is scored through that UDF on an executor and compared with the CPU
 * kernel, once per application and settings. On a difference the function is the CPU UDF for those
 * settings in that application, with a warning, as the job's {@code --engine auto} falls back.
 */
final class GpuChecks {
    private static final Logger LOG = LoggerFactory.getLogger(GpuChecks.class);
    /** By application id and settings: a check costs a Spark job (≈ 1 s), a query may be analysed often. */
    private static final Map<String, GpuSelfCheck.Outcome> OUTCOMES = new ConcurrentHashMap<>();

    private GpuChecks() {
    }

    /** Whether the RAPIDS UDF may score rows under {@code smoothing} in {@code spark}'s application. */
    static boolean passed(SparkSession spark, Smoothing smoothing) {
        return outcome(spark, smoothing, RapidsMetricsEngine::new).passed();
    }

    /** The application's outcome for {@code smoothing}, checked with {@code gpu} the first time. */
    static GpuSelfCheck.Outcome outcome(SparkSession spark, Smoothing smoothing, Supplier<MetricsEngine> gpu) {
        return OUTCOMES.computeIfAbsent(spark.sparkContext().applicationId() + " " + smoothing, key -> {
            GpuSelfCheck.Outcome outcome = GpuSelfCheck.run(spark, gpu.get(), smoothing);
            if (!outcome.passed()) {
                LOG.warn(outcome.failure("smoothkl_metrics computes on the CPU in this application"));
            }
            return outcome;
        });
    }
}
