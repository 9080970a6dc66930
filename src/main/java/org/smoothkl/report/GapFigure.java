package org.smoothkl.report;

import static org.smoothkl.audit.Metric.GAP_OPT;
import static org.smoothkl.audit.Metric.MEAN_GAP;
import static org.smoothkl.audit.Metric.VALID;
import static org.smoothkl.report.Charts.NODES;
import static org.smoothkl.report.Charts.point;
import static org.smoothkl.report.SummaryReader.metric;
import static org.smoothkl.report.SummaryReader.number;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.smoothkl.loss.TargetConvention;
import org.smoothkl.loss.WireCode;

/**
 * He et al. 2019, Fig. 4, as the report draws it: the top panel, the optimal gap log(q_y/q_other)
 * against ε for the run's convention and K (the curve's points come from
 * {@link TargetConvention#optimalGap}), with this run's ε, optimal and mean gap marked; the bottom
 * panel, the gap distributions of the {@value #OVERLAY_SLICES} largest slices (by valid rows) and of
 * the baseline run overlaid as lines, each with its optimal gap as a dashed line in its colour.
 */
final class GapFigure {
    /** More lines than this no longer read apart; the other slices stay in the overview table. */
    static final int OVERLAY_SLICES = 10;
    /** ε of the curve's points: dense near 0, where the optimal gap changes fastest. */
    private static final double[] CURVE_EPSILONS = curveEpsilons();

    private GapFigure() {
    }

    /**
     * The summaries the overlay draws: the {@value #OVERLAY_SLICES} slices with the most valid rows
     * (ties in page order), or overall when the run has no slices; in page order.
     */
    static List<HtmlReport.Part> overlaid(List<HtmlReport.Part> parts) {
        if (parts.size() == 1) {
            return parts;
        }
        List<HtmlReport.Part> slices = new ArrayList<>(parts.subList(1, parts.size()));
        slices.sort(Comparator.comparingLong((HtmlReport.Part p) -> -metric(p.summary(), VALID).asLong()));
        List<HtmlReport.Part> top = new ArrayList<>(slices.subList(0, Math.min(OVERLAY_SLICES, slices.size())));
        top.sort(Comparator.comparingInt(HtmlReport.Part::index));
        return top;
    }

    /** The top panel: the theoretical optimum against ε, this run (and the history's runs of the preset) marked. */
    static JsonNode theoryChart(JsonNode summary, List<HistoryEntry> history) {
        JsonNode config = summary.path("config");
        JsonNode overall = summary.path("overall");
        double epsilon = config.path("epsilon").asDouble();
        ArrayNode datasets = NODES.arrayNode();
        TargetConvention convention = convention(config);
        if (overall.hasNonNull("classes") && convention != null) {
            int k = overall.get("classes").asInt();
            ArrayNode curve = NODES.arrayNode();
            for (double e : CURVE_EPSILONS) {
                double g = convention.optimalGap(k, e);
                if (Double.isFinite(g)) {
                    curve.add(point(e, g));
                }
            }
            ObjectNode c = Charts.dataset("line", "optimal gap log(q_y/q_other), " + convention.code() + ", K = " + k, curve,
                    "#333333");
            c.put("borderWidth", 2);
            c.put("order", 3);
            datasets.add(c);
        }
        double gapOpt = number(metric(overall, GAP_OPT));
        if (Double.isFinite(gapOpt)) {
            datasets.add(mark("this run: optimal gap at ε = " + HtmlReport.compact(epsilon), epsilon, gapOpt,
                    Charts.OPTIMUM_COLOR, "circle", epsilon));
        }
        double meanGap = number(metric(overall, MEAN_GAP));
        if (Double.isFinite(meanGap)) {
            ObjectNode mean = mark("this run: mean gap " + HtmlReport.fmt(meanGap, 4), epsilon, meanGap, Charts.RUN_COLOR,
                    "triangle", Double.NaN);
            mean.put("order", -1); // over the optimum, which it often nearly hides
            mean.put("pointRadius", 8);
            datasets.add(mean);
        }
        if (history != null) {
            HistoryEntry.Run current = Trends.currentRun(summary);
            ArrayNode others = NODES.arrayNode();
            List<HistoryEntry> byTime = new ArrayList<>(history);
            byTime.sort(Comparator.comparing(HistoryEntry::runTime)); // the table's file order is no order
            for (HistoryEntry e : byTime) {
                if (e.slice().equals(HtmlReport.OVERALL) && e.preset().equals(config.path("preset").asText())
                        && !e.run().equals(current) && Double.isFinite(e.value(MEAN_GAP.code()))) {
                    others.add(point(e.epsilon(), e.value(MEAN_GAP.code())));
                }
            }
            if (!others.isEmpty()) {
                datasets.add(mark("other runs in the history (" + config.path("preset").asText() + "): mean gap", others,
                        Charts.BASELINE_COLOR, "rect"));
            }
        }
        ObjectNode x = Charts.linearX("label smoothing ε", 0, 1);
        ObjectNode y = Charts.axis("linear", "gap (logit of the top class − mean of the other logits)");
        return Charts.chart("line", datasets, x, y, "Optimal gap against ε (He et al. 2019, Fig. 4, top)");
    }

