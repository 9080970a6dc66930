package org.smoothkl.report;

import static org.smoothkl.audit.Metric.*;

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
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.Check;
import org.smoothkl.audit.CheckResult;
import org.smoothkl.audit.Comparison;
import org.smoothkl.audit.Metric;
import org.smoothkl.audit.ReliabilityBin;
import org.smoothkl.audit.RunSnapshot;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSnapshot;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.audit.SliceType;
import org.smoothkl.loss.LossKind;
import org.smoothkl.loss.Preset;

/**
 * summary.json: {"config", "run", "verdict", "checks", "baseline", "overall", "slice_columns",
 * "slices": [{"key", ...}]}. Means with no valid row are null; infinite values (the optimal gap at
 * ε = 0) are the strings "Infinity"/"-Infinity", as in the golden files. With a baseline, each
 * summary has a "baseline" object (null for a slice the baseline lacks).
 *
 * <p>A slice is its typed values: "slice_columns" lists each group-by column with its type
 * ({@link SliceType}'s code, Spark's name; null when every value of the column is null), and each
 * slice's "key" maps column → value, JSON's own for strings, booleans and numbers and the type's
 * text for the others ({@link SliceType#toJson}). Each check verdict names its summary by "slice"
 * (the label) and "key" ({} for overall, null when the selector matched nothing).
 */
public final class SummaryJson {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /**
     * A reliability bin's fields. They are spelled like the codes of {@link Metric#MEAN_CONFIDENCE}
     * and {@link Metric#ACCURACY} but belong to the bin's shape (with "bin", "lo", "hi", "count"),
     * not to the slice metrics: they stay these literals if a Metric is ever renamed.
     */
    static final String BIN_MEAN_CONFIDENCE = "mean_confidence";
    static final String BIN_ACCURACY = "accuracy";

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
        AuditSpec spec = result.spec();
        root.set("overall", summary(result.overall(), spec, assessment, SliceKey.OVERALL));
        ArrayNode columns = root.putArray("slice_columns");
        result.sliceTypes().forEach((name, type) -> {
            ObjectNode c = columns.addObject();
            c.put("name", name);
            c.put("type", type == null ? null : type.code());
        });
        ArrayNode slices = root.putArray("slices");
        if (!spec.groupBy().isEmpty()) {
            for (Map.Entry<SliceKey, SliceSummary> e : result.slices().entrySet()) {
                ObjectNode slice = NODES.objectNode();
                slice.set("key", key(e.getKey()));
                slice.setAll(summary(e.getValue(), spec, assessment, e.getKey()));
                slices.add(slice);
            }
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A slice's summary. Its metrics are named one by one in summary.json's order, which is not
     * {@link Metric}'s (other keys sit among them); preset_loss is an object holding the number as "value".
     */
    static ObjectNode summary(SliceSummary s, AuditSpec spec, Assessment assessment, SliceKey key) {
        Preset preset = spec.preset();
        ObjectNode n = NODES.objectNode();
        metrics(n, s, spec, ROWS, VALID, IGNORED, INVALID);
        ObjectNode reasons = n.putObject("invalid_by_reason");
        s.invalidByReason().forEach(reasons::put);
        metrics(n, s, spec, INVALID_FRACTION, IGNORED_FRACTION, SUM_KL, MEAN_KL, SUM_SMOOTHED_CE, MEAN_SMOOTHED_CE,
                SUM_NLL, MEAN_NLL, ACCURACY, MEAN_GAP, GAP_OPT);
        if (s.classes() == null) {
            n.putNull("classes");
        } else {
            n.put("classes", s.classes());
        }
        // The number the preset's own criterion would report for these rows.
        ObjectNode loss = n.putObject(PRESET_LOSS.code());
        loss.put("name", preset.loss() == LossKind.KL ? "kl" : "smoothed_ce");
        loss.put("reduction", preset.reduction().code());
        number(loss, "value", PRESET_LOSS.of(s, spec));

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

        metrics(n, s, spec, MEAN_CONFIDENCE, ECE);
        n.set("reliability", reliability(s.reliability()));

        if (assessment.baseline() != null) {
            Comparison c = assessment.comparisons().get(key);
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

    /** The metrics of {@code s} under their codes: counts as longs, the others as {@link #number}s. */
    private static void metrics(ObjectNode n, SliceSummary s, AuditSpec spec, Metric... metrics) {
        for (Metric m : metrics) {
            double v = m.of(s, spec);
            if (m.isCount()) {
                n.put(m.code(), (long) v);
            } else {
                number(n, m.code(), v);
            }
        }
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
        number(b, Check.PSI, c.gapPsi());
        number(b, Check.JS, c.gapJs());
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
            number(row, BIN_MEAN_CONFIDENCE, r.meanConfidence());
            number(row, BIN_ACCURACY, r.accuracy());
        }
        return rows;
    }

    private static ObjectNode check(CheckResult r) {
        ObjectNode n = NODES.objectNode();
        n.put("check", r.check().text());
        n.put("slice", r.slice());
        n.set("key", r.key() == null ? NODES.nullNode() : key(r.key()));
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

    /** A slice's "key": column → {@link SliceType#toJson} value, in group-by order. */
    static ObjectNode key(SliceKey key) {
        return JSON.valueToTree(key.toJson());
    }
}
