package org.smoothkl.input;

import java.lang.reflect.Method;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.UserDefinedType;
import org.smoothkl.audit.AuditInputException;

/**
 * Spark ML vectors as logits: a column of {@code VectorUDT} (dense or sparse; the ml or the old
 * mllib one) becomes array&lt;double&gt; through Spark ML's own
 * {@code org.apache.spark.ml.functions.vector_to_array(col, "float64")}. Spark ML is not a
 * dependency of the job: the type is recognised by its class name and the function is looked up
 * reflectively, so users without Spark ML lose nothing (a VectorUDT column cannot exist without it).
 * A sparse vector's missing entries are 0.0 logits, as {@code toArray} gives them.
 */
final class VectorColumns {
    private static final Set<String> UDTS = Set.of("org.apache.spark.ml.linalg.VectorUDT",
            "org.apache.spark.mllib.linalg.VectorUDT");
    private static final String FUNCTIONS = "org.apache.spark.ml.functions";

    private VectorColumns() {
    }

    static boolean isVector(DataType t) {
        return t instanceof UserDefinedType<?> && UDTS.contains(t.getClass().getName());
    }

    /** vector_to_array(vector, "float64"). */
    static Column toArray(Column vector) {
        try {
            Class<?> functions = Class.forName(FUNCTIONS, true, VectorColumns.class.getClassLoader());
            Method m = functions.getMethod("vector_to_array", Column.class, String.class);
            return (Column) m.invoke(null, vector, "float64");
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new AuditInputException("the logits column is a Spark ML vector but " + FUNCTIONS
                    + ".vector_to_array is not available (" + e + "); put spark-mllib on the classpath", e);
        }
    }
}
