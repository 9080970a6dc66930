package org.smoothkl.parquet;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.vectorized.OffHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.util.TaskCompletionListener;
import scala.Function1;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

/**
 * Spark's Parquet format with the logits column read by {@link LogitsColumnReader}: each file
 * split's other columns (and partition values) come from Spark's own vectorized reader, without
 * filters so that it takes every row of the split's row groups, and the decoder fills the logits
 * for the same rows. Spark's file splitting, partition pruning and everything above the scan
 * stay Spark's. A file the decoder does not handle (another shape or encoding, or one it cannot
 * open) is read by Spark's reader alone, with the scan's filters as always; every split is
 * counted in {@link ReadCounts} by how it was read.
 *
 * <p>Only a scan that returns batches (the nested vectorized reader on) is given this format,
 * so both ways give batches of the same column vector classes.
 */
public final class LogitsParquetFormat extends ParquetFileFormat {
    private static final long serialVersionUID = 1L;
    private final String logitsColumn;
    private final ReadCounts counts;

    public LogitsParquetFormat(String logitsColumn, ReadCounts counts) {
        this.logitsColumn = logitsColumn;
        this.counts = counts;
    }

    @Override
    public Function1<PartitionedFile, Iterator<InternalRow>> buildReaderWithPartitionValues(
            SparkSession spark, StructType dataSchema, StructType partitionSchema, StructType requiredSchema,
            scala.collection.immutable.Seq<Filter> filters, scala.collection.immutable.Map<String, String> options,
            Configuration hadoopConf) {
        // Spark's builder writes into the configuration it is given: each its own copy
        Function1<PartitionedFile, Iterator<InternalRow>> whole = super.buildReaderWithPartitionValues(
                spark, dataSchema, partitionSchema, requiredSchema, filters, options, new Configuration(hadoopConf));
        int logits = requiredSchema.fieldIndex(logitsColumn);
        List<StructField> rest = new ArrayList<>(List.of(requiredSchema.fields()));
        rest.remove(logits);
        Function1<PartitionedFile, Iterator<InternalRow>> others = super.buildReaderWithPartitionValues(
                spark, dataSchema, partitionSchema, new StructType(rest.toArray(StructField[]::new)),
                scala.jdk.javaapi.CollectionConverters.asScala(List.<Filter>of()).toList(), options,
                new Configuration(hadoopConf));
        Broadcast<SerializableConfiguration> conf = spark.sparkContext().broadcast(
                new SerializableConfiguration(decoderConf(hadoopConf)),
                scala.reflect.ClassTag$.MODULE$.apply(SerializableConfiguration.class));
        ArrayType type = (ArrayType) requiredSchema.fields()[logits].dataType();
        SQLConf sql = ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().conf(); // the one Spark's builder reads
        return new SplitReader(whole, others, conf, logitsColumn, logits, type,
                sql.offHeapColumnVectorEnabled(), sql.parquetVectorizedReaderBatchSize(), counts);
    }

    /**
     * The decoder's Hadoop configuration: the scan's, with {@code file:} paths opened through
     * Hadoop's raw local file system. The checksummed one Spark's reader goes through verifies
     * the {@code .crc} side files Hadoop writers leave next to local files (files written by
     * other tools have none) in 512-byte pieces: ≈ 15 % of the job's CPU on Spark-written local
     * files in a profile (src/site/markdown/performance.md). Files on HDFS and object stores are
     * read as before. Not cached: the cache would return its checksummed instance.
     */
    static Configuration decoderConf(Configuration scan) {
        Configuration conf = new Configuration(scan);
        conf.set("fs.file.impl", RawLocalFileSystem.class.getName());
        conf.setBoolean("fs.file.impl.disable.cache", true);
        return conf;
    }

    /** Per file split: the decoder and Spark's reader for the other columns, or Spark's reader alone. */
    private static final class SplitReader extends AbstractFunction1<PartitionedFile, Iterator<InternalRow>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Function1<PartitionedFile, Iterator<InternalRow>> whole;
        private final Function1<PartitionedFile, Iterator<InternalRow>> others;
        private final Broadcast<SerializableConfiguration> conf;
        private final String column;
        private final int logits;
        private final ArrayType type;
        private final boolean offHeap;
        private final int batchRows;
        private final ReadCounts counts;

