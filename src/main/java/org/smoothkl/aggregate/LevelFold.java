package org.smoothkl.aggregate;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One level of {@link AuditAggregation}'s tree in plain Java, the same arithmetic as its SQL
 * {@code upperLevels} step: rows of the level below are grouped by (key, block &gt;&gt; shift), their
 * counts and correct counts added, their partial sums added from 0.0 in the order the rows arrive
 * (a null partial as 0.0: {@code sumInBlockOrder}), min and max K combined. Rows must arrive in
 * block order within each key, which holds for the levels a task folds (its blocks come in row
 * order) and for the driver's (it feeds partitions in index order), so the sums are the same bits
 * as the SQL's, which sorts by block before adding.
 *
 * <p>Rows are {@code Object[]} in the layout of {@link AuditAggregation#firstLevelSchema}: the key
 * (slice values, status, reason, bucket, bin), then block, count, the sums (KL, smoothed CE, NLL,
 * gap, correct, confidence), min K and max K. Values are compared as Spark groups them: this
 * folds rows whose slice values the first level has already normalised (−0.0, NaN) and copied.
 */
final class LevelFold {
    /** Offsets after the key: block, count, the four loss sums, correct, confidence, min K, max K. */
    private static final int BLOCK = 0;
    private static final int COUNT = 1;
    private static final int[] DOUBLES = {2, 3, 4, 5, 7};
    private static final int CORRECT = 6;
    private static final int MIN_K = 8;
    private static final int MAX_K = 9;
    static final int AFTER_KEY = 10;
    /** {@link #LevelFold}'s shift for the last level: one group per key, whatever the block. */
    static final int ONE_GROUP = -1;

    private final int keyWidth;
    private final int shift;
    private final Consumer<Object[]> out;
    private final Map<FirstLevelAggregator.SliceValues, Group> open = new LinkedHashMap<>();

    /** Groups by the first {@code keyWidth} columns and {@code block >> shift} ({@link #ONE_GROUP}: the key alone). */
    LevelFold(int keyWidth, int shift, Consumer<Object[]> out) {
        this.keyWidth = keyWidth;
        this.shift = shift;
        this.out = out;
    }

    /** Adds a row of the level below; a finished group of its key goes out first. */
    void add(Object[] row) {
        // the key compared as slice values are (element by element, byte[] by content)
        FirstLevelAggregator.SliceValues key = new FirstLevelAggregator.SliceValues(Arrays.copyOf(row, keyWidth));
        Long block = (Long) row[keyWidth + BLOCK];
        Long group = shift == ONE_GROUP || block == null ? null : block >> shift;
        Group g = open.get(key);
        if (g != null && !Objects.equals(g.id, group)) {
            out.accept(g.row(key));
            g = null;
        }
        if (g == null) {
            g = new Group(group);
            open.put(key, g);
        }
        g.add(row, keyWidth);
    }

    /** Emits every open group (the level's last group of each key). */
    void finish() {
        open.forEach((key, g) -> out.accept(g.row(key)));
        open.clear();
    }

    private static final class Group {
        final Long id;
        long count;
        final double[] sums = new double[DOUBLES.length];
        Long correct;
        Integer minK;
        Integer maxK;

        Group(Long id) {
            this.id = id;
        }

        void add(Object[] row, int k) {
            count += (Long) row[k + COUNT];
            for (int d = 0; d < DOUBLES.length; d++) {
                Double v = (Double) row[k + DOUBLES[d]];
                sums[d] = sums[d] + (v == null ? 0.0 : v);
            }
            Long c = (Long) row[k + CORRECT];
            if (c != null) {
                correct = correct == null ? c : correct + c;
            }
            Integer lo = (Integer) row[k + MIN_K];
            if (lo != null) {
                minK = minK == null ? lo : Math.min(minK, lo);
            }
            Integer hi = (Integer) row[k + MAX_K];
            if (hi != null) {
                maxK = maxK == null ? hi : Math.max(maxK, hi);
            }
        }

        Object[] row(FirstLevelAggregator.SliceValues key) {
            Object[] r = Arrays.copyOf(key.values(), key.values().length + AFTER_KEY);
            int k = key.values().length;
            r[k + BLOCK] = id;
            r[k + COUNT] = count;
            for (int d = 0; d < DOUBLES.length; d++) {
                r[k + DOUBLES[d]] = sums[d];
            }
            r[k + CORRECT] = correct;
            r[k + MIN_K] = minK;
            r[k + MAX_K] = maxK;
            return r;
        }
    }
}
