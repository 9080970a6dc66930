package org.smoothkl.input;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.SparkSession;

/**
 * A child JVM's main for {@link TablesIT}, started through SparkSubmit: makes the tables that
 * the audit, another JVM running the packaged job, then reads. {@code hive}: db.preds in the
 * session's Hive metastore, thirty rows in two inserts. {@code delta PATH}: a Delta table of
 * thirty rows (version 0) whose rows 0-9 are then deleted (version 1: the file rewritten);
 * {@code delta-dv PATH} the same with deletion vectors (the file kept, its rows marked).
 * Prints the counts it made.
 */
public final class TableMaker {
    static final String ROWS = "SELECT id, IF(id % 2 = 0, 'a', 'b') AS slice, CAST(id % 3 AS INT) AS label,"
            + " array(CAST(id % 5 AS FLOAT), 1.0F, 2.0F) AS logits FROM range(30)";

    private TableMaker() {
    }

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder().appName("table-maker").getOrCreate();
        try {
            switch (args[0]) {
                case "hive" -> {
                    spark.sql("CREATE DATABASE db");
                    spark.sql("CREATE TABLE db.preds (id BIGINT, slice STRING, label INT, logits ARRAY<FLOAT>) STORED AS PARQUET");
                    spark.sql("INSERT INTO db.preds SELECT * FROM (" + ROWS + ") WHERE id < 10");
                    spark.sql("INSERT INTO db.preds SELECT * FROM (" + ROWS + ") WHERE id >= 10");
                    System.out.println("rows=" + spark.table("db.preds").count());
                }
                case "delta", "delta-dv" -> {
                    String path = args[1];
                    // (a session default: the first write, version 0, creates the table with it)
                    spark.conf().set("spark.databricks.delta.properties.defaults.enableDeletionVectors",
                            Boolean.toString(args[0].equals("delta-dv")));
                    spark.sql(ROWS).coalesce(1).write().format("delta").save(path);
                    DeltaTable.forPath(spark, path).delete("id < 10");
                    System.out.println("rows=" + spark.read().format("delta").load(path).count()
                            + " before=" + spark.read().format("delta").option("versionAsOf", "0").load(path).count()
                            + " files=" + spark.read().parquet(path + "/*.parquet").count());
                }
                default -> throw new IllegalArgumentException("unknown table kind " + args[0]);
            }
        } finally {
            spark.stop();
        }
    }
}
