package org.smoothkl.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.RowKernel;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.loss.Smoothing;

/**
 * The CPU engine: Spark's internal rows go straight into a {@link LogitBatch} (floats read
 * with {@code ArrayData.getFloat}, never boxed), the row kernel scores the batch, and each row
 * comes back with the {@link MetricColumns} appended. A Java UDF would receive every logit as
 * a boxed Float; DESIGN.md measured that at 1.5× the cost of this path.
 *
 * <p>The logits of valid and ignored rows are dropped from the output (set null): only
 * quarantined rows keep them, for the invalid/ output.
 */
public final class CpuMetricsEngine implements MetricsEngine {
    /** Rows per kernel call; also bounded by {@link #BATCH_VALUES} logits. */
    static final int BATCH_ROWS = 4096;
    static final int BATCH_VALUES = 1 << 20;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Dataset<Row> withMetrics(AuditInput input, Smoothing smoothing) {
        org.apache.spark.sql.classic.Dataset<Row> frame = (org.apache.spark.sql.classic.Dataset<Row>) input.frame();
        StructType inSchema = frame.schema();
        StructType outSchema = inSchema;
        for (StructField f : MetricColumns.SCHEMA.fields()) {
            outSchema = outSchema.add(f);
        }
        // The logits column becomes nullable: only quarantined rows keep their logits.
        outSchema = nullable(outSchema, input.logitsColumn());
        RowLayout layout = RowLayout.of(inSchema, input);
        RDD<InternalRow> rows = frame.queryExecution().toRdd();
        RDD<InternalRow> scored = rows.toJavaRDD().mapPartitions(new ScorePartition(layout, smoothing)).rdd();
        return frame.sparkSession().internalCreateDataFrame(scored, outSchema, false);
    }

