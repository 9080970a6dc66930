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
import org.apache.hadoop.hive.serde2.objectinspector.PrimitiveObjectInspector.PrimitiveCategory;
import org.apache.hadoop.hive.serde2.objectinspector.primitive.PrimitiveObjectInspectorFactory;
import org.apache.hadoop.hive.serde2.objectinspector.primitive.PrimitiveObjectInspectorUtils;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.loss.SingleRow;
import org.smoothkl.loss.Smoothing;

/**
 * {@code smoothkl_metrics(logits, label, preset, epsilon [, ignore_index])} as a Hive GenericUDF,
 * for {@code CREATE TEMPORARY FUNCTION … AS 'org.smoothkl.sql.HiveMetricsUdf' USING JAR …} in a
 * session with Hive support (Spark's own catalog takes no UDF class). {@link #initialize} sees the
 * arguments' types and which are constants, when the query is analysed: preset, ε and ignore index
 * must be constants, checked there with the extension's messages (Spark reports them as an
 * AnalysisException, "No handler for UDF/UDAF/UDTF …: … argument 4 (epsilon) must lie in [0, 1]").
 * The label is an integer (as for registerJavaFunction's classes). Rows are scored by
 * {@link SingleRow}, as the RAPIDS engine's UDF scores them on the CPU; the struct's fields are the {@link MetricField}s, all nullable (Hive has no
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
        if (!(args[0] instanceof ListObjectInspector l && l.getListElementObjectInspector() instanceof PrimitiveObjectInspector e
                && (e.getPrimitiveCategory() == PrimitiveCategory.FLOAT || e.getPrimitiveCategory() == PrimitiveCategory.DOUBLE))) {
            throw problem(0, "must be array<float> or array<double>, got " + args[0].getTypeName());
        }
        logitsInspector = (ListObjectInspector) args[0];
        elementInspector = (PrimitiveObjectInspector) logitsInspector.getListElementObjectInspector();
        if (!(args[1] instanceof PrimitiveObjectInspector p && integral(p))) {
            throw problem(1, "must be an integer, got " + args[1].getTypeName());
        }
        labelInspector = (PrimitiveObjectInspector) args[1];
        Object presetValue = constant(args, 2);
        String code = presetValue == null ? null : presetValue.toString();
        Preset preset = code == null ? null : SqlArguments.presetOrNull(code);
        if (preset == null) {
            throw problem(2, code == null ? "must not be null" : SqlArguments.notAPreset(code));
        }
        Object eps = constant(args, 3);
        if (eps == null || !(args[3] instanceof PrimitiveObjectInspector)) {
            throw problem(3, "must be a number, got " + args[3].getTypeName());
        }
        double epsilon = PrimitiveObjectInspectorUtils.getDouble(eps, (PrimitiveObjectInspector) args[3]);
        if (!SqlArguments.epsilonInRange(epsilon)) {
            throw problem(3, SqlArguments.epsilonOutOfRange(epsilon));
        }
        Long ignoreIndex = null;
        if (args.length > 4) {
            Object ignore = constant(args, 4);
            if (ignore != null) {
                if (!(args[4] instanceof PrimitiveObjectInspector q && integral(q))) {
                    throw problem(4, "must be an integer, got " + args[4].getTypeName());
                }
                ignoreIndex = PrimitiveObjectInspectorUtils.getLong(ignore, q);
            }
        }
        smoothing = preset.with(epsilon, ignoreIndex);
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
        return SingleRow.score(RowKernels.create(smoothing), logits == null ? null : logits.iterator(),
                logits == null ? 0 : logits.size(), label == null ? null : PrimitiveObjectInspectorUtils.getLong(label, labelInspector),
                null);
    }

    @Override
    public String getDisplayString(String[] children) {
        return SmoothklFunctions.METRICS + "(" + String.join(", ", children) + ")";
    }

    private static boolean integral(PrimitiveObjectInspector p) {
        return switch (p.getPrimitiveCategory()) {
            case BYTE, SHORT, INT, LONG -> true;
            default -> false;
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
