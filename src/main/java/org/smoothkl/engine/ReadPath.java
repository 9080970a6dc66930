package org.smoothkl.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import org.smoothkl.parquet.ReadCounts;

/**
 * Who read a run's logits: the page decoder, with its file splits counted by how they were read
 * (a split it does not handle goes to Spark's reader, its reason the key), or Spark's reader and
 * why. summary.json's run.reader and the scoring phase line.
 *
 * @param splits null when Spark's reader read everything
 * @param because why the decoder was not used; null when it was
 */
public record ReadPath(Map<String, Long> splits, String because) {
    static final String SPARK = "spark";

    static ReadPath spark(String because) {
        return new ReadPath(null, because);
    }

    /** summary.json's run.reader. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("logits", splits == null ? SPARK : ReadCounts.DECODED);
        if (splits == null) {
            json.put("because", because);
        } else {
            json.put("splits", splits);
        }
        return json;
    }

    /** The phase line's words: "the page decoder (4 splits)", "Spark's reader (the input's scan is ORC …)". */
    public String describe() {
        if (splits == null) {
            return "Spark's reader (" + because + ")";
        }
        long decoded = splits.getOrDefault(ReadCounts.DECODED, 0L);
        StringBuilder s = new StringBuilder("the page decoder (" + decoded + (decoded == 1 ? " file split" : " file splits"));
        splits.forEach((how, n) -> {
            if (!how.equals(ReadCounts.DECODED)) {
                s.append("; ").append(n).append(" by Spark's reader: ").append(how);
            }
        });
        return s.append(')').toString();
    }
}
