package org.smoothkl.audit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One threshold, written the same way as a {@code --check} flag and in the config file's
 * {@code check} list:
 * <pre>
 *   CHECK := [SCOPE "."] TERM BOUND
 *   SCOPE := "overall" | "slice[" COL "=" VALUE { "," COL "=" VALUE } "]"
 *   TERM  := METRIC                      absolute: the metric of this run
 *          | "delta(" METRIC ")"         difference: run − baseline, in the metric's units
 *          | "ratio(" METRIC ")"         ratio: run / baseline (1.1 = 10 % higher)
 *          | "gap_psi" | "gap_js"        distance of the gap histogram from the baseline's
 *   BOUND := ("&lt;=" | "&lt;" | "&gt;=" | "&gt;") NUMBER | "in" "[" NUMBER "," NUMBER "]"   (in: both ends included)
 * </pre>
 * METRIC is a {@link Metric} key (a number of summary.json's SUMMARY). Without a scope a check
 * applies to the overall summary and to every slice, each with its own verdict; {@code overall.}
 * limits it to the overall summary; {@code slice[…]} to the slices whose columns have those
 * values. A VALUE is bare (up to the next {@code ,} or {@code ]}, blanks around it dropped) or
 * in double quotes with JSON's escapes ({@code \"}, {@code \\}, {@code \n}, {@code \t},
 * {@code \\u001b}; a slice label's quoted value pastes as it is). The bare word {@code null}
 * selects the null value; any other VALUE, bare or quoted, is compared with the column's typed
 * value: numbers by value ({@code n=3} selects int 3, bigint 3, double 3.0), strings exactly
 * ({@code n=3} on a string column selects "3"; {@code x="null"} the string null), other types by
 * their text ({@link SliceType}). Examples: {@code mean_kl<=0.5},
 * {@code slice[slice=slice-2].accuracy>=0.6}, {@code slice[lang="en, us", day=null].ece<0.1},
 * {@code mean_gap in [5, 8]}, {@code delta(accuracy)>=-0.02}, {@code ratio(mean_kl)<=1.1},
 * {@code overall.gap_psi<0.25}.
 *
 * @param selector column → wanted value; a null value selects the null slice value
 */
