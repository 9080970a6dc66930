package org.smoothkl.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.AtomicType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.loss.InvalidReason;

/**
 * Reads --input with Spark's own readers and checks its schema. Wrong schema or a missing path
 * is an {@link AuditInputException} naming the column (its type and what was expected) or the
 * path; rows that are bad one by one (malformed JSON, logits text that does not parse) are
 * kept and flagged for the kernel to quarantine. Other shapes: token sequences
 * ({@link TokenSequences}, one row per token), NumPy .npz shards ({@link NpzShards}) and Spark ML
 * vector logits ({@link VectorColumns}).
 */
public final class InputReader {
    /** Reader-side reason a row is bad (an {@link InvalidReason} code), or null. */
    public static final String INPUT_ERROR = "_smoothkl_input_error";
    static final String PARSED_LOGITS = "_smoothkl_logits";
    static final String PARSED_LABEL = "_smoothkl_label";
    static final String CORRUPT_RECORD = "_corrupt_record";
    /** Formats whose logits and labels may arrive as text, parsed per row (bad text is quarantined). */
    private static final java.util.Set<String> TEXT_FORMATS = java.util.Set.of("csv", "json");
    private static final ArrayType LOGITS_AS_DOUBLES = DataTypes.createArrayType(DataTypes.DoubleType, true);

    private InputReader() {
    }

    public static AuditInput read(SparkSession spark, AuditSpec spec) {
        checkPathExists(spark, spec.input());
        Dataset<Row> raw;
        try {
            raw = switch (spec.format()) {
                case "json" -> readJson(spark, spec);
                case "npz" -> NpzShards.read(spark, spec);
                // RFC 4180 quoting (a quote inside a quoted field is doubled), as pandas and most tools write it.
                case "csv" -> spark.read().option("header", "true").option("escape", "\"").option("mode", "PERMISSIVE")
                        .csv(spec.input());
                default -> spark.read().format(spec.format()).load(spec.input());
            };
        } catch (Exception e) {
            if (e instanceof AnalysisException) { // e.g. an empty directory: no schema to read
                throw new AuditInputException("cannot read " + spec.input() + " as " + spec.format() + ": "
                        + e.getMessage().lines().findFirst().orElse(""), e);
            }
            throw e;
        }
        return normalize(raw, spec);
    }

