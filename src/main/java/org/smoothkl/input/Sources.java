package org.smoothkl.input;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.EditDistance;
import org.smoothkl.audit.InputFormat;

/**
 * The sources besides Spark's file formats, and what they refuse: a catalog table (--table), any
 * other Spark data source named by --format (delta, iceberg, avro, a class name) with its reader
 * options (--option), the filter applied right after the read (--where), and a directory that is
 * a Delta or Iceberg table read as plain files (which would count every version's files). Every
 * refusal is an {@link AuditInputException}: one line naming the flag and the problem.
 */
final class Sources {
    /** The jars of the table formats users ask for, as spark-submit's --packages takes them. */
    static final String DELTA_PACKAGE = "io.delta:delta-spark_2.13:4.0.0";
    static final String ICEBERG_PACKAGE = "org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.10.0";
    /** The session settings Delta needs for any read (its DeltaLog refuses a session without them). */
    static final String DELTA_CONFS = "--conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension"
            + " --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog";
    /** Names --format is likely meant to be: the suggestions for a misspelt one. */
    private static final List<String> KNOWN = List.of("parquet", "orc", "json", "csv", "npz", "delta", "iceberg", "avro", "text");

    private Sources() {
    }

    // ---- --table

    /** {@code --table NAME} through the session's catalog, with the --option pairs (time travel of a v2 table). */
    static Dataset<Row> table(SparkSession spark, AuditSpec spec) {
        String name = requireTable(spec);
        try {
            return spark.read().options(spec.source().options()).table(name);
        } catch (Exception e) {
            throw tableProblem(spark, name, e);
        }
    }

    /** The spec's --table, refused when empty or given with a --format (the catalog knows the format). */
    static String requireTable(AuditSpec spec) {
        String name = spec.source().table();
        if (name.isBlank()) {
            throw new AuditInputException("--table is an empty name (give db.table or catalog.db.table)");
        }
        if (spec.format() != InputFormat.PARQUET) { // the default: what the catalog says is read
            throw new AuditInputException("--format " + formatName(spec) + " does not apply to --table " + name
                    + ": the catalog knows the table's format; drop --format");
        }
        return name;
    }

    /** Where the spec's table's files are (a catalog's "Location"), if it has one: no output may lie there. */
    static Optional<String> tableLocation(SparkSession spark, AuditSpec spec) {
        String name = requireTable(spec);
        List<Row> rows;
        try {
            rows = spark.sql("DESCRIBE TABLE EXTENDED " + quotedName(spark, name)).collectAsList();
        } catch (Exception e) {
            throw tableProblem(spark, name, e);
        }
        for (Row r : rows) {
            if ("Location".equals(r.getString(0)) && r.get(1) != null && !r.getString(1).isBlank()) {
                return Optional.of(r.getString(1).strip());
            }
        }
        return Optional.empty();
    }

    /** {@code a.b.c} with each part back-quoted, as the parser splits it (a ParseException for a bad name). */
    private static String quotedName(SparkSession spark, String name) throws Exception {
        List<String> quoted = new ArrayList<>();
        for (String part : scala.jdk.javaapi.CollectionConverters.asJava(
                spark.sessionState().sqlParser().parseMultipartIdentifier(name))) {
            quoted.add("`" + part.replace("`", "``") + "`");
        }
        return String.join(".", quoted);
    }

    private static AuditInputException tableProblem(SparkSession spark, String name, Exception e) {
        String condition = condition(e);
        String catalogs = spark.sparkContext().getConf().get("spark.sql.catalogImplementation", "in-memory");
        String why;
        if ("TABLE_OR_VIEW_NOT_FOUND".equals(condition)) {
            why = "no such table or view in the session's catalog" + ("hive".equals(catalogs) ? ""
                    : " (spark.sql.catalogImplementation is " + catalogs + ": this run's own, empty catalog; a Hive"
                    + " metastore's tables need spark.sql.catalogImplementation=hive and its hive-site.xml)");
        } else if ("REQUIRES_SINGLE_PART_NAMESPACE".equals(condition)) {
            String catalog = name.substring(0, Math.max(0, name.indexOf('.')));
            why = "no catalog '" + catalog + "' is configured (spark.sql.catalog." + catalog + "), and the session catalog"
                    + " takes db.table names";
        } else if (condition != null && condition.startsWith("PARSE_")) {
            why = "not a table name (db.table or catalog.db.table; quote a part with backticks): " + message(e);
        } else if (e instanceof AnalysisException || condition != null) {
            why = message(e);
        } else {
            throw rethrow(e);
        }
        return new AuditInputException("--table " + name + ": " + why, e);
    }

