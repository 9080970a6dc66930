package org.smoothkl.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.smoothkl.parquet.LogitsParquetFormat;
import org.smoothkl.parquet.ReadCounts;

/**
 * Every use of Spark's internal (non-public, unstable) API but the Parquet format's subclass
 * ({@link LogitsParquetFormat}), in one place: frames of the classic (non-Connect) session as
 * RDDs of internal rows and back, a plain scan's columnar batches, and the copy of Spark's
 * Parquet scan that reads the logits with the page decoder. The CPU engine needs them to read
 * Spark's buffers without boxing a value per logit; a Spark upgrade that breaks one of them
 * breaks it here.
 */
public final class SparkInternals {
    private SparkInternals() {
    }

    /** The frame's rows as Spark's internal rows (no conversion to {@link Row}). */
    public static RDD<InternalRow> internalRows(Dataset<Row> frame) {
        return classic(frame).queryExecution().toRdd();
    }

    /** A frame of internal rows of {@code schema} (not checked against it). */
    public static Dataset<Row> frameOf(SparkSession spark, RDD<InternalRow> rows, StructType schema) {
        return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(rows, schema, false);
    }

    /** The partitions of the frame's RDD: the one {@link #frameOf} gave it, else its planned one. */
    public static int partitions(Dataset<Row> frame) {
        RDD<InternalRow> held = heldRows(frame);
        return (held != null ? held : internalRows(frame)).getNumPartitions();
    }

    /**
     * The rows of a frame made by {@link #frameOf}, collected from its RDD as they are and
     * converted to {@link Row} on the driver: no query is planned or code generated for them,
     * which for a few hundred rows cost more than the rows (≈ 0.1 s per audit, async-profiler).
     * Any other frame: {@link Dataset#collectAsList}.
     */
    public static List<Row> collect(Dataset<Row> frame) {
        RDD<InternalRow> held = heldRows(frame);
        if (held == null) {
            return frame.collectAsList();
        }
        scala.Function1<Object, Object> toRow =
                org.apache.spark.sql.catalyst.CatalystTypeConverters.createToScalaConverter(frame.schema());
        Object[] rows = (Object[]) held.collect();
        List<Row> out = new ArrayList<>(rows.length);
        for (Object r : rows) {
            out.add((Row) toRow.apply(r));
        }
        return out;
    }

    /** The RDD a frame of {@link #frameOf} holds (its plan is that RDD and nothing else), else null. */
    private static RDD<InternalRow> heldRows(Dataset<Row> frame) {
        return classic(frame).logicalPlan() instanceof org.apache.spark.sql.execution.LogicalRDD l && !l.isStreaming()
                ? l.rdd() : null;
    }

    /**
     * The scan when {@code frame} is nothing but a columnar file scan whose output is exactly the
     * frame's columns (the shape InputReader gives Parquet and ORC input); null otherwise.
     */
    private static SparkPlan plainColumnarScanNode(Dataset<Row> frame) {
        SparkPlan node = classic(frame).queryExecution().executedPlan();
        while (node.children().size() == 1 && isRowConversion(node)) {
            node = node.children().head();
        }
        if (!node.children().isEmpty() || !node.supportsColumnar()) {
            return null;
        }
        List<String> scanColumns = new ArrayList<>();
        scala.collection.Iterator<Attribute> it = node.output().iterator();
        while (it.hasNext()) {
            scanColumns.add(it.next().name());
        }
        return scanColumns.equals(List.of(frame.columns())) ? node : null;
    }

    /**
     * The frame's columnar batches when it is a plain columnar scan (Parquet, ORC), with the logits read
     * by the page decoder ({@link LogitsParquetFormat}) where the scan is Spark's own Parquet
     * scan; null when the frame is not a plain columnar scan.
     */
    public static LogitsRead<ColumnarBatch> logitsBatches(Dataset<Row> frame, String logitsColumn) {
        SparkPlan node = plainColumnarScanNode(frame);
        if (node == null) {
            return null;
        }
        String because = notDecodable(node, logitsColumn);
        if (because != null) {
            return new LogitsRead<>(node.executeColumnar(), null, because);
        }
        ReadCounts counts = counts(frame);
        return new LogitsRead<>(decoded((FileSourceScanExec) node, logitsColumn, counts).executeColumnar(), counts, null);
    }

    /**
     * The frame's internal rows ({@link #internalRows}), its plan's one Parquet scan reading the
     * logits with the page decoder where it can (a projection over the scan: labels parsed from
     * doubles, say). Not under a filter on data columns: the decoder reads every row
     * group of a split, Spark's reader skips those the filter's statistics rule out.
     */
    public static LogitsRead<InternalRow> logitsRows(Dataset<Row> frame, String logitsColumn) {
        SparkPlan plan = classic(frame).queryExecution().executedPlan();
        scala.collection.immutable.Seq<SparkPlan> leaves = plan.collectLeaves();
        String because = leaves.size() != 1 ? "the plan reads " + leaves.size() + " sources"
                : notDecodable(leaves.head(), logitsColumn);
        if (because == null && !((FileSourceScanExec) leaves.head()).dataFilters().isEmpty()) {
            because = "a --where on data columns: Spark's reader skips the row groups its statistics rule out";
        }
        if (because != null) {
            return new LogitsRead<>(internalRows(frame), null, because);
        }
        FileSourceScanExec scan = (FileSourceScanExec) leaves.head();
        ReadCounts counts = counts(frame);
        FileSourceScanExec decodedScan = decoded(scan, logitsColumn, counts);
        SparkPlan replaced = plan.transformUp(new scala.runtime.AbstractPartialFunction<SparkPlan, SparkPlan>() {
            @Override
            public boolean isDefinedAt(SparkPlan node) {
                return node == scan;
            }

            @Override
            public <A1 extends SparkPlan, B1> B1 applyOrElse(A1 node, scala.Function1<A1, B1> otherwise) {
                @SuppressWarnings("unchecked")
                B1 replacement = node == scan ? (B1) decodedScan : otherwise.apply(node);
                return replacement;
            }
        });
        return new LogitsRead<>(replaced.execute(), counts, null);
    }

