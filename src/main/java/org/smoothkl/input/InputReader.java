package org.smoothkl.input;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.hex;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.AtomicType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.spark.MetricColumns;
import org.smoothkl.spark.Columns;

/**
 * Reads --input with Spark's own readers and checks its schema. Wrong schema or a missing path
 * is an {@link AuditInputException} naming the column (its type and what was expected) or the
 * path; rows that are bad one by one (malformed JSON, logits text that does not parse) are
 * kept and flagged for the kernel to quarantine. Other shapes: token sequences
 * ({@link TokenSequences}, one row per token), NumPy .npz shards ({@link NpzShards}) and Spark ML
 * vector logits ({@link VectorColumns}).
 */
public final class InputReader {
    private static final ArrayType LOGITS_AS_DOUBLES = DataTypes.createArrayType(DataTypes.DoubleType, true);

    private InputReader() {
    }

    /** Reader settings that decide Parquet decode speed (the design page); applied unless the user set them. */
    private static final Map<String, String> SQL_DEFAULTS = Map.of(
            "spark.sql.parquet.enableNestedColumnVectorizedReader", "true",
            "spark.sql.orc.enableNestedColumnVectorizedReader", "true");
    private static final String PARQUET_BATCH_ROWS = "spark.sql.parquet.columnarReaderBatchSize";

    /** The spec's input, read and checked: what the engines score. */
    public static AuditInput read(SparkSession spark, AuditSpec spec) {
        return normalize(load(spark, spec), spec);
    }

    /**
     * The spec's input as its source has it (before the schema checks of {@link #normalize}), with
     * the reader settings for it applied to the session: --input read with its --format (one of
     * Spark's file formats, npz shards, or any other data source, {@link Sources#read}), or the
     * catalog's --table; then the rows --where keeps, a filter right over the read that Spark
     * pushes down to the source.
     */
    public static Dataset<Row> load(SparkSession spark, AuditSpec spec) {
        applyReaderSettings(spark, spec);
        Dataset<Row> raw = spec.source().table() != null ? Sources.table(spark, spec) : readInput(spark, spec);
        return Sources.where(raw, spec);
    }

    /**
     * Where the files of catalog table {@code table} are, if its catalog says (DESCRIBE TABLE
     * EXTENDED's Location): a run must not write there. A missing table is exit 2 naming it.
     */
    public static java.util.Optional<String> tableLocation(SparkSession spark, AuditSpec spec) {
        return Sources.tableLocation(spark, spec);
    }

    /**
     * The --where predicate's own failure while a job scanned the input (an ANSI cast or arithmetic
     * error in the predicate itself), as one line naming it; null when {@code e} is something else.
     */
    public static AuditInputException whereFailure(AuditSpec spec, Throwable e) {
        return Sources.whereFailure(spec, e);
    }

    private static Dataset<Row> readInput(SparkSession spark, AuditSpec spec) {
        if (spec.format() == InputFormat.SOURCE) {
            if (spec.input().contains("/")) { // a path (a source may also take a name: iceberg's db.table)
                checkPathExists(spark, spec);
            }
            return Sources.read(spark, spec);
        }
        checkPathExists(spark, spec);
        Sources.refuseOptions(spec);
        Sources.refuseTableFiles(spark, spec);
        Sources.refuseOtherExtension(spec);
        Dataset<Row> raw;
        try {
            raw = switch (spec.format()) {
                case JSON -> readJson(spark, spec);
                case NPZ -> NpzShards.read(spark, spec);
                case CSV -> readCsv(spark, spec);
                case PARQUET, ORC -> readTyped(spark, spec);
                case SOURCE -> throw new IllegalStateException("read above");
            };
        } catch (Exception e) {
            if (e instanceof AnalysisException) { // e.g. an empty directory: no schema to read
                throw new AuditInputException("cannot read " + spec.input() + " as " + spec.format().code()
                        + Sources.withOptions(spec) + ": " + e.getMessage().lines().findFirst().orElse(""), e);
            }
            if (e instanceof IllegalArgumentException && !spec.source().options().isEmpty()) { // an option's value
                throw new AuditInputException("cannot read " + spec.input() + " as " + spec.format().code()
                        + Sources.withOptions(spec) + ": " + Sources.message(e), e);
            }
            throw e;
        }
        return raw;
    }

    /** A reader with the --option pairs (the reader's own settings, set after them, win). */
    private static org.apache.spark.sql.DataFrameReader reader(SparkSession spark, AuditSpec spec) {
        return spark.read().options(spec.source().options());
    }

