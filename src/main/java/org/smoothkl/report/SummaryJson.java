package org.smoothkl.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.Map;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.loss.LossKind;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.Reduction;
import org.smoothkl.loss.Smoothing;

/**
 * summary.json: {"config", "run", "overall", "slices": [{"key", ...}]}. Means with no valid row
 * are null; infinite values (the optimal gap at ε = 0) are the strings "Infinity"/"-Infinity",
 * as in the golden files.
 */
public final class SummaryJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SummaryJson() {
    }

    public static String render(AuditResult result, Map<String, Object> run) {
        ObjectNode root = NODES.objectNode();
        root.set("config", JSON.valueToTree(result.spec().describe()));
        root.set("run", JSON.valueToTree(run));
        Smoothing smoothing = result.spec().smoothing();
        Preset preset = result.spec().preset();
        root.set("overall", summary(result.overall(), smoothing, preset));
        ArrayNode slices = root.putArray("slices");
        if (!result.spec().groupBy().isEmpty()) {
            for (Map.Entry<SliceKey, SliceSummary> e : result.slices().entrySet()) {
                ObjectNode slice = NODES.objectNode();
                slice.set("key", JSON.valueToTree(jsonSafe(e.getKey().asMap())));
                slice.setAll(summary(e.getValue(), smoothing, preset));
                slices.add(slice);
            }
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode summary(SliceSummary s, Smoothing smoothing, Preset preset) {
        ObjectNode n = NODES.objectNode();
        n.put("rows", s.rows());
        n.put("valid", s.valid());
        n.put("ignored", s.ignored());
        n.put("invalid", s.invalid());
        ObjectNode reasons = n.putObject("invalid_by_reason");
        s.invalidByReason().forEach(reasons::put);
        number(n, "sum_kl", s.sumKl());
        number(n, "mean_kl", s.meanKl());
        number(n, "sum_smoothed_ce", s.sumSmoothedCe());
        number(n, "mean_smoothed_ce", s.meanSmoothedCe());
        number(n, "sum_nll", s.sumNll());
        number(n, "mean_nll", s.meanNll());
        number(n, "accuracy", s.accuracy());
        number(n, "mean_gap", s.meanGap());
        Double gapOpt = s.optimalGap(smoothing);
        number(n, "gap_opt", gapOpt == null ? Double.NaN : gapOpt);
        if (s.classes() == null) {
            n.putNull("classes");
        } else {
            n.put("classes", s.classes());
        }
        // The number the preset's own criterion would report for these rows.
        double sum = preset.loss() == LossKind.KL ? s.sumKl() : s.sumSmoothedCe();
        ObjectNode loss = n.putObject("preset_loss");
        loss.put("name", preset.loss() == LossKind.KL ? "kl" : "smoothed_ce");
        loss.put("reduction", preset.reduction().name().toLowerCase(java.util.Locale.ROOT));
        number(loss, "value", preset.reduction() == Reduction.SUM ? sum : sum / s.valid());

        ObjectNode h = n.putObject("gap_histogram");
        ArrayNode edges = h.putArray("edges");
        for (double e : s.histogramSpec().edges()) {
            edges.add(e);
        }
        ArrayNode counts = h.putArray("counts");
        for (long c : s.histogram()) {
            counts.add(c);
        }
        h.put("underflow", s.underflow());
        h.put("overflow", s.overflow());
        return n;
    }

    private static void number(ObjectNode n, String field, double v) {
        if (Double.isNaN(v)) {
            n.putNull(field);
        } else if (Double.isInfinite(v)) {
            n.put(field, v > 0 ? "Infinity" : "-Infinity");
        } else {
            n.put(field, v);
        }
    }

    /** Slice values JSON can hold as they are (text, numbers, booleans); others as their text. */
    private static Map<String, Object> jsonSafe(Map<String, Object> key) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        key.forEach((k, v) -> out.put(k, v == null || v instanceof Number || v instanceof Boolean || v instanceof String
                ? v : v.toString()));
        return out;
    }
}