    // ---- --format SOURCE

    /** Any other data source: {@code spark.read().format(name).options(opts).load(input)}, its failures as one line. */
    static Dataset<Row> read(SparkSession spark, AuditSpec spec) {
        String name = spec.source().sourceName();
        try {
            return spark.read().format(name).options(spec.source().options()).load(spec.input());
        } catch (Exception | LinkageError e) {
            throw sourceProblem(spark, spec, e);
        }
    }

    private static AuditInputException sourceProblem(SparkSession spark, AuditSpec spec, Throwable e) {
        String name = spec.source().sourceName();
        String condition = condition(e);
        if ("DATA_SOURCE_NOT_FOUND".equals(condition) || (condition != null && condition.startsWith("_LEGACY_ERROR_TEMP_11")
                && String.valueOf(e.getMessage()).startsWith("Failed to find data source")) || e instanceof LinkageError
                || cause(e, ClassNotFoundException.class) != null) {
            return new AuditInputException("--format " + name + ": " + missingSource(spark, name, e), e);
        }
        if (condition != null && condition.startsWith("DELTA_CONFIGURE_SPARK_SESSION_WITH_EXTENSION_AND_CATALOG")) {
            return new AuditInputException("--format " + name + " needs the session configured for Delta: " + DELTA_CONFS
                    + " (submit/local: as -D options in SMOOTHKL_JAVA_OPTS)", e);
        }
        if (e instanceof AnalysisException || condition != null || e instanceof IllegalArgumentException) {
            String kind = spec.input().contains("/") ? tableKindOf(spark, spec.input()) : "?";
            String lower = name.toLowerCase(Locale.ROOT);
            if ((lower.equals("delta") || lower.equals("iceberg")) && !"?".equals(kind) && !lower.equals(kind)) {
                return new AuditInputException("--input " + spec.input() + " is no " + lower + " table (" + (lower.equals("delta")
                        ? "it has no _delta_log/" : "it has no metadata/*.metadata.json") + ")"
                        + (kind == null ? "" : "; it is a" + (kind.equals("iceberg") ? "n" : "") + " " + kind
                        + " table: give --format " + kind), e);
            }
            return new AuditInputException("cannot read " + spec.input() + " as " + name + withOptions(spec) + ": " + message(e), e);
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw rethrow((Exception) e);
    }

    /** Why {@code name} is no data source here, and what would make it one. */
    private static String missingSource(SparkSession spark, String name, Throwable e) {
        String lower = name.toLowerCase(Locale.ROOT);
        String jars = " (submit/local: SMOOTHKL_EXTRA_CLASSPATH=its jars, ':'-separated"
                + (lower.equals("delta") ? "; the --conf as -D options in SMOOTHKL_JAVA_OPTS)" : ")");
        switch (lower) {
            case "delta":
                return "Spark has no 'delta' data source on its classpath; add Delta Lake's jar: spark-submit --packages "
                        + DELTA_PACKAGE + " " + DELTA_CONFS + jars;
            case "iceberg":
                return "Spark has no 'iceberg' data source on its classpath; add Iceberg's runtime jar: spark-submit --packages "
                        + ICEBERG_PACKAGE + jars;
            case "avro":
                return "Spark's avro module is not on the classpath; add it: spark-submit --packages org.apache.spark:spark-avro_2.13:"
                        + spark.version() + jars;
            default:
                break;
        }
        Throwable linkage = e instanceof LinkageError ? e : cause(e, LinkageError.class);
        if (linkage != null) { // the source is there, a class it needs is not
            return "its data source is on the classpath but a class it needs is missing (" + linkage
                    + "); add the source's dependencies (spark-submit --packages resolves them)";
        }
        String near = EditDistance.nearest(lower, KNOWN);
        if (!name.contains(".") && near != null) {
            return "no Spark data source of that name; did you mean " + near + "?";
        }
        return "no Spark data source of that name on the classpath (" + (name.contains(".") ? "no class " + name + " nor "
                + name + ".DefaultSource" : "the built-in formats are parquet, orc, json, csv, npz")
                + "); a source's jar goes on the classpath with spark-submit --packages or --jars" + jars;
    }

    /** " with --option k=v, k2=v2", or nothing without options. */
    static String withOptions(AuditSpec spec) {
        Map<String, String> options = spec.source().options();
        return options.isEmpty() ? "" : " with --option " + options.entrySet().stream()
                .map(o -> o.getKey() + "=" + o.getValue()).collect(Collectors.joining(", "));
    }

    // ---- --where

    /** The rows --where keeps (the frame as is without it): a Filter right over the read, which Spark pushes down. */
    static Dataset<Row> where(Dataset<Row> raw, AuditSpec spec) {
        String predicate = spec.source().where();
        if (predicate == null) {
            return raw;
        }
        String flag = "--where \"" + predicate + "\"";
        if (predicate.isBlank()) {
            throw new AuditInputException("--where is empty; give a Spark SQL predicate, e.g. --where \"day = '2026-12-01'\"");
        }
        try {
            return raw.where(predicate);
        } catch (Exception e) {
            String condition = condition(e);
            if (condition != null && condition.startsWith("PARSE_")) {
                throw new AuditInputException(flag + " is not a Spark SQL predicate: " + message(e), e);
            }
            if (condition != null && condition.startsWith("UNRESOLVED_COLUMN")) {
                String column = ((SparkThrowable) find(e, condition)).getMessageParameters().getOrDefault("objectName", "?");
                throw new AuditInputException(flag + " names no column of the input: " + column + "; its columns are "
                        + String.join(", ", raw.columns()), e);
            }
            if (e instanceof AnalysisException || condition != null) {
                throw new AuditInputException(flag + ": " + message(e), e);
            }
            throw rethrow(e);
        }
    }

    /**
     * The --where predicate's own failure during the scan, as one line, or null when {@code e} is
     * something else: an ANSI error (a cast of malformed text, a division by zero, an overflow) is
     * the predicate's when its query context is a fragment of the predicate's SQL text. Other
     * failures, of the kernel, a view's own SQL or a task, have another context, or none.
     */
    static AuditInputException whereFailure(AuditSpec spec, Throwable e) {
        String predicate = spec.source().where();
        if (predicate == null || predicate.isBlank()) {
            return null;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SparkThrowable s && s.getCondition() != null) {
                for (org.apache.spark.QueryContext q : s.getQueryContext()) {
                    if (q.contextType() == org.apache.spark.QueryContextType.SQL && q.objectType().isEmpty()
                            && !q.fragment().isEmpty() && predicate.contains(q.fragment())) {
                        return new AuditInputException("--where \"" + predicate + "\" fails on the input's rows at "
                                + q.fragment() + ": " + message(t), e);
                    }
                }
            }
        }
        return null;
    }

