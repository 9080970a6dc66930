package org.smoothkl.sql;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark Connect side of {@link SparkConnectIT}, run in a JVM of its own with the Connect JVM
 * client first on its class path: connects to {@code args[0]} (sc://host:port), runs each query of
 * {@code args[1..]} there and prints its rows, one per line, as "ROW i text"; a query that fails
 * prints "ERROR i class: message". A query is SQL, or {@code selectExpr:PATH|EXPR|EXPR...}: the
 * DataFrame API's {@code spark.read.parquet(PATH).selectExpr(EXPR, ...)}. Nothing here runs Spark itself: the server does.
 */
public final class ConnectClientMain {
    static final String SELECT_EXPR = "selectExpr:";

    private ConnectClientMain() {
    }

    public static void main(String[] args) throws Exception {
        // org.apache.spark.sql.connect.SparkSession.builder().remote(url).create(), by name: the client jar is on this
        // JVM's class path only, not on the tests' (SparkConnectIT)
        Object builder = Class.forName("org.apache.spark.sql.connect.SparkSession").getMethod("builder").invoke(null);
        builder = builder.getClass().getMethod("remote", String.class).invoke(builder, args[0]);
        SparkSession spark = (SparkSession) builder.getClass().getMethod("create").invoke(builder);
        System.out.println("SESSION " + spark.getClass().getName());
        for (int i = 1; i < args.length; i++) {
            try {
                List<Row> rows;
                if (args[i].startsWith(SELECT_EXPR)) {
                    String[] parts = args[i].substring(SELECT_EXPR.length()).split("\\|");
                    rows = spark.read().parquet(parts[0]).selectExpr(java.util.Arrays.copyOfRange(parts, 1, parts.length))
                            .collectAsList();
                } else {
                    rows = spark.sql(args[i]).collectAsList();
                }
                for (Row r : rows) {
                    System.out.println("ROW " + i + " " + r.mkString("\t"));
                }
            } catch (Exception e) {
                System.out.println("ERROR " + i + " " + e.getClass().getName() + ": " + e.getMessage().replace('\n', ' '));
            }
        }
        spark.close();
    }
}