        SplitReader(Function1<PartitionedFile, Iterator<InternalRow>> whole,
                    Function1<PartitionedFile, Iterator<InternalRow>> others, Broadcast<SerializableConfiguration> conf,
                    String column, int logits, ArrayType type, boolean offHeap, int batchRows, ReadCounts counts) {
            this.whole = whole;
            this.others = others;
            this.conf = conf;
            this.column = column;
            this.logits = logits;
            this.type = type;
            this.offHeap = offHeap;
            this.batchRows = batchRows;
            this.counts = counts;
        }

        @Override
        public Iterator<InternalRow> apply(PartitionedFile file) {
            LogitsColumnReader.Opened opened;
            try {
                opened = LogitsColumnReader.open(conf.value().value(), file.toPath(), file.start(), file.length(), column,
                        type.elementType() == DataTypes.FloatType);
            } catch (IOException | RuntimeException e) {
                // Spark's reader then fails (or skips the file) as it would have, with its own message
                counts.add("could not open the file: " + e.getClass().getSimpleName());
                return whole.apply(file);
            }
            if (opened.unsupported() != null) {
                counts.add(opened.unsupported());
                return whole.apply(file);
            }
            Iterator<InternalRow> rest;
            try {
                rest = others.apply(file);
            } catch (RuntimeException e) {
                closeQuietly(opened.reader());
                throw e;
            }
            counts.add(ReadCounts.DECODED);
            WritableColumnVector vector = offHeap ? new OffHeapColumnVector(batchRows, type)
                    : new OnHeapColumnVector(batchRows, type);
            Zipped zipped = new Zipped(rest, opened.reader(), vector, logits, file.urlEncodedPath());
            TaskContext task = TaskContext.get();
            if (task != null) { // a task ended early (a limit, a failure): the split's reader and vector go too
                task.addTaskCompletionListener(new TaskCompletionListener() {
                    @Override
                    public void onTaskCompletion(TaskContext context) {
                        zipped.release();
                    }
                });
            }
            @SuppressWarnings("unchecked")
            Iterator<InternalRow> batches = (Iterator<InternalRow>) (Iterator<?>) zipped;
            return batches;
        }
    }

    /** Spark's batches of the other columns with the decoder's logits for the same rows put in. */
    private static final class Zipped extends scala.collection.AbstractIterator<ColumnarBatch> {
        private final Iterator<?> others;
        private final LogitsColumnReader reader;
        private final WritableColumnVector logits;
        private final int logitsIndex;
        private final String file;
        private boolean finished;
        private boolean released;

        Zipped(Iterator<?> others, LogitsColumnReader reader, WritableColumnVector logits, int logitsIndex, String file) {
            this.others = others;
            this.reader = reader;
            this.logits = logits;
            this.logitsIndex = logitsIndex;
            this.file = file;
        }

        @Override
        public boolean hasNext() {
            if (others.hasNext()) {
                return true;
            }
            if (!finished) {
                finished = true;
                try {
                    if (!reader.exhausted()) {
                        throw new IllegalStateException(file + ": the logits column has more rows than the file's other columns");
                    }
                } catch (IOException e) {
                    throw rethrow(e);
                } finally {
                    release(); // at the split's end, not the task's: a task may read many files
                }
            }
            return false;
        }

        /** Closes the reader and frees the vector (its last batch has been consumed); again is a no-op. */
        void release() {
            if (!released) {
                released = true;
                closeQuietly(reader);
                logits.close();
            }
        }

        @Override
        public ColumnarBatch next() {
            ColumnarBatch rest = (ColumnarBatch) others.next();
            int rows = rest.numRows();
            int read;
            try {
                logits.reserve(rows);
                read = reader.read(logits, rows);
            } catch (IOException e) {
                throw rethrow(e);
            }
            if (read != rows) {
                throw new IllegalStateException(file + ": the logits column has " + read + " rows where the other columns have " + rows);
            }
            ColumnVector[] columns = new ColumnVector[rest.numCols() + 1];
            for (int c = 0, o = 0; c < columns.length; c++) {
                columns[c] = c == logitsIndex ? logits : rest.column(o++);
            }
            return new ColumnarBatch(columns, rows);
        }
    }

    private static void closeQuietly(LogitsColumnReader reader) {
        try {
            reader.close();
        } catch (IOException ignored) {
            // reading is over; a failed close loses nothing
        }
    }

    /** Throws {@code e} unchanged though checked, as Spark's Scala readers do (FileScanRDD tells IOExceptions apart). */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException rethrow(Throwable e) throws T {
        throw (T) e;
    }
}