    /** The bottom panel: the overlaid slices' and the baseline's share of valid rows per gap bin. */
    static JsonNode overlayChart(List<HtmlReport.Part> overlaid, JsonNode summary) {
        JsonNode config = summary.path("config");
        ArrayNode datasets = NODES.arrayNode();
        for (int i = 0; i < overlaid.size(); i++) {
            JsonNode s = overlaid.get(i).summary();
            ObjectNode d = distribution(overlaid.get(i).label(), s.path("gap_histogram"), metric(s, VALID).asLong(),
                    number(metric(s, GAP_OPT)), Charts.palette(i));
            d.put("borderWidth", 2);
            datasets.add(d);
        }
        JsonNode base = summary.path("overall").path("baseline");
        if (!base.isMissingNode() && !base.isNull()) {
            JsonNode edges = summary.path("overall").path("gap_histogram").path("edges");
            ObjectNode histogram = NODES.objectNode();
            histogram.set("edges", edges);
            histogram.set("counts", base.path("gap_histogram").path("counts"));
            ObjectNode d = distribution("baseline run (overall)", histogram, base.path("values").path(VALID.code()).asLong(),
                    number(base.path("values").path(GAP_OPT.code())), Charts.BASELINE_COLOR);
            d.put("borderWidth", 2.5);
            d.set("borderDash", Charts.dash(3, 3));
            datasets.add(d);
        }
        JsonNode range = config.path("gap_range");
        ObjectNode x = Charts.linearX("gap (logit of the top class − mean of the other logits)", range.path(0).asDouble(),
                range.path(1).asDouble());
        ObjectNode y = Charts.axis("linear", "share of valid rows");
        y.put("beginAtZero", true);
        return Charts.chart("line", datasets, x, y, "Gap distributions (He et al. 2019, Fig. 4, bottom)");
    }

    /** One line: the share of valid rows per bin at the bins' centres; its optimal gap as its marker. */
    private static ObjectNode distribution(String label, JsonNode histogram, long valid, double gapOpt, String color) {
        JsonNode edges = histogram.path("edges");
        double[] share = HtmlReport.shares(histogram, valid);
        ArrayNode line = NODES.arrayNode();
        for (int i = 0; i < share.length; i++) {
            line.add(point(HtmlReport.centre(edges, i), share[i]));
        }
        String name = label + (Double.isFinite(gapOpt) ? " (optimal gap " + HtmlReport.fmt(gapOpt, 3) + ")" : "");
        ObjectNode d = Charts.dataset("line", name, line, color);
        if (Double.isFinite(gapOpt)) {
            d.put("marker", gapOpt);
        }
        return d;
    }

    private static ObjectNode mark(String label, double x, double y, String color, String style, double marker) {
        ObjectNode d = mark(label, NODES.arrayNode().add(point(x, y)), color, style);
        if (Double.isFinite(marker)) {
            d.put("marker", marker);
        }
        return d;
    }

    private static ObjectNode mark(String label, ArrayNode points, String color, String style) {
        ObjectNode d = Charts.dataset("line", label, points, color);
        d.put("showLine", false);
        d.put("pointStyle", style);
        d.put("pointRadius", 7);
        d.put("pointHoverRadius", 8);
        d.put("order", 0);
        return d;
    }

    private static TargetConvention convention(JsonNode config) {
        try {
            return WireCode.parse(TargetConvention.class, config.path("convention").asText(), "convention");
        } catch (RuntimeException e) {
            return null; // a summary.json without one: no curve
        }
    }

    private static double[] curveEpsilons() {
        List<Double> e = new ArrayList<>(List.of(0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075));
        for (int i = 1; i < 200; i++) {
            e.add(i / 200.0);
        }
        e.add(0.9975);
        return e.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