    /**
     * What a frame's scan gives and who reads its logits: the page decoder ({@code counts}: its
     * splits by how they were read, known once the data has been read) or Spark's reader
     * ({@code because}).
     */
    public record LogitsRead<T>(RDD<T> data, ReadCounts counts, String because) {
    }

    /** Why the page decoder cannot read this plan node's logits; null when it can. */
    private static String notDecodable(SparkPlan node, String logitsColumn) {
        if (!(node instanceof FileSourceScanExec scan) || scan.relation().fileFormat().getClass() != ParquetFileFormat.class) {
            return (node instanceof FileSourceScanExec scan ? "the input's scan is " + scan.relation().fileFormat()
                    : "the plan's leaf is " + node.nodeName()) + ", not Spark's Parquet scan";
        }
        int at = java.util.Arrays.asList(scan.requiredSchema().fieldNames()).indexOf(logitsColumn);
        if (at < 0 || !(scan.requiredSchema().fields()[at].dataType() instanceof ArrayType list
                && (list.elementType() == DataTypes.FloatType || list.elementType() == DataTypes.DoubleType))) {
            return "the scan reads no array<float|double> column " + logitsColumn;
        }
        if (!scan.supportsColumnar()) {
            return "Spark's scan returns rows (spark.sql.parquet.enableNestedColumnVectorizedReader is off)";
        }
        return null;
    }

    private static ReadCounts counts(Dataset<Row> frame) {
        ReadCounts counts = new ReadCounts();
        frame.sparkSession().sparkContext().register(counts, "smoothkl logits reader");
        return counts;
    }

    /** A copy of Spark's Parquet scan whose format reads the logits with the page decoder. */
    private static FileSourceScanExec decoded(FileSourceScanExec scan, String logitsColumn, ReadCounts counts) {
        HadoopFsRelation relation = scan.relation();
        HadoopFsRelation decoded = new HadoopFsRelation(relation.location(), relation.partitionSchema(),
                relation.dataSchema(), relation.bucketSpec(), new LogitsParquetFormat(logitsColumn, counts),
                relation.options(), relation.sparkSession());
        return new FileSourceScanExec(decoded, scan.stream(), scan.output(), scan.requiredSchema(),
                scan.partitionFilters(), scan.optionalBucketSet(), scan.optionalNumCoalescedBuckets(), scan.dataFilters(),
                scan.tableIdentifier(), scan.disableBucketedScan());
    }

    /** The columnar batches of the plan's first leaf, which must be a columnar scan (the benchmark's floor). */
    public static RDD<ColumnarBatch> leafColumnarScan(Dataset<Row> frame) {
        SparkPlan scan = classic(frame).queryExecution().executedPlan().collectLeaves().head();
        if (!scan.supportsColumnar()) {
            throw new IllegalStateException("the scan is not columnar: " + scan.nodeName()
                    + " (is spark.sql.parquet.enableNestedColumnVectorizedReader on?)");
        }
        return scan.executeColumnar();
    }

    /** The scale of a frame's input files: how many and their bytes; -1 where unknown. */
    public record InputScale(long files, long bytes) {
    }

    /**
     * The files and bytes the frame reads, from the file indexes of its leaves (Parquet, ORC,
     * JSON, CSV, Delta: listed already, no new listing); bytes -1 when a leaf has no file index (an
     * RDD, a table format of its own). A metastore table's partitioned index is not listed for a
     * count (that would list every partition on the driver, whatever --where prunes): files -1.
     */
    public static InputScale inputScale(Dataset<Row> frame) {
        long bytes = 0;
        long files = 0;
        scala.collection.Iterator<org.apache.spark.sql.catalyst.plans.logical.LogicalPlan> leaves =
                classic(frame).queryExecution().analyzed().collectLeaves().iterator();
        boolean any = false;
        while (leaves.hasNext()) {
            org.apache.spark.sql.catalyst.plans.logical.LogicalPlan leaf = leaves.next();
            org.apache.spark.sql.execution.datasources.FileIndex index = null;
            if (leaf instanceof org.apache.spark.sql.execution.datasources.LogicalRelation r
                    && r.relation() instanceof org.apache.spark.sql.execution.datasources.HadoopFsRelation fs) {
                index = fs.location();
            } else if (leaf instanceof org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation r
                    && r.table() instanceof org.apache.spark.sql.execution.datasources.v2.FileTable t) {
                index = t.fileIndex();
            }
            if (index == null) {
                return new InputScale(-1, -1);
            }
            bytes += index.sizeInBytes();
            files = files < 0 || index instanceof org.apache.spark.sql.execution.datasources.CatalogFileIndex
                    ? -1 : files + index.inputFiles().length;
            any = true;
        }
        return any ? new InputScale(files == 0 ? -1 : files, bytes) : new InputScale(-1, -1);
    }

    /** Plan nodes that only turn a columnar scan's batches into rows. */
    private static boolean isRowConversion(SparkPlan node) {
        String name = node.nodeName();
        return name.startsWith("WholeStageCodegen") || name.equals("ColumnarToRow") || name.equals("InputAdapter");
    }

    private static org.apache.spark.sql.classic.Dataset<Row> classic(Dataset<Row> frame) {
        return (org.apache.spark.sql.classic.Dataset<Row>) frame;
    }
}
