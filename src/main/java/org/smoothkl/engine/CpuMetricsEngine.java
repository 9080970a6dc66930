package org.smoothkl.engine;

import static org.smoothkl.loss.MetricField.CLASSES;
import static org.smoothkl.loss.MetricField.CONFIDENCE;
import static org.smoothkl.loss.MetricField.CORRECT;
import static org.smoothkl.loss.MetricField.GAP;
import static org.smoothkl.loss.MetricField.GAP_OPT;
import static org.smoothkl.loss.MetricField.KL;
import static org.smoothkl.loss.MetricField.NLL;
import static org.smoothkl.loss.MetricField.PRED;
import static org.smoothkl.loss.MetricField.REASON;
import static org.smoothkl.loss.MetricField.SMOOTHED_CE;
import static org.smoothkl.loss.MetricField.STATUS;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.RowKernel;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.input.AuditInput;
import org.smoothkl.spark.MetricColumns;
import org.smoothkl.aggregate.PartitionLevel;
import org.smoothkl.spark.SparkInternals;

/**
 * The CPU engine: logits go from Spark's own buffers into a {@link LogitBatch} (read with
 * {@code getFloat}/{@code getDouble}, never boxed), the row kernel scores the batch, and each row
 * comes back with the {@link MetricColumns}. Two ways in, the faster taken when possible:
 * <ul>
 *   <li>columnar: when the input is a plain columnar scan (Parquet/ORC with the vectorized
 *       reader), the scan's {@code ColumnarBatch}es are read directly, skipping the conversion
 *       to rows and the row copies;</li>
 *   <li>rows: otherwise (text formats, parsed columns), Spark's internal rows
 *       ({@link SparkInternals#internalRows}), copied into batches.</li>
 * </ul>
 * A Java UDF would receive every logit as a boxed Float (1.6–1.7× the time of the columnar path: the design page). The logits of
 * valid and ignored rows are dropped after scoring; only quarantined rows keep theirs, for invalid/.
 *
 * <p>For the summary the engine need not emit a row per input row at all: {@link #partitionLevel}
 * scores the same way and returns the aggregation tree's levels up to one row per key and
 * partition, added up in the task.
 */
public final class CpuMetricsEngine implements MetricsEngine {
    /** Rows per kernel call on the row path; also bounded by {@link #BATCH_VALUES} logits. */
    static final int BATCH_ROWS = 4096;
    static final int BATCH_VALUES = 1 << 20;
    /** Logits per kernel call when scoring for the summary: 512 KB of doubles, within a core's L2. */
    public static final int CHUNK_VALUES = 1 << 16;
    private static final Logger LOG = LoggerFactory.getLogger(CpuMetricsEngine.class);
    private static final AtomicBoolean KERNEL_LOGGED = new AtomicBoolean();

    private volatile SparkInternals.LogitsRead<?> lastRead;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public ReadPath readPath() {
        SparkInternals.LogitsRead<?> read = lastRead;
        if (read == null) {
            return ReadPath.spark("nothing read yet");
        }
        return read.counts() == null ? ReadPath.spark(read.because()) : new ReadPath(read.counts().value(), null);
    }

    /** The input's columnar batches, the logits read by the page decoder where it can; null for the row path. */
    private RDD<ColumnarBatch> columnarBatches(Dataset<Row> frame, AuditInput input) {
        SparkInternals.LogitsRead<ColumnarBatch> read = SparkInternals.logitsBatches(frame, input.logitsColumn());
        if (read != null) {
            lastRead = read;
        }
        return read == null ? null : read.data();
    }

    /** The input's rows (the row path), the logits read by the page decoder where it can. */
    private RDD<InternalRow> rows(Dataset<Row> frame, AuditInput input) {
        SparkInternals.LogitsRead<InternalRow> read = SparkInternals.logitsRows(frame, input.logitsColumn());
        lastRead = read;
        return read.data();
    }

