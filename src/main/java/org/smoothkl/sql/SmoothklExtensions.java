package org.smoothkl.sql;

import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import scala.Function1;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The session extension: {@code spark.sql.extensions=org.smoothkl.sql.SmoothklExtensions} (with the
 * job jar in spark.jars) gives every session {@code smoothkl_metrics} and {@code smoothkl_summary}
 * ({@link SmoothklFunctions}): spark-sql, spark-shell, PySpark, Thrift and Spark Connect servers.
 */
public final class SmoothklExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
    @Override
    public BoxedUnit apply(SparkSessionExtensions extensions) {
        for (Tuple3<FunctionIdentifier, ExpressionInfo, Function1<Seq<Expression>, Expression>> f
                : SmoothklFunctions.descriptions()) {
            extensions.injectFunction(f);
        }
        return BoxedUnit.UNIT;
    }
}
