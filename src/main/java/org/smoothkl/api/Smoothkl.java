package org.smoothkl.api;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The library's entry point: audit a DataFrame (any frame with a logits column and a label column)
 * from Java, Scala or PySpark, with the command line's settings, and get the result as objects.
 *
 * <pre>{@code
 * Dataset<Row> preds = spark.read().parquet("preds.parquet");   // or any frame built in code
 * AuditReport report = Smoothkl.audit(preds)
 *         .preset("seed").epsilon(0.1).groupBy("slice")
 *         .check("mean_kl <= 0.5")
 *         .run();                          // or .output("out/").write(): summary.json, report.html, ...
 * report.overall().meanKl();
 * report.slice(Map.of("slice", "slice-0")).accuracy();
 * report.passed();                         // every check's verdict: report.checks()
 * report.toJson();                         // the run's summary.json
 * }</pre>
 *
 * From PySpark, through py4j (numbers may be Python ints or floats, lists are Java lists):
 *
 * <pre>{@code
 * report = spark._jvm.org.smoothkl.api.Smoothkl.audit(df._jdf) \
 *     .preset("seed").epsilon(0.1).groupBy("slice").run()
 * json.loads(report.toJson())["overall"]["mean_kl"]
 * }</pre>
 *
 * Settings are the flags of {@code run}, camel-cased, with its defaults (the bundled
 * conf/smoothkl.conf, under an optional {@link Audit#config(String) --config} file) and its checks:
 * a bad value is an {@link org.smoothkl.audit.AuditInputException} with the message the command line
 * prints, naming the flag ({@code --epsilon must lie in [0, 1], got 2.0}). The command line's
 * {@code run} is itself a client of this API.
 */
public final class Smoothkl {
    private Smoothkl() {
    }

    /**
     * An audit of {@code frame}'s rows: its --logits-col, --label-col and --group-by columns. The
     * frame stands for --input, --table, --format and --option (giving one is refused); summary.json
     * records its {@code input} as null and its {@code format} as {@value AuditSettings#FRAME_FORMAT}.
     */
    public static Audit audit(Dataset<Row> frame) {
        if (frame == null) {
            throw new IllegalArgumentException("no DataFrame to audit");
        }
        return new Audit(frame.sparkSession(), frame);
    }

    /** An audit of what the settings' --input or --table name, read with {@code spark} as the command line reads it. */
    public static Audit audit(SparkSession spark) {
        if (spark == null) {
            throw new IllegalArgumentException("no SparkSession");
        }
        return new Audit(spark, null);
    }
}
