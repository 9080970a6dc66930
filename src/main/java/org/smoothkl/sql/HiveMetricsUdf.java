package org.smoothkl.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.hive.ql.exec.UDFArgumentException;
import org.apache.hadoop.hive.ql.metadata.HiveException;
import org.apache.hadoop.hive.ql.udf.generic.GenericUDF;
import org.apache.hadoop.hive.serde2.objectinspector.ConstantObjectInspector;
import org.apache.hadoop.hive.serde2.objectinspector.ListObjectInspector;
import org.apache.hadoop.hive.serde2.objectinspector.ObjectInspector;
import org.apache.hadoop.hive.serde2.objectinspector.ObjectInspectorFactory;
import org.apache.hadoop.hive.serde2.objectinspector.PrimitiveObjectInspector;
import org.apache.hadoop.hive.serde2.objectinspector.primitive.PrimitiveObjectInspectorFactory;
import org.apache.hadoop.hive.serde2.objectinspector.primitive.PrimitiveObjectInspectorUtils;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.smoothkl.input.InputColumns;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.SingleRow;
import org.smoothkl.loss.Smoothing;

/**
 * {@code smoothkl_metrics(logits, label, preset, epsilon [, ignore_index])} as a Hive GenericUDF,
 * for {@code CREATE TEMPORARY FUNCTION … AS 'org.smoothkl.sql.HiveMetricsUdf' USING JAR …} in a
 * session with Hive support (Spark's own catalog takes no UDF class). {@link #initialize} sees the
 * arguments' types and which are constants, when the query is analysed: preset, ε and ignore index
 * must be constants, checked there by the extension's check of their values ({@link SqlArguments#smoothing},
 * the same messages) after a check of their types in Hive's names (Spark reports both as an
 * AnalysisException, "No handler for UDF/UDAF/UDTF …: … argument 4 (epsilon) must lie in [0, 1]").
 * The label is an integer (as for registerJavaFunction's classes). Rows are scored by
 * {@link MetricsRows} ({@link SingleRow}), as the other front ends score them; the struct's fields
 * are the {@link MetricField}s, all nullable (Hive has no
 * NOT NULL). On a -Pgpu build {@code org.smoothkl.gpu.RapidsHiveMetricsUdf} is the same function
 * that the RAPIDS Accelerator also runs on the GPU.
 */
public class HiveMetricsUdf extends GenericUDF {
    private transient ListObjectInspector logitsInspector;
    private transient PrimitiveObjectInspector elementInspector;
    private transient PrimitiveObjectInspector labelInspector;
    /** Not shipped to the executors (Hive's Kryo copy of the instance): Spark initializes the UDF there again. */
    private transient Smoothing smoothing;