    @Override
    public Dataset<Row> withMetrics(AuditInput input, Smoothing smoothing) {
        Dataset<Row> frame = input.frame();
        StructType inSchema = frame.schema();
        RowLayout layout = RowLayout.of(inSchema, input);
        RDD<ColumnarBatch> batches = columnarBatches(frame, input);
        RDD<InternalRow> scored;
        StructType outSchema;
        if (batches != null) {
            // passthrough columns, then the metrics, then the logits (kept for invalid rows only)
            outSchema = new StructType();
            for (StructField f : inSchema.fields()) {
                if (!f.name().equals(input.logitsColumn())) {
                    outSchema = outSchema.add(f);
                }
            }
            outSchema = withMetricColumns(outSchema).add(nullable(inSchema.apply(input.logitsColumn())));
            scored = batches.toJavaRDD().mapPartitions(
                    (FlatMapFunction<Iterator<ColumnarBatch>, InternalRow>) in -> new BatchIterator(
                            new ColumnarScorer(in, layout, kernel(smoothing)), layout)).rdd();
        } else {
            StructType s = new StructType();
            for (StructField f : inSchema.fields()) {
                s = s.add(f.name().equals(input.logitsColumn()) ? nullable(f) : f);
            }
            outSchema = withMetricColumns(s);
            scored = rows(frame, input).toJavaRDD().mapPartitions(
                    (FlatMapFunction<Iterator<InternalRow>, InternalRow>) in -> new RowIterator(
                            new RowScorer(in, layout, kernel(smoothing)), layout)).rdd();
        }
        return SparkInternals.frameOf(frame.sparkSession(), scored, outSchema);
    }

    /**
     * The audit's aggregation tree up to its third level, one row per key and partition
     * ({@link PartitionLevel}), computed while scoring, in the same order as the SQL levels, so the
     * same bits.
     * Requires {@link #canAggregate}; token sequences are not for this path (their per-sequence
     * columns come from a window over the scored rows).
     */
    public Dataset<Row> partitionLevel(AuditInput input, Smoothing smoothing, GapHistogramSpec histogram,
                                       CalibrationSpec calibration, int maxSlices) {
        Dataset<Row> frame = input.frame();
        StructType inSchema = frame.schema();
        RowLayout layout = RowLayout.of(inSchema, input);
        PartitionLevel level = PartitionLevel.of(inSchema, input.groupBy(), histogram, calibration, maxSlices);
        Aggregate aggregate = new Aggregate(layout, smoothing, level);
        RDD<ColumnarBatch> batches = columnarBatches(frame, input);
        RDD<InternalRow> rows = batches != null
                ? batches.toJavaRDD().mapPartitionsWithIndex(
                        (partition, in) -> aggregate.partition(partition,
                                new ColumnarScorer(in, layout, kernel(smoothing), BATCH_ROWS, CHUNK_VALUES)), false).rdd()
                : rows(frame, input).toJavaRDD().mapPartitionsWithIndex(
                        (partition, in) -> aggregate.partition(partition, new RowScorer(in, layout, kernel(smoothing))), false).rdd();
        return SparkInternals.frameOf(frame.sparkSession(), rows, level.schema());
    }

    /** Whether {@link #partitionLevel} serves this input: one row per source row, slices it can group. */
    public static boolean canAggregate(AuditInput input) {
        return !input.tokenSequences() && PartitionLevel.supports(input.frame().schema(), input.groupBy());
    }

    private static StructType withMetricColumns(StructType schema) {
        for (StructField f : MetricColumns.SCHEMA.fields()) {
            schema = schema.add(f);
        }
        return schema;
    }

    private static StructField nullable(StructField f) {
        return new StructField(f.name(), f.dataType(), true, f.metadata());
    }

    /** The kernel for this JVM (vector where the module is present), said once per JVM in the log. */
    static RowKernel kernel(Smoothing smoothing) {
        RowKernel kernel = RowKernels.create(smoothing);
        if (KERNEL_LOGGED.compareAndSet(false, true)) {
            LOG.debug("smoothkl row kernel: {}", kernel.getClass().getSimpleName()); // run.kernel and the scoring line say it
        }
        return kernel;
    }

