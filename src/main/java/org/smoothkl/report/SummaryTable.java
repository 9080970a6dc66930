package org.smoothkl.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;

/** The console summary: one line per slice and one for the whole input. */
public final class SummaryTable {
    private SummaryTable() {
    }

    public static String render(AuditResult result) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"slice", "rows", "valid", "ignored", "invalid", "mean KL", "mean CE", "accuracy",
            "mean gap", "optimal gap"});
        if (!result.spec().groupBy().isEmpty()) {
            for (Map.Entry<SliceKey, SliceSummary> e : result.slices().entrySet()) {
                rows.add(line(e.getKey().label(), e.getValue(), result));
            }
        }
        rows.add(line("overall", result.overall(), result));
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

    private static String[] line(String name, SliceSummary s, AuditResult result) {
        Double gapOpt = s.optimalGap(result.spec().smoothing());
        return new String[] {name, Long.toString(s.rows()), Long.toString(s.valid()), Long.toString(s.ignored()),
            Long.toString(s.invalid()), num(s.meanKl()), num(s.meanSmoothedCe()), num(s.accuracy()),
            num(s.meanGap()), gapOpt == null ? "varies" : num(gapOpt)};
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
