package org.smoothkl.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.job.AuditRun;
import org.smoothkl.report.SummaryJson;
import org.smoothkl.report.SummaryTable;

/**
 * What one audit found ({@link Audit#run()} or {@link Audit#write()}), as objects: the overall
 * summary, each slice's (by its typed key), their gap histograms, and the verdicts of the checks;
 * {@link #toJson()} is the summary.json of the run, byte for byte what {@link Audit#write()} writes.
 */
public final class AuditReport {
    private final AuditRun run;
    private final String written;

    AuditReport(AuditRun run, String written) {
        this.run = run;
        this.written = written;
    }

    /** The resolved settings of the run. */
    public AuditSpec spec() {
        return run.spec();
    }

    /** The settings as summary.json's {@code config} writes them ({@code meta} among them, when given). */
    public Map<String, Object> config() {
        return Collections.unmodifiableMap(run.spec().describe());
    }

    /** summary.json's {@code run}: started, tag, seconds, spark_version, engine, kernel, reader, gpu_self_check. */
    public Map<String, Object> runInfo() {
        return run.info();
    }

    /** Every row of the input. */
    public Summary overall() {
        return new Summary(SliceKey.OVERALL, run.result().overall(), run.spec());
    }

    /** One summary per slice in slice order (summary.json's), empty without --group-by. */
    public List<Summary> slices() {
        List<Summary> slices = new ArrayList<>();
        if (!run.spec().groupBy().isEmpty()) {
            run.result().slices().forEach((k, s) -> slices.add(new Summary(k, s, run.spec())));
        }
        return Collections.unmodifiableList(slices);
    }

    /**
     * The slice of these values: {@code key} maps each --group-by column to its value, typed as Spark
     * gives it, or as another type that reads as the column's (a Python int for a bigint column, text
     * for a date); an empty map is overall. Null when the run has no such slice.
     *
     * @throws IllegalArgumentException when the key does not name exactly the --group-by columns
     */
    public Summary slice(Map<String, ?> key) {
        List<String> columns = run.spec().groupBy();
        if (key.isEmpty()) {
            return overall();
        }
        if (!key.keySet().equals(Set.copyOf(columns))) {
            throw new IllegalArgumentException("a slice's key names the --group-by columns " + columns + ", got " + key.keySet());
        }
        List<Object> values = new ArrayList<>();
        columns.forEach(c -> values.add(key.get(c)));
        AuditResult result = run.result();
        SliceKey k = new SliceKey(columns, values).retyped(result.sliceTypes());
        SliceSummary s = result.slices().get(k);
        return s == null ? null : new Summary(k, s, run.spec());
    }

    /** The slice of this label ({@link Summary#label()}: {@code slice=a}, or "overall"); null when there is none. */
    public Summary slice(String label) {
        if (SliceKey.OVERALL.label().equals(label)) {
            return overall();
        }
        return slices().stream().filter(s -> s.label().equals(label)).findFirst().orElse(null);
    }

    /** Every check's verdict, check by check and, within one, summary by summary (summary.json's order). */
    public List<Verdict> checks() {
        return run.assessment().checks().stream().map(Verdict::new).toList();
    }

    /** Whether every verdict passed (true without checks); the command line exits 3 when not. */
    public boolean passed() {
        return run.assessment().passed();
    }

    /** How many verdicts failed. */
    public long failed() {
        return run.assessment().failed();
    }

    /** The run's summary.json. */
    public String toJson() {
        return SummaryJson.render(run.result(), run.assessment(), run.info());
    }

    /** The console's summary table (one line per slice, then overall). */
    public String table() {
        return SummaryTable.render(run.result(), run.assessment());
    }

    /**
     * Every input row with its metric columns (kl, smoothed_ce, nll, gap, gap_opt, confidence, pred,
     * correct, classes, status, reason), unexecuted: each action reads the input again.
     */
    public Dataset<Row> scored() {
        return run.scored();
    }

    /** The output directory {@link Audit#write()} committed; null after {@link Audit#run()}, which writes nothing. */
    public String output() {
        return written;
    }

    /** The job's own record of the run (org.smoothkl.job): for what the objects above do not show. */
    public AuditRun auditRun() {
        return run;
    }

    @Override
    public String toString() {
        return table();
    }
}
