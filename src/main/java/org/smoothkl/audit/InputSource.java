package org.smoothkl.audit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the rows come from besides a path: a catalog table (--table), a Spark data source named
 * by --format when it is none of {@link InputFormat}'s (delta, iceberg, avro, a class name), its
 * reader options (--option), a filter pushed to the source (--where), and source columns carried
 * into rows/ and invalid/ (--keep).
 *
 * @param table a table name (db.table, catalog.db.table), or null to read --input
 * @param sourceName the data source's name when the format is {@link InputFormat#SOURCE}, else null
 * @param where a Spark SQL predicate, or null
 */
public record InputSource(String table, String sourceName, Map<String, String> options, String where, List<String> keep) {
    /** Only --input, read with one of {@link InputFormat}'s readers. */
    public static final InputSource PATH = new InputSource(null, null, Map.of(), null, List.of());

    public InputSource {
        options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        keep = List.copyOf(keep);
    }
}
