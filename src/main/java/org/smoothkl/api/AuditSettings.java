package org.smoothkl.api;

import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.EditDistance;
import org.smoothkl.audit.Check;
import org.smoothkl.audit.EngineChoice;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.InputSource;
import org.smoothkl.input.FormatInference;
import org.smoothkl.loss.InputKind;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.WireCode;

/**
 * The one resolver of an audit's settings, for the command line ({@code run}'s flags) and the
 * library ({@link Audit}'s builder calls) alike: values given under the keys of {@link #KEYS} (the
 * flags' names, {@code "epsilon"}, {@code "group-by"}) over the --config file over the bundled
 * conf/smoothkl.conf ({@link Settings}), resolved into a checked {@link AuditSpec}. Every problem
 * is an {@link AuditInputException} naming the flag ({@code --epsilon must lie in [0, 1], got 2.0}),
 * the same message whichever way the value came.
 *
 * <p>A given value is what the config file would hold at its key: a String, a Number, a Boolean, or
 * for {@code group-by}, {@code keep} and {@code check} a List of Strings (a String there is one
 * check, or comma-separated columns); {@code option} and {@code meta} take a Map or a List of
 * {@code KEY=VALUE} Strings, laid over the file's object key by key. Null is unset.
 */
public final class AuditSettings {
    /** The section of the config file an audit reads: {@code smoothkl.run}. */
    public static final String SECTION = "run";
    /** Every setting of an audit, by its flag's name (in the order of {@code run --help}). */
    public static final List<String> KEYS = List.of("input", "table", "format", "option", "where", "keep", "meta",
            "logits-col", "label-col", "input-kind", "prob-tolerance", "preset", "epsilon", "ignore-index", "group-by",
            "bins", "gap-range", "calibration-bins", "max-slices", "check", "baseline", "history", "run-tag", "output",
            "overwrite", "write-rows", "engine");
    /** The settings that say where rows come from; an audit of a DataFrame takes its rows from the frame. */
    static final List<String> SOURCE_KEYS = List.of("input", "table", "format", "option");
    /** summary.json's {@code config.format} of an audit of a DataFrame (its {@code config.input} is null). */
    public static final String FRAME_FORMAT = "dataframe";
    private static final Set<String> LIST_KEYS = Set.of("group-by", "keep", "check");
    private static final Set<String> PAIR_KEYS = Set.of("option", "meta");

    private AuditSettings() {
    }

    /**
     * The spec of a {@code run}: its rows from --input or --table, written to --output (required).
     * {@code values}: key of {@link #KEYS} → value (see the class comment); {@code configFile}: the
     * --config file, or null.
     */
    public static AuditSpec resolve(Map<String, ?> values, File configFile) {
        return resolve(values, configFile, false, true);
    }

    /**
     * {@code frame}: the rows come from a DataFrame (no --input or --table; giving one of
     * {@link #SOURCE_KEYS} is refused, a config file's are not read). {@code writes}: the audit
     * writes its output directory, so --output is required (else it is optional, and only recorded).
     */
    static AuditSpec resolve(Map<String, ?> values, File configFile, boolean frame, boolean writes) {
        for (String key : values.keySet()) {
            requireKnown(key);
        }
        if (frame) {
            for (String key : SOURCE_KEYS) {
                if (values.get(key) != null) {
                    throw new AuditInputException("--" + key + " " + describe(values.get(key))
                            + ": an audit of a DataFrame takes its rows from the frame (no --input, --table, --format or --option)");
                }
            }
        }
        Map<String, Object> flags = new LinkedHashMap<>();
        for (String key : KEYS) {
            // option and meta are read below: the given pairs over the file's object
            flags.put(key, PAIR_KEYS.contains(key) ? null : value(key, values.get(key)));
        }
        Settings s = Settings.load(SECTION, configFile, flags);
        requireGiven(s, frame, writes);
        Preset p = code(Preset.class, s.string("preset"), "--preset");
        Long ignore = s.has("ignore-index") ? s.longValue("ignore-index") : null;
        String out = writes || s.has("output") ? s.path("output") : null;
        List<Check> checks = s.strings("check").stream().map(Check::parse).toList();
        InputFormat inputFormat;
        InputSource source;
        String input = null;
        String where = s.has("where") ? s.string("where") : null;
        if (frame) {
            inputFormat = InputFormat.SOURCE;
            source = new InputSource(null, FRAME_FORMAT, Map.of(), where, s.strings("keep"));
        } else {
            // --format or the config's format; else the extension of --input names it (parquet when it names none)
            String formatName = FormatInference.formatName(s.has("format") ? s.string("format") : null,
                    s.has("input") ? s.path("input") : null);
            inputFormat = InputFormat.of(formatName);
            source = new InputSource(s.has("table") ? s.string("table") : null,
                    inputFormat == InputFormat.SOURCE ? formatName.trim() : null, pairs(s, "option", values.get("option")),
                    where, s.strings("keep"));
            if (s.has("table") && s.has("input")) {
                throw new AuditInputException("give --input or --table, not both");
            }
            input = s.has("input") ? s.path("input") : null;
        }
        return new AuditSpec(input, inputFormat, s.string("logits-col"), s.string("label-col"), p,
                p.with(s.number("epsilon"), ignore).withInput(code(InputKind.class, s.string("input-kind"), "--input-kind"),
                        s.number("prob-tolerance")), groupBy(s),
                GapHistogramSpec.parse(s.integer("bins"), s.string("gap-range")),
                new CalibrationSpec(s.integer("calibration-bins")), checks,
                s.has("baseline") ? s.path("baseline") : null, s.has("history") ? s.path("history") : null,
                s.has("run-tag") ? s.string("run-tag") : out == null ? null : lastName(out), out, s.flag("overwrite"),
                s.flag("write-rows"), code(EngineChoice.class, s.string("engine"), "--engine"), s.integer("max-slices"),
                source, pairs(s, "meta", values.get("meta")));
    }

