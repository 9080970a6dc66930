package org.smoothkl.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.Comparison;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;

/**
 * The console summary: one line per slice and one for the whole input; with a baseline also the
 * gap histogram's PSI against it.
 */
public final class SummaryTable {
    private SummaryTable() {
    }

    public static String render(AuditResult result, Assessment assessment) {
        boolean baseline = assessment.baseline() != null;
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("slice", "rows", "valid", "ignored", "invalid", "mean KL", "mean CE",
                "accuracy", "ECE", "mean gap", "optimal gap"));
        if (baseline) {
            header.add("gap PSI");
        }
        rows.add(header.toArray(String[]::new));
        if (!result.spec().groupBy().isEmpty()) {
            for (Map.Entry<SliceKey, SliceSummary> e : result.slices().entrySet()) {
                rows.add(line(e.getKey().label(), e.getValue(), result, assessment));
            }
        }
        rows.add(line(Assessment.OVERALL, result.overall(), result, assessment));
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

    private static String[] line(String name, SliceSummary s, AuditResult result, Assessment assessment) {
        Double gapOpt = s.optimalGap(result.spec().smoothing());
        List<String> cells = new ArrayList<>(List.of(name, Long.toString(s.rows()), Long.toString(s.valid()),
                Long.toString(s.ignored()), Long.toString(s.invalid()), num(s.meanKl()), num(s.meanSmoothedCe()),
                num(s.accuracy()), num(s.expectedCalibrationError()), num(s.meanGap()), gapOpt == null ? "varies" : num(gapOpt)));
        if (assessment.baseline() != null) {
            Comparison c = assessment.comparisons().get(name);
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
