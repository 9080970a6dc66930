package org.smoothkl.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.Smoothing;

/**
 * One audit run, fully resolved from flags, the config file and defaults: what to read, how
 * to score it, how to slice it, what to check, what to compare it with and where to write.
 * The CLI builds it; the Spark job reads it.
 *
 * @param baseline an earlier run's output directory, or null
 * @param history the history table's directory, or null
 * @param runTag the tag of this run in summary.json and the history table
 */
public record AuditSpec(
        String input,
        String format,
        String logitsColumn,
        String labelColumn,
        Preset preset,
        Smoothing smoothing,
        List<String> groupBy,
        GapHistogramSpec histogram,
        CalibrationSpec calibration,
        List<Check> checks,
        String baseline,
        String history,
        String runTag,
        String output,
        boolean overwrite,
        boolean writeRows,
        String engine) {

    public static final List<String> FORMATS = List.of("parquet", "orc", "json", "csv", "npz");
    /** Which engine scores rows: auto (RAPIDS when its plugin is active, else CPU), cpu or rapids. */
    public static final List<String> ENGINES = List.of("auto", "cpu", "rapids");

    /** A run on the default engine (auto). */
    public AuditSpec(String input, String format, String logitsColumn, String labelColumn, Preset preset,
                     Smoothing smoothing, List<String> groupBy, GapHistogramSpec histogram, CalibrationSpec calibration,
                     List<Check> checks, String baseline, String history, String runTag, String output,
                     boolean overwrite, boolean writeRows) {
        this(input, format, logitsColumn, labelColumn, preset, smoothing, groupBy, histogram, calibration, checks,
                baseline, history, runTag, output, overwrite, writeRows, "auto");
    }

    public AuditSpec {
        groupBy = List.copyOf(groupBy);
        checks = List.copyOf(checks);
        for (Check c : checks) {
            if (c.needsBaseline() && baseline == null) {
                throw new AuditInputException("--check '" + c.text() + "' compares with a baseline: give --baseline DIR");
            }
            for (String col : c.selector().keySet()) {
                if (!groupBy.contains(col)) {
                    throw new AuditInputException("--check '" + c.text() + "' selects on column " + col
                            + ", which is not a --group-by column " + groupBy);
                }
            }
        }
        if (!FORMATS.contains(format)) {
            throw new AuditInputException("--format must be one of " + FORMATS + ", got '" + format + "'");
        }
        if (!ENGINES.contains(engine)) {
            throw new AuditInputException("--engine must be one of " + ENGINES + ", got '" + engine + "'");
        }
        if (!(smoothing.sumTolerance() >= 0)) {
            throw new AuditInputException("--prob-tolerance must be >= 0, got " + smoothing.sumTolerance());
        }
        if (!smoothing.epsilonInRange()) {
            throw new AuditInputException("--epsilon must lie in [0, 1], got " + smoothing.epsilon());
        }
        if (groupBy.contains(logitsColumn) || groupBy.contains(labelColumn)) {
            throw new AuditInputException("--group-by " + groupBy + " must not name the logits or label column");
        }
    }

    /** The settings as written into summary.json's "config". */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", input);
        m.put("format", format);
        m.put("logits_col", logitsColumn);
        m.put("label_col", labelColumn);
        m.put("input_kind", smoothing.inputKind().cliName());
        if (smoothing.inputKind() != org.smoothkl.loss.InputKind.LOGITS) {
            m.put("prob_tolerance", smoothing.sumTolerance());
        }
        m.put("preset", preset.cliName());
        m.put("convention", smoothing.convention().name().toLowerCase(java.util.Locale.ROOT));
        m.put("loss", preset.loss().name().toLowerCase(java.util.Locale.ROOT));
        m.put("reduction", preset.reduction().name().toLowerCase(java.util.Locale.ROOT));
        m.put("epsilon", smoothing.epsilon());
        m.put("ignore_index", smoothing.ignoreIndex());
        m.put("group_by", groupBy);
        m.put("bins", histogram.bins());
        m.put("gap_range", List.of(histogram.lo(), histogram.hi()));
        m.put("calibration_bins", calibration.bins());
        m.put("checks", checks.stream().map(Check::text).toList());
        m.put("baseline", baseline);
        m.put("history", history);
        m.put("run_tag", runTag);
        m.put("output", output);
        m.put("write_rows", writeRows);
        m.put("engine", engine);
        return m;
    }
}
