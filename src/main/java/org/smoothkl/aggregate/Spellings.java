package org.smoothkl.aggregate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collate;
import static org.apache.spark.sql.functions.min;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.util.CollationFactory;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.spark.Columns;

/**
 * Slice columns of strings whose collation groups different strings together (UTF8_LCASE groups
 * "A" with "a"). Spark names such a group by whichever of its strings it met first, so one slice
 * can come back under a different string in each grouping set, and on each run. So the tree
 * carries, next to each such column, the group's smallest spelling (in binary order, as Spark's
 * {@code min} takes it); the driver joins a slice's rows by collation key and names the slice by
 * the smallest spelling among all its rows: one slice per group, the same name on every run.
 * SQL levels only: the CPU engine's first level does not take these columns.
 */
final class Spellings {
    private static final String PREFIX = "_spelling_";
    /** Collation id per slice column; -1 where values compare by their bytes. */
    private final int[] collations;
    private final List<String> groupBy;

    private Spellings(int[] collations, List<String> groupBy) {
        this.collations = collations;
        this.groupBy = groupBy;
    }

    /** The collated slice columns among {@code groupBy} in {@code schema}. */
    static Spellings of(StructType schema, List<String> groupBy) {
        int[] collations = new int[groupBy.size()];
        for (int c = 0; c < collations.length; c++) {
            collations[c] = schema.apply(groupBy.get(c)).dataType() instanceof StringType st && !st.supportsBinaryEquality()
                    ? st.collationId() : -1;
        }
        return new Spellings(collations, groupBy);
    }

    boolean none() {
        for (int id : collations) {
            if (id >= 0) {
                return false;
            }
        }
        return true;
    }

    /** The first level's spelling columns: each collated value as a plain (binary) string. */
    List<Column> columns() {
        List<Column> columns = new ArrayList<>();
        forEachCollated(c -> columns.add(collate(Columns.quoted(groupBy.get(c)), "UTF8_BINARY").as(PREFIX + c)));
        return columns;
    }

    /** Every level's aggregate of the spelling columns: the smallest. */
    List<Column> aggregates() {
        List<Column> aggregates = new ArrayList<>();
        forEachCollated(c -> aggregates.add(min(col(PREFIX + c)).as(PREFIX + c)));
        return aggregates;
    }

    /** A last-level row's slice values as its group: each collated string by its collation key. */
    List<Object> group(List<Object> values) {
        List<Object> group = new ArrayList<>(values);
        forEachCollated(c -> {
            if (values.get(c) != null) {
                // the key's bytes: a slice key compares byte arrays by content
                group.set(c, CollationFactory.getCollationKeyBytes(
                        UTF8String.fromString((String) values.get(c)), collations[c]));
            }
        });
        return group;
    }

    /** The values that name row {@code r}'s slice: each collated one replaced by its group's smallest spelling. */
    List<Object> spelled(List<Object> values, Row r) {
        List<Object> spelled = new ArrayList<>(values);
        forEachCollated(c -> spelled.set(c, r.getAs(PREFIX + c)));
        return spelled;
    }

    /** Of two namings of one slice, each value the smaller. */
    List<Object> smaller(List<Object> a, List<Object> b) {
        List<Object> smaller = new ArrayList<>(a);
        forEachCollated(c -> {
            if (a.get(c) != null && UTF8String.fromString((String) a.get(c))
                    .binaryCompare(UTF8String.fromString((String) b.get(c))) > 0) {
                smaller.set(c, b.get(c));
            }
        });
        return smaller;
    }

    /** Summaries by group as summaries by slice key, each named by {@code names}. */
    <S> Map<SliceKey, S> named(Map<SliceKey, S> byGroup, Map<SliceKey, List<Object>> names) {
        Map<SliceKey, S> named = new LinkedHashMap<>();
        byGroup.forEach((group, s) -> named.put(new SliceKey(groupBy, names.get(group)), s));
        return named;
    }

    private void forEachCollated(java.util.function.IntConsumer body) {
        for (int c = 0; c < collations.length; c++) {
            if (collations[c] >= 0) {
                body.accept(c);
            }
        }
    }
}
