package org.smoothkl.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;

/** histograms.csv: the rows of histograms/ as one CSV file with a header (−∞/+∞ as -Infinity/Infinity). */
public final class HistogramCsv {
    private HistogramCsv() {
    }

    public static String render(AuditResult result) {
        List<String> header = new ArrayList<>(result.spec().groupBy());
        header.addAll(List.of("bin_lo", "bin_hi", "count"));
        StringWriter out = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder().setRecordSeparator('\n')
                .setHeader(header.toArray(String[]::new)).build())) {
            for (Map.Entry<SliceKey, SliceSummary> e : result.slices().entrySet()) {
                for (SliceSummary.Bin bin : e.getValue().bins()) {
                    List<Object> values = new ArrayList<>(e.getKey().values());
                    values.add(bin.lo());
                    values.add(bin.hi());
                    values.add(bin.count());
                    csv.printRecord(values);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

}
