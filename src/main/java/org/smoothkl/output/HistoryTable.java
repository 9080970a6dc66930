package org.smoothkl.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.Check;
import org.smoothkl.audit.CheckResult;
import org.smoothkl.audit.Comparison;
import org.smoothkl.audit.Metric;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSnapshot;
import org.smoothkl.audit.SliceType;
import org.smoothkl.report.HistoryEntry;

/**
 * The history table (--history DIR): one Parquet row per run and summary (overall and each
 * slice), keyed by run_time and run_tag. It only grows: each run writes its rows as one new
 * Parquet file and never touches another. The file is written by Spark into a staging
 * directory under DIR whose name starts with "_" (Spark's readers skip it) and names its owner
 * (UUID, pid, the pid's start, host), then renamed to the run's own name,
 * {@code run-<started millis>-<tag>-<run id>.parquet}, the run id a digest of the run's start
 * instant, tag and output. Concurrent runs therefore never share a temporary directory (Spark's
 * own append into one directory does: the first job to finish deletes DIR/_temporary under the
 * other) and a reader sees a run's rows whole or not at all.
 *
 * <p>Appending is idempotent per run: a run whose file is there already is not appended again.
 * A kill leaves at most a staging directory; each append first deletes the stale ones, those
 * whose owner process on this host is gone, or, from another host (or without an owner in the
 * name), older than {@link #STAGING_STALE_AFTER}.
 *
 * <p>A slice is named by {@code slice}, its label, and identified by {@code slice_json}: the
 * canonical JSON of its typed values, {@code {"lang":{"type":"string","value":"en"},"d":null}}
 * ({@code {}} for overall), equal for the same slice in every run. {@code slice_key} keeps
 * column → value text (null for null). {@code run_time} is a Parquet {@code TIMESTAMP(MICROS)}
 * (INT64; files of earlier versions hold INT96, which Spark reads alike); {@code input} is the
 * --input, else the --table, null for a DataFrame's rows; {@code meta} holds the run's --meta pairs
 * (empty without). Read it with {@code spark.read.parquet(DIR)} (with mergeSchema when runs of
 * different versions wrote it).
 */
