package org.smoothkl.report;

import static org.smoothkl.audit.Metric.ACCURACY;
import static org.smoothkl.audit.Metric.ECE;
import static org.smoothkl.audit.Metric.GAP_OPT;
import static org.smoothkl.audit.Metric.INVALID;
import static org.smoothkl.audit.Metric.MEAN_CONFIDENCE;
import static org.smoothkl.audit.Metric.MEAN_GAP;
import static org.smoothkl.audit.Metric.MEAN_KL;
import static org.smoothkl.audit.Metric.MEAN_SMOOTHED_CE;
import static org.smoothkl.audit.Metric.ROWS;
import static org.smoothkl.audit.Metric.VALID;
import static org.smoothkl.report.SummaryJson.BIN_ACCURACY;
import static org.smoothkl.report.SummaryJson.BIN_MEAN_CONFIDENCE;
import static org.smoothkl.report.SummaryReader.metric;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.smoothkl.audit.Metric;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceType;

/**
 * DIR/report.html, rendered from summary.json alone (so {@code report --output DIR} re-renders a
 * finished run the same way): a verdict, the checks, an overview table per slice, and per slice
 * the gap histogram with the optimal gap marked (He et al. 2019, Fig. 4: empirical gaps against
 * the theoretical optimum log(q_y/q_other)) and the reliability diagram, each with the
 * baseline's overlaid when the run had one.
 *
 * <p>The charts are drawn by Chart.js in the browser, inlined into the page with the chart
 * configurations as JSON; the page loads nothing (its Content-Security-Policy forbids it) and
 * the tables read without JavaScript. Each chart is a {@code <canvas id="gap-I">} or
 * {@code <canvas id="rel-I">} inside {@code <section class="slice" data-slice="LABEL">}.
 */
public final class HtmlReport {
    static final String RUN_COLOR = "rgba(76, 120, 168, 0.75)";
    static final String OPTIMUM_COLOR = "#d62728";
    static final String BASELINE_COLOR = "#555555";
    static final String BASELINE_OPTIMUM_COLOR = "#999999";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private HtmlReport() {
    }

    /** One summary of the page: "overall" or a slice, with its "key" ({} for overall) and its summary.json object. */
    private record Part(String label, JsonNode key, JsonNode summary) {
    }

    public static String render(JsonNode summary) {
        JsonNode config = summary.path("config");
        List<Part> parts = new ArrayList<>();
        parts.add(new Part(SliceKey.OVERALL.label(), NODES.objectNode(), summary.path("overall")));
        Map<String, SliceType> types = SummaryReader.sliceTypes(summary);
        for (JsonNode s : summary.path("slices")) {
            parts.add(new Part(SummaryReader.key(s.path("key"), types).label(), s.path("key"), s));
        }
        boolean hasBaseline = summary.hasNonNull("baseline");
        Map<String, JsonNode> charts = new LinkedHashMap<>();

        StringBuilder h = new StringBuilder(256 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>smoothkl audit: ").append(esc(config.path("output").asText())).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");

        header(h, summary, config);
        checks(h, summary.path("checks"));
        overview(h, parts, summary.path("checks"), hasBaseline);
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            section(h, i, p, config, summary.path("checks"), hasBaseline);
            charts.put("gap-" + i, gapChart(p, config));
            charts.put("rel-" + i, reliabilityChart(p));
        }