public record Check(String text, Scope scope, Map<String, String> selector, Kind kind, String term, Metric metric,
                    String bound, double lo, boolean loInclusive, double hi, boolean hiInclusive) {

    /** Which summaries a check applies to. */
    public enum Scope { EVERY, OVERALL, SELECTED }

    /** What the checked number is; the name is what summary.json calls it. */
    public enum Kind implements org.smoothkl.loss.WireCode {
        ABSOLUTE, DIFFERENCE, RATIO, DISTANCE
    }

    public static final String PSI = "gap_psi";
    public static final String JS = "gap_js";
    private static final String NUMBER = "[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?Infinity";
    private static final Pattern TERM_AND_BOUND = Pattern.compile(
            "(?:(?<fn>delta|ratio)\\s*\\(\\s*(?<fm>[A-Za-z_]+)\\s*\\)|(?<m>[A-Za-z_]+))\\s*"
                    + "(?:(?<op><=|>=|<|>)\\s*(?<num>" + NUMBER + ")"
                    + "|in\\s*\\[\\s*(?<lo>" + NUMBER + ")\\s*,\\s*(?<hi>" + NUMBER + ")\\s*\\])");
    private static final String EXAMPLES = "e.g. 'mean_kl<=0.5', 'slice[slice=a].accuracy>=0.6', 'mean_gap in [5, 8]', "
            + "'delta(accuracy)>=-0.02', 'ratio(mean_kl)<=1.1', 'gap_psi<0.25'";

    public Check {
        selector = Collections.unmodifiableMap(new LinkedHashMap<>(selector));
    }

    public static Check parse(String text) {
        String t = text == null ? "" : text.strip();
        Scope scope = Scope.EVERY;
        Map<String, String> selector = new LinkedHashMap<>();
        String rest = t;
        Matcher overall = Pattern.compile("overall\\s*\\.\\s*(.*)", Pattern.DOTALL).matcher(t);
        if (overall.matches()) {
            scope = Scope.OVERALL;
            rest = overall.group(1);
        } else if (t.startsWith("slice")) {
            scope = Scope.SELECTED;
            rest = parseSelector(t, selector);
        }
        Matcher m = TERM_AND_BOUND.matcher(rest);
        if (!m.matches()) {
            throw bad(t, "not a check");
        }
        Kind kind;
        String name;
        if (m.group("fn") != null) {
            kind = m.group("fn").equals("delta") ? Kind.DIFFERENCE : Kind.RATIO;
            name = m.group("fm");
        } else {
            name = m.group("m");
            kind = name.equals(PSI) || name.equals(JS) ? Kind.DISTANCE : Kind.ABSOLUTE;
        }
        Metric metric = kind == Kind.DISTANCE ? null : Metric.fromKey(name);
        if (kind != Kind.DISTANCE && metric == null) {
            List<String> known = new java.util.ArrayList<>(Metric.codeList());
            if (kind == Kind.ABSOLUTE) {
                known.addAll(List.of(PSI, JS));
            }
            throw bad(t, "unknown metric '" + name + "'" + EditDistance.didYouMean(name, known) + "; metrics are " + Metric.keys()
                    + (kind == Kind.ABSOLUTE ? ", and against a baseline " + PSI + ", " + JS : ""));
        }
        String term = kind == Kind.DIFFERENCE ? "delta(" + name + ")" : kind == Kind.RATIO ? "ratio(" + name + ")" : name;
        if (m.group("op") != null) {
            String op = m.group("op");
            double x = Double.parseDouble(m.group("num"));
            String bound = op + " " + m.group("num");
            return switch (op) {
                case "<=" -> new Check(t, scope, selector, kind, term, metric, bound, Double.NEGATIVE_INFINITY, false, x, true);
                case "<" -> new Check(t, scope, selector, kind, term, metric, bound, Double.NEGATIVE_INFINITY, false, x, false);
                case ">=" -> new Check(t, scope, selector, kind, term, metric, bound, x, true, Double.POSITIVE_INFINITY, false);
                default -> new Check(t, scope, selector, kind, term, metric, bound, x, false, Double.POSITIVE_INFINITY, false);
            };
        }
        double lo = Double.parseDouble(m.group("lo"));
        double hi = Double.parseDouble(m.group("hi"));
        if (!(lo <= hi)) {
            throw bad(t, "the interval [" + m.group("lo") + ", " + m.group("hi") + "] is empty");
        }
        return new Check(t, scope, selector, kind, term, metric, "in [" + m.group("lo") + ", " + m.group("hi") + "]",
                lo, true, hi, true);
    }

    /** Reads "slice[c=v, …]." into {@code selector}; returns what follows the dot. */
    private static String parseSelector(String t, Map<String, String> selector) {
        Matcher head = Pattern.compile("slice\\s*\\[").matcher(t);
        if (!head.lookingAt()) {
            throw bad(t, "a scope is 'overall.' or 'slice[col=value].'");
        }
        int i = head.end();
        while (true) {
            int eq = t.indexOf('=', i);
            if (eq < 0) {
                throw bad(t, "slice[…] needs col=value pairs");
            }
            String col = t.substring(i, eq).strip();
            if (col.isEmpty()) {
                throw bad(t, "slice[…] has an empty column name");
            }
            int j = eq + 1;
            while (j < t.length() && Character.isWhitespace(t.charAt(j))) {
                j++;
            }
            StringBuilder value = new StringBuilder();
            boolean quoted = j < t.length() && t.charAt(j) == '"';
            if (quoted) {
                j = unquote(t, j + 1, value);
                while (j < t.length() && Character.isWhitespace(t.charAt(j))) {
                    j++;
                }
            } else {
                while (j < t.length() && t.charAt(j) != ',' && t.charAt(j) != ']') {
                    value.append(t.charAt(j++));
                }
            }
            if (j >= t.length()) {
                throw bad(t, "slice[… is not closed with ]");
            }
            String wanted = quoted ? value.toString() : value.toString().strip();
            if (selector.containsKey(col)) {
                throw bad(t, "slice[…] names column " + col + " twice");
            }
            selector.put(col, !quoted && wanted.equals("null") ? null : wanted);
            char c = t.charAt(j);
            i = j + 1;
            if (c == ']') {
                break;
            }
            if (c != ',') {
                throw bad(t, "expected , or ] after the value of " + col);
            }
        }
        Matcher dot = Pattern.compile("\\s*\\.\\s*(.*)", Pattern.DOTALL).matcher(t.substring(i));
        if (!dot.matches()) {
            throw bad(t, "slice[…] must be followed by '.' and a metric");
        }
        return dot.group(1);
    }

    /**
     * Appends the quoted string that starts at {@code i} (after its opening quote) to {@code out},
     * JSON's escapes read ({@code \\x} for any other x is x); returns the index after its closing quote.
     */
    private static int unquote(String t, int i, StringBuilder out) {
        while (i < t.length() && t.charAt(i) != '"') {
            char c = t.charAt(i++);
            if (c != '\\' || i >= t.length()) {
                out.append(c);
                continue;
            }
            char e = t.charAt(i++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (i + 4 > t.length() || !t.substring(i, i + 4).matches("[0-9a-fA-F]{4}")) {
                        throw bad(t, "\\u in slice[…] needs four hex digits");
                    }
                    out.append((char) Integer.parseInt(t.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> out.append(e);
            }
        }
        if (i >= t.length()) {
            throw bad(t, "unclosed quote in slice[…]");
        }
        return i + 1;
    }

    private static AuditInputException bad(String text, String problem) {
        return new AuditInputException("--check '" + text + "': " + problem + " (" + EXAMPLES + ")");
    }

    /** Differences, ratios and distances compare with a baseline run. */
    public boolean needsBaseline() {
        return kind != Kind.ABSOLUTE;
    }

    /** Whether {@code value} is within the bound; NaN (undefined) never is. */
    public boolean admits(double value) {
        if (Double.isNaN(value)) {
            return false;
        }
        boolean aboveLo = value > lo || (loInclusive && value == lo);
        boolean belowHi = value < hi || (hiInclusive && value == hi);
        return aboveLo && belowHi;
    }

    /** "slice[c=v, …]" as selected, for a verdict on no slice (values quoted where a bare one would read otherwise). */
    public String selectorText() {
        StringBuilder b = new StringBuilder("slice[");
        selector.forEach((k, v) -> b.append(b.length() > 6 ? ", " : "").append(k).append('=')
                .append(v == null ? "null" : needsQuotes(v) ? SliceKey.quoted(v) : v));
        return b.append(']').toString();
    }

    private static boolean needsQuotes(String v) {
        return v.isEmpty() || v.equals("null") || !v.equals(v.strip())
                || v.chars().anyMatch(c -> c == ',' || c == ']' || c == '"' || c == '\\' || Character.isISOControl(c));
    }

    /** Whether the slice of this key is selected; the overall summary's key has no columns. */
    public boolean selects(SliceKey key) {
        return switch (scope) {
            case EVERY -> true;
            case OVERALL -> key.columns().isEmpty();
            case SELECTED -> !key.columns().isEmpty() && selector.entrySet().stream().allMatch(e -> {
                int i = key.columns().indexOf(e.getKey());
                if (i < 0) {
                    return false;
                }
                Object v = key.values().get(i);
                return e.getValue() == null ? v == null : v != null && SliceType.selects(v, e.getValue());
            });
        };
    }
}