    /** Where the engine finds its inputs; serializable, sent to executors. */
    record RowLayout(int logits, boolean floatLogits, boolean logitsMayHoldNull, int label, DataType labelType,
                     int inputError, int columns) implements java.io.Serializable {
        static RowLayout of(StructType schema, AuditInput input) {
            int logits = schema.fieldIndex(input.logitsColumn());
            ArrayType logitsType = (ArrayType) schema.fields()[logits].dataType();
            int label = schema.fieldIndex(input.labelColumn());
            int error = input.inputErrorColumn() == null ? -1 : schema.fieldIndex(input.inputErrorColumn());
            return new RowLayout(logits, logitsType.elementType() == DataTypes.FloatType, logitsType.containsNull(),
                    label, schema.fields()[label].dataType(), error, schema.size());
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

        long label(ColumnVector v, int r) {
            if (labelType == DataTypes.LongType) {
                return v.getLong(r);
            }
            if (labelType == DataTypes.IntegerType) {
                return v.getInt(r);
            }
            return labelType == DataTypes.ShortType ? v.getShort(r) : v.getByte(r);
        }

        /** The reader's own reason the row is bad, or null. */
        InvalidReason inputProblem(InternalRow row) {
            return inputError < 0 || row.isNullAt(inputError)
                    ? null : InvalidReason.fromCode(row.getUTF8String(inputError).toString());
        }

        /** Appends one row's logits (or its problem, in {@link org.smoothkl.loss.ReaderCheck} order) to {@code batch}. */
        void append(LogitBatch batch, InvalidReason inputProblem, boolean nullLogits, boolean nullLabel, ArrayData logits,
                    long label) {
            if (batch.endRowIfUnreadable(inputProblem, nullLogits, nullLabel)) {
                return;
            }
            int k = logits.numElements();
            for (int j = 0; j < k; j++) {
                if (logitsMayHoldNull && logits.isNullAt(j)) {
                    batch.endRowWithProblem(InvalidReason.NULL_LOGIT);
                    return;
                }
                batch.appendValue(floatLogits ? logits.getFloat(j) : logits.getDouble(j));
            }
            batch.endRow(label);
        }
    }

    /** Fills the metric columns of one output row from a scored batch, without boxing. */
    static final class MetricsRow {
        final SpecificInternalRow row;

        MetricsRow(boolean withLogits, DataType logitsType) {
            List<DataType> types = new ArrayList<>();
            for (StructField f : MetricColumns.SCHEMA.fields()) {
                types.add(f.dataType());
            }
            if (withLogits) {
                types.add(logitsType);
            }
            row = new SpecificInternalRow(scala.jdk.javaapi.CollectionConverters.asScala(types).toSeq());
        }

        /** Row {@code i} of {@code m}; {@code classes} its K. Each field at its {@link org.smoothkl.loss.MetricField} ordinal. */
        InternalRow fill(MetricsBatch m, int i, int classes) {
            RowStatus status = m.status(i);
            row.update(STATUS.ordinal(), MetricColumns.STATUS_CODES[status.ordinal()]);
            if (status == RowStatus.INVALID) {
                row.update(REASON.ordinal(), MetricColumns.REASON_CODES[m.reason(i).ordinal()]);
                row.setNullAt(KL.ordinal());
                row.setNullAt(SMOOTHED_CE.ordinal());
                row.setNullAt(NLL.ordinal());
                row.setNullAt(GAP.ordinal());
                row.setNullAt(GAP_OPT.ordinal());
                row.setNullAt(CONFIDENCE.ordinal());
                row.setNullAt(PRED.ordinal());
                row.setBoolean(CORRECT.ordinal(), false);
                row.setNullAt(CLASSES.ordinal());
                return row;
            }
            row.setNullAt(REASON.ordinal());
            row.setDouble(KL.ordinal(), m.kl(i));
            row.setDouble(SMOOTHED_CE.ordinal(), m.smoothedCe(i));
            row.setDouble(NLL.ordinal(), m.nll(i));
            row.setDouble(GAP.ordinal(), m.gap(i));
            row.setDouble(GAP_OPT.ordinal(), m.gapOpt(i));
            row.setDouble(CONFIDENCE.ordinal(), m.confidence(i));
            row.setInt(PRED.ordinal(), m.pred(i));
            row.setBoolean(CORRECT.ordinal(), m.correct(i));
            row.setInt(CLASSES.ordinal(), classes);
            return row;
        }
    }

    /** Scores a partition a batch at a time: after {@link #next}, its rows' inputs, metrics and K. */
    private abstract static class Scorer {
        final RowKernel kernel;
        final LogitBatch batch;
        final MetricsBatch metrics = new MetricsBatch();

        /** {@code values}: the batch's first capacity (it grows for longer rows). */
        Scorer(RowKernel kernel, int rows, int values) {
            this.kernel = kernel;
            this.batch = new LogitBatch(rows, values);
        }

        /** Scores the next batch of rows; false when the partition has no more. */
        abstract boolean next();

        abstract int rows();

        /** Input row {@code i} of the batch, with the input's column ordinals. */
        abstract InternalRow input(int i);

        int classes(int i) {
            return batch.offsets()[i + 1] - batch.offsets()[i];
        }
    }

    /** Internal rows, copied (the scan reuses its row objects) into batches of {@link #BATCH_ROWS}. */
    private static final class RowScorer extends Scorer {
        private final Iterator<InternalRow> input;
        private final RowLayout layout;
        final List<InternalRow> pending = new ArrayList<>(BATCH_ROWS);

        RowScorer(Iterator<InternalRow> input, RowLayout layout, RowKernel kernel) {
            super(kernel, BATCH_ROWS, BATCH_VALUES);
            this.input = input;
            this.layout = layout;
        }

        @Override
        boolean next() {
            pending.clear();
            batch.clear();
            while (input.hasNext() && pending.size() < BATCH_ROWS && batch.size() < BATCH_VALUES) {
                InternalRow row = input.next().copy();
                pending.add(row);
                boolean nullLogits = row.isNullAt(layout.logits());
                boolean nullLabel = row.isNullAt(layout.label());
                layout.append(batch, layout.inputProblem(row), nullLogits, nullLabel,
                        nullLogits ? null : row.getArray(layout.logits()), nullLabel ? 0 : layout.label(row));
            }
            if (!pending.isEmpty()) {
                kernel.compute(batch, metrics);
            }
            return !pending.isEmpty();
        }

        @Override
        int rows() {
            return pending.size();
        }

        @Override
        InternalRow input(int i) {
            return pending.get(i);
        }
    }

    /**
     * The scan's columnar batches, scored a chunk of rows at a time: at most {@code chunkRows} rows
     * and about {@code chunkValues} logits. Chunks that fit in the core's cache keep the copy, the
     * kernel and whoever reads the metrics next (the first level) from streaming megabytes through
     * memory: a reader batch holds ≈2²⁰ logits, at K = 10 a hundred thousand rows.
     */
    private static final class ColumnarScorer extends Scorer {
        private final Iterator<ColumnarBatch> input;
        private final RowLayout layout;
        private final int chunkRows;
        private final int chunkValues;
        ColumnarBatch current;
        private int batchRows;
        /** The chunk: rows [first, end) of {@link #current}. */
        private int first;
        private int end;

        ColumnarScorer(Iterator<ColumnarBatch> input, RowLayout layout, RowKernel kernel, int chunkRows, int chunkValues) {
            // a chunk's size, not a reader batch's: an 8 MB array per task is a humongous object in G1
            super(kernel, Math.min(chunkRows, BATCH_ROWS), Math.min(chunkValues, BATCH_VALUES));
            this.input = input;
            this.layout = layout;
            this.chunkRows = chunkRows;
            this.chunkValues = chunkValues;
        }

        /** One kernel call per input batch (callers that index the batch's rows directly). */
        ColumnarScorer(Iterator<ColumnarBatch> input, RowLayout layout, RowKernel kernel) {
            this(input, layout, kernel, Integer.MAX_VALUE, Integer.MAX_VALUE);
        }

        @Override
        boolean next() {
            while (current == null || end >= batchRows) {
                if (!input.hasNext()) {
                    return false;
                }
                current = input.next();
                batchRows = current.numRows();
                end = 0;
            }
            first = end;
            ColumnVector logits = current.column(layout.logits());
            ColumnVector label = current.column(layout.label());
            batch.clear();
            int r = first;
            // No reader problems here: a plain scan has no input-error column (the reader computes it).
            if (logits instanceof WritableColumnVector w && !w.arrayData().hasNull()) {
                r = appendInBulk(w, label);
            } else {
                for (; r < batchRows && r - first < chunkRows && batch.size() < chunkValues; r++) {
                    boolean nullLogits = logits.isNullAt(r);
                    boolean nullLabel = label.isNullAt(r);
                    layout.append(batch, null, nullLogits, nullLabel, nullLogits ? null : logits.getArray(r),
                            nullLabel ? 0 : layout.label(label, r));
                }
            }
            end = r;
            kernel.compute(batch, metrics);
            return true;
        }

        /** Row {@code i} of the chunk is row {@code firstRow() + i} of {@link #current}. */
        int firstRow() {
            return first;
        }

        /**
         * The chunk's logits read straight from the reader's element vector into the batch's
         * array when no element is null: no per-value null check, no per-row array view. Rows
         * whose values follow one another in the vector (a reader's rows do) are copied as one
         * run, in one loop: at K = 10 a loop per row cost more than its ten values. Returns the row
         * after the chunk.
         */
        private int appendInBulk(WritableColumnVector logits, ColumnVector label) {
            WritableColumnVector data = logits.arrayData();
            boolean mayBeNull = logits.hasNull() || label.hasNull();
            int runFrom = 0; // the run: values [runFrom, runFrom + runLength) of data, at runAt in the batch
            int runAt = 0;
            int runLength = 0;
            int r = first;
            for (; r < batchRows && r - first < chunkRows && batch.size() < chunkValues; r++) {
                if (mayBeNull && batch.endRowIfUnreadable(null, logits.isNullAt(r), label.isNullAt(r))) {
                    continue;
                }
                int from = logits.getArrayOffset(r);
                int k = logits.getArrayLength(r);
                if (from != runFrom + runLength || runLength >= COPY_RUN) {
                    copyRun(data, runFrom, runAt, runLength);
                    runFrom = from;
                    runAt = batch.size();
                    runLength = 0;
                }
                batch.appendSlots(k);
                runLength += k;
                batch.endRow(layout.label(label, r));
            }
            copyRun(data, runFrom, runAt, runLength);
            return r;
        }

        /** A run is copied once it holds this many values (32 KB of doubles, a core's L1): longer runs measured slower at K = 1000. */
        private static final int COPY_RUN = 4096;

        /** Values [from, from + n) of the element vector into the batch's array at {@code at}. */
        private void copyRun(WritableColumnVector data, int from, int at, int n) {
            double[] values = batch.values();
            if (layout.floatLogits()) {
                for (int j = 0; j < n; j++) {
                    values[at + j] = data.getFloat(from + j);
                }
            } else {
                for (int j = 0; j < n; j++) {
                    values[at + j] = data.getDouble(from + j);
                }
            }
        }

        @Override
        int rows() {
            return end - first;
        }

        @Override
        InternalRow input(int i) {
            return current.getRow(first + i);
        }
    }

    /** Per-row output of the row path: the input row, its logits dropped unless quarantined, and the metrics. */
    private static final class RowIterator implements Iterator<InternalRow> {
        private final RowScorer scorer;
        private final RowLayout layout;
        private final MetricsRow metricsRow = new MetricsRow(false, null);
        private final JoinedRow joined = new JoinedRow();
        private int next;

        RowIterator(RowScorer scorer, RowLayout layout) {
            this.scorer = scorer;
            this.layout = layout;
        }

        @Override
        public boolean hasNext() {
            if (next < scorer.rows()) {
                return true;
            }
            next = 0;
            return scorer.next();
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int i = next++;
            InternalRow row = scorer.pending.get(i);
            scorer.pending.set(i, null);
            if (scorer.metrics.status(i) != RowStatus.INVALID) {
                row.setNullAt(layout.logits());
            }
            return joined.apply(row, metricsRow.fill(scorer.metrics, i, scorer.classes(i)));
        }
    }

    /**
     * Emits the rows of one input batch before it reads the next: the reader reuses its column
     * vectors, and Spark copies each emitted row before asking for another.
     */
    private static final class BatchIterator implements Iterator<InternalRow> {
        private final ColumnarScorer scorer;
        private final RowLayout layout;
        private final MetricsRow metricsRow;
        private final JoinedRow joined = new JoinedRow();
        private ColumnarBatch passthrough;
        private int next;

        BatchIterator(ColumnarScorer scorer, RowLayout layout) {
            this.scorer = scorer;
            this.layout = layout;
            this.metricsRow = new MetricsRow(true, DataTypes.createArrayType(
                    layout.floatLogits() ? DataTypes.FloatType : DataTypes.DoubleType, layout.logitsMayHoldNull()));
        }

        @Override
        public boolean hasNext() {
            while (passthrough == null || next >= scorer.rows()) {
                if (!scorer.next()) {
                    return false;
                }
                next = 0;
                ColumnVector[] others = new ColumnVector[layout.columns() - 1];
                for (int c = 0, o = 0; c < layout.columns(); c++) {
                    if (c != layout.logits()) {
                        others[o++] = scorer.current.column(c);
                    }
                }
                passthrough = new ColumnarBatch(others, scorer.rows());
            }
            return true;
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int i = next++;
            MetricsBatch metrics = scorer.metrics;
            metricsRow.fill(metrics, i, scorer.classes(i));
            int logitsField = MetricColumns.SCHEMA.size();
            ColumnVector logits = scorer.current.column(layout.logits());
            if (metrics.status(i) == RowStatus.INVALID && !logits.isNullAt(i)) {
                ColumnarArray a = logits.getArray(i);
                metricsRow.row.update(logitsField, a.copy());
            } else {
                metricsRow.row.setNullAt(logitsField);
            }
            return joined.apply(passthrough.getRow(i), metricsRow.row);
        }
    }

    /** The partition-level rows of one partition ({@link #partitionLevel}); serializable, sent to executors. */
    private record Aggregate(RowLayout layout, Smoothing smoothing, PartitionLevel level) implements java.io.Serializable {
        Iterator<InternalRow> partition(int partition, Scorer scorer) {
            return new PartitionLevelIterator(scorer, level, partition);
        }
    }

    /**
     * Feeds every scored row to the partition's levels; after the partition's last row hands out
     * the third level's rows.
     */
    private static final class PartitionLevelIterator implements Iterator<InternalRow> {
        private final Scorer scorer;
        private final java.util.ArrayDeque<InternalRow> ready = new java.util.ArrayDeque<>();
        private final PartitionLevel.Partition level;
        private boolean finished;

        PartitionLevelIterator(Scorer scorer, PartitionLevel level, int partition) {
            this.scorer = scorer;
            this.level = level.open(partition, ready::add);
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && !finished) {
                if (scorer.next()) {
                    if (scorer instanceof ColumnarScorer columnar) {
                        level.beginChunk(columnar.current, columnar.firstRow());
                    }
                    for (int i = 0, n = scorer.rows(); i < n; i++) {
                        level.add(scorer.input(i), scorer.metrics, i, scorer.classes(i));
                    }
                } else {
                    level.finish();
                    finished = true;
                }
            }
            return !ready.isEmpty();
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }
    }
}