        h.append("<footer>Charts: Chart.js ").append(esc(ChartJs.version()))
                .append(" (MIT License), inlined. Rendered from summary.json.</footer>\n");
        h.append("<script id=\"smoothkl-charts\" type=\"application/json\">")
                .append(scriptSafe(write(JSON.valueToTree(charts)))).append("</script>\n");
        h.append("<script>\n").append(ChartJs.source()).append("\n</script>\n");
        h.append("<script>\n").append(DRAW).append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void header(StringBuilder h, JsonNode summary, JsonNode config) {
        JsonNode run = summary.path("run");
        JsonNode verdict = summary.path("verdict");
        h.append("<header>\n<h1>smoothkl audit</h1>\n<table class=\"facts\">\n");
        fact(h, "input", config.path("input").asText());
        fact(h, "output", config.path("output").asText());
        fact(h, "preset / ε", config.path("preset").asText() + " / " + config.path("epsilon").asText()
                + " (" + config.path("convention").asText() + ", " + config.path("loss").asText() + ")");
        fact(h, "group by", config.path("group_by").isEmpty() ? "(none)" : join(config.path("group_by")));
        fact(h, "started", run.path("started").asText() + (run.hasNonNull("tag") ? "  tag " + run.path("tag").asText() : ""));
        if (summary.hasNonNull("baseline")) {
            JsonNode b = summary.path("baseline");
            fact(h, "baseline", b.path("path").asText() + "  (started " + b.path("started").asText()
                    + (b.hasNonNull("tag") ? ", tag " + b.path("tag").asText() : "") + ")");
        }
        h.append("</table>\n");
        long total = verdict.path("checks").asLong();
        long failed = verdict.path("failed").asLong();
        boolean passed = verdict.path("passed").asBoolean(true);
        h.append("<p id=\"verdict\" class=\"verdict ").append(passed ? "pass" : "fail").append("\">");
        if (total == 0) {
            h.append("No checks configured.");
        } else if (passed) {
            h.append("PASS: all ").append(total).append(" check verdicts passed.");
        } else {
            h.append("FAIL: ").append(failed).append(" of ").append(total).append(" check verdicts failed (exit code 3).");
        }
        h.append("</p>\n</header>\n");
    }

    private static void checks(StringBuilder h, JsonNode checks) {
        if (checks.isEmpty()) {
            return;
        }
        h.append("<section id=\"checks\">\n<h2>Checks</h2>\n<table>\n<tr><th>verdict</th><th>check</th><th>slice</th>")
                .append("<th>kind</th><th>value</th><th>baseline value</th><th>bound</th><th>note</th></tr>\n");
        for (JsonNode c : checks) {
            boolean ok = c.path("passed").asBoolean();
            h.append("<tr class=\"").append(ok ? "pass" : "fail").append("\"><td>").append(ok ? "pass" : "FAIL")
                    .append("</td><td><code>").append(esc(c.path("check").asText())).append("</code></td><td>")
                    .append(esc(c.path("slice").asText())).append("</td><td>").append(esc(kindText(c.path("kind").asText())))
                    .append("</td><td class=\"n\">").append(num(c.path("value"))).append("</td><td class=\"n\">")
                    .append(num(c.path("baseline_value"))).append("</td><td>").append(esc(c.path("bound").asText())).append("</td><td>")
                    .append(c.hasNonNull("note") ? esc(c.path("note").asText()) : "").append("</td></tr>\n");
        }
        h.append("</table>\n<p class=\"note\">difference = run − baseline (in the metric's units); "
                + "ratio = run / baseline; distance = PSI or Jensen–Shannon distance of the gap histograms.</p>\n</section>\n");
    }

    private static String kindText(String kind) {
        return switch (kind) {
            case "difference" -> "difference (run − baseline)";
            case "ratio" -> "ratio (run / baseline)";
            default -> kind;
        };
    }