public final class HistoryTable {
    public static final String FILE_PREFIX = "run-";
    static final String STAGING_PREFIX = "_staging-";
    /** A staging directory whose owner cannot be asked (another host) is left alone this long. */
    static final Duration STAGING_STALE_AFTER = Duration.ofHours(1);
    private static final Pattern STAGING_OWNER = Pattern.compile(
            Pattern.quote(STAGING_PREFIX) + "([0-9a-f-]{36})-(\\d+)_(-?\\d+)@(.+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The session setting that decides how Spark writes a timestamp to Parquet. */
    static final String OUTPUT_TIMESTAMP_TYPE = "spark.sql.parquet.outputTimestampType";

    private HistoryTable() {
    }

    public static StructType schema() {
        List<StructField> f = new ArrayList<>();
        f.add(DataTypes.createStructField("run_time", DataTypes.TimestampType, false));
        f.add(DataTypes.createStructField("run_tag", DataTypes.StringType, true));
        f.add(DataTypes.createStructField("output", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("input", DataTypes.StringType, true));
        f.add(DataTypes.createStructField("preset", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("epsilon", DataTypes.DoubleType, false));
        f.add(DataTypes.createStructField("slice", DataTypes.StringType, false));
        f.add(DataTypes.createStructField("slice_key",
                DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, true), false));
        f.add(DataTypes.createStructField("slice_json", DataTypes.StringType, false));
        for (Metric m : Metric.values()) {
            f.add(DataTypes.createStructField(m.code(), m.isCount() ? DataTypes.LongType : DataTypes.DoubleType, true));
        }
        f.add(DataTypes.createStructField(Check.PSI, DataTypes.DoubleType, true));
        f.add(DataTypes.createStructField(Check.JS, DataTypes.DoubleType, true));
        f.add(DataTypes.createStructField("checks", DataTypes.IntegerType, false));
        f.add(DataTypes.createStructField("checks_failed", DataTypes.IntegerType, false));
        f.add(DataTypes.createStructField("meta",
                DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, false), false));
        return DataTypes.createStructType(f);
    }

    /** This run's rows: overall first, then each slice; undefined numbers are null. */
    public static List<Row> rows(Instant runTime, AuditSpec spec, Assessment assessment) {
        List<Row> rows = new ArrayList<>();
        for (SliceSnapshot s : assessment.slices().values()) {
            List<Object> v = new ArrayList<>();
            v.add(Timestamp.from(runTime));
            v.add(spec.runTag());
            v.add(spec.output());
            v.add(spec.input() != null ? spec.input() : spec.source().table()); // null: a DataFrame's rows
            v.add(spec.preset().code());
            v.add(spec.smoothing().epsilon());
            v.add(s.label());
            Map<String, String> text = new LinkedHashMap<>();
            for (int i = 0; i < s.key().columns().size(); i++) {
                Object x = s.key().values().get(i);
                text.put(s.key().columns().get(i), x == null ? null : SliceType.text(x));
            }
            v.add(text);
            v.add(sliceJson(s.key()));
            for (Metric m : Metric.values()) {
                double x = s.metric(m);
                v.add(Double.isNaN(x) ? null : m.isCount() ? (Object) (long) x : (Object) x);
            }
            Comparison c = assessment.comparisons().get(s.key());
            v.add(c == null || Double.isNaN(c.gapPsi()) ? null : c.gapPsi());
            v.add(c == null || Double.isNaN(c.gapJs()) ? null : c.gapJs());
            List<CheckResult> mine = assessment.checks().stream().filter(r -> s.key().equals(r.key())).toList();
            v.add(mine.size());
            v.add((int) mine.stream().filter(r -> !r.passed()).count());
            v.add(spec.meta());
            rows.add(RowFactory.create(v.toArray()));
        }
        return rows;
    }

    /**
     * The rows of the summaries labelled {@code slices} in the table at {@code dir}, as the
     * report's trend entries (none when it does not exist yet). Read with this layout's schema, so
     * files of earlier versions (without meta) read too.
     */
    public static List<HistoryEntry> read(SparkSession spark, String dir, List<String> slices) {
        Path table = new Path(dir);
        try {
            FileSystem fs = table.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(table) || fs.listStatus(table, p -> p.getName().startsWith(FILE_PREFIX)).length == 0) {
                return List.of();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the history table " + dir, e);
        }
        return entries(spark.read().schema(schema()).parquet(dir)
                .where(org.apache.spark.sql.functions.col("slice").isin(slices.toArray())).collectAsList());
    }

    /** Rows of this layout ({@link #rows}' or read back) as the report's trend entries. */
    public static List<HistoryEntry> entries(List<Row> rows) {
        StructType schema = schema();
        List<String> numbers = new ArrayList<>();
        for (Metric m : Metric.values()) {
            numbers.add(m.code());
        }
        numbers.addAll(List.of(Check.PSI, Check.JS));
        List<HistoryEntry> entries = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Double> values = new LinkedHashMap<>();
            for (String n : numbers) {
                Object v = r.get(schema.fieldIndex(n));
                values.put(n, v == null ? Double.NaN : ((Number) v).doubleValue());
            }
            Object time = r.get(schema.fieldIndex("run_time"));
            entries.add(new HistoryEntry(time instanceof Instant i ? i : ((Timestamp) time).toInstant(),
                    r.getString(schema.fieldIndex("run_tag")), r.getString(schema.fieldIndex("output")),
                    r.getString(schema.fieldIndex("preset")), r.getDouble(schema.fieldIndex("epsilon")),
                    r.getString(schema.fieldIndex("slice")), values));
        }
        return entries;
    }

