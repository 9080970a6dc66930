package org.smoothkl.sql;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.QueryContext;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.unsafe.types.UTF8String;
import org.smoothkl.audit.EditDistance;
import org.smoothkl.input.InputColumns;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.loss.WireCode;
import scala.Option;

/**
 * The arguments of one call of a SQL function, checked when the query is analysed: each problem
 * is an {@link AnalysisException} naming the function, the argument's position and name, and what
 * it got ({@code smoothkl_metrics: argument 4 (epsilon) must lie in [0, 1], got 1.5}). The settings
 * (preset, ε, ignore index, histogram bins) must be constant for the query: Catalyst folds them
 * (literals, and expressions of literals such as {@code 1/10}) and they are read once, here.
 */
final class SqlArguments {
    private final String function;
    private final List<String> names;
    private final List<Expression> args;

    SqlArguments(String function, List<String> names, List<Expression> args) {
        this.function = function;
        this.names = names;
        this.args = args;
    }

    Expression get(int i) {
        return args.get(i);
    }

    int size() {
        return args.size();
    }

    /** Fails unless between {@code min} and {@link #names}' count arguments were given. */
    void requireCount(int min) {
        if (args.size() < min || args.size() > names.size()) {
            String range = min == names.size() ? Integer.toString(min) : min + " to " + names.size();
            throw error(function + " takes " + range + " arguments (" + String.join(", ", names) + "), got "
                    + args.size());
        }
    }

    /** The argument's description in messages: "argument 3 (preset)". */
    String describe(int i) {
        return "argument " + (i + 1) + " (" + names.get(i) + ")";
    }

    RuntimeException problem(int i, String what) {
        return error(function + ": " + describe(i) + " " + what);
    }

    /** array&lt;float&gt; or array&lt;double&gt;, the logits' types the job reads. */
    Expression logits(int i) {
        DataType t = args.get(i).dataType();
        if (!InputColumns.isFloatingArray(t)) {
            throw problem(i, "must be array<float> or array<double>, got " + t.simpleString());
        }
        return args.get(i);
    }

    /** A constant preset code (smoothkl_summary's). */
    Preset preset(int i) {
        String code = constantString(i);
        Preset p = presetOrNull(code);
        if (p == null) {
            throw problem(i, notAPreset(code));
        }
        return p;
    }

    /** smoothkl_metrics' settings (preset, epsilon, ignore_index), as constants of the query. */
    Smoothing metricsSettings() {
        String code = constantString(PRESET);
        Number eps = constantNumber(EPSILON);
        Long ignore = size() > IGNORE_INDEX ? constantLong(IGNORE_INDEX) : null;
        return smoothing(code, eps, ignore, p -> problem(p.position(), p.what()));
    }

    /** Positions of smoothkl_metrics' settings among its arguments ({@link SmoothklFunctions#METRICS_ARGUMENTS}). */
    static final int PRESET = 2;
    static final int EPSILON = 3;
    static final int IGNORE_INDEX = 4;

    /** What is wrong with smoothkl_metrics' argument at {@code position} (0-based). */
    record Problem(int position, String what) {
    }

    /**
     * smoothkl_metrics' settings from the values of its arguments 3 to 5, checked in this order, the
     * one check of every front end (the extension's function, the registerJavaFunction classes, the
     * Hive UDF), each of which throws the problem as its own exception ({@code fail}): the preset,
     * not null, a known code; ε, a non-null number that the settings take ({@link Smoothing#epsilonInRange});
     * ignore_index, an integer or null (the preset's default).
     */
    static <E extends Exception> Smoothing smoothing(String presetCode, Object epsilon, Object ignoreIndex,
            java.util.function.Function<Problem, E> fail) throws E {
        if (presetCode == null) {
            throw fail.apply(new Problem(PRESET, "must not be null"));
        }
        Preset preset = presetOrNull(presetCode);
        if (preset == null) {
            throw fail.apply(new Problem(PRESET, notAPreset(presetCode)));
        }
        if (!(epsilon instanceof Number eps)) {
            throw fail.apply(new Problem(EPSILON, epsilon == null ? "must not be null"
                    : "must be a number, got a " + epsilon.getClass().getSimpleName()));
        }
        if (ignoreIndex != null && !isBoxedInteger(ignoreIndex)) {
            throw fail.apply(new Problem(IGNORE_INDEX, "must be an integer, got a " + ignoreIndex.getClass().getSimpleName()));
        }
        Smoothing s = preset.with(eps.doubleValue(), ignoreIndex == null ? null : ((Number) ignoreIndex).longValue());
        if (!s.epsilonInRange()) {
            throw fail.apply(new Problem(EPSILON, "must lie in [0, 1], got " + s.epsilon()));
        }
        return s;
    }

