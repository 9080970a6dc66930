package org.smoothkl.report;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * One row of the history table (one run's summary of one slice, or overall) as the report's trend
 * charts read it. output.HistoryTable owns the table's layout and makes these from its rows.
 *
 * @param slice  the summary's label ("overall" or the slice's label)
 * @param values metric code (and gap_psi, gap_js) → value, NaN where the table holds null
 */
public record HistoryEntry(Instant runTime, String runTag, String output, String preset, double epsilon, String slice,
                           Map<String, Double> values) {

    /** A run of the history: its start (to the table's microseconds), tag and output, as the table keys it. */
    record Run(Instant time, String tag, String output) {
        Run {
            time = time.truncatedTo(ChronoUnit.MICROS);
        }
    }

    Run run() {
        return new Run(runTime, runTag, output);
    }

    /** The value under {@code code}; NaN when the table holds null or has no such column. */
    double value(String code) {
        Double v = values.get(code);
        return v == null ? Double.NaN : v;
    }
}