    /**
     * Every required setting that neither a given value nor a config file sets, named in one
     * line (all of them: a user fixes them in one go): the rows' source (--input or --table;
     * not for a DataFrame), --preset and --epsilon (no default on purpose), and --output when the
     * audit writes. The flags' help marks the same ones required ({@code run --help}).
     */
    private static void requireGiven(Settings s, boolean frame, boolean writes) {
        List<String> missing = new ArrayList<>();
        if (!frame && !s.has("input") && !s.has("table")) {
            missing.add("--input (a file, directory or glob; or --table NAME)");
        }
        for (String key : List.of("preset", "epsilon")) {
            if (!s.has(key)) {
                missing.add("--" + key);
            }
        }
        if (writes && !s.has("output")) {
            missing.add("--output");
        }
        if (!missing.isEmpty()) {
            boolean one = missing.size() == 1;
            String last = missing.remove(missing.size() - 1);
            throw new AuditInputException("no " + (one ? last : String.join(", ", missing) + " or " + last) + " given ("
                    + (one ? "as a flag, or as a key" : "as flags, or as keys") + " of smoothkl." + SECTION + " in a --config file)");
        }
    }

    /** Exit 2 for a key no flag has, naming the nearest one. */
    static void requireKnown(String key) {
        if (!KEYS.contains(key)) {
            String nearest = EditDistance.nearest(key, KEYS);
            throw new AuditInputException("unknown setting '" + key + "'"
                    + (nearest != null ? "; did you mean " + nearest + "?" : "; the settings are " + String.join(", ", KEYS)));
        }
    }

    /** A given value as the config file holds it: a String where a list is due is one check, or comma-separated columns. */
    private static Object value(String key, Object v) {
        if (v instanceof String text && LIST_KEYS.contains(key)) {
            return key.equals("check") ? List.of(text) : List.of(text.split(",", -1));
        }
        if (v instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        return v;
    }

    private static String describe(Object v) {
        return v instanceof Collection<?> c ? String.join(",", c.stream().map(String::valueOf).toList()) : String.valueOf(v);
    }

    /** The config file's {@code key} object, then the given pairs over it (KEY=VALUE Strings, or a Map). */
    private static Map<String, String> pairs(Settings s, String key, Object given) {
        Map<String, String> pairs = new LinkedHashMap<>(s.map(key));
        if (given instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = e.getKey() == null ? "" : String.valueOf(e.getKey()).trim();
                if (k.isEmpty() || e.getValue() == null) {
                    throw new AuditInputException("--" + key + " " + e.getKey() + "=" + e.getValue() + ": expected KEY=VALUE");
                }
                pairs.put(k, String.valueOf(e.getValue()));
            }
            return pairs;
        }
        List<?> list = given == null ? List.of() : given instanceof Collection<?> c ? new ArrayList<>(c) : List.of(given);
        for (Object o : list) {
            String kv = String.valueOf(o);
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new AuditInputException("--" + key + " " + kv + ": expected KEY=VALUE");
            }
            pairs.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
        }
        return pairs;
    }

    /** The slice columns, each named once (a repeat is a typo, not a second key). */
    private static List<String> groupBy(Settings s) {
        List<String> columns = s.strings("group-by");
        Set<String> seen = new HashSet<>();
        for (String c : columns) {
            if (c.isBlank()) {
                throw new AuditInputException("--group-by " + String.join(",", columns) + " has an empty column name");
            }
            if (!seen.add(c)) {
                throw new AuditInputException("--group-by names column '" + c + "' twice");
            }
        }
        return columns;
    }

    /** The constant of a flag's value; exit 2 naming the flag and the values it takes. */
    private static <E extends Enum<E> & WireCode> E code(Class<E> type, String value, String flag) {
        try {
            return WireCode.parse(type, value, "value");
        } catch (IllegalArgumentException e) {
            List<String> codes = java.util.Arrays.stream(type.getEnumConstants()).map(WireCode::code).toList();
            String given = value == null ? "" : value.trim().toLowerCase(java.util.Locale.ROOT);
            throw new AuditInputException(flag + ": " + e.getMessage() + EditDistance.didYouMean(given, codes));
        }
    }

    /** "audits/2026-11-28/" → "2026-11-28": the default run tag. */
    private static String lastName(String path) {
        String p = path.replaceAll("/+$", "");
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
