package org.smoothkl.input;

import static org.apache.spark.sql.functions.arrays_zip;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode_outer;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.spark.MetricColumns;
import org.smoothkl.spark.Columns;
import org.smoothkl.spark.SparkInternals;

/**
 * Token sequences (NMT, language models): logits {@code array<array<float|double>>} (T × V per
 * row) with labels {@code array<int|long>} (T). Each token becomes one audited row, as the
 * criterion's {@code view(-1, V)} does; padding tokens carry the ignore index and are ignored like
 * any other row. The flattening is Spark SQL before the engine ({@code posexplode_outer} of
 * {@code arrays_zip(logits, label)}), so every engine scores tokens as plain rows; the slice
 * and kept (--keep) columns of the sequence are carried to its tokens.
 *
 * <p>A sequence that has no token structure is one invalid row, kept whole in
 * {@value #SEQUENCE_LOGITS}/{@value #SEQUENCE_LABEL}: null logits or labels, T of the logits ≠ T
 * of the labels ({@code sequence_length_mismatch}), T = 0 ({@code empty_sequence}), or tokens of
 * different V ({@code ragged_sequence}). Token-level problems (a null token, NaN logits, a label
 * out of range) are the kernel's, one token at a time.
 *
 * <p>Per-sequence totals: after scoring, {@link #withSequenceTotals} walks each partition once
 * (a sequence's tokens are consecutive in one partition: explode keeps them together and the
 * engines keep row order) and puts on the last row of every sequence its token count and the sums
 * of the preset's loss and of the NLL over its valid tokens. The aggregation adds those up per
 * slice in the same single scan.
 */
public final class TokenSequences {
    /*
     * TOKEN, SEQUENCE_LOGITS and SEQUENCE_LABEL are output columns (invalid/, rows/), so a source
     * column may not have their names; the others are internal and start with _smoothkl_.
     */
    /** The token's position in its sequence (0-based); null on the row of a malformed sequence. */
    public static final String TOKEN = "_token";
    /** A malformed sequence's logits and labels, as given; null on token rows. */
    public static final String SEQUENCE_LOGITS = "_sequence_logits";
    public static final String SEQUENCE_LABEL = "_sequence_label";
    /** On the last row of each sequence: its tokens (0 for a malformed one); null elsewhere. */
    public static final String SEQ_TOKENS = "_smoothkl_seq_tokens";
    /** On the last row of a sequence whose tokens are all valid or ignored, with ≥ 1 valid: Σ loss. */
    public static final String SEQ_LOSS = "_smoothkl_seq_loss";
    public static final String SEQ_NLL = "_smoothkl_seq_nll";
    static final String LENGTH = "_smoothkl_seq_len";
    private static final String Z = "_smoothkl_z";
    private static final String Y = "_smoothkl_y";
    private static final String ZIPPED = "_smoothkl_token";

    private TokenSequences() {
    }

    /** Whether {@code logits}/{@code label} ask for token sequences (either one nested). */
    static boolean requested(StructField logits, StructField label) {
        return logits.dataType() instanceof ArrayType a && a.elementType() instanceof ArrayType
                || label.dataType() instanceof ArrayType;
    }

    static boolean isSequenceOfLogits(DataType t) {
        return t instanceof ArrayType a && InputColumns.isFloatingArray(a.elementType());
    }

