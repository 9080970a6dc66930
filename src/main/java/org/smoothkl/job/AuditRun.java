package org.smoothkl.job;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.input.AuditInput;

/**
 * One finished audit ({@link AuditJob#run}): its spec, when it started, what ran it ({@link #info},
 * summary.json's "run"), the per-slice result and its assessment; and the per-row metrics,
 * computed again from the input when asked for (quarantined rows, --write-rows).
 */
public final class AuditRun {
    private final AuditSpec spec;
    private final Instant started;
    private final Map<String, Object> info;
    private final AuditResult result;
    private final Assessment assessment;
    private final Supplier<Dataset<Row>> scored;
    private final AuditInput input;

    AuditRun(AuditSpec spec, Instant started, Map<String, Object> info, AuditResult result, Assessment assessment,
             Supplier<Dataset<Row>> scored, AuditInput input) {
        this.spec = spec;
        this.started = started;
        this.info = Collections.unmodifiableMap(new LinkedHashMap<>(info));
        this.result = result;
        this.assessment = assessment;
        this.scored = scored;
        this.input = input;
    }

    public AuditSpec spec() {
        return spec;
    }

    public Instant started() {
        return started;
    }

    /** What ran the audit: started, tag, seconds, spark_version, engine, kernel. */
    public Map<String, Object> info() {
        return info;
    }

    public AuditResult result() {
        return result;
    }

    public Assessment assessment() {
        return assessment;
    }

    /** Every input row with its metric columns, unexecuted (a new scan of the input when run). */
    public Dataset<Row> scored() {
        return scored.get();
    }

    /** The checked input: which of its columns are the source's, the label, the slices. */
    public AuditInput input() {
        return input;
    }
}