    private static StructType nullable(StructType schema, String column) {
        StructField[] fields = schema.fields().clone();
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].name().equals(column)) {
                fields[i] = new StructField(fields[i].name(), fields[i].dataType(), true, fields[i].metadata());
            }
        }
        return new StructType(fields);
    }

    /** Where the engine finds its inputs in a row; serializable, sent to executors. */
    record RowLayout(int logits, boolean floatLogits, boolean logitsMayHoldNull, int label, DataType labelType,
                     int inputError) implements java.io.Serializable {
        static RowLayout of(StructType schema, AuditInput input) {
            int logits = schema.fieldIndex(input.logitsColumn());
            ArrayType logitsType = (ArrayType) schema.fields()[logits].dataType();
            int label = schema.fieldIndex(input.labelColumn());
            int error = input.inputErrorColumn() == null ? -1 : schema.fieldIndex(input.inputErrorColumn());
            return new RowLayout(logits, logitsType.elementType() == DataTypes.FloatType, logitsType.containsNull(),
                    label, schema.fields()[label].dataType(), error);
        }

        long label(InternalRow row) {
            if (labelType == DataTypes.LongType) {
                return row.getLong(label);
            }
            if (labelType == DataTypes.IntegerType) {
                return row.getInt(label);
            }
            return labelType == DataTypes.ShortType ? row.getShort(label) : row.getByte(label);
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CpuMetricsEngine.class);
    private static final java.util.concurrent.atomic.AtomicBoolean KERNEL_LOGGED = new java.util.concurrent.atomic.AtomicBoolean();

    /** The kernel for this JVM (vector where the module is present), said once per JVM in the log. */
    static RowKernel kernel(Smoothing smoothing) {
        RowKernel kernel = RowKernels.create(smoothing);
        if (KERNEL_LOGGED.compareAndSet(false, true)) {
            LOG.info("smoothkl row kernel: {}", kernel.getClass().getSimpleName());
        }
        return kernel;
    }

    /** Scores one partition, a batch at a time. */
    static final class ScorePartition implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
        private final RowLayout layout;
        private final Smoothing smoothing;

        ScorePartition(RowLayout layout, Smoothing smoothing) {
            this.layout = layout;
            this.smoothing = smoothing;
        }

        @Override
        public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
            return new BatchIterator(rows, layout, kernel(smoothing));
        }
    }

    private static final class BatchIterator implements Iterator<InternalRow> {
        private static final UTF8String[] STATUS = codes(RowStatus.values());
        private static final UTF8String[] REASON = codes(InvalidReason.values());

        private final Iterator<InternalRow> input;
        private final RowLayout layout;
        private final RowKernel kernel;
        private final LogitBatch batch = new LogitBatch(BATCH_ROWS, BATCH_VALUES);
        private final MetricsBatch metrics = new MetricsBatch();
        private final List<InternalRow> pending = new ArrayList<>(BATCH_ROWS);
        private final GenericInternalRow metricsRow = new GenericInternalRow(MetricColumns.SCHEMA.size());
        private final JoinedRow joined = new JoinedRow();
        private int next;

        BatchIterator(Iterator<InternalRow> input, RowLayout layout, RowKernel kernel) {
            this.input = input;
            this.layout = layout;
            this.kernel = kernel;
        }

        @Override
        public boolean hasNext() {
            if (next < pending.size()) {
                return true;
            }
            fill();
            return !pending.isEmpty();
        }

        private void fill() {
            pending.clear();
            batch.clear();
            next = 0;
            while (input.hasNext() && pending.size() < BATCH_ROWS && batch.size() < BATCH_VALUES) {
                InternalRow row = input.next().copy(); // the scan reuses its row objects
                pending.add(row);
                append(row);
            }
            if (!pending.isEmpty()) {
                kernel.compute(batch, metrics);
            }
        }

        private void append(InternalRow row) {
            if (layout.inputError() >= 0 && !row.isNullAt(layout.inputError())) {
                batch.endRowWithProblem(InvalidReason.fromCode(row.getUTF8String(layout.inputError()).toString()));
                return;
            }
            if (row.isNullAt(layout.logits())) {
                batch.endRowWithProblem(InvalidReason.NULL_LOGITS);
                return;
            }
            if (row.isNullAt(layout.label())) {
                batch.endRowWithProblem(InvalidReason.NULL_LABEL);
                return;
            }
            ArrayData logits = row.getArray(layout.logits());
            int k = logits.numElements();
            for (int j = 0; j < k; j++) {
                if (layout.logitsMayHoldNull() && logits.isNullAt(j)) {
                    batch.endRowWithProblem(InvalidReason.NULL_LOGIT);
                    return;
                }
                batch.appendValue(layout.floatLogits() ? logits.getFloat(j) : logits.getDouble(j));
            }
            batch.endRow(layout.label(row));
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int i = next++;
            InternalRow row = pending.get(i);
            pending.set(i, null);
            RowStatus status = metrics.status(i);
            boolean invalid = status == RowStatus.INVALID;
            if (!invalid) {
                row.setNullAt(layout.logits());
            }
            Object[] v = metricsRow.values();
            v[0] = STATUS[status.ordinal()];
            v[1] = invalid ? REASON[metrics.reason(i).ordinal()] : null;
            v[2] = invalid ? null : metrics.kl(i);
            v[3] = invalid ? null : metrics.smoothedCe(i);
            v[4] = invalid ? null : metrics.nll(i);
            v[5] = invalid ? null : metrics.gap(i);
            v[6] = invalid ? null : metrics.gapOpt(i);
            v[7] = invalid ? null : metrics.confidence(i);
            v[8] = invalid ? null : metrics.pred(i);
            v[9] = metrics.correct(i);
            v[10] = invalid ? null : batch.offsets()[i + 1] - batch.offsets()[i];
            return joined.apply(row, metricsRow);
        }

        private static UTF8String[] codes(Enum<?>[] values) {
            UTF8String[] out = new UTF8String[values.length];
            for (Enum<?> e : values) {
                out[e.ordinal()] = UTF8String.fromString(e instanceof RowStatus s ? s.code() : ((InvalidReason) e).code());
            }
            return out;
        }
    }
}