    @Override
    public ObjectInspector initialize(ObjectInspector[] args) throws UDFArgumentException {
        if (args.length < 4 || args.length > 5) {
            throw new UDFArgumentException(SmoothklFunctions.METRICS + " takes 4 to 5 arguments ("
                    + String.join(", ", SmoothklFunctions.METRICS_ARGUMENTS) + "), got " + args.length);
        }
        DataType logitsType = args[0] instanceof ListObjectInspector l ? new ArrayType(sparkType(l.getListElementObjectInspector()), true)
                : sparkType(args[0]);
        if (!InputColumns.isFloatingArray(logitsType)) {
            throw problem(0, "must be array<float> or array<double>, got " + args[0].getTypeName());
        }
        logitsInspector = (ListObjectInspector) args[0];
        elementInspector = (PrimitiveObjectInspector) logitsInspector.getListElementObjectInspector();
        if (!InputColumns.isIntegral(sparkType(args[1]))) {
            throw problem(1, "must be an integer, got " + args[1].getTypeName());
        }
        labelInspector = (PrimitiveObjectInspector) args[1];
        Object preset = constant(args, SqlArguments.PRESET);
        if (preset != null && !(sparkType(args[SqlArguments.PRESET]) instanceof StringType)) {
            throw problem(SqlArguments.PRESET, "must be a string, got " + args[SqlArguments.PRESET].getTypeName());
        }
        Object eps = constant(args, SqlArguments.EPSILON);
        if (eps != null && !(sparkType(args[SqlArguments.EPSILON]) instanceof NumericType)) {
            throw problem(SqlArguments.EPSILON, "must be a number, got " + args[SqlArguments.EPSILON].getTypeName());
        }
        Object ignore = args.length > SqlArguments.IGNORE_INDEX ? constant(args, SqlArguments.IGNORE_INDEX) : null;
        if (ignore != null && !InputColumns.isIntegral(sparkType(args[SqlArguments.IGNORE_INDEX]))) {
            throw problem(SqlArguments.IGNORE_INDEX, "must be an integer, got " + args[SqlArguments.IGNORE_INDEX].getTypeName());
        }
        smoothing = SqlArguments.smoothing(preset == null ? null : preset.toString(),
                eps == null ? null : PrimitiveObjectInspectorUtils.getDouble(eps, (PrimitiveObjectInspector) args[SqlArguments.EPSILON]),
                ignore == null ? null : PrimitiveObjectInspectorUtils.getLong(ignore, (PrimitiveObjectInspector) args[SqlArguments.IGNORE_INDEX]),
                p -> problem(p.position(), p.what()));
        List<String> names = new ArrayList<>();
        List<ObjectInspector> inspectors = new ArrayList<>();
        for (MetricField f : MetricField.values()) {
            names.add(f.code());
            inspectors.add(switch (f.kind()) {
                case STRING -> PrimitiveObjectInspectorFactory.javaStringObjectInspector;
                case DOUBLE -> PrimitiveObjectInspectorFactory.javaDoubleObjectInspector;
                case INT -> PrimitiveObjectInspectorFactory.javaIntObjectInspector;
                case BOOLEAN -> PrimitiveObjectInspectorFactory.javaBooleanObjectInspector;
            });
        }
        return ObjectInspectorFactory.getStandardStructObjectInspector(names, inspectors);
    }

    /** The settings {@link #initialize} read (for the GPU subclass). */
    protected final Smoothing smoothing() {
        return smoothing;
    }

    @Override
    public Object evaluate(DeferredObject[] args) throws HiveException {
        Object list = args[0].get();
        List<Object> logits = null;
        if (list != null) {
            logits = new ArrayList<>(logitsInspector.getListLength(list));
            for (Object e : logitsInspector.getList(list)) {
                logits.add(e == null ? null : elementInspector.getPrimitiveJavaObject(e));
            }
        }
        Object label = args[1].get();
        return MetricsRows.fields(smoothing, logits == null ? null : logits.iterator(),
                logits == null ? 0 : logits.size(), label == null ? null : PrimitiveObjectInspectorUtils.getLong(label, labelInspector),
                null);
    }

    @Override
    public String getDisplayString(String[] children) {
        return SmoothklFunctions.METRICS + "(" + String.join(", ", children) + ")";
    }

    /** The Spark type of a Hive primitive inspector (null for others): to check it as the extension's function checks Spark's. */
    private static DataType sparkType(ObjectInspector i) {
        if (!(i instanceof PrimitiveObjectInspector p)) {
            return null;
        }
        return switch (p.getPrimitiveCategory()) {
            case BYTE -> DataTypes.ByteType;
            case SHORT -> DataTypes.ShortType;
            case INT -> DataTypes.IntegerType;
            case LONG -> DataTypes.LongType;
            case FLOAT -> DataTypes.FloatType;
            case DOUBLE -> DataTypes.DoubleType;
            case DECIMAL -> DataTypes.createDecimalType();
            case STRING, VARCHAR, CHAR -> DataTypes.StringType;
            case VOID -> DataTypes.NullType;
            default -> null;
        };
    }

    /** The constant value of argument i (a Hive writable), or null for a null constant; not a constant: an error. */
    private static Object constant(ObjectInspector[] args, int i) throws UDFArgumentException {
        if (!(args[i] instanceof ConstantObjectInspector c)) {
            throw problem(i, "must be a constant for the query (a literal)");
        }
        return c.getWritableConstantValue();
    }

    private static UDFArgumentException problem(int i, String what) {
        return new UDFArgumentException(SmoothklFunctions.METRICS + ": argument " + (i + 1) + " ("
                + SmoothklFunctions.METRICS_ARGUMENTS.get(i) + ") " + what);
    }
}
