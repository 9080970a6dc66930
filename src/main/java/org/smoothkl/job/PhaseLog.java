package org.smoothkl.job;

import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.engine.GpuSelfCheck;

/**
 * The run's phase lines, one owner of their wording: one line per phase with its scale, on the
 * logger {@value #LOGGER} at INFO, which conf/log4j2.properties prints to stderr as
 * {@code HH:mm:ss smoothkl PHASE: ...}. In order: {@code input}, {@code gpu self-check} (RAPIDS
 * engine only), {@code scoring} (started, then rows read every interval, then the total),
 * {@code aggregation}, {@code wrote} (one per output), {@code verdict}. Plain lines, no carriage
 * return: a scheduler's log shows the same as a terminal (where Spark's progress bar may run too).
 */
public final class PhaseLog {
    public static final String LOGGER = "org.smoothkl.phase";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    /** Columns the input line names; a wide table's others are counted. */
    private static final int NAMED_COLUMNS = 12;

    private PhaseLog() {
    }

    /** The resolved input: files and bytes (-1: unknown, e.g. a table format without a file index) and columns. */
    public static void input(String source, long files, long bytes, List<String> columns) {
        StringBuilder s = new StringBuilder("input: ").append(source);
        if (files >= 0) {
            s.append(", ").append(count(files)).append(files == 1 ? " file" : " files");
        }
        if (bytes >= 0) {
            s.append(", ").append(bytes(bytes));
        }
        s.append(", ").append(columns.size()).append(" columns (")
                .append(String.join(", ", columns.subList(0, Math.min(columns.size(), NAMED_COLUMNS))));
        if (columns.size() > NAMED_COLUMNS) {
            s.append(", and ").append(columns.size() - NAMED_COLUMNS).append(" more");
        }
        s.append(')');
        LOG.info(s.toString());
    }

    public static void selfCheck(GpuSelfCheck.Outcome outcome, double seconds) {
        LOG.info(String.format(Locale.ROOT, "gpu self-check: %s, %d rows in %.1f s, max relative difference %.3g%s",
                outcome.passed() ? "passed" : "FAILED", outcome.rows(), seconds, outcome.maxRelDiff(),
                outcome.passed() ? "" : ": " + outcome.firstDifference()));
    }

    public static void scoringStarted(String engine, String kernel) {
        LOG.info("scoring: started, engine " + engine + " (" + kernel + ")");
    }

    /** Rows the input scan has read so far, while scoring runs. */
    public static void scoringProgress(long rowsRead, double seconds) {
        LOG.info(String.format(Locale.ROOT, "scoring: %s rows read in %.0f s, %s rows/s", count(rowsRead), seconds,
                count(Math.round(rowsRead / Math.max(seconds, 1e-3)))));
    }

    /** Scoring and the per-slice aggregation are one pass over the input: its end. */
    public static void scored(long rows, double seconds) {
        LOG.info(String.format(Locale.ROOT, "scoring: %s rows in %.1f s, %s rows/s", count(rows), seconds,
                count(Math.round(rows / Math.max(seconds, 1e-3)))));
    }

    /** Who read the logits ({@link org.smoothkl.engine.ReadPath#describe}). */
    public static void logitsRead(String how) {
        LOG.info("scoring: logits read by " + how);
    }

    public static void aggregated(SliceSummary overall, int slices) {
        LOG.info("aggregation: " + count(slices) + (slices == 1 ? " slice" : " slices") + "; " + count(overall.rows())
                + " rows: " + count(overall.valid()) + " valid, " + count(overall.ignored()) + " ignored, "
                + count(overall.invalid()) + " invalid");
    }

    /** One output written: its name in the output directory (or the history's path) and what it holds. */
    public static void wrote(String what, String detail) {
        LOG.info("wrote " + what + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
    }

    public static void verdict(Assessment assessment) {
        int checks = assessment.checks().size();
        LOG.info(checks == 0 ? "verdict: no checks"
                : assessment.passed() ? "verdict: passed, " + checks + (checks == 1 ? " check" : " checks")
                : "verdict: FAILED, " + assessment.failed() + " of " + checks + " checks");
    }

    /** "N rows", for {@link #wrote}'s detail. */
    public static String rows(long n) {
        return count(n) + (n == 1 ? " row" : " rows");
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String units = "KMGTPE";
        int u = (int) (Math.log(b) / Math.log(1024));
        return String.format(Locale.ROOT, "%.1f %sB", b / Math.pow(1024, u), units.charAt(u - 1));
    }
}
