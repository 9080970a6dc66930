package org.smoothkl.aggregate;

import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.loss.MetricsBatch;

/**
 * The aggregation tree up to its third level, one row per key and partition, computed by the task
 * that scores the partition (the CPU engine): {@link FirstLevelAggregator} makes the first level,
 * two {@link LevelFold}s the blocks of blocks and the partition's total, in the same order as
 * {@link AuditAggregation}'s SQL levels, so the same bits. Serializable: sent to executors.
 */
public final class PartitionLevel implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final List<String> groupBy;
    private final FirstLevelAggregator.SliceColumns slices;
    private final StructType sliceSchema;
    private final GapHistogramSpec histogram;
    private final CalibrationSpec calibration;
    private final SliceLimit limit;

    private PartitionLevel(StructType inputSchema, List<String> groupBy, GapHistogramSpec histogram,
                           CalibrationSpec calibration, int maxSlices) {
        this.groupBy = List.copyOf(groupBy);
        this.slices = FirstLevelAggregator.SliceColumns.of(inputSchema, groupBy);
        this.sliceSchema = FirstLevelAggregator.sliceSchema(inputSchema, groupBy);
        this.histogram = histogram;
        this.calibration = calibration;
        this.limit = new SliceLimit(groupBy, maxSlices);
    }

    /**
     * For rows of {@code inputSchema} sliced by {@code groupBy}; requires {@link #supports}. A
     * partition with more than {@code maxSlices} slices stops its task (exit 2, --max-slices).
     */
    public static PartitionLevel of(StructType inputSchema, List<String> groupBy, GapHistogramSpec histogram,
                                    CalibrationSpec calibration, int maxSlices) {
        return new PartitionLevel(inputSchema, groupBy, histogram, calibration, maxSlices);
    }

    /** Whether the slice columns can be grouped in Java as Spark groups them. */
    public static boolean supports(StructType inputSchema, List<String> groupBy) {
        return FirstLevelAggregator.supports(inputSchema, groupBy);
    }

    /** The rows' schema: the level-row layout with the slice columns, block = the partition's first block. */
    public StructType schema() {
        return LevelRow.schema(sliceSchema);
    }

    /** The aggregation of partition {@code partition}, handing its rows to {@code out} as they are final. */
    public Partition open(int partition, Consumer<InternalRow> out) {
        return new Partition(partition, out);
    }

    /** One partition's three levels, fed row by row; more slices than its job's --max-slices stop it (exit 2). */
    public final class Partition {
        private final FirstLevelAggregator firstLevel;
        private final LevelFold blocksOfBlocks;
        private final LevelFold partitionTotal;

        private Partition(int partition, Consumer<InternalRow> out) {
            int keyWidth = LevelRow.keyWidth(slices.ordinals().length);
            this.partitionTotal = new LevelFold(keyWidth, AuditAggregation.LEVEL_SHIFTS[1],
                    row -> out.accept(LevelRow.internalRow(row)));
            this.blocksOfBlocks = new LevelFold(keyWidth, AuditAggregation.LEVEL_SHIFTS[0], partitionTotal::add);
            this.firstLevel = new FirstLevelAggregator(slices, histogram, calibration, limit, partition, blocksOfBlocks);
        }

        /** Before the rows of a chunk of a columnar batch that start at its row {@code firstRow}. */
        public void beginChunk(ColumnarBatch batch, int firstRow) {
            firstLevel.beginChunk(batch, firstRow);
        }

        /** Adds row {@code i} of a scored batch: its input row (for the slice values), metrics and K. */
        public void add(InternalRow input, MetricsBatch m, int i, int classes) {
            firstLevel.add(input, m, i, classes);
        }

        /** After the partition's last row: every remaining row goes out. */
        public void finish() {
            firstLevel.finish();
            blocksOfBlocks.finish();
            partitionTotal.finish();
        }
    }
}
