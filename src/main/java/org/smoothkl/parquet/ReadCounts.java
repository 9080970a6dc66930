package org.smoothkl.parquet;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.util.AccumulatorV2;

/**
 * How the scan's file splits were read: {@value #DECODED} for the page decoder, else the reason
 * a split went to Spark's reader. An accumulator: tasks add, the driver reads after the job.
 */
public final class ReadCounts extends AccumulatorV2<String, Map<String, Long>> {
    public static final String DECODED = "page decoder";
    private final TreeMap<String, Long> counts = new TreeMap<>();

    @Override
    public boolean isZero() {
        synchronized (counts) {
            return counts.isEmpty();
        }
    }

    @Override
    public ReadCounts copy() {
        ReadCounts copy = new ReadCounts();
        copy.merge(this);
        return copy;
    }

    @Override
    public void reset() {
        synchronized (counts) {
            counts.clear();
        }
    }

    @Override
    public void add(String how) {
        synchronized (counts) {
            counts.merge(how, 1L, Long::sum);
        }
    }

    @Override
    public void merge(AccumulatorV2<String, Map<String, Long>> other) {
        Map<String, Long> theirs = other.value();
        synchronized (counts) {
            theirs.forEach((k, v) -> counts.merge(k, v, Long::sum));
        }
    }

    /** A copy: split counts by how they were read. */
    @Override
    public Map<String, Long> value() {
        synchronized (counts) {
            return new TreeMap<>(counts);
        }
    }
}
