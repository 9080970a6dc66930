package org.smoothkl.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sum;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The same audit written with Spark built-in functions only (array_max, aggregate, element_at,
 * array_position): what a Spark user writes without smoothkl. Seed convention, ε given; one
 * group-by (slice, gap bucket) so it also reads the input once. Used by the benchmark.
 */
final class BuiltinAudit {
    private BuiltinAudit() {
    }

    static List<Row> run(Dataset<Row> input, double epsilon, int bins, double lo, double hi) {
        String e = Double.toString(epsilon) + "D";
        Dataset<Row> m = input.select(col("slice"), col("label"), col("logits"), expr("array_max(logits)").as("m"),
                expr("size(logits)").as("k"));
        Dataset<Row> l = m.withColumn("lse", expr("m + ln(aggregate(logits, 0D, (a, x) -> a + exp(x - m)))"))
                .withColumn("nll", expr("lse - element_at(logits, label + 1)"))
                .withColumn("neg_lp_sum", expr("aggregate(logits, 0D, (a, x) -> a + (lse - x))"))
                .withColumn("ce", expr(String.format(Locale.ROOT,
                        "(1 - %s) * nll + %s / (k - 1) * (neg_lp_sum - nll)", e, e)))
                .withColumn("hq", expr(String.format(Locale.ROOT,
                        "-((1 - %s) * ln(1 - %s) + %s * ln(%s / (k - 1)))", e, e, e, e)))
                .withColumn("kl", expr("ce - hq"))
                .withColumn("gap", expr("m - (aggregate(logits, 0D, (a, x) -> a + x) - m) / (k - 1)"))
                .withColumn("correct", expr("CAST(array_position(logits, m) - 1 = label AS INT)"))
                .withColumn("bucket", expr(String.format(Locale.ROOT,
                        "CASE WHEN gap < %sD THEN -1 WHEN gap >= %sD THEN %d ELSE least(%d, CAST(floor((gap - %sD) * %sD) AS INT)) END",
                        lo, hi, bins, bins - 1, lo, bins / (hi - lo))));
        return l.groupBy("slice", "bucket").agg(count("*"), sum("kl"), sum("ce"), sum("nll"), sum("gap"), sum("correct"))
                .collectAsList();
    }
}