    /** One row per token, from a source of one row per sequence; the slice and {@code kept} columns go onto each token. */
    static AuditInput flatten(Dataset<Row> raw, AuditSpec spec, StructField logits, StructField label, String corrupt,
                              List<String> kept) {
        String logitsCol = spec.logitsColumn();
        String labelCol = spec.labelColumn();
        if (!isSequenceOfLogits(logits.dataType())) {
            throw new AuditInputException("logits column '" + logitsCol + "' has type " + logits.dataType().simpleString()
                    + "; label column '" + labelCol + "' is an array (token sequences), so expected "
                    + "array<array<float>> or array<array<double>>");
        }
        if (!(label.dataType() instanceof ArrayType a && InputColumns.isIntegral(a.elementType()))) {
            throw new AuditInputException("label column '" + labelCol + "' has type " + label.dataType().simpleString()
                    + "; the logits are token sequences (" + logits.dataType().simpleString()
                    + "), so expected array<int> or array<bigint>");
        }
        List<String> perSequence = new ArrayList<>(spec.groupBy()); // carried to every token of the sequence
        perSequence.addAll(kept);
        List<Column> carried = perSequence.stream().map(Columns::quoted).toList();
        Column z = col(Z);
        Column y = col(Y);
        List<Column> problems = new ArrayList<>();
        if (corrupt != null) {
            problems.add(when(Columns.quoted(corrupt).isNotNull(), lit(InvalidReason.MALFORMED_RECORD.code())));
        }
        problems.add(when(z.isNull(), lit(InvalidReason.NULL_LOGITS.code()))
                .when(y.isNull(), lit(InvalidReason.NULL_LABEL.code()))
                .when(size(z).notEqual(size(y)), lit(InvalidReason.SEQUENCE_LENGTH_MISMATCH.code()))
                .when(size(z).equalTo(0), lit(InvalidReason.EMPTY_SEQUENCE.code()))
                .when(expr("array_min(" + sizesSql() + ") <> array_max(" + sizesSql() + ")"),
                        lit(InvalidReason.RAGGED_SEQUENCE.code())));

        List<Column> first = new ArrayList<>(carried);
        first.add(Columns.quoted(logitsCol).as(Z));
        first.add(Columns.quoted(labelCol).as(Y));
        if (corrupt != null) {
            first.add(Columns.quoted(corrupt));
        }
        Dataset<Row> checked = raw.select(first.toArray(Column[]::new))
                .withColumn(InputColumns.INPUT_ERROR, coalesce(problems.toArray(Column[]::new)));

        Column bad = col(InputColumns.INPUT_ERROR).isNotNull();
        Column good = col(InputColumns.INPUT_ERROR).isNull();
        List<Column> exploded = new ArrayList<>(carried);
        exploded.add(when(good, size(z)).as(LENGTH));
        exploded.add(when(bad, z).as(SEQUENCE_LOGITS));
        exploded.add(when(bad, y).as(SEQUENCE_LABEL));
        if (corrupt != null) {
            exploded.add(Columns.quoted(corrupt));
        }
        exploded.add(col(InputColumns.INPUT_ERROR));
        exploded.add(posexplode_outer(when(good, arrays_zip(z, y))).as(new String[] {TOKEN, ZIPPED}));
        Dataset<Row> tokens = checked.select(exploded.toArray(Column[]::new));

        List<Column> out = new ArrayList<>(carried);
        out.add(col(ZIPPED).getField(Y).as(labelCol));
        out.add(col(ZIPPED).getField(Z).as(logitsCol));
        out.add(col(TOKEN));
        out.add(col(SEQUENCE_LABEL));
        out.add(col(SEQUENCE_LOGITS));
        out.add(col(LENGTH));
        if (corrupt != null) {
            out.add(Columns.quoted(corrupt));
        }
        out.add(col(InputColumns.INPUT_ERROR));
        Dataset<Row> frame = tokens.select(out.toArray(Column[]::new));

        List<String> source = new ArrayList<>(spec.groupBy());
        source.addAll(List.of(labelCol, logitsCol, TOKEN, SEQUENCE_LABEL, SEQUENCE_LOGITS));
        if (corrupt != null) {
            source.add(corrupt);
        }
        source.addAll(kept);
        return new AuditInput(frame, logitsCol, labelCol, InputColumns.INPUT_ERROR, spec.groupBy(), source, kept, true);
    }

    /** V of every non-null token (a null token is the kernel's null_logits, not raggedness). */
    private static String sizesSql() {
        return "transform(filter(" + Z + ", t -> t IS NOT NULL), t -> size(t))";
    }