    // ---- a table read as files

    /**
     * Refuses to read a Delta or Iceberg table (the input, a directory inside it, or a glob under
     * it) as plain files: its directory keeps the files of every version, deleted rows and
     * rewritten files included, so the count would be wrong. Names the --format that reads it.
     */
    static void refuseTableFiles(SparkSession spark, AuditSpec spec) {
        String input = spec.input();
        try {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            Path dir = fs.makeQualified(path);
            while (dir != null && isGlob(dir.toUri().getPath())) {
                dir = dir.getParent();
            }
            for (; dir != null; dir = dir.getParent()) {
                String kind = tableKind(fs, dir);
                if (kind != null) {
                    String where = dir.equals(fs.makeQualified(path)) ? "is" : "lies in " + dir + ", which is";
                    throw new AuditInputException("--input " + input + " " + where + " a " + kind + " table ("
                            + (kind.equals("Delta") ? "it has _delta_log/" : "it has metadata/*.metadata.json") + "): read as "
                            + formatName(spec) + " files it would count the files of every version, deleted rows too; give --format "
                            + kind.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // the read names the path's problem itself
        }
    }

    /** "delta", "iceberg", null (neither) or "?" (it cannot be told): what table {@code input} is the root of. */
    private static String tableKindOf(SparkSession spark, String input) {
        try {
            Path path = new Path(input);
            String kind = tableKind(path.getFileSystem(spark.sparkContext().hadoopConfiguration()), path);
            return kind == null ? null : kind.toLowerCase(Locale.ROOT);
        } catch (IOException | IllegalArgumentException e) {
            return "?";
        }
    }

    /** "Delta", "Iceberg" or null: what table {@code dir} is the root of. */
    private static String tableKind(FileSystem fs, Path dir) throws IOException {
        if (isDirectory(fs, new Path(dir, "_delta_log"))) {
            return "Delta";
        }
        Path metadata = new Path(dir, "metadata");
        if (isDirectory(fs, metadata)
                && fs.listStatus(metadata, p -> p.getName().endsWith(".metadata.json")).length > 0) {
            return "Iceberg";
        }
        return null;
    }

    private static boolean isDirectory(FileSystem fs, Path p) throws IOException {
        try {
            FileStatus s = fs.getFileStatus(p);
            return s.isDirectory();
        } catch (java.io.FileNotFoundException e) {
            return false;
        }
    }

    /** Refuses --option for npz (its shards have no reader options) before anything is read. */
    static void refuseOptions(AuditSpec spec) {
        if (spec.format() == InputFormat.NPZ && !spec.source().options().isEmpty()) {
            throw new AuditInputException("--option " + String.join(", ", spec.source().options().keySet())
                    + ": npz shards take no reader options (--option is for Spark's readers)");
        }
    }

    /**
     * Refuses an input whose extension names another of the file formats than the one --format
     * (or the config file) gave, e.g. preds.csv read as Parquet: without --format the extension
     * decides ({@link FormatInference}), so a format given against it is a mistake, and naming it
     * beats the reader's footer error. Any other data source (avro, delta, …) reads what it reads.
     */
    static void refuseOtherExtension(AuditSpec spec) {
        if (spec.format() == InputFormat.SOURCE) {
            return;
        }
        FormatInference.ofExtension(spec.input()).filter(f -> f != spec.format()).ifPresent(f -> {
            throw new AuditInputException("--input " + spec.input() + " has the extension of " + f.code()
                    + " files but --format is " + spec.format().code() + "; drop --format (the extension then decides), or rename it"
                    + " if it holds " + spec.format().code());
        });
    }

    // ---- helpers

    static String formatName(AuditSpec spec) {
        return spec.format() == InputFormat.SOURCE ? spec.source().sourceName() : spec.format().code();
    }

    private static boolean isGlob(String path) {
        return path.chars().anyMatch(c -> "{}[]*?\\".indexOf(c) >= 0);
    }

    /** The condition of the first Spark error in {@code e}'s causes, or null. */
    static String condition(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SparkThrowable s && s.getCondition() != null) {
                return s.getCondition();
            }
        }
        return null;
    }

    private static Throwable find(Throwable e, String condition) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SparkThrowable s && condition.equals(s.getCondition())) {
                return t;
            }
        }
        return e;
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /**
     * A Spark message as one line: its first non-blank line without the "[CONDITION] " prefix
     * and the trailing "SQLSTATE: …" (a ParseException's message starts with a blank line).
     */
    static String message(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        String line = String.valueOf(t.getMessage()).lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        line = line.replaceFirst("^\\[[A-Z0-9_.]+\\]\\s*", "");
        line = line.replaceFirst("\\s*SQLSTATE: \\w+.*$", "");
        return line;
    }

    private static RuntimeException rethrow(Exception e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        throw new IllegalStateException(e);
    }
}
