package org.smoothkl.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.smoothkl.audit.CheckResult;

/** One check's verdict on one summary, as summary.json's {@code checks} holds it. */
public final class Verdict {
    private final CheckResult result;

    Verdict(CheckResult result) {
        this.result = result;
    }

    /** The check as given ({@code mean_kl <= 0.5}). */
    public String check() {
        return result.check().text();
    }

    /** "overall", the slice's label, or for a {@code slice[...]} that matched nothing its selector. */
    public String slice() {
        return result.slice();
    }

    /** The summary's key (column → value; empty for overall); null for a selector that matched nothing. */
    public Map<String, Object> key() {
        if (result.key() == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < result.key().columns().size(); i++) {
            m.put(result.key().columns().get(i), result.key().values().get(i));
        }
        return Collections.unmodifiableMap(m);
    }

    /** absolute, difference, ratio or distance. */
    public String kind() {
        return result.check().kind().code();
    }

    /** The checked number: the metric, run − baseline, run / baseline or the distance; NaN when undefined. */
    public double value() {
        return result.value();
    }

    /** The baseline's metric for a difference or ratio; NaN otherwise. */
    public double baselineValue() {
        return result.baselineValue();
    }

    /** The bound as the check states it ({@code <= 0.5}, {@code in [5, 8]}). */
    public String bound() {
        return result.check().bound();
    }

    public boolean passed() {
        return result.passed();
    }

    /** Why the value is undefined, else null. */
    public String note() {
        return result.note();
    }

    /** The console's line: verdict, check, slice and the number. */
    public String describe() {
        return result.describe();
    }

    @Override
    public String toString() {
        return describe();
    }
}