    /**
     * Parquet and ORC: the schema merged from every file's footer (Spark's default reads one
     * file's), so that files disagreeing on the type of a column the audit reads are refused here,
     * naming two of them, instead of failing the scan of one. The scan is given the merged schema
     * (a mergeSchema scan would keep the RAPIDS ORC reader off the GPU).
     */
    private static Dataset<Row> readTyped(SparkSession spark, AuditSpec spec) {
        String format = spec.format().code();
        StructType merged;
        try {
            merged = reader(spark, spec).format(format).option("mergeSchema", "true").load(spec.input()).schema();
        } catch (Exception e) {
            Throwable footer = condition(e, "CANNOT_READ_FILE_FOOTER");
            if (footer != null) { // a corrupt or foreign file: the footers meet it before the scan would
                String file = ((SparkThrowable) footer).getMessageParameters().getOrDefault("file", "");
                Throwable cause = footer.getCause() == null ? footer : footer.getCause();
                String why = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
                throw new AuditInputException("cannot read an input file: " + (why.contains(file) ? why : file + ": " + why), e);
            }
            if (condition(e, "CANNOT_MERGE_SCHEMAS") == null) {
                throw e;
            }
            Dataset<Row> one = reader(spark, spec).format(format).load(spec.input());
            requireAgreeingFiles(spark, spec, one.inputFiles());
            return one; // the files disagree only on columns the audit does not read
        }
        return reader(spark, spec).format(format).schema(merged).load(spec.input());
    }

    /** Refuses files that disagree on the type of a column the audit reads, naming the first two. */
    private static void requireAgreeingFiles(SparkSession spark, AuditSpec spec, String[] files) {
        List<String> audited = new ArrayList<>(spec.groupBy());
        audited.add(spec.labelColumn());
        audited.add(spec.logitsColumn());
        String[] sorted = files.clone();
        Arrays.sort(sorted);
        Map<String, String[]> first = new java.util.HashMap<>(); // column → {file, type}
        for (String file : sorted) {
            StructType schema = reader(spark, spec).format(spec.format().code()).load(file).schema();
            for (String c : audited) {
                if (schema.getFieldIndex(c).isEmpty()) {
                    continue;
                }
                String type = schema.apply(c).dataType().simpleString(); // (not nullability: the merge allows that)
                String[] seen = first.putIfAbsent(c, new String[] {file, type});
                if (seen != null && !seen[1].equals(type)) {
                    throw new AuditInputException("input files disagree on the type of column '" + c + "': " + seen[0]
                            + " has " + seen[1] + ", " + file + " has " + type + "; cast it in the files that differ");
                }
            }
        }
    }