    /**
     * {@code scored} (one row per token, with the metric columns) with {@value #SEQ_TOKENS},
     * {@value #SEQ_LOSS} and {@value #SEQ_NLL} appended; {@code lossColumn} is the preset's loss.
     */
    public static Dataset<Row> withSequenceTotals(Dataset<Row> scored, String lossColumn) {
        Dataset<Row> frame = scored;
        StructType schema = frame.schema();
        Layout layout = new Layout(schema.fieldIndex(TOKEN), schema.fieldIndex(LENGTH),
                schema.fieldIndex(MetricColumns.STATUS), schema.fieldIndex(lossColumn), schema.fieldIndex(MetricColumns.NLL));
        RDD<InternalRow> rows = SparkInternals.internalRows(frame).toJavaRDD().mapPartitions(new Totals(layout)).rdd();
        StructType outSchema = schema
                .add(DataTypes.createStructField(SEQ_TOKENS, DataTypes.IntegerType, true))
                .add(DataTypes.createStructField(SEQ_LOSS, DataTypes.DoubleType, true))
                .add(DataTypes.createStructField(SEQ_NLL, DataTypes.DoubleType, true));
        return SparkInternals.frameOf(frame.sparkSession(), rows, outSchema);
    }

    record Layout(int token, int length, int status, int loss, int nll) implements java.io.Serializable {
    }

    /** Running sums over the tokens of the current sequence; emitted on its last token. */
    static final class Totals implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
        private static final org.apache.spark.unsafe.types.UTF8String VALID =
                org.apache.spark.unsafe.types.UTF8String.fromString(RowStatus.VALID.code());
        private static final org.apache.spark.unsafe.types.UTF8String INVALID =
                org.apache.spark.unsafe.types.UTF8String.fromString(RowStatus.INVALID.code());
        private final Layout layout;

        Totals(Layout layout) {
            this.layout = layout;
        }

        @Override
        public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
            GenericInternalRow totals = new GenericInternalRow(3);
            JoinedRow joined = new JoinedRow();
            return new Iterator<>() {
                private int expected; // next token position of the open sequence; 0 when none is open
                private int valid;
                private boolean invalid;
                private double loss;
                private double nll;

                @Override
                public boolean hasNext() {
                    if (rows.hasNext()) {
                        return true;
                    }
                    if (expected != 0) {
                        throw new IllegalStateException("a token sequence ended early: its tokens were not consecutive");
                    }
                    return false;
                }

                @Override
                public InternalRow next() {
                    InternalRow row = rows.next();
                    totals.setNullAt(0);
                    totals.setNullAt(1);
                    totals.setNullAt(2);
                    if (row.isNullAt(layout.token())) { // a malformed sequence: one row, no tokens
                        check(expected == 0);
                        totals.setInt(0, 0);
                        return joined.apply(row, totals);
                    }
                    int position = row.getInt(layout.token());
                    int length = row.getInt(layout.length());
                    check(position == expected);
                    if (position == 0) {
                        valid = 0;
                        invalid = false;
                        loss = 0;
                        nll = 0;
                    }
                    org.apache.spark.unsafe.types.UTF8String status = row.getUTF8String(layout.status());
                    if (status.equals(VALID)) {
                        valid++;
                        loss += row.getDouble(layout.loss());
                        nll += row.getDouble(layout.nll());
                    } else if (status.equals(INVALID)) {
                        invalid = true;
                    }
                    expected = position + 1;
                    if (expected == length) {
                        expected = 0;
                        totals.setInt(0, length);
                        if (valid > 0 && !invalid) {
                            totals.setDouble(1, loss);
                            totals.setDouble(2, nll);
                        }
                    }
                    return joined.apply(row, totals);
                }

                private void check(boolean ok) {
                    if (!ok) {
                        throw new IllegalStateException("token rows out of sequence order (expected position " + expected + ")");
                    }
                }
            };
        }
    }
}
