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
 * @param maxSlices the most slices a run may have: more stop it with exit 2 ({@link #DEFAULT_MAX_SLICES} unless set)
 * @param source a table, another data source, reader options, a filter, kept columns ({@link InputSource#PATH}: none)
 * @param meta KEY=VALUE pairs stored with the run (--meta: a model version, a data date)
 */
public record AuditSpec(
        String input,
        InputFormat format,
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
        EngineChoice engine,
        int maxSlices,
        InputSource source,
        Map<String, String> meta) {

    /**
     * The default --max-slices. Per slice the driver holds about 2 KB of state (the gap histogram's
     * and the calibration bins' counts), 25 KB while it writes summary.json and report.html (8 KB and
     * two charts a slice), and a few KB of aggregation rows per partition: a thousand slices take tens
     * of megabytes and make an 8 MB report; ten thousand, an 80 MB report of 20,000 charts, no report to read.
     */
    public static final int DEFAULT_MAX_SLICES = 1000;

    /** A run on the default engine (auto). */
    public AuditSpec(String input, InputFormat format, String logitsColumn, String labelColumn, Preset preset,
                     Smoothing smoothing, List<String> groupBy, GapHistogramSpec histogram, CalibrationSpec calibration,
                     List<Check> checks, String baseline, String history, String runTag, String output,
                     boolean overwrite, boolean writeRows) {
        this(input, format, logitsColumn, labelColumn, preset, smoothing, groupBy, histogram, calibration, checks,
                baseline, history, runTag, output, overwrite, writeRows, EngineChoice.AUTO);
    }

    /** A run with at most {@link #DEFAULT_MAX_SLICES} slices. */
    public AuditSpec(String input, InputFormat format, String logitsColumn, String labelColumn, Preset preset,
                     Smoothing smoothing, List<String> groupBy, GapHistogramSpec histogram, CalibrationSpec calibration,
                     List<Check> checks, String baseline, String history, String runTag, String output,
                     boolean overwrite, boolean writeRows, EngineChoice engine) {
        this(input, format, logitsColumn, labelColumn, preset, smoothing, groupBy, histogram, calibration, checks,
                baseline, history, runTag, output, overwrite, writeRows, engine, DEFAULT_MAX_SLICES);
    }

    /** A run of the spec's --input only, no --meta. */
    public AuditSpec(String input, InputFormat format, String logitsColumn, String labelColumn, Preset preset,
                     Smoothing smoothing, List<String> groupBy, GapHistogramSpec histogram, CalibrationSpec calibration,
                     List<Check> checks, String baseline, String history, String runTag, String output,
                     boolean overwrite, boolean writeRows, EngineChoice engine, int maxSlices) {
        this(input, format, logitsColumn, labelColumn, preset, smoothing, groupBy, histogram, calibration, checks,
                baseline, history, runTag, output, overwrite, writeRows, engine, maxSlices, InputSource.PATH, Map.of());
    }

    public AuditSpec {
        groupBy = List.copyOf(groupBy);
        checks = List.copyOf(checks);
        meta = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        if (format == InputFormat.SOURCE && source.sourceName() == null) {
            throw new IllegalArgumentException("a SOURCE format needs the source's name");
        }
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
        if (!(smoothing.sumTolerance() >= 0)) {
            throw new AuditInputException("--prob-tolerance must be >= 0, got " + smoothing.sumTolerance());
        }
        if (!smoothing.epsilonInRange()) {
            throw new AuditInputException("--epsilon must lie in [0, 1], got " + smoothing.epsilon());
        }
        if (maxSlices < 1) {
            throw new AuditInputException("--max-slices must be at least 1, got " + maxSlices);
        }
        if (groupBy.contains(logitsColumn) || groupBy.contains(labelColumn)) {
            throw new AuditInputException("--group-by " + groupBy + " must not name the logits or label column");
        }
    }

    /** The settings as written into summary.json's "config". */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", input);
        if (source.table() != null) {
            m.put("table", source.table());
        }
        m.put("format", format == InputFormat.SOURCE ? source.sourceName() : format.code());
        if (!source.options().isEmpty()) {
            m.put("options", source.options());
        }
        if (source.where() != null) {
            m.put("where", source.where());
        }
        if (!source.keep().isEmpty()) {
            m.put("keep", source.keep());
        }
        m.put("logits_col", logitsColumn);
        m.put("label_col", labelColumn);
        m.put("input_kind", smoothing.inputKind().code());
        if (smoothing.inputKind() != org.smoothkl.loss.InputKind.LOGITS) {
            m.put("prob_tolerance", smoothing.sumTolerance());
        }
        m.put("preset", preset.code());
        m.put("convention", smoothing.convention().code());
        m.put("loss", preset.loss().code());
        m.put("reduction", preset.reduction().code());
        m.put("epsilon", smoothing.epsilon());
        m.put("ignore_index", smoothing.ignoreIndex());
        m.put("group_by", groupBy);
        m.put("bins", histogram.bins());
        m.put("gap_range", List.of(histogram.lo(), histogram.hi()));
        m.put("calibration_bins", calibration.bins());
        m.put("max_slices", maxSlices);
        m.put("checks", checks.stream().map(Check::text).toList());
        m.put("baseline", baseline);
        m.put("history", history);
        m.put("run_tag", runTag);
        m.put("output", output);
        m.put("write_rows", writeRows);
        m.put("engine", engine.code());
        if (!meta.isEmpty()) {
            m.put("meta", meta);
        }
        return m;
    }
}
