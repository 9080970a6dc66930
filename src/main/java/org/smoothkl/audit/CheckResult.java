package org.smoothkl.audit;

import java.util.Locale;

/**
 * The verdict of one check on one summary.
 *
 * @param key the summary's key ({@link SliceKey#OVERALL} for overall); null for a slice[…] that matched nothing
 * @param value the checked number: the metric, run − baseline, run / baseline or the distance; NaN when undefined
 * @param baselineValue the baseline's metric for a difference or ratio; NaN otherwise
 * @param note why the value is undefined, else null
 */
public record CheckResult(Check check, SliceKey key, double value, double baselineValue, boolean passed, String note) {

    /** "overall", the slice's label, or for a slice[…] that matched nothing its selector. */
    public String slice() {
        return key == null ? check.selectorText() : key.label();
    }

    /** One line for the console: verdict, check, slice and the number. */
    public String describe() {
        StringBuilder b = new StringBuilder(passed ? "check passed: " : "check FAILED: ");
        b.append(check.text()).append("  [").append(slice()).append("]  ").append(check.term()).append(" = ");
        b.append(Double.isNaN(value) ? "undefined" : String.format(Locale.ROOT, "%.6g", value));
        if (!Double.isNaN(baselineValue)) {
            b.append(String.format(Locale.ROOT, " (baseline %s = %.6g)", check.metric().code(), baselineValue));
        }
        b.append(", needs ").append(check.bound());
        if (note != null) {
            b.append(" (").append(note).append(')');
        }
        return b.toString();
    }
}
