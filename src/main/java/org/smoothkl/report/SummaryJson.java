package org.smoothkl.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.CheckResult;
import org.smoothkl.audit.Comparison;
import org.smoothkl.audit.Metric;
import org.smoothkl.audit.ReliabilityBin;
import org.smoothkl.audit.RunSnapshot;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSnapshot;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.loss.LossKind;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.Smoothing;

/**
 * summary.json: {"config", "run", "verdict", "checks", "baseline", "overall", "slices": [{"key", ...}]}.
 * Means with no valid row are null; infinite values (the optimal gap at ε = 0) are the strings
 * "Infinity"/"-Infinity", as in the golden files. With a baseline, each summary has a
 * "baseline" object (null for a slice the baseline lacks).
 */
public final class SummaryJson {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SummaryJson() {
    }

    public static String render(AuditResult result, Assessment assessment, Map<String, Object> run) {
        ObjectNode root = NODES.objectNode();
        root.set("config", JSON.valueToTree(result.spec().describe()));
        root.set("run", JSON.valueToTree(run));
        ObjectNode verdict = root.putObject("verdict");
        verdict.put("passed", assessment.passed());
        verdict.put("checks", assessment.checks().size());
        verdict.put("failed", assessment.failed());
        ArrayNode checks = root.putArray("checks");
        assessment.checks().forEach(c -> checks.add(check(c)));
        RunSnapshot baseline = assessment.baseline();
        if (baseline == null) {
            root.putNull("baseline");
        } else {
            ObjectNode b = root.putObject("baseline");
            b.put("path", baseline.path());
            b.put("started", baseline.started());
            b.put("tag", baseline.tag());
        }
        Smoothing smoothing = result.spec().smoothing();
        Preset preset = result.spec().preset();
        root.set("overall", summary(result.overall(), smoothing, preset, assessment, Assessment.OVERALL));
        ArrayNode slices = root.putArray("slices");
        if (!result.spec().groupBy().isEmpty()) {
            for (Map.Entry<SliceKey, SliceSummary> e : result.slices().entrySet()) {
                ObjectNode slice = NODES.objectNode();
                slice.set("key", JSON.valueToTree(jsonSafe(e.getKey().asMap())));
                slice.setAll(summary(e.getValue(), smoothing, preset, assessment, e.getKey().label()));
                slices.add(slice);
            }
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode summary(SliceSummary s, Smoothing smoothing, Preset preset, Assessment assessment, String label) {
        ObjectNode n = NODES.objectNode();
        n.put("rows", s.rows());
        n.put("valid", s.valid());
        n.put("ignored", s.ignored());
        n.put("invalid", s.invalid());
        ObjectNode reasons = n.putObject("invalid_by_reason");
        s.invalidByReason().forEach(reasons::put);
        number(n, "invalid_fraction", s.invalidFraction());
        number(n, "ignored_fraction", s.ignoredFraction());
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
        ObjectNode loss = n.putObject("preset_loss");
        loss.put("name", preset.loss() == LossKind.KL ? "kl" : "smoothed_ce");
        loss.put("reduction", preset.reduction().code());
        number(loss, "value", s.presetLoss(preset));

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

        number(n, "mean_confidence", s.meanConfidence());
        number(n, "ece", s.expectedCalibrationError());
        n.set("reliability", reliability(s.reliability()));

        if (assessment.baseline() != null) {
            Comparison c = assessment.comparisons().get(label);
            if (c == null) {
                n.putNull("baseline");
            } else {
                n.set("baseline", comparison(c));
            }
        }
        if (s.sequences() != null) {
            n.set("sequences", sequences(s.sequences(), preset));
        }
        return n;
    }

    /**
     * Token-sequence input: sequences and tokens (rows = tokens + malformed sequences), and the
     * per-sequence sums of the preset's loss and of the NLL over valid tokens, over the "scored"
     * sequences (≥ 1 valid token, none invalid).
     */
    static ObjectNode sequences(org.smoothkl.audit.SequenceSummary q, Preset preset) {
        ObjectNode n = NODES.objectNode();
        n.put("sequences", q.sequences());
        n.put("tokens", q.tokens());
        n.put("scored", q.scored());
        ObjectNode loss = n.putObject("loss_per_sequence");
        loss.put("name", preset.loss() == LossKind.KL ? "kl" : "smoothed_ce");
        number(loss, "sum", q.sumLoss());
        number(loss, "mean", q.meanLoss());
        number(loss, "min", q.minLoss());
        number(loss, "max", q.maxLoss());
        ObjectNode nll = n.putObject("nll_per_sequence");
        number(nll, "sum", q.sumNll());
        number(nll, "mean", q.meanNll());
        number(nll, "min", q.minNll());
        number(nll, "max", q.maxNll());
        return n;
    }

    private static ObjectNode comparison(Comparison c) {
        ObjectNode b = NODES.objectNode();
        ObjectNode values = b.putObject("values");
        ObjectNode difference = b.putObject("difference");
        ObjectNode ratio = b.putObject("ratio");
        for (Metric m : Metric.values()) {
            number(values, m.code(), c.baseline().metric(m));
            number(difference, m.code(), c.difference(m));
            number(ratio, m.code(), c.ratio(m));
        }
        number(b, "gap_psi", c.gapPsi());
        number(b, "gap_js", c.gapJs());
        SliceSnapshot base = c.baseline();
        long[] counts = base.gapCounts();
        ObjectNode h = b.putObject("gap_histogram");
        ArrayNode inner = h.putArray("counts");
        for (int i = 1; i < counts.length - 1; i++) {
            inner.add(counts[i]);
        }
        h.put("underflow", counts[0]);
        h.put("overflow", counts[counts.length - 1]);
        b.set("reliability", reliability(base.reliability()));
        return b;
    }

    private static ArrayNode reliability(List<ReliabilityBin> table) {
        ArrayNode rows = NODES.arrayNode();
        for (ReliabilityBin r : table) {
            ObjectNode row = rows.addObject();
            row.put("bin", r.bin());
            row.put("lo", r.lo());
            row.put("hi", r.hi());
            row.put("count", r.count());
            number(row, "mean_confidence", r.meanConfidence());
            number(row, "accuracy", r.accuracy());
        }
        return rows;
    }

    private static ObjectNode check(CheckResult r) {
        ObjectNode n = NODES.objectNode();
        n.put("check", r.check().text());
        n.put("slice", r.slice());
        n.put("kind", r.check().kind().code());
        n.put("term", r.check().term());
        n.put("metric", r.check().metric() == null ? r.check().term() : r.check().metric().code());
        number(n, "value", r.value());
        number(n, "baseline_value", r.baselineValue());
        n.put("bound", r.check().bound());
        n.put("passed", r.passed());
        n.put("note", r.note());
        return n;
    }

    static void number(ObjectNode n, String field, double v) {
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
