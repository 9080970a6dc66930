package org.smoothkl.output;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.RunSnapshot;
import org.smoothkl.job.AuditRun;
import org.smoothkl.report.HistogramCsv;
import org.smoothkl.report.HistoryEntry;
import org.smoothkl.report.HtmlReport;
import org.smoothkl.report.SummaryJson;
import org.smoothkl.report.SummaryReader;
import org.smoothkl.job.AuditJob;
import org.smoothkl.job.PhaseLog;
import org.smoothkl.output.PathOverlap.FlagPath;

/**
 * The output directory of a run, and the one owner of its file names: {@value #SUMMARY},
 * {@value #HISTOGRAMS_CSV}, {@value #REPORT}, the Parquet parts {@value #INVALID}/,
 * {@value #ROWS}/ and {@value #HISTOGRAMS}/, and {@link AtomicOutput#SUCCESS}, written into an
 * {@link AtomicOutput} and committed together; then the run's rows are appended to --history.
 *
 * <pre>{@code
 * try (AuditOutput out = AuditOutput.claim(conf, spec)) {   // before the audit: fail fast
 *     out.write(AuditJob.run(spark, spec, AuditOutput.baseline(conf, spec)));
 * }
 * }</pre>
 */
public final class AuditOutput implements AutoCloseable {
    public static final String SUMMARY = "summary.json";
    public static final String HISTOGRAMS_CSV = "histograms.csv";
    public static final String REPORT = "report.html";
    public static final String INVALID = "invalid";
    public static final String ROWS = "rows";
    public static final String HISTOGRAMS = "histograms";

    private final AtomicOutput out;

    private AuditOutput(AtomicOutput out) {
        this.out = out;
    }

    /**
     * Claims the spec's --output: refused when it overlaps what the run reads or writes
     * ({@link #refuseOverlaps}), when it exists (unless --overwrite), or when another run holds it.
     */
    public static AuditOutput claim(Configuration conf, AuditSpec spec, FlagPath... alsoRead) {
        refuseOverlaps(conf, spec, "--input", alsoRead);
        return new AuditOutput(AtomicOutput.begin(conf, spec.output(), spec.overwrite()));
    }

    /**
     * Exit 2 when --output or --history equals, contains or lies inside the input (named
     * {@code inputFlag}: the demo's is --sample; for --table, the table's location in its
     * catalog), --baseline or each other ({@link PathOverlap}).
     * It only looks, so it runs before anything is created.
     */
    public static void refuseOverlaps(Configuration conf, AuditSpec spec, String inputFlag, FlagPath... alsoRead) {
        List<FlagPath> read = new java.util.ArrayList<>(
                List.of(FlagPath.pattern(inputFlag, spec.input()), FlagPath.literal("--baseline", spec.baseline())));
        read.addAll(List.of(alsoRead));
        if (spec.source().table() != null) { // a table's files are read too: where its catalog keeps them
            String table = spec.source().table();
            org.smoothkl.input.InputReader.tableLocation(SparkSession.active(), spec)
                    .ifPresent(location -> read.add(FlagPath.literal("--table " + table + " (its location)", location)));
        }
        PathOverlap.refuse(conf, read,
                List.of(FlagPath.literal("--output", spec.output()), FlagPath.literal("--history", spec.history())));
    }

    /** The spec's --baseline as its summary.json recorded it, or null without one. */
    public static RunSnapshot baseline(Configuration conf, AuditSpec spec) {
        if (spec.baseline() == null) {
            return null;
        }
        RunSnapshot baseline = SummaryReader.snapshot(OutputFiles.readFinished(conf, spec.baseline(), SUMMARY), spec.baseline());
        baseline.requireComparableWith(spec);
        return baseline;
    }

    /**
     * Writes every part of {@code run} and commits the directory; then appends the run to the
     * spec's --history, if any. Per-row parts scan the input again (only when there is something to write).
     */
    public void write(AuditRun run) {
        AuditSpec spec = run.spec();
        SparkSession spark = run.input().frame().sparkSession();
        Dataset<Row> scored = run.scored();
        long invalid = run.result().overall().invalid();
        AuditOutputs.writeInvalid(run.input(), scored, run.result(), out.path(INVALID));
        PhaseLog.wrote(INVALID + "/", PhaseLog.rows(invalid));
        if (spec.writeRows()) {
            AuditOutputs.writeRows(run.input(), scored, out.path(ROWS));
            PhaseLog.wrote(ROWS + "/", PhaseLog.rows(run.result().overall().rows()));
        }
        StructType sliceSchema = new StructType(spec.groupBy().stream()
                .map(g -> run.input().frame().schema().apply(g)).toArray(StructField[]::new));
        AuditOutputs.writeHistograms(spark, sliceSchema, run.result(), out.path(HISTOGRAMS));
        PhaseLog.wrote(HISTOGRAMS + "/", null);
        String summary = SummaryJson.render(run.result(), run.assessment(), run.info());
        out.writeText(SUMMARY, summary);
        PhaseLog.wrote(SUMMARY, null);
        out.writeText(HISTOGRAMS_CSV, HistogramCsv.render(run.result()));
        PhaseLog.wrote(HISTOGRAMS_CSV, null);
        List<Row> historyRows = spec.history() == null ? null : HistoryTable.rows(run.started(), spec, run.assessment());
        JsonNode tree = SummaryReader.tree(summary, SUMMARY);
        List<HistoryEntry> history = null;
        if (historyRows != null) { // the report's trends: the runs so far, and this one
            history = new ArrayList<>(HistoryTable.read(spark, spec.history(), HtmlReport.trendSlices(tree)));
            history.addAll(HistoryTable.entries(historyRows));
        }
        out.writeText(REPORT, HtmlReport.render(tree, history));
        PhaseLog.wrote(REPORT, null);
        out.commit();
        PhaseLog.wrote(spec.output(), "committed");
        if (historyRows != null) {
            HistoryTable.append(spark, spec.history(), historyRows, run.started());
            PhaseLog.wrote(spec.history(), "history, appended");
        }
        PhaseLog.verdict(run.assessment());
    }

    /** Renders {@code dir}/{@value #REPORT} again from its {@value #SUMMARY} (no Spark job), without trends. */
    public static void rerenderReport(Configuration conf, String dir) {
        String json = OutputFiles.readFinished(conf, dir, SUMMARY);
        OutputFiles.replace(conf, dir, REPORT, HtmlReport.render(SummaryReader.tree(json, dir + "/" + SUMMARY)));
    }

    /**
     * The same with the trends of the history table {@code history} (read only); exit 2 when it
     * holds no run.
     */
    public static void rerenderReport(SparkSession spark, String dir, String history) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        JsonNode tree = SummaryReader.tree(OutputFiles.readFinished(conf, dir, SUMMARY), dir + "/" + SUMMARY);
        List<HistoryEntry> entries = HistoryTable.read(spark, history, HtmlReport.trendSlices(tree));
        if (entries.isEmpty()) {
            throw new AuditInputException("--history " + history + ": no run of this report's summaries there");
        }
        OutputFiles.replace(conf, dir, REPORT, HtmlReport.render(tree, entries));
    }

    /** Deletes the uncommitted directory (when {@link #write} did not finish) and releases the claim. */
    @Override
    public void close() {
        out.close();
    }
}
