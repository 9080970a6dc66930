package org.smoothkl.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.Metric;
import org.smoothkl.audit.ReliabilityBin;
import org.smoothkl.audit.RunSnapshot;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSnapshot;
import org.smoothkl.audit.SliceType;
import org.smoothkl.loss.WireCode;

/**
 * Reads a finished run's summary.json back: as a tree (for the report) or as a
 * {@link RunSnapshot} (for use as a baseline). Keys a run of an older version lacks (calibration)
 * read as undefined, not as errors.
 */
public final class SummaryReader {
    private SummaryReader() {
    }

    public static JsonNode tree(String json, String path) {
        try {
            JsonNode root = SummaryJson.JSON.readTree(json);
            if (root == null || !root.has("overall") || !root.has("config")) {
                throw new AuditInputException(path + " is not a smoothkl summary.json (no \"config\" or \"overall\")");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new AuditInputException(path + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The run in {@code json}, read from the output directory {@code path}. */
    public static RunSnapshot snapshot(String json, String path) {
        JsonNode root = tree(json, path + "/summary.json");
        JsonNode config = root.get("config");
        JsonNode range = config.path("gap_range");
        GapHistogramSpec histogram;
        try {
            histogram = new GapHistogramSpec(config.path("bins").asInt(), range.path(0).asDouble(), range.path(1).asDouble());
        } catch (AuditInputException e) {
            throw new AuditInputException(path + "/summary.json has no valid bins and gap_range in its config", e);
        }
        Integer calibrationBins = config.hasNonNull("calibration_bins") ? config.get("calibration_bins").asInt() : null;
        Map<String, SliceType> types;
        Map<SliceKey, SliceSnapshot> slices = new LinkedHashMap<>();
        slices.put(SliceKey.OVERALL, slice(SliceKey.OVERALL, root.get("overall")));
        try {
            types = sliceTypes(root);
            for (JsonNode s : root.path("slices")) {
                SliceKey key = key(s.path("key"), types);
                if (slices.put(key, slice(key, s)) != null) {
                    throw new IllegalArgumentException("two slices are " + key.label());
                }
            }
        } catch (IllegalArgumentException e) {
            throw new AuditInputException(path + "/summary.json: " + e.getMessage(), e);
        }
        JsonNode run = root.path("run");
        return new RunSnapshot(path, run.path("started").asText(null), run.path("tag").asText(null), histogram,
                calibrationBins, types, slices);
    }

    /** Column → type of "slice_columns"; null for a summary.json written before it was recorded. */
    static Map<String, SliceType> sliceTypes(JsonNode root) {
        if (!root.has("slice_columns")) {
            return null;
        }
        Map<String, SliceType> types = new LinkedHashMap<>();
        for (JsonNode c : root.path("slice_columns")) {
            types.put(c.path("name").asText(), c.hasNonNull("type") ? WireCode.parse(SliceType.class, c.get("type").asText(),
                    "slice column type") : null);
        }
        return types;
    }

    /**
     * A slice's "key" back into a {@link SliceKey}: each value read as its column's type; without
     * one (an older summary.json), as JSON typed it (text, boolean, bigint or double).
     */
    static SliceKey key(JsonNode key, Map<String, SliceType> types) {
        List<String> columns = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        key.fields().forEachRemaining(e -> {
            columns.add(e.getKey());
            JsonNode v = e.getValue();
            SliceType t = types == null ? null : types.get(e.getKey());
            if (v.isNull()) {
                values.add(null);
            } else if (t != null) {
                values.add(t.parse(v.asText()));
            } else {
                values.add(v.isIntegralNumber() ? (Object) v.asLong() : v.isNumber() ? (Object) v.asDouble()
                        : v.isBoolean() ? (Object) v.asBoolean() : v.asText());
            }
        });
        return new SliceKey(columns, values);
    }

    private static SliceSnapshot slice(SliceKey key, JsonNode s) {
        Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            metrics.put(m, number(metric(s, m)));
        }
        JsonNode h = s.path("gap_histogram");
        JsonNode counts = h.path("counts");
        long[] gap = new long[counts.size() + 2];
        gap[0] = h.path("underflow").asLong();
        for (int i = 0; i < counts.size(); i++) {
            gap[i + 1] = counts.get(i).asLong();
        }
        gap[gap.length - 1] = h.path("overflow").asLong();
        return new SliceSnapshot(key, metrics, gap, reliability(s.path("reliability")));
    }

    static List<ReliabilityBin> reliability(JsonNode table) {
        List<ReliabilityBin> rows = new ArrayList<>();
        for (JsonNode r : table) {
            rows.add(new ReliabilityBin(r.path("bin").asInt(), r.path("lo").asDouble(), r.path("hi").asDouble(),
                    r.path("count").asLong(), number(r.path(SummaryJson.BIN_MEAN_CONFIDENCE)),
                    number(r.path(SummaryJson.BIN_ACCURACY))));
        }
        return rows;
    }

    /** Metric {@code m} of a summary (overall or a slice): the value under its code; preset_loss's "value". */
    static JsonNode metric(JsonNode summary, Metric m) {
        JsonNode v = summary.path(m.code());
        return m == Metric.PRESET_LOSS ? v.path("value") : v;
    }

    /** A JSON number, "Infinity"/"-Infinity", or NaN for null and missing values. */
    static double number(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return Double.NaN;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        return switch (v.asText()) {
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.NaN;
        };
    }
}