    /**
     * The canonical JSON of a slice's typed values: column → {"type", "value"} ({@link SliceType}'s
     * code and {@link SliceType#toJson} value), null for a null value, in group-by order, no blanks.
     */
    static String sliceJson(SliceKey key) {
        ObjectNode n = JSON.createObjectNode();
        List<SliceType> types = key.types();
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i) == null) {
                n.putNull(key.columns().get(i));
            } else {
                ObjectNode typed = n.putObject(key.columns().get(i));
                typed.put("type", types.get(i).code());
                typed.set("value", JSON.valueToTree(SliceType.toJson(key.values().get(i))));
            }
        }
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Appends {@code rows}, one run's (run_tag and output as in {@link #rows}), to the table at
     * {@code dir} as the run's own file; earlier files are never touched. Returns false when that
     * run's file is there already (nothing is written). A row of the layout before the {@code meta}
     * column (one field short) is appended without meta pairs.
     */
    public static boolean append(SparkSession spark, String dir, List<Row> rows, Instant runTime) {
        if (rows.isEmpty()) {
            return false;
        }
        int width = schema().size();
        rows = rows.stream().map(r -> r.size() == width - 1 ? withEmptyMeta(r) : r).toList();
        Path table = new Path(dir);
        Path target = new Path(table, fileName(runTime, rows.get(0).getString(1), rows.get(0).getString(2)));
        OutputClaim.Owner me = OutputClaim.Owner.current();
        Path staging = new Path(table, stagingName(me));
        FileSystem fs;
        try {
            fs = table.getFileSystem(spark.sparkContext().hadoopConfiguration());
            fs.mkdirs(table);
            deleteStaleStaging(fs, table, me);
            if (fs.exists(target)) {
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the history table " + dir, e);
        }
        try {
            writeParquet(spark, rows, staging);
            FileStatus[] parts = fs.listStatus(staging, p -> p.getName().endsWith(".parquet"));
            if (parts.length != 1) {
                throw new IOException(staging + " holds " + parts.length + " Parquet files, not 1");
            }
            if (!fs.rename(parts[0].getPath(), target) && !fs.exists(target)) {
                throw new IOException("cannot move " + parts[0].getPath() + " to " + target);
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the history table " + dir, e);
        } finally {
            try {
                fs.delete(staging, true);
            } catch (IOException e) {
                // The staging directory starts with "_": readers skip it, and a later append deletes it.
            }
        }
    }

    /** A row of the layout before meta, with an empty meta map added. */
    private static Row withEmptyMeta(Row row) {
        List<Object> v = new ArrayList<>();
        for (int i = 0; i < row.size(); i++) {
            v.add(row.get(i));
        }
        v.add(Map.of());
        return RowFactory.create(v.toArray());
    }

    /**
     * The rows as one Parquet file in {@code dir}, run_time as Parquet's {@code TIMESTAMP(MICROS)}
     * (INT64), which every Parquet reader reads as a timestamp, not Spark's default INT96 (a legacy
     * encoding pandas, DuckDB or Trino read only when told). Spark takes the type from the session's
     * {@value #OUTPUT_TIMESTAMP_TYPE} alone (a writer option of that name is ignored), so it is set
     * for this write and then restored, under a lock that keeps two appends from restoring each
     * other's value; another query of the session writing Parquet in that moment writes micros too.
     */
    private static void writeParquet(SparkSession spark, List<Row> rows, Path dir) {
        synchronized (HistoryTable.class) {
            String before = spark.conf().contains(OUTPUT_TIMESTAMP_TYPE) ? spark.conf().get(OUTPUT_TIMESTAMP_TYPE) : null;
            spark.conf().set(OUTPUT_TIMESTAMP_TYPE, "TIMESTAMP_MICROS");
            try {
                spark.createDataFrame(rows, schema()).coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(dir.toString());
            } finally {
                if (before == null) {
                    spark.conf().unset(OUTPUT_TIMESTAMP_TYPE);
                } else {
                    spark.conf().set(OUTPUT_TIMESTAMP_TYPE, before);
                }
            }
        }
    }

    /** {@code run-<started millis>-<tag>-<run id>.parquet}: the tag cut to 40 safe characters, the id 16 hex digits. */
    static String fileName(Instant runTime, String tag, String output) {
        String safeTag = tag == null ? "" : tag.replaceAll("[^A-Za-z0-9._-]", "_");
        safeTag = safeTag.substring(0, Math.min(40, safeTag.length()));
        String id = runTime + "\n" + tag + "\n" + output;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return FILE_PREFIX + runTime.toEpochMilli() + "-" + safeTag + "-" + HexFormat.of().formatHex(digest, 0, 8)
                    + ".parquet";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code _staging-<uuid>-<pid>_<pid start>@<host>}. */
    static String stagingName(OutputClaim.Owner owner) {
        return STAGING_PREFIX + owner.id() + "-" + owner.pid() + "_" + owner.pidStart() + "@" + owner.host();
    }

    /** Deletes the staging directories of appends that can no longer finish. */
    private static void deleteStaleStaging(FileSystem fs, Path table, OutputClaim.Owner me) throws IOException {
        for (FileStatus f : fs.listStatus(table, p -> p.getName().startsWith(STAGING_PREFIX))) {
            Matcher m = STAGING_OWNER.matcher(f.getPath().getName());
            long modified = f.getModificationTime();
            boolean stale;
            if (m.matches() && m.group(4).equals(me.host())) {
                stale = new OutputClaim.Owner(m.group(1), m.group(4), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                        "").isStale(modified);
            } else {
                stale = System.currentTimeMillis() - modified > STAGING_STALE_AFTER.toMillis();
            }
            if (stale) {
                try {
                    fs.delete(f.getPath(), true);
                } catch (IOException e) {
                    // another append is deleting it too
                }
            }
        }
    }
}
