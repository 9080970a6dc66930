package org.smoothkl.report;

import static org.smoothkl.audit.Metric.ACCURACY;
import static org.smoothkl.audit.Metric.ECE;
import static org.smoothkl.audit.Metric.GAP_OPT;
import static org.smoothkl.audit.Metric.IGNORED;
import static org.smoothkl.audit.Metric.INVALID;
import static org.smoothkl.audit.Metric.MEAN_GAP;
import static org.smoothkl.audit.Metric.MEAN_KL;
import static org.smoothkl.audit.Metric.MEAN_SMOOTHED_CE;
import static org.smoothkl.audit.Metric.ROWS;
import static org.smoothkl.audit.Metric.VALID;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.Comparison;
import org.smoothkl.audit.Metric;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;

/**
 * The console summary: one line per slice and one for the whole input; with a baseline also the
 * gap histogram's PSI against it. A slice is named by its label with control characters as
 * escapes and each value cut to {@value SliceKey#CONSOLE_VALUE_CHARS} characters ("…" where cut;
 * summary.json has them whole).
 */
public final class SummaryTable {
    /** A column of one metric; headed by the metric's code unless named otherwise. */
    private record Column(String header, Metric metric) {
        Column(Metric metric) {
            this(metric.code(), metric);
        }
    }

    private static final List<Column> COLUMNS = List.of(new Column(ROWS), new Column(VALID), new Column(IGNORED),
            new Column(INVALID), new Column("mean KL", MEAN_KL), new Column("mean CE", MEAN_SMOOTHED_CE),
            new Column(ACCURACY), new Column("ECE", ECE), new Column("mean gap", MEAN_GAP),
            new Column("optimal gap", GAP_OPT));

    private SummaryTable() {
    }

    public static String render(AuditResult result, Assessment assessment) {
        boolean baseline = assessment.baseline() != null;
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("slice"));
        COLUMNS.forEach(c -> header.add(c.header()));
        if (baseline) {
            header.add("gap PSI");
        }
        rows.add(header.toArray(String[]::new));
        if (!result.spec().groupBy().isEmpty()) {
            for (Map.Entry<SliceKey, SliceSummary> e : result.slices().entrySet()) {
                rows.add(line(e.getKey(), e.getValue(), result, assessment));
            }
        }
        rows.add(line(SliceKey.OVERALL, result.overall(), result, assessment));
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            if (r == rows.size() - 1 && rows.size() > 2) {
                out.append(rule(width)).append('\n');
            }
            String[] cells = rows.get(r);
            for (int i = 0; i < cells.length; i++) {
                String fmt = i == 0 ? "%-" + width[i] + "s" : "  %" + width[i] + "s";
                out.append(String.format(Locale.ROOT, fmt, cells[i]));
            }
            out.append('\n');
            if (r == 0) {
                out.append(rule(width)).append('\n');
            }
        }
        return out.toString();
    }

    private static String[] line(SliceKey key, SliceSummary s, AuditResult result, Assessment assessment) {
        List<String> cells = new ArrayList<>(List.of(key.label(SliceKey.CONSOLE_VALUE_CHARS)));
        for (Column c : COLUMNS) {
            Metric m = c.metric();
            double v = m.of(s, result.spec());
            cells.add(m.isCount() ? Long.toString((long) v)
                    : m == GAP_OPT && s.optimalGap(result.spec().smoothing()) == null ? "varies" : num(v));
        }
        if (assessment.baseline() != null) {
            Comparison c = assessment.comparisons().get(key);
            cells.add(c == null ? "no baseline" : num(c.gapPsi()));
        }
        return cells.toArray(String[]::new);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String rule(int[] width) {
        int total = 0;
        for (int w : width) {
            total += w + 2;
        }
        return "-".repeat(total - 2);
    }
}