    private static void overview(StringBuilder h, List<Part> parts, JsonNode checks, boolean hasBaseline) {
        h.append("<section id=\"overview\">\n<h2>Overview</h2>\n<table>\n<tr><th>slice</th><th>rows</th><th>valid</th>")
                .append("<th>invalid</th><th>mean KL</th><th>mean CE</th><th>accuracy</th><th>ECE</th><th>mean conf.</th>")
                .append("<th>mean gap</th><th>optimal gap</th>");
        if (hasBaseline) {
            h.append("<th>gap PSI</th><th>gap JS</th><th>Δ accuracy</th><th>Δ mean KL</th>");
        }
        h.append("<th>checks</th></tr>\n");
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            JsonNode s = p.summary();
            h.append("<tr><td><a href=\"#s").append(i).append("\">").append(esc(p.label())).append("</a></td>");
            for (Metric m : List.of(ROWS, VALID, INVALID, MEAN_KL, MEAN_SMOOTHED_CE, ACCURACY, ECE, MEAN_CONFIDENCE, MEAN_GAP,
                    GAP_OPT)) {
                JsonNode v = metric(s, m);
                h.append("<td class=\"n\">").append(m.isCount() ? Long.toString(v.asLong()) : num(v)).append("</td>");
            }
            if (hasBaseline) {
                JsonNode b = s.path("baseline");
                if (b.isMissingNode() || b.isNull()) {
                    h.append("<td colspan=\"4\">not in the baseline</td>");
                } else {
                    JsonNode difference = b.path("difference");
                    for (String cell : List.of(num(b.path("gap_psi")), num(b.path("gap_js")),
                            signed(difference.path(ACCURACY.code())), signed(difference.path(MEAN_KL.code())))) {
                        h.append("<td class=\"n\">").append(cell).append("</td>");
                    }
                }
            }
            h.append("<td>").append(checkCell(checks, p)).append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    /** The verdicts on a part: checks whose "key" is the part's (by label in a summary.json without check keys). */
    private static String checkCell(JsonNode checks, Part part) {
        int passed = 0;
        List<String> failed = new ArrayList<>();
        for (JsonNode c : checks) {
            if (c.has("key") ? c.get("key").equals(part.key()) : c.path("slice").asText().equals(part.label())) {
                if (c.path("passed").asBoolean()) {
                    passed++;
                } else {
                    failed.add(c.path("check").asText());
                }
            }
        }
        if (passed == 0 && failed.isEmpty()) {
            return "<span class=\"muted\">none</span>";
        }
        StringBuilder b = new StringBuilder();
        if (!failed.isEmpty()) {
            b.append("<span class=\"fail\">FAIL ");
            for (int i = 0; i < failed.size(); i++) {
                b.append(i > 0 ? ", " : "").append("<code>").append(esc(failed.get(i))).append("</code>");
            }
            b.append("</span>");
        }
        if (passed > 0) {
            b.append(failed.isEmpty() ? "" : "; ").append("<span class=\"pass\">").append(passed).append(" passed</span>");
        }
        return b.toString();
    }

    private static void section(StringBuilder h, int i, Part p, JsonNode config, JsonNode checks, boolean hasBaseline) {
        JsonNode s = p.summary();
        h.append("<section class=\"slice\" id=\"s").append(i).append("\" data-slice=\"").append(esc(p.label())).append("\">\n")
                .append("<h2>").append(esc(p.label())).append(" <small>").append(checkCell(checks, p))
                .append("</small></h2>\n<div class=\"charts\">\n");
        h.append("<figure><div class=\"box\"><canvas id=\"gap-").append(i).append("\" class=\"chart chart-gap\"")
                .append(" role=\"img\" aria-label=\"gap histogram of ").append(esc(p.label())).append("\"></canvas></div>\n")
                .append("<figcaption>").append(gapCaption(s, config, hasBaseline)).append("</figcaption></figure>\n");
        h.append("<figure><div class=\"box\"><canvas id=\"rel-").append(i).append("\" class=\"chart chart-reliability\"")
                .append(" role=\"img\" aria-label=\"reliability diagram of ").append(esc(p.label())).append("\"></canvas></div>\n")
                .append("<figcaption>").append(reliabilityCaption(s)).append("</figcaption></figure>\n</div>\n");
        h.append("<details><summary>Reliability table</summary>\n<table>\n<tr><th>bin</th><th>confidence</th>")
                .append("<th>count</th><th>mean confidence</th><th>accuracy</th></tr>\n");
        for (JsonNode r : s.path("reliability")) {
            h.append("<tr><td class=\"n\">").append(r.path("bin").asInt()).append("</td><td>[")
                    .append(compact(r.path("lo").asDouble())).append(", ").append(compact(r.path("hi").asDouble()))
                    .append(r.path("hi").asDouble() == 1.0 ? "]" : ")").append("</td><td class=\"n\">").append(r.path("count").asLong())
                    .append("</td><td class=\"n\">").append(num(r.path(BIN_MEAN_CONFIDENCE))).append("</td><td class=\"n\">")
                    .append(num(r.path(BIN_ACCURACY))).append("</td></tr>\n");
        }
        h.append("</table>\n</details>\n</section>\n");
    }

    private static String gapCaption(JsonNode s, JsonNode config, boolean hasBaseline) {
        JsonNode hist = s.path("gap_histogram");
        double lo = config.path("gap_range").path(0).asDouble();
        double hi = config.path("gap_range").path(1).asDouble();
        double gapOpt = SummaryReader.number(metric(s, GAP_OPT));
        StringBuilder b = new StringBuilder("Gap z<sub>max</sub> − mean of the other logits over the valid rows; mean ")
                .append(num(metric(s, MEAN_GAP))).append(". ");
        if (Double.isNaN(gapOpt)) {
            b.append("No single optimal gap: K varies in this slice. ");
        } else if (Double.isInfinite(gapOpt)) {
            b.append("Optimal gap +∞ (ε = 0): no line. ");
        } else {
            b.append("Dashed red line: optimal gap log(q<sub>y</sub>/q<sub>other</sub>) = ").append(fmt(gapOpt, 4));
            b.append(gapOpt < lo || gapOpt > hi ? ", outside the plotted range. " : ". ");
        }
        b.append("Not drawn: ").append(hist.path("underflow").asLong()).append(" rows below ").append(compact(lo))
                .append(", ").append(hist.path("overflow").asLong()).append(" at or above ").append(compact(hi)).append('.');
        JsonNode base = s.path("baseline");
        if (hasBaseline && !base.isMissingNode() && !base.isNull()) {
            b.append(" Grey: the baseline (PSI ").append(num(base.path("gap_psi"))).append(", Jensen–Shannon distance ")
                    .append(num(base.path("gap_js"))).append(").");
        }
        return b.toString();
    }

    private static String reliabilityCaption(JsonNode s) {
        StringBuilder b = new StringBuilder("Accuracy per bin of top-1 confidence (max softmax probability); ")
                .append("on the diagonal the model is calibrated. ECE ").append(num(metric(s, ECE)))
                .append(", mean confidence ").append(num(metric(s, MEAN_CONFIDENCE))).append(", accuracy ")
                .append(num(metric(s, ACCURACY))).append('.');
        JsonNode base = s.path("baseline");
        if (!base.isMissingNode() && !base.isNull()) {
            b.append(" Grey: the baseline (ECE ").append(num(base.path("values").path(ECE.code()))).append(").");
        }
        return b.toString();
    }

    /** Bars: the share of valid rows per gap bin; lines: the optimal gap, and the baseline's histogram and optimum. */
    private static JsonNode gapChart(Part p, JsonNode config) {
        JsonNode s = p.summary();
        JsonNode edges = s.path("gap_histogram").path("edges");
        double lo = edges.path(0).asDouble();
        double hi = edges.path(edges.size() - 1).asDouble();
        ArrayNode datasets = NODES.arrayNode();
        double top = 0;

        double[] share = shares(s.path("gap_histogram"), metric(s, VALID).asLong());
        ArrayNode bars = NODES.arrayNode();
        for (int i = 0; i < share.length; i++) {
            bars.add(point(centre(edges, i), share[i]));
            top = Math.max(top, share[i]);
        }
        datasets.add(runBars("this run: share of valid rows per bin", bars));

        JsonNode base = s.path("baseline");
        boolean hasBase = !base.isMissingNode() && !base.isNull();
        if (hasBase) {
            double[] baseShare = shares(base.path("gap_histogram"), base.path("values").path(VALID.code()).asLong());
            ArrayNode line = NODES.arrayNode();
            for (int i = 0; i < baseShare.length; i++) {
                line.add(point(centre(edges, i), baseShare[i]));
                top = Math.max(top, baseShare[i]);
            }
            ObjectNode b = dataset("line", "baseline: share of valid rows per bin", line, BASELINE_COLOR);
            b.put("stepped", "middle");
            b.put("borderWidth", 2);
            b.put("order", 2);
            datasets.add(b);
        }
        double yTop = top == 0 ? 1 : top * 1.08;
        double gapOpt = SummaryReader.number(metric(s, GAP_OPT));
        if (Double.isFinite(gapOpt)) {
            datasets.add(verticalLine("optimal gap log(q_y/q_other) = " + fmt(gapOpt, 4), gapOpt, yTop, OPTIMUM_COLOR, 0));
        }
        if (hasBase) {
            double baseOpt = SummaryReader.number(base.path("values").path(GAP_OPT.code()));
            if (Double.isFinite(baseOpt) && baseOpt != gapOpt) {
                datasets.add(verticalLine("baseline optimal gap = " + fmt(baseOpt, 4), baseOpt, yTop, BASELINE_OPTIMUM_COLOR, 1));
            }
        }
        ObjectNode x = axis("linear", "gap (logit of the top class − mean of the other logits)");
        x.put("min", lo);
        x.put("max", hi);
        x.put("offset", false);
        ObjectNode y = axis("linear", "share of valid rows");
        y.put("beginAtZero", true);
        return chart("bar", datasets, x, y, "Gap histogram: " + p.label());
    }

    /** The (mean confidence, accuracy) points of a reliability table's non-empty bins, as one line series. */
    private static ObjectNode calibrationPoints(String who, JsonNode reliability, String color, int order) {
        ArrayNode points = NODES.arrayNode();
        for (JsonNode r : reliability) {
            if (r.path("count").asLong() > 0) {
                points.add(point(r.path(BIN_MEAN_CONFIDENCE).asDouble(), r.path(BIN_ACCURACY).asDouble()));
            }
        }
        ObjectNode d = dataset("line", who + ": accuracy at mean confidence", points, color);
        d.put("pointRadius", 3);
        d.put("pointStyle", "circle");
        d.put("borderWidth", 1.5);
        d.put("order", order);
        return d;
    }

    /** Bars: accuracy per confidence bin; lines: the diagonal, (mean confidence, accuracy) of this run and the baseline. */
    private static JsonNode reliabilityChart(Part p) {
        JsonNode s = p.summary();
        ArrayNode datasets = NODES.arrayNode();
        ArrayNode bars = NODES.arrayNode();
        for (JsonNode r : s.path("reliability")) {
            if (r.path("count").asLong() > 0) {
                bars.add(point((r.path("lo").asDouble() + r.path("hi").asDouble()) / 2, r.path(BIN_ACCURACY).asDouble()));
            }
        }
        datasets.add(runBars("accuracy per confidence bin", bars));
        ArrayNode diagonal = NODES.arrayNode();
        diagonal.add(point(0, 0));
        diagonal.add(point(1, 1));
        ObjectNode d = dataset("line", "perfect calibration", diagonal, "#333333");
        d.set("borderDash", NODES.arrayNode().add(4).add(4));
        d.put("borderWidth", 1);
        d.put("order", 1);
        datasets.add(d);
        datasets.add(calibrationPoints("this run", s.path("reliability"), OPTIMUM_COLOR, 0));
        JsonNode base = s.path("baseline");
        if (!base.isMissingNode() && !base.isNull() && !base.path("reliability").isEmpty()) {
            datasets.add(calibrationPoints("baseline", base.path("reliability"), BASELINE_COLOR, 2));
        }
        ObjectNode x = axis("linear", "confidence (max softmax probability)");
        x.put("min", 0);
        x.put("max", 1);
        x.put("offset", false);
        ObjectNode y = axis("linear", "accuracy");
        y.put("min", 0);
        y.put("max", 1);
        return chart("bar", datasets, x, y, "Reliability diagram: " + p.label());
    }

    private static double[] shares(JsonNode histogram, long valid) {
        JsonNode counts = histogram.path("counts");
        double[] share = new double[counts.size()];
        for (int i = 0; i < share.length; i++) {
            share[i] = valid == 0 ? 0 : counts.get(i).asDouble() / valid;
        }
        return share;
    }

    private static double centre(JsonNode edges, int i) {
        return (edges.get(i).asDouble() + edges.get(i + 1).asDouble()) / 2;
    }

    private static ObjectNode verticalLine(String label, double x, double top, String color, int order) {
        ArrayNode data = NODES.arrayNode();
        data.add(point(x, 0));
        data.add(point(x, top));
        ObjectNode line = dataset("line", label, data, color);
        line.put("borderWidth", 2.5);
        line.set("borderDash", NODES.arrayNode().add(8).add(4));
        line.put("order", order);
        return line;
    }

    /** This run's bars, filling their bins edge to edge, drawn under the lines. */
    private static ObjectNode runBars(String label, ArrayNode bars) {
        ObjectNode run = dataset("bar", label, bars, RUN_COLOR);
        run.put("backgroundColor", RUN_COLOR);
        run.put("borderWidth", 0);
        run.put("barPercentage", 1.0);
        run.put("categoryPercentage", 1.0);
        run.put("order", 3);
        return run;
    }

    private static ObjectNode dataset(String type, String label, ArrayNode data, String color) {
        ObjectNode d = NODES.objectNode();
        d.put("type", type);
        d.put("label", label);
        d.set("data", data);
        d.put("borderColor", color);
        d.put("backgroundColor", color);
        d.put("pointStyle", type.equals("line") ? "line" : "rect");
        if (type.equals("line")) {
            d.put("pointRadius", 0);
            d.put("fill", false);
        }
        return d;
    }

    private static ObjectNode point(double x, double y) {
        ObjectNode p = NODES.objectNode();
        p.put("x", x);
        p.put("y", y);
        return p;
    }

    private static ObjectNode axis(String type, String title) {
        ObjectNode a = NODES.objectNode();
        a.put("type", type);
        ObjectNode t = a.putObject("title");
        t.put("display", true);
        t.put("text", title);
        return a;
    }

    private static ObjectNode chart(String type, ArrayNode datasets, ObjectNode x, ObjectNode y, String title) {
        ObjectNode c = NODES.objectNode();
        c.put("type", type);
        c.putObject("data").set("datasets", datasets);
        ObjectNode o = c.putObject("options");
        o.put("animation", false);
        o.put("responsive", true);
        o.put("maintainAspectRatio", false);
        ObjectNode scales = o.putObject("scales");
        scales.set("x", x);
        scales.set("y", y);
        ObjectNode plugins = o.putObject("plugins");
        ObjectNode t = plugins.putObject("title");
        t.put("display", true);
        t.put("text", title);
        ObjectNode legend = plugins.putObject("legend");
        legend.put("position", "bottom");
        ObjectNode labels = legend.putObject("labels");
        labels.put("usePointStyle", true);
        labels.put("boxHeight", 7);
        labels.put("pointStyleWidth", 22);
        return c;
    }

    private static void fact(StringBuilder h, String name, String value) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    private static String join(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(v -> parts.add(v.asText()));
        return String.join(", ", parts);
    }

    private static String num(JsonNode v) {
        double d = SummaryReader.number(v);
        return Double.isNaN(d) ? "–" : Double.isInfinite(d) ? (d > 0 ? "∞" : "−∞") : fmt(d, 4);
    }

    private static String signed(JsonNode v) {
        double d = SummaryReader.number(v);
        return Double.isNaN(d) ? "–" : String.format(Locale.ROOT, "%+.4f", d);
    }

    /** Four decimals at most, no trailing zeros: 0.0666… → "0.0667", 20.0 → "20". */
    private static String compact(double v) {
        return java.math.BigDecimal.valueOf(v).setScale(4, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros()
                .toPlainString();
    }

    private static String fmt(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** JSON inside a script element: "<" only occurs in strings, where \u003c is the same character. */
    private static String scriptSafe(String json) {
        return json.replace("<", "\\u003c");
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String CSS = """
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px auto;
                   max-width: 1320px; padding: 0 16px; color: #222; }
            h1 { margin: 0 0 8px; } h2 { margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            h2 small { font-size: 13px; font-weight: normal; margin-left: 8px; }
            table { border-collapse: collapse; margin: 8px 0; }
            th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
            th { background: #f4f4f4; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
            table.facts th, table.facts td { text-align: left; border: none; padding: 1px 12px 1px 0; background: none; }
            .verdict { font-size: 18px; font-weight: 600; padding: 8px 12px; border-radius: 4px; display: inline-block; }
            .verdict.pass { background: #e6f4ea; color: #1e6b34; } .verdict.fail { background: #fce8e6; color: #a50e0e; }
            tr.fail td, span.fail { color: #a50e0e; } tr.pass td, span.pass { color: #1e6b34; } .muted, .note { color: #777; }
            .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
            figure { margin: 0; } .box { position: relative; height: 340px; }
            figcaption { color: #555; font-size: 12.5px; margin-top: 4px; }
            footer { margin: 32px 0 8px; color: #888; font-size: 12px; }
            #overview, #checks { overflow-x: auto; }
            @media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
            """;

    /**
     * Draws every chart from the JSON configurations, in page order, a few at a time so that a
     * page of many slices (two thousand charts at the default --max-slices) reads and scrolls
     * while the rest are drawn; records how many so far on the html element.
     */
    private static final String DRAW = """
            (function () {
              'use strict';
              var configs = JSON.parse(document.getElementById('smoothkl-charts').textContent);
              var ids = Object.keys(configs);
              var drawn = 0;
              (function some() {
                for (var end = Math.min(drawn + 16, ids.length); drawn < end; drawn++) {
                  new Chart(document.getElementById(ids[drawn]), configs[ids[drawn]]);
                }
                document.documentElement.setAttribute('data-charts-drawn', String(drawn));
                if (drawn < ids.length) {
                  setTimeout(some, 0);
                }
              })();
            })();
            """;
}
