package org.smoothkl.aggregate;

import java.util.List;
import org.smoothkl.audit.AuditInputException;

/**
 * --max-slices: at most {@code max} slices of the {@code groupBy} columns; one more stops the run
 * as bad input (exit 2) wherever it is first seen, before the driver holds a state for it. The
 * scoring tasks of the CPU engine count the slices of their partition ({@link FirstLevelAggregator}),
 * so a run with too many stops as soon as one task has met one too many; the driver counts the
 * slices of all partitions as it adds them up, and of the SQL path's last level.
 */
record SliceLimit(List<String> groupBy, int max) implements java.io.Serializable {
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
}
