package org.smoothkl.sql;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.QueryContext;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.unsafe.types.UTF8String;
import org.smoothkl.audit.EditDistance;
import org.smoothkl.loss.Preset;
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
        if (!(t instanceof ArrayType a && (a.elementType() == DataTypes.FloatType || a.elementType() == DataTypes.DoubleType))) {
            throw problem(i, "must be array<float> or array<double>, got " + t.simpleString());
        }
        return args.get(i);
    }

    Preset preset(int i) {
        String code = constantString(i);
        Preset p = presetOrNull(code);
        if (p == null) {
            throw problem(i, notAPreset(code));
        }
        return p;
    }

    static Preset presetOrNull(String code) {
        try {
            return WireCode.parse(Preset.class, code, "preset");
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** "is not a preset: 'sed'; did you mean seed? The presets are seed, pytorch, fairseq, onmt". */
    static String notAPreset(String code) {
        List<String> codes = Arrays.stream(Preset.values()).map(Preset::code).toList();
        String near = EditDistance.nearest(code.trim().toLowerCase(java.util.Locale.ROOT), codes);
        return "is not a preset: '" + code + "'" + (near == null ? "" : "; did you mean " + near + "?")
                + " The presets are " + String.join(", ", codes);
    }

    /** A constant number in [0, 1]. */
    double epsilon(int i) {
        double eps = constantNumber(i).doubleValue();
        if (!epsilonInRange(eps)) {
            throw problem(i, epsilonOutOfRange(eps));
        }
        return eps;
    }

    static boolean epsilonInRange(double eps) {
        return eps >= 0 && eps <= 1;
    }

    static String epsilonOutOfRange(double eps) {
        return "must lie in [0, 1], got " + eps;
    }

    /** A constant integer (byte to bigint); null: the preset's default. */
    Long constantLong(int i) {
        Expression e = constant(i);
        if (e.dataType() instanceof NullType) {
            return null;
        }
        if (!isIntegral(e.dataType())) {
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

    static boolean isIntegral(DataType t) {
        return t == DataTypes.LongType || t == DataTypes.IntegerType || t == DataTypes.ShortType || t == DataTypes.ByteType;
    }

    static boolean isFractional(DataType t) {
        return t == DataTypes.FloatType || t == DataTypes.DoubleType || t instanceof DecimalType;
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
