package org.smoothkl.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.QuoteMode;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.audit.SliceType;

/**
 * histograms.csv: the rows of histograms/ as one CSV file with a header (−∞/+∞ as -Infinity/Infinity).
 * Safe to open in a spreadsheet: a text cell (a column name, a slice value that is not a number
 * or boolean) that starts with {@code = + - @}, a tab or a carriage return gets a leading
 * {@code '} (OWASP's guard against CSV injection); numbers never do. A null slice value is an
 * empty field, an empty string a quoted {@code ""}; slice values are {@link SliceType#text}.
 */
public final class HistogramCsv {
    private static final CSVFormat MINIMAL = CSVFormat.DEFAULT.builder().setRecordSeparator('\n').build();
    private static final CSVFormat QUOTED = MINIMAL.builder().setQuoteMode(QuoteMode.ALL).build();

    private HistogramCsv() {
    }

    public static String render(AuditResult result) {
        List<Object> header = new ArrayList<>();
        result.spec().groupBy().forEach(c -> header.add(guarded(c)));
        header.addAll(List.of("bin_lo", "bin_hi", "count"));
        StringWriter out = new StringWriter();
        try {
            record(header, out);
            for (Map.Entry<SliceKey, SliceSummary> e : result.slices().entrySet()) {
                List<Object> slice = new ArrayList<>();
                e.getKey().values().forEach(v -> slice.add(cell(v)));
                for (SliceSummary.Bin bin : e.getValue().bins()) {
                    List<Object> values = new ArrayList<>(slice);
                    values.add(bin.lo());
                    values.add(bin.hi());
                    values.add(bin.count());
                    record(values, out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** A slice value's cell: null stays null (an empty field); numbers and booleans as they are; text guarded. */
    private static Object cell(Object v) {
        if (v == null) {
            return null;
        }
        SliceType t = SliceType.of(v);
        return t.isNumber() || t == SliceType.BOOLEAN ? SliceType.text(v) : guarded(SliceType.text(v));
    }

    /** {@code s}, with a leading ' when a spreadsheet would read it as a formula. */
    static String guarded(String s) {
        return !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
    }

    /** One record; an empty string in quotes, so that it differs from a null's empty field. */
    private static void record(List<Object> cells, Appendable out) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            Object c = cells.get(i);
            (c instanceof String s && s.isEmpty() ? QUOTED : MINIMAL).print(c, out, i == 0);
        }
        MINIMAL.println(out);
    }
}