    private static void checkPathExists(SparkSession spark, String input) {
        try {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            FileStatus[] matches = fs.globStatus(path);
            if (matches == null || matches.length == 0) {
                throw new AuditInputException("input path does not exist: " + input);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new AuditInputException("cannot read input path " + input + ": " + e.getMessage(), e);
        }
    }

    /**
     * JSON: infer the schema once, then read again with the logits as array&lt;double&gt; (the
     * strings "NaN", "Infinity", "-Infinity" parse as those values) and the label as long, keeping
     * records that still fail in a corrupt-record column instead of dropping them.
     */
    private static Dataset<Row> readJson(SparkSession spark, AuditSpec spec) {
        StructType inferred = spark.read().json(spec.input()).schema();
        List<StructField> fields = new ArrayList<>();
        for (StructField f : inferred.fields()) {
            DataType t = f.dataType();
            if (f.name().equals(spec.logitsColumn()) && t instanceof ArrayType a && a.elementType() instanceof AtomicType) {
                t = LOGITS_AS_DOUBLES;
            } else if (f.name().equals(spec.labelColumn()) && t instanceof AtomicType) {
                t = DataTypes.LongType;
            } else if (f.name().equals(spec.logitsColumn()) && t instanceof ArrayType a && a.elementType() instanceof ArrayType b
                    && b.elementType() instanceof AtomicType) { // token sequences
                t = DataTypes.createArrayType(LOGITS_AS_DOUBLES, true);
            } else if (f.name().equals(spec.labelColumn()) && t instanceof ArrayType a && a.elementType() instanceof AtomicType) {
                t = DataTypes.createArrayType(DataTypes.LongType, true);
            }
            if (!f.name().equals(CORRUPT_RECORD)) {
                fields.add(DataTypes.createStructField(f.name(), t, true));
            }
        }
        fields.add(DataTypes.createStructField(CORRUPT_RECORD, DataTypes.StringType, true));
        return spark.read()
                .schema(DataTypes.createStructType(fields))
                .option("mode", "PERMISSIVE")
                .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
                .json(spec.input());
    }

    static AuditInput normalize(Dataset<Row> raw, AuditSpec spec) {
        StructType schema = raw.schema();
        StructField logits = field(schema, spec.logitsColumn(), "--logits-col");
        StructField label = field(schema, spec.labelColumn(), "--label-col");
        for (String g : spec.groupBy()) {
            StructField f = field(schema, g, "--group-by");
            if (!(f.dataType() instanceof AtomicType)) {
                throw new AuditInputException("group-by column '" + g + "' has type " + f.dataType().simpleString()
                        + "; expected a plain value (string, number, boolean, date)");
            }
            if (MetricColumns.NAMES.contains(g)) {
                throw new AuditInputException("group-by column '" + g + "' clashes with the metric column of that name; rename it");
            }
        }

        boolean corruptColumn = Arrays.asList(schema.fieldNames()).contains(CORRUPT_RECORD);
        if (TokenSequences.requested(logits, label)) {
            return TokenSequences.flatten(raw, spec, logits, label, corruptColumn ? CORRUPT_RECORD : null);
        }

        List<String> source = new ArrayList<>(spec.groupBy());
        source.add(spec.labelColumn());
        source.add(spec.logitsColumn());
        if (corruptColumn) {
            source.add(CORRUPT_RECORD);
        }

        String logitsCol = spec.logitsColumn();
        String labelCol = spec.labelColumn();
        List<Column> problems = new ArrayList<>();
        List<Column> columns = new ArrayList<>(source.stream().map(InputReader::quoted).toList());
        if (corruptColumn) {
            problems.add(when(col(CORRUPT_RECORD).isNotNull(), lit(InvalidReason.MALFORMED_RECORD.code())));
        }

        boolean text = TEXT_FORMATS.contains(spec.format());
        if (logits.dataType() == DataTypes.StringType && text) { // CSV, or JSON holding the array as text
            Column parsed = from_json(quoted(logitsCol), LOGITS_AS_DOUBLES, Map.of());
            columns.add(parsed.as(PARSED_LOGITS));
            problems.add(when(quoted(logitsCol).isNotNull().and(parsed.isNull()), lit(InvalidReason.MALFORMED_LOGITS.code())));
            logitsCol = PARSED_LOGITS;
        } else if (VectorColumns.isVector(logits.dataType())) { // Spark ML vectors, dense or sparse
            columns.add(VectorColumns.toArray(quoted(logitsCol)).as(PARSED_LOGITS));
            logitsCol = PARSED_LOGITS;
        } else if (!isFloatingArray(logits.dataType())) {
            throw new AuditInputException("logits column '" + logitsCol + "' has type " + logits.dataType().simpleString()
                    + "; expected array<float> or array<double>" + textHint(logits));
        }

        if (label.dataType() == DataTypes.StringType && text) {
            Column parsed = quoted(labelCol).try_cast(DataTypes.LongType);
            columns.add(parsed.as(PARSED_LABEL));
            problems.add(when(quoted(labelCol).isNotNull().and(parsed.isNull()), lit(InvalidReason.MALFORMED_LABEL.code())));
            labelCol = PARSED_LABEL;
        } else if (!isIntegral(label.dataType())) {
            throw new AuditInputException("label column '" + labelCol + "' has type " + label.dataType().simpleString()
                    + "; expected int or long (bigint)" + textHint(label));
        }

        String errorCol = null;
        if (!problems.isEmpty()) {
            columns.add(org.apache.spark.sql.functions.coalesce(problems.toArray(Column[]::new)).as(INPUT_ERROR));
            errorCol = INPUT_ERROR;
        }
        Dataset<Row> frame = raw.select(columns.toArray(Column[]::new));
        return new AuditInput(frame, logitsCol, labelCol, errorCol, spec.groupBy(), source);
    }

    /**
     * A typed format (Parquet, ORC) states its types: a string where numbers belong is the
     * producer's mistake (often class names instead of indices), not text to guess at.
     */
    private static String textHint(StructField f) {
        return f.dataType() == DataTypes.StringType ? " (text is parsed only in csv and json input; cast the column)" : "";
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

    static boolean isFloatingArray(DataType t) {
        return t instanceof ArrayType a
                && (a.elementType() == DataTypes.FloatType || a.elementType() == DataTypes.DoubleType);
    }

    static boolean isIntegral(DataType t) {
        return t == DataTypes.IntegerType || t == DataTypes.LongType
                || t == DataTypes.ShortType || t == DataTypes.ByteType;
    }

    static Column quoted(String name) {
        return col("`" + name.replace("`", "``") + "`");
    }
}