    /** A Java integer as Spark hands byte, short, int and bigint values to a UDF. */
    static boolean isBoxedInteger(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
    }

    static Preset presetOrNull(String code) {
        try {
            return WireCode.parse(Preset.class, code, "preset");
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** "is not a preset: 'sed' (did you mean seed?); the presets are seed, pytorch, fairseq, onmt", as the CLI says it. */
    static String notAPreset(String code) {
        List<String> codes = Arrays.stream(Preset.values()).map(Preset::code).toList();
        return "is not a preset: '" + code + "'" + EditDistance.didYouMean(code.trim().toLowerCase(java.util.Locale.ROOT), codes)
                + "; the presets are " + String.join(", ", codes);
    }

    /** A constant integer (byte to bigint); null: the preset's default. */
    Long constantLong(int i) {
        Expression e = constant(i);
        if (e.dataType() instanceof NullType) {
            return null;
        }
        if (!InputColumns.isIntegral(e.dataType())) {
            throw problem(i, "must be an integer, got " + e.dataType().simpleString());
        }
        Object v = e.eval(null);
        return v == null ? null : ((Number) v).longValue();
    }

    /** A constant integer between {@code min} and {@code max}. */
    int constantInt(int i, int min, int max) {
        Long v = constantLong(i);
        if (v == null || v < min || v > max) {
            throw problem(i, "must be an integer from " + min + " to " + max + ", got " + v);
        }
        return v.intValue();
    }

    String constantString(int i) {
        Expression e = constant(i);
        if (!(e.dataType() instanceof StringType)) {
            throw problem(i, "must be a string, got " + e.dataType().simpleString());
        }
        Object v = e.eval(null);
        if (v == null) {
            throw problem(i, "must not be null");
        }
        return ((UTF8String) v).toString();
    }

    /** A constant, non-null number of any numeric type (SQL's 0.1 is a decimal, Python's a double). */
    Number constantNumber(int i) {
        Expression e = constant(i);
        if (!(e.dataType() instanceof NumericType)) {
            throw problem(i, "must be a number, got " + e.dataType().simpleString());
        }
        Object v = e.eval(null);
        if (v == null) {
            throw problem(i, "must not be null");
        }
        return v instanceof Decimal d ? (Number) d.toJavaBigDecimal() : v instanceof BigDecimal b ? b : (Number) v;
    }

    private Expression constant(int i) {
        Expression e = args.get(i);
        if (!e.foldable()) {
            throw problem(i, "must be a constant for the query (a literal), got " + e.sql());
        }
        return e;
    }

    /**
     * Throws an analysis error with a plain message (no error class of Spark's describes ours).
     * AnalysisException is a checked exception to javac, not to Spark's Scala callers: thrown
     * unchecked, declared as returned so that callers can write {@code throw error(...)}.
     */
    static RuntimeException error(String message) {
        throw SqlArguments.<RuntimeException>unchecked(new AnalysisException(message, Option.empty(), Option.empty(),
                Option.empty(), Option.empty(), scala.collection.immutable.Map$.MODULE$.empty(), new QueryContext[0]));
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E unchecked(Throwable t) throws E {
        throw (E) t;
    }
}
