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
 * <p>Rows are {@code Object[]} in the layout of {@link LevelRow}. Values are compared as Spark
 * groups them: this folds rows whose slice values the first level has already normalised (−0.0,
 * NaN) and copied.
 */
final class LevelFold {
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
        double[] sums = new double[LevelRow.DOUBLE_SUMS_AT.length];
        for (int d = 0; d < sums.length; d++) {
            Double v = (Double) row[keyWidth + LevelRow.DOUBLE_SUMS_AT[d]];
            sums[d] = v == null ? 0.0 : v;
        }
        add(key, (Long) row[keyWidth + LevelRow.BLOCK_AT], (Long) row[keyWidth + LevelRow.COUNT_AT], sums,
                (Long) row[keyWidth + LevelRow.CORRECT_AT], (Integer) row[keyWidth + LevelRow.MIN_K_AT],
                (Integer) row[keyWidth + LevelRow.MAX_K_AT]);
    }

    /**
     * The same for a row given by its parts, without building it: {@code key} its first
     * {@code keyWidth} values (which the caller may pass again for its next rows: its hash is kept),
     * {@code sums} the partial sums in {@link LevelRow#DOUBLE_SUMS} order (a null partial as 0.0).
     */
    void add(FirstLevelAggregator.SliceValues key, Long block, long count, double[] sums, Long correct,
             Integer minK, Integer maxK) {
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
        g.add(count, sums, correct, minK, maxK);
    }

    /** Emits every open group (the level's last group of each key). */
    void finish() {
        open.forEach((key, g) -> out.accept(g.row(key)));
        open.clear();
    }

    private static final class Group {
        final Long id;
        long count;
        final double[] sums = new double[LevelRow.DOUBLE_SUMS_AT.length];
        Long correct;
        Integer minK;
        Integer maxK;

        Group(Long id) {
            this.id = id;
        }

        void add(long rows, double[] partial, Long rowsCorrect, Integer lo, Integer hi) {
            count += rows;
            for (int d = 0; d < sums.length; d++) {
                sums[d] = sums[d] + partial[d];
            }
            if (rowsCorrect != null) {
                correct = correct == null ? rowsCorrect : correct + rowsCorrect;
            }
            if (lo != null) {
                minK = minK == null ? lo : Math.min(minK, lo);
            }
            if (hi != null) {
                maxK = maxK == null ? hi : Math.max(maxK, hi);
            }
        }

        Object[] row(FirstLevelAggregator.SliceValues key) {
            Object[] r = LevelRow.of(key.values(), id, count);
            int k = key.values().length;
            for (int d = 0; d < sums.length; d++) {
                r[k + LevelRow.DOUBLE_SUMS_AT[d]] = sums[d];
            }
            r[k + LevelRow.CORRECT_AT] = correct;
            r[k + LevelRow.MIN_K_AT] = minK;
            r[k + LevelRow.MAX_K_AT] = maxK;
            return r;
        }
    }
}