    /** The Spark error of this condition in {@code e}'s causes, or null. */
    private static Throwable condition(Throwable e, String condition) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SparkThrowable s && condition.equals(s.getCondition())) {
                return t;
            }
        }
        return null;
    }

    /** Reader settings for this input, each unless the user set it (public: the benchmark's floor reads alike). */
    public static void applyReaderSettings(SparkSession spark, AuditSpec spec) {
        SQL_DEFAULTS.forEach((k, v) -> {
            if (!spark.conf().contains(k)) {
                spark.conf().set(k, v);
            }
        });
        if (spec.format() == InputFormat.PARQUET && spec.input() != null && spec.source().table() == null
                && !spark.sparkContext().getConf().contains(PARQUET_BATCH_ROWS)) {
            // (set in the conf the job started with; a value set on an earlier run does not count)
            ReaderBatchSize.rowsFor(spark.sparkContext().hadoopConfiguration(), spec.input(), spec.logitsColumn())
                    .ifPresent(rows -> spark.conf().set(PARQUET_BATCH_ROWS, Integer.toString(rows)));
        }
    }

    private static void checkPathExists(SparkSession spark, AuditSpec spec) {
        String input = spec.input();
        try {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            // Only a pattern is globbed (as Spark does): Hadoop's globber fails on a name with ':'.
            boolean exists;
            if (spec.format() == InputFormat.NPZ || isGlob(input)) {
                FileStatus[] matches = fs.globStatus(path);
                exists = matches != null && matches.length > 0;
            } else {
                exists = fs.exists(path);
            }
            if (!exists) {
                throw new AuditInputException("input path does not exist: " + input);
            }
            if (path.getName().contains(":") && fs instanceof ChecksumFileSystem && fs.getFileStatus(path).isFile()) {
                // Its checksum file, ".NAME.crc", is joined to the directory as a relative path: a URI scheme to Hadoop.
                throw new AuditInputException("--input " + input + ": the local file system cannot open a file with ':' "
                        + "in its name; rename it (a ':' in a directory name is fine)");
            }
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof java.net.URISyntaxException) {
                throw new AuditInputException("--input " + input + ": Hadoop cannot glob a path with ':' in a name"
                        + (spec.format() == InputFormat.NPZ ? " (npz shards are listed by a glob)" : "")
                        + "; rename it or give the path without a pattern", e);
            }
            throw new AuditInputException("cannot read input path " + input + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new AuditInputException("cannot read input path " + input + ": " + e.getMessage(), e);
        }
    }

    /** Spark's test for a glob pattern (SparkHadoopUtil.isGlobPath). */
    private static boolean isGlob(String path) {
        return path.chars().anyMatch(c -> "{}[]*?\\".indexOf(c) >= 0);
    }

    /**
     * JSON: infer the schema once, then read again with the logits as array&lt;double&gt; (the
     * strings "NaN", "Infinity", "-Infinity" parse as those values) and the label as long, or as
     * inferred when a label has a fraction or exponent ({@code 1.0}: double, checked per row as in
     * Parquet), keeping records that still fail in a corrupt-record column instead of dropping them.
     */
    private static Dataset<Row> readJson(SparkSession spark, AuditSpec spec) {
        StructType inferred = reader(spark, spec).option("columnNameOfCorruptRecord", InputColumns.READER_CORRUPT_RECORD)
                .json(spec.input()).schema();
        List<StructField> fields = new ArrayList<>();
        for (StructField f : inferred.fields()) {
            DataType t = f.dataType();
            if (f.name().equals(spec.logitsColumn()) && t instanceof ArrayType a && a.elementType() instanceof AtomicType) {
                t = LOGITS_AS_DOUBLES;
            } else if (f.name().equals(spec.labelColumn()) && t instanceof AtomicType && !InputColumns.isFractional(t)) {
                t = DataTypes.LongType; // (a label written 1.0, or too big for a long, is inferred double or decimal:
                                        // kept so, it is read as Parquet's is, and a non-integral one is malformed_label)
            } else if (f.name().equals(spec.logitsColumn()) && t instanceof ArrayType a && a.elementType() instanceof ArrayType b
                    && b.elementType() instanceof AtomicType) { // token sequences
                t = DataTypes.createArrayType(LOGITS_AS_DOUBLES, true);
            } else if (f.name().equals(spec.labelColumn()) && t instanceof ArrayType a && a.elementType() instanceof AtomicType) {
                t = DataTypes.createArrayType(DataTypes.LongType, true);
            }
            if (!f.name().equals(InputColumns.READER_CORRUPT_RECORD)) {
                fields.add(DataTypes.createStructField(f.name(), t, true));
            }
        }
        return reader(spark, spec)
                .schema(withCorruptRecord(fields))
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", InputColumns.READER_CORRUPT_RECORD)
                .json(spec.input());
    }

    /**
     * CSV as RFC 4180 has it, as pandas and most tools write it: a quoted field may span lines
     * (multiLine; each file is then read by one task) and a quote inside it is doubled. Every
     * column is text, named by the header; a record with more or fewer fields than the header is
     * kept whole in the corrupt-record column, like a JSON record that does not parse. The header
     * is one line.
     */
    private static Dataset<Row> readCsv(SparkSession spark, AuditSpec spec) {
        Map<String, String> rfc4180 = Map.of("header", "true", "escape", "\"");
        // The names from the first line (a multiLine inference would glob the path, which fails on a ':' in a name).
        StructType header = spark.read().options(rfc4180).options(spec.source().options()).csv(spec.input()).schema();
        return spark.read().options(rfc4180).options(spec.source().options()).option("multiLine", "true")
                .schema(withCorruptRecord(List.of(header.fields())))
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", InputColumns.READER_CORRUPT_RECORD)
                .csv(spec.input());
    }

    private static StructType withCorruptRecord(List<StructField> fields) {
        List<StructField> all = new ArrayList<>(fields);
        all.add(DataTypes.createStructField(InputColumns.READER_CORRUPT_RECORD, DataTypes.StringType, true));
        return DataTypes.createStructType(all);
    }

    /** A source frame checked and shaped for the engines (the logits and label columns parsed where text). */
    public static AuditInput normalize(Dataset<Row> raw, AuditSpec spec) {
        boolean corruptColumn = spec.format().text()
                && Arrays.asList(raw.columns()).contains(InputColumns.READER_CORRUPT_RECORD);
        if (corruptColumn) { // the reader's column, under the name invalid/ shows; a source column of that name is not read
            raw = raw.drop(InputColumns.CORRUPT_RECORD).withColumnRenamed(InputColumns.READER_CORRUPT_RECORD,
                    InputColumns.CORRUPT_RECORD);
        }
        requireOwnName(spec.logitsColumn(), "logits", "--logits-col");
        requireOwnName(spec.labelColumn(), "label", "--label-col");
        spec.groupBy().forEach(g -> requireOwnName(g, "group-by", "--group-by"));
        StructType schema = raw.schema();
        StructField logits = field(schema, spec.logitsColumn(), "--logits-col");
        StructField label = field(schema, spec.labelColumn(), "--label-col");
        for (String g : spec.groupBy()) {
            StructField f = field(schema, g, "--group-by");
            if (!groupable(f.dataType())) {
                throw new AuditInputException("group-by column '" + g + "' has type " + f.dataType().simpleString()
                        + "; expected a plain value (string, number, boolean, date, timestamp or binary)");
            }
            if (f.dataType() instanceof BinaryType) {
                // bytes name a slice as hex text, "0x00ff": equal by content, printable in every output
                raw = raw.withColumn(g, concat(lit("0x"), lower(hex(Columns.quoted(g)))));
            }
        }

        List<String> kept = kept(schema, spec);

        if (TokenSequences.requested(logits, label)) {
            return TokenSequences.flatten(raw, spec, logits, label, corruptColumn ? InputColumns.CORRUPT_RECORD : null, kept);
        }

        List<String> source = new ArrayList<>(spec.groupBy());
        source.add(spec.labelColumn());
        source.add(spec.logitsColumn());
        if (corruptColumn) {
            source.add(InputColumns.CORRUPT_RECORD);
        }
        source.addAll(kept);

        String logitsCol = spec.logitsColumn();
        String labelCol = spec.labelColumn();
        List<Column> problems = new ArrayList<>();
        // Only the columns the audit needs, in the source's order: a plain scan of them stays a columnar scan.
        List<Column> columns = new ArrayList<>(Arrays.stream(raw.columns()).filter(source::contains).map(Columns::quoted).toList());
        if (corruptColumn) {
            problems.add(when(col(InputColumns.CORRUPT_RECORD).isNotNull(), lit(InvalidReason.MALFORMED_RECORD.code())));
        }

        boolean text = spec.format().text();
        if (logits.dataType() == DataTypes.StringType && text) { // CSV, or JSON holding the array as text
            Column parsed = from_json(Columns.quoted(logitsCol), LOGITS_AS_DOUBLES, Map.of());
            columns.add(parsed.as(InputColumns.PARSED_LOGITS));
            problems.add(when(Columns.quoted(logitsCol).isNotNull().and(parsed.isNull()), lit(InvalidReason.MALFORMED_LOGITS.code())));
            logitsCol = InputColumns.PARSED_LOGITS;
        } else if (VectorColumns.isVector(logits.dataType())) { // Spark ML vectors, dense or sparse
            columns.add(VectorColumns.toArray(Columns.quoted(logitsCol)).as(InputColumns.PARSED_LOGITS));
            logitsCol = InputColumns.PARSED_LOGITS;
        } else if (!InputColumns.isFloatingArray(logits.dataType())) {
            throw new AuditInputException("logits column '" + logitsCol + "' has type " + logits.dataType().simpleString()
                    + "; expected array<float> or array<double>" + textHint(logits));
        }

        Column labelValue = Columns.quoted(labelCol);
        Column parsedLabel = null;
        if (label.dataType() == DataTypes.StringType && text) {
            // "3", or a number holding an integer as written by a double ("3.0", "3e0"), as a double label is read
            parsedLabel = org.apache.spark.sql.functions.coalesce(labelValue.try_cast(DataTypes.LongType),
                    integralLabel(labelValue.try_cast(DataTypes.DoubleType), DataTypes.DoubleType));
        } else if (InputColumns.isFractional(label.dataType())) {
            parsedLabel = integralLabel(labelValue, label.dataType());
        } else if (!InputColumns.isIntegral(label.dataType())) {
            throw new AuditInputException("label column '" + labelCol + "' has type " + label.dataType().simpleString()
                    + "; expected int or long (bigint), or float, double or decimal holding integers" + textHint(label));
        }
        if (parsedLabel != null) {
            columns.add(parsedLabel.as(InputColumns.PARSED_LABEL));
            problems.add(when(labelValue.isNotNull().and(parsedLabel.isNull()), lit(InvalidReason.MALFORMED_LABEL.code())));
            labelCol = InputColumns.PARSED_LABEL;
        }

        String errorCol = null;
        if (!problems.isEmpty()) {
            columns.add(org.apache.spark.sql.functions.coalesce(problems.toArray(Column[]::new)).as(InputColumns.INPUT_ERROR));
            errorCol = InputColumns.INPUT_ERROR;
        }
        Dataset<Row> frame = raw.select(columns.toArray(Column[]::new));
        return new AuditInput(frame, logitsCol, labelCol, errorCol, spec.groupBy(), source, kept, false);
    }

    /**
     * A float, double or decimal label as a long where it holds an integer: 3.0 is label 3; 3.5,
     * NaN, ±∞ and values beyond a long's range are null (try_cast: null, or truncated; but a float
     * or double 2⁶³ passes its bound check and saturates to 2⁶³ − 1, which reads back as 2⁶³).
     */
    public static Column integralLabel(Column value, DataType type) {
        Column truncated = value.try_cast(DataTypes.LongType);
        Column integral = truncated.cast(type).equalTo(value);
        if (!(type instanceof DecimalType)) {
            integral = integral.and(value.lt(lit(0x1p63)));
        }
        return when(integral, truncated);
    }

    /**
     * The --keep columns to carry into invalid/ and rows/, each once: the label and slice columns
     * are written already, so they are left out (the logits, which rows/ never holds, are refused).
     * A kept column must exist and must not be named like a column the audit writes.
     */
    private static List<String> kept(StructType schema, AuditSpec spec) {
        List<String> kept = new ArrayList<>();
        for (String k : spec.source().keep()) {
            if (k.equals(spec.logitsColumn())) {
                throw new AuditInputException("kept column '" + k + "' (--keep) is the logits column: invalid/ holds the "
                        + "logits of quarantined rows already, and rows/ holds no logits");
            }
            requireOwnName(k, "kept", "--keep");
            field(schema, k, "--keep");
            if (!k.equals(spec.labelColumn()) && !spec.groupBy().contains(k) && !kept.contains(k)) {
                kept.add(k);
            }
        }
        return kept;
    }

    /**
     * The types a slice can be grouped by: values with an equality Spark and the summary agree on.
     * Not nested types, variant (Spark cannot group it), intervals (a time span is no slice name).
     */
    private static boolean groupable(DataType t) {
        return t instanceof BooleanType || t instanceof NumericType || t instanceof StringType || t instanceof BinaryType
                || t instanceof DateType || t instanceof TimestampType || t instanceof TimestampNTZType;
    }

    /**
     * A typed format (Parquet, ORC) states its types: a string where numbers belong is the
     * producer's mistake (often class names instead of indices), not text to guess at.
     */
    private static String textHint(StructField f) {
        return f.dataType() == DataTypes.StringType ? " (text is parsed only in csv and json input; cast the column)" : "";
    }

    /** A source column the audit reads must not share a name with a column it adds (a clash, not a silent mix-up). */
    private static void requireOwnName(String name, String role, String flag) {
        String clash = MetricColumns.NAMES.contains(name) ? "clashes with the metric column of that name"
                : InputColumns.OUTPUT_COLUMNS.contains(name) ? "clashes with the column of that name smoothkl writes to invalid/ and rows/"
                : flag.equals("--group-by") && InputColumns.HISTOGRAM_COLUMNS.contains(name)
                        ? "clashes with the column of that name smoothkl writes to histograms/"
                : name.startsWith(InputColumns.INTERNAL_PREFIX) ? "starts with " + InputColumns.INTERNAL_PREFIX + ", which smoothkl keeps for its own columns"
                : null;
        if (clash != null) {
            throw new AuditInputException(role + " column '" + name + "' (" + flag + ") " + clash + "; rename it");
        }
    }

    private static StructField field(StructType schema, String name, String flag) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new AuditInputException("input has no column '" + name + "' (" + flag + "); its columns are "
                + String.join(", ", schema.fieldNames()));
    }

}
