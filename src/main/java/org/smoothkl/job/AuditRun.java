package org.smoothkl.job;

import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.input.AuditInput;

/**
 * One finished audit ({@link AuditJob#run}): its spec, when it started, what ran it ({@code info},
 * summary.json's "run": started, tag, seconds, spark_version, engine, kernel, reader, gpu_self_check), the per-slice result
 * and its assessment, the checked input; and the per-row metrics, computed again from the input
 * when asked for ({@link #scored}: quarantined rows, --write-rows).
 */
public record AuditRun(AuditSpec spec, Instant started, Map<String, Object> info, AuditResult result,
                       Assessment assessment, AuditInput input, Supplier<Dataset<Row>> scoredRows) {
    public AuditRun {
        info = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(info));
    }

    /** Every input row with its metric columns, unexecuted (a new scan of the input when run). */
    public Dataset<Row> scored() {
        return scoredRows.get();
    }
}
