package org.smoothkl.aggregate;

import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.smoothkl.audit.AuditInputException;

/**
 * --max-slices: at most {@code max} slices of the {@code groupBy} columns; one more stops the run
 * as bad input (exit 2) wherever it is first seen, before the driver holds a state for it. The
 * scoring tasks of the CPU engine count the slices of their partition ({@link FirstLevelAggregator}),
 * so a run with too many stops as soon as one task has met one too many; the driver counts the
 * slices of all partitions as it adds them up, and of the SQL path's last level.
 */
record SliceLimit(List<String> groupBy, int max) implements java.io.Serializable {
    /** The Spark local property that hands the limit to the tasks of the job that aggregates. */
    private static final String PROPERTY = "smoothkl.max-slices";

    SliceLimit {
        groupBy = List.copyOf(groupBy);
    }

    /** Throws when {@code slices} slices are more than the limit. */
    void check(int slices) {
        if (slices > max) {
            throw new AuditInputException("--group-by " + String.join(",", groupBy) + " gives at least " + slices
                    + " slices, more than --max-slices " + max + ": group by fewer or coarser columns, or raise --max-slices");
        }
    }

    /** Runs {@code job}, whose tasks then find this limit ({@link #ofTask}). */
    <T> T around(SparkContext spark, Supplier<T> job) {
        String before = spark.getLocalProperty(PROPERTY);
        spark.setLocalProperty(PROPERTY, Integer.toString(max));
        try {
            return job.get();
        } finally {
            spark.setLocalProperty(PROPERTY, before);
        }
    }

    /** The limit of the job running this task ({@link #around}); none outside one. */
    static SliceLimit ofTask(List<String> groupBy) {
        TaskContext task = TaskContext.get();
        String max = task == null ? null : task.getLocalProperty(PROPERTY);
        return new SliceLimit(groupBy, max == null ? Integer.MAX_VALUE : Integer.parseInt(max));
    }
}
