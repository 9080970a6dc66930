package org.smoothkl.report;

import static org.smoothkl.audit.Metric.ACCURACY;
import static org.smoothkl.audit.Metric.ECE;
import static org.smoothkl.audit.Metric.GAP_OPT;
import static org.smoothkl.audit.Metric.IGNORED;
import static org.smoothkl.audit.Metric.INVALID;
import static org.smoothkl.audit.Metric.MEAN_CONFIDENCE;
import static org.smoothkl.audit.Metric.MEAN_GAP;
import static org.smoothkl.audit.Metric.MEAN_KL;
import static org.smoothkl.audit.Metric.MEAN_SMOOTHED_CE;
import static org.smoothkl.audit.Metric.ROWS;
import static org.smoothkl.audit.Metric.VALID;
import static org.smoothkl.report.Charts.NODES;
import static org.smoothkl.report.Charts.point;
import static org.smoothkl.report.SummaryJson.BIN_ACCURACY;
import static org.smoothkl.report.SummaryJson.BIN_MEAN_CONFIDENCE;
import static org.smoothkl.report.SummaryReader.metric;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.smoothkl.audit.Check;
import org.smoothkl.audit.Metric;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceType;

/**
 * DIR/report.html, rendered from summary.json (so {@code report --output DIR} re-renders a
 * finished run the same way) and, with --history, the history table's rows: a verdict, the
 * checks, an overview table per slice (rows = valid + ignored + invalid, invalid rows by reason),
 * He et al. 2019, Fig. 4 ({@link GapFigure}: the optimal gap against ε, the slices' and the
 * baseline's gap distributions overlaid), the trends of the headline metrics ({@link Trends}),
 * and per slice the gap histogram with the optimal gap marked and the reliability diagram with
 * its rows per bin, each with the baseline's overlaid when the run had one.
 *
 * <p>The charts are drawn by Chart.js in the browser, inlined into the page with the chart
 * configurations as JSON, each when it comes near the window; the page loads nothing (its
 * Content-Security-Policy forbids it) and the tables read without JavaScript. Each chart is a
 * {@code <canvas class="chart">}: {@code theory}, {@code overlay}, {@code trend-METRIC}, and
 * {@code gap-I}, {@code rel-I} inside {@code <section class="slice" data-slice="LABEL">}.
 */
public final class HtmlReport {
    static final String OVERALL = SliceKey.OVERALL.label();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter HUMAN = DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SHORT = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private HtmlReport() {
    }

    /** One summary of the page: "overall" or a slice, with its "key" ({} for overall), its summary.json object and place. */
    record Part(String label, JsonNode key, JsonNode summary, int index) {
    }

    /** The page of a run without a history: no trends. */
    public static String render(JsonNode summary) {
        return render(summary, null);
    }

    /**
     * The page; with {@code history} (the rows of the run's --history table, this run's among
     * them) also the trends of the headline metrics across its runs.
     */
    public static String render(JsonNode summary, List<HistoryEntry> history) {
        JsonNode config = summary.path("config");
        List<Part> parts = parts(summary);
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
        List<Part> overlaid = GapFigure.overlaid(parts);
        figure4(h, summary, parts, overlaid, history, charts);
        if (history != null) {
            trends(h, summary, history, parts.size() > 1, charts);
        }
        for (Part p : parts) {
            section(h, p.index(), p, config, summary.path("checks"), hasBaseline);
            charts.put("gap-" + p.index(), gapChart(p, config));
            charts.put("rel-" + p.index(), reliabilityChart(p));
        }

        h.append("<footer>Charts: Chart.js ").append(esc(ChartJs.version()))
                .append(" (MIT License), inlined. Rendered from summary.json")
                .append(history != null ? " and the history table." : ".").append("</footer>\n");
        h.append("<script id=\"smoothkl-charts\" type=\"application/json\">")
                .append(scriptSafe(write(JSON.valueToTree(charts)))).append("</script>\n");
        h.append("<script>\n").append(ChartJs.source()).append("\n</script>\n");
        h.append("<script>\n").append(DRAW).append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    /** Overall, then each slice, in summary.json's order. */
    private static List<Part> parts(JsonNode summary) {
        List<Part> parts = new ArrayList<>();
        parts.add(new Part(OVERALL, NODES.objectNode(), summary.path("overall"), 0));
        Map<String, SliceType> types = SummaryReader.sliceTypes(summary);
        for (JsonNode s : summary.path("slices")) {
            parts.add(new Part(SummaryReader.key(s.path("key"), types).label(), s.path("key"), s, parts.size()));
        }
        return parts;
    }

    /**
     * The labels of the summaries whose history the page draws (overall and the slices of the gap
     * overlay), so that a reader of a long history need not load every slice's rows.
     */
    public static List<String> trendSlices(JsonNode summary) {
        List<Part> parts = parts(summary);
        List<String> labels = new ArrayList<>(List.of(OVERALL));
        if (parts.size() > 1) {
            GapFigure.overlaid(parts).forEach(p -> labels.add(p.label()));
        }
        return labels;
    }

    private static void header(StringBuilder h, JsonNode summary, JsonNode config) {
        JsonNode run = summary.path("run");
        JsonNode verdict = summary.path("verdict");
        h.append("<header>\n<h1>smoothkl audit</h1>\n<div class=\"scroll\"><table class=\"facts\">\n");
        fact(h, "input", esc(config.path("input").asText()));
        fact(h, "output", esc(config.path("output").asText()));
        fact(h, "preset / ε", esc(config.path("preset").asText() + " / " + config.path("epsilon").asText()
                + " (" + config.path("convention").asText() + ", " + config.path("loss").asText() + ")"));
        fact(h, "group by", esc(config.path("group_by").isEmpty() ? "(none)" : join(config.path("group_by"))));
        fact(h, "started", time(run.path("started").asText(null))
                + (run.hasNonNull("tag") ? "  tag " + esc(run.path("tag").asText()) : ""));
        if (summary.hasNonNull("baseline")) {
            JsonNode b = summary.path("baseline");
            fact(h, "baseline", esc(b.path("path").asText()) + "  (started " + time(b.path("started").asText(null))
                    + (b.hasNonNull("tag") ? ", tag " + esc(b.path("tag").asText()) : "") + ")");
        }
        h.append("</table></div>\n");
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

    /** A timestamp as a reader reads it (UTC), the ISO value in its tooltip and datetime. */
    static String time(String iso) {
        if (iso == null) {
            return "–";
        }
        String human;
        try {
            human = HUMAN.format(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return esc(iso);
        }
        return "<time datetime=\"" + esc(iso) + "\" title=\"" + esc(iso) + "\">" + esc(human) + "</time>";
    }

    /** A run's start on a trend chart's axis: day and time, UTC. */
    static String shortTime(Instant t) {
        return SHORT.format(t);
    }

    private static void checks(StringBuilder h, JsonNode checks) {
        if (checks.isEmpty()) {
            return;
        }
        h.append("<section id=\"checks\">\n<h2>Checks</h2>\n<div class=\"scroll long\"><table>\n<tr><th>verdict</th><th>check</th>")
                .append("<th>slice</th><th>kind</th><th>value</th><th>baseline value</th><th>bound</th><th>note</th></tr>\n");
        for (JsonNode c : checks) {
            boolean ok = c.path("passed").asBoolean();
            h.append("<tr class=\"").append(ok ? "pass" : "fail").append("\"><td>").append(ok ? "pass" : "FAIL")
                    .append("</td><td><code>").append(esc(c.path("check").asText())).append("</code></td><td>")
                    .append(esc(c.path("slice").asText())).append("</td><td>").append(esc(kindText(c.path("kind").asText())))
                    .append("</td><td class=\"n\">").append(num(c.path("value"))).append("</td><td class=\"n\">")
                    .append(num(c.path("baseline_value"))).append("</td><td>").append(esc(c.path("bound").asText())).append("</td><td>")
                    .append(c.hasNonNull("note") ? esc(c.path("note").asText()) : "").append("</td></tr>\n");
        }
        h.append("</table></div>\n<p class=\"note\">difference = run − baseline (in the metric's units); "
                + "ratio = run / baseline; distance = PSI or Jensen–Shannon distance of the gap histograms.</p>\n</section>\n");
    }

    private static String kindText(String kind) {
        return switch (kind) {
            case "difference" -> "difference (run − baseline)";
            case "ratio" -> "ratio (run / baseline)";
            default -> kind;
        };
    }

    /** The overview's metric columns: rows = valid + ignored + invalid, then the means. */
    private static final List<Metric> OVERVIEW = List.of(ROWS, VALID, IGNORED, INVALID, MEAN_KL, MEAN_SMOOTHED_CE, ACCURACY,
            ECE, MEAN_CONFIDENCE, MEAN_GAP, GAP_OPT);
    private static final Map<Metric, String> HEADERS = Map.of(MEAN_KL, "mean KL", MEAN_SMOOTHED_CE, "mean CE", ECE, "ECE",
            MEAN_CONFIDENCE, "mean conf.", MEAN_GAP, "mean gap", GAP_OPT, "optimal gap");

    private static void overview(StringBuilder h, List<Part> parts, JsonNode checks, boolean hasBaseline) {
        h.append("<section id=\"overview\">\n<h2>Overview</h2>\n<div class=\"scroll long\"><table>\n<tr><th>slice</th>");
        for (Metric m : OVERVIEW) {
            h.append("<th>").append(esc(HEADERS.getOrDefault(m, m.code()))).append("</th>");
        }
        if (hasBaseline) {
            h.append("<th>gap PSI</th><th>gap JS</th><th>Δ accuracy</th><th>Δ mean KL</th>");
        }
        h.append("<th>checks</th></tr>\n");
        for (Part p : parts) {
            JsonNode s = p.summary();
            h.append("<tr><td><a href=\"#s").append(p.index()).append("\">").append(esc(p.label())).append("</a></td>");
            for (Metric m : OVERVIEW) {
                JsonNode v = metric(s, m);
                h.append("<td class=\"n\">").append(m.isCount() ? Long.toString(v.asLong()) : num(v)).append("</td>");
            }
            if (hasBaseline) {
                JsonNode b = s.path("baseline");
                if (b.isMissingNode() || b.isNull()) {
                    h.append("<td colspan=\"4\">not in the baseline</td>");
                } else {
                    JsonNode difference = b.path("difference");
                    for (String cell : List.of(num(b.path(Check.PSI)), num(b.path(Check.JS)),
                            signed(difference.path(ACCURACY.code())), signed(difference.path(MEAN_KL.code())))) {
                        h.append("<td class=\"n\">").append(cell).append("</td>");
                    }
                }
            }
            h.append("<td>").append(checkCell(checks, p)).append("</td></tr>\n");
        }
        h.append("</table></div>\n<p class=\"note\">rows = valid + ignored (the label is the ignore index) + invalid "
                + "(quarantined; by reason below). The means are over the valid rows.</p>\n");
        invalidReasons(h, parts);
        h.append("</section>\n");
    }

    /** The invalid rows of each summary that has any, by reason, in a table that opens on request. */
    private static void invalidReasons(StringBuilder h, List<Part> parts) {
        Set<String> reasons = new TreeSet<>();
        List<Part> with = new ArrayList<>();
        for (Part p : parts) {
            if (metric(p.summary(), INVALID).asLong() > 0) {
                with.add(p);
                p.summary().path("invalid_by_reason").fieldNames().forEachRemaining(reasons::add);
            }
        }
        if (with.isEmpty()) {
            h.append("<p id=\"invalid-reasons\" class=\"note\">No invalid rows.</p>\n");
            return;
        }
        long slices = with.stream().filter(p -> p.index() > 0).count();
        h.append("<details id=\"invalid-reasons\"><summary>Invalid rows by reason: ")
                .append(metric(parts.get(0).summary(), INVALID).asLong()).append(" rows")
                .append(parts.size() > 1 ? " in " + slices + " slice" + (slices == 1 ? "" : "s") : "")
                .append("</summary>\n<div class=\"scroll\"><table>\n<tr><th>slice</th><th>invalid</th>");
        reasons.forEach(r -> h.append("<th><code>").append(esc(r)).append("</code></th>"));
        h.append("</tr>\n");
        for (Part p : with) {
            JsonNode by = p.summary().path("invalid_by_reason");
            h.append("<tr><td>").append(esc(p.label())).append("</td><td class=\"n\">")
                    .append(metric(p.summary(), INVALID).asLong()).append("</td>");
            for (String r : reasons) {
                h.append("<td class=\"n\">").append(by.path(r).asLong(0)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table></div>\n</details>\n");
    }

    private static void figure4(StringBuilder h, JsonNode summary, List<Part> parts, List<Part> overlaid,
                                List<HistoryEntry> history, Map<String, JsonNode> charts) {
        JsonNode overall = summary.path("overall");
        h.append("<section id=\"figure4\">\n<h2>Gap against ε, and the gap distributions</h2>\n<div class=\"charts\">\n");
        h.append("<figure><div class=\"box tall\"><canvas id=\"theory\" class=\"chart chart-theory\" role=\"img\"")
                .append(" aria-label=\"optimal gap against epsilon\"></canvas></div>\n<figcaption>")
                .append(overall.hasNonNull("classes") ? "The gap at the loss optimum, log(q<sub>y</sub>/q<sub>other</sub>), for "
                        + esc(summary.path("config").path("convention").asText()) + " targets and K = "
                        + overall.get("classes").asInt() + " classes. " : "K varies across the rows: no single theoretical curve. ")
                .append("Red: this run's ε and optimal gap (dashed: its ε); blue: the mean gap it measured")
                .append(history != null ? "; grey: the overall mean gap of the history's other runs of the preset." : ".")
                .append(" He et al. 2019 (Bag of Tricks), Fig. 4, top.</figcaption></figure>\n");
        h.append("<figure><div class=\"box tall\"><canvas id=\"overlay\" class=\"chart chart-overlay\" role=\"img\"")
                .append(" aria-label=\"gap distributions overlaid\"></canvas></div>\n<figcaption>")
                .append("Share of valid rows per gap bin; dashed, each line's optimal gap in its colour (none where K varies). ");
        int slices = parts.size() - 1;
        if (slices == 0) {
            h.append("The run has no slices: overall");
        } else if (overlaid.size() < slices) {
            h.append("The ").append(overlaid.size()).append(" largest of ").append(slices)
                    .append(" slices by valid rows; the others are in the overview table");
        } else {
            h.append("All ").append(slices).append(slices == 1 ? " slice" : " slices");
        }
        JsonNode base = overall.path("baseline");
        h.append(!base.isMissingNode() && !base.isNull() ? ", and the baseline run overall (grey, dotted)." : ".")
                .append(" He et al. 2019, Fig. 4, bottom.</figcaption></figure>\n</div>\n</section>\n");
        charts.put("theory", GapFigure.theoryChart(summary, history));
        charts.put("overlay", GapFigure.overlayChart(overlaid, summary));
    }

    private static void trends(StringBuilder h, JsonNode summary, List<HistoryEntry> history, boolean hasSlices,
                               Map<String, JsonNode> charts) {
        List<String> lines = trendSlices(summary);
        int runs = Trends.runs(history).size();
        h.append("<section id=\"trends\">\n<h2>Trends over the history's runs</h2>\n<p class=\"note\">")
                .append(runs).append(runs == 1 ? " run" : " runs").append(" in ")
                .append(esc(summary.path("config").path("history").asText("the history table")))
                .append(", oldest first; the large points and the shaded column are this run. Lines: overall")
                .append(hasSlices ? " and the slices of the gap overlay" : "")
                .append("; dashed: the bound of a check on the metric.</p>\n<div class=\"charts\">\n");
        List<String> missing = new ArrayList<>();
        for (Trends.Headline m : Trends.HEADLINES) {
            JsonNode chart = Trends.chart(m, summary, history, lines);
            if (chart == null) {
                missing.add(m.title());
                continue;
            }
            String id = "trend-" + m.code();
            h.append("<figure><div class=\"box tall\"><canvas id=\"").append(id).append("\" class=\"chart chart-trend\" data-metric=\"")
                    .append(esc(m.code())).append("\" role=\"img\" aria-label=\"trend of ").append(esc(m.title()))
                    .append("\"></canvas></div></figure>\n");
            charts.put(id, chart);
        }
        h.append("</div>\n");
        if (!missing.isEmpty()) {
            h.append("<p class=\"note\">No run has a value of ").append(esc(String.join(", ", missing)))
                    .append(" (gap PSI needs a baseline).</p>\n");
        }
        h.append("</section>\n");
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
        h.append("<figure><div class=\"box tall\"><canvas id=\"rel-").append(i).append("\" class=\"chart chart-reliability\"")
                .append(" role=\"img\" aria-label=\"reliability diagram of ").append(esc(p.label())).append("\"></canvas></div>\n")
                .append("<figcaption>").append(reliabilityCaption(s)).append("</figcaption></figure>\n</div>\n");
        h.append("<details><summary>Reliability table</summary>\n<div class=\"scroll\"><table>\n<tr><th>bin</th><th>confidence</th>")
                .append("<th>count</th><th>mean confidence</th><th>accuracy</th></tr>\n");
        for (JsonNode r : s.path("reliability")) {
            h.append("<tr><td class=\"n\">").append(r.path("bin").asInt()).append("</td><td>[")
                    .append(compact(r.path("lo").asDouble())).append(", ").append(compact(r.path("hi").asDouble()))
                    .append(r.path("hi").asDouble() == 1.0 ? "]" : ")").append("</td><td class=\"n\">").append(r.path("count").asLong())
                    .append("</td><td class=\"n\">").append(num(r.path(BIN_MEAN_CONFIDENCE))).append("</td><td class=\"n\">")
                    .append(num(r.path(BIN_ACCURACY))).append("</td></tr>\n");
        }
        h.append("</table></div>\n</details>\n</section>\n");
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
            b.append(" Grey: the baseline (PSI ").append(num(base.path(Check.PSI))).append(", Jensen–Shannon distance ")
                    .append(num(base.path(Check.JS))).append(").");
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
            bars.add(Charts.point(centre(edges, i), share[i]));
            top = Math.max(top, share[i]);
        }
        datasets.add(Charts.runBars("this run: share of valid rows per bin", bars));

        JsonNode base = s.path("baseline");
        boolean hasBase = !base.isMissingNode() && !base.isNull();
        if (hasBase) {
            double[] baseShare = shares(base.path("gap_histogram"), base.path("values").path(VALID.code()).asLong());
            ArrayNode line = NODES.arrayNode();
            for (int i = 0; i < baseShare.length; i++) {
                line.add(Charts.point(centre(edges, i), baseShare[i]));
                top = Math.max(top, baseShare[i]);
            }
            ObjectNode b = Charts.dataset("line", "baseline: share of valid rows per bin", line, Charts.BASELINE_COLOR);
            b.put("stepped", "middle");
            b.put("borderWidth", 2);
            b.put("order", 2);
            datasets.add(b);
        }
        double yTop = top == 0 ? 1 : top * 1.08;
        double gapOpt = SummaryReader.number(metric(s, GAP_OPT));
        if (Double.isFinite(gapOpt)) {
            datasets.add(Charts.verticalLine("optimal gap log(q_y/q_other) = " + fmt(gapOpt, 4), gapOpt, yTop, Charts.OPTIMUM_COLOR, 0));
        }
        if (hasBase) {
            double baseOpt = SummaryReader.number(base.path("values").path(GAP_OPT.code()));
            if (Double.isFinite(baseOpt) && baseOpt != gapOpt) {
                datasets.add(Charts.verticalLine("baseline optimal gap = " + fmt(baseOpt, 4), baseOpt, yTop, Charts.BASELINE_OPTIMUM_COLOR, 1));
            }
        }
        ObjectNode x = Charts.linearX("gap (logit of the top class − mean of the other logits)", lo, hi);
        ObjectNode y = Charts.axis("linear", "share of valid rows");
        y.put("beginAtZero", true);
        return Charts.chart("bar", datasets, x, y, "Gap histogram: " + p.label());
    }

    /** The (mean confidence, accuracy) points of a reliability table's non-empty bins, as one line series. */
    private static ObjectNode calibrationPoints(String who, JsonNode reliability, String color, int order) {
        ArrayNode points = NODES.arrayNode();
        for (JsonNode r : reliability) {
            if (r.path("count").asLong() > 0) {
                points.add(Charts.point(r.path(BIN_MEAN_CONFIDENCE).asDouble(), r.path(BIN_ACCURACY).asDouble()));
            }
        }
        ObjectNode d = Charts.dataset("line", who + ": accuracy at mean confidence", points, color);
        d.put("pointRadius", 3);
        d.put("pointStyle", "circle");
        d.put("borderWidth", 1.5);
        d.put("order", order);
        return d;
    }

    /**
     * Above, bars: accuracy per confidence bin; lines: the diagonal, (mean confidence, accuracy) of
     * this run and the baseline. Below, on its own axis: the rows per bin, every bin (an empty one
     * has no bar), as reliability diagrams in the calibration literature show them.
     */
    private static JsonNode reliabilityChart(Part p) {
        JsonNode s = p.summary();
        ArrayNode datasets = NODES.arrayNode();
        ArrayNode bars = NODES.arrayNode();
        ArrayNode counts = NODES.arrayNode();
        for (JsonNode r : s.path("reliability")) {
            double centre = (r.path("lo").asDouble() + r.path("hi").asDouble()) / 2;
            if (r.path("count").asLong() > 0) {
                bars.add(point(centre, r.path(BIN_ACCURACY).asDouble()));
            }
            counts.add(point(centre, r.path("count").asLong()));
        }
        ObjectNode accuracy = Charts.runBars("accuracy per confidence bin", bars);
        accuracy.put("grouped", false);
        datasets.add(accuracy);
        ObjectNode rows = Charts.runBars(ROWS_PER_BIN, counts);
        rows.put("backgroundColor", Charts.COUNT_COLOR);
        rows.put("borderColor", Charts.COUNT_COLOR);
        rows.put("yAxisID", "count");
        rows.put("grouped", false);
        datasets.add(rows);
        ArrayNode diagonal = NODES.arrayNode();
        diagonal.add(point(0, 0));
        diagonal.add(point(1, 1));
        ObjectNode d = Charts.dataset("line", "perfect calibration", diagonal, "#333333");
        d.set("borderDash", Charts.dash(4, 4));
        d.put("borderWidth", 1);
        d.put("order", 1);
        datasets.add(d);
        datasets.add(calibrationPoints("this run", s.path("reliability"), Charts.OPTIMUM_COLOR, 0));
        JsonNode base = s.path("baseline");
        if (!base.isMissingNode() && !base.isNull() && !base.path("reliability").isEmpty()) {
            datasets.add(calibrationPoints("baseline", base.path("reliability"), Charts.BASELINE_COLOR, 2));
        }
        ObjectNode x = Charts.linearX("confidence (max softmax probability)", 0, 1);
        ObjectNode y = Charts.axis("linear", "accuracy");
        y.put("min", 0);
        y.put("max", 1);
        y.put("stack", "reliability");
        y.put("stackWeight", 3);
        ObjectNode c = Charts.chart("bar", datasets, x, y, "Reliability diagram: " + p.label());
        ObjectNode count = Charts.axis("linear", "rows");
        count.put("stack", "reliability");
        count.put("stackWeight", 1);
        count.put("beginAtZero", true);
        count.put("offset", true);
        count.put("position", "left");
        // Stacked scales are laid out from the bottom in the order they are defined: count first, under y;
        // a dataset without an axis would then take count's, so each names its own.
        datasets.forEach(set -> {
            if (!set.has("yAxisID")) {
                ((ObjectNode) set).put("yAxisID", "y");
            }
        });
        ObjectNode scales = (ObjectNode) c.path("options").path("scales");
        JsonNode accuracyAxis = scales.remove("y");
        scales.set("count", count);
        scales.set("y", accuracyAxis);
        return c;
    }

    static final String ROWS_PER_BIN = "rows per confidence bin";

    static double[] shares(JsonNode histogram, long valid) {
        JsonNode counts = histogram.path("counts");
        double[] share = new double[counts.size()];
        for (int i = 0; i < share.length; i++) {
            share[i] = valid == 0 ? 0 : counts.get(i).asDouble() / valid;
        }
        return share;
    }

    static double centre(JsonNode edges, int i) {
        return (edges.get(i).asDouble() + edges.get(i + 1).asDouble()) / 2;
    }

    /** A header fact; {@code html} is markup already escaped. */
    private static void fact(StringBuilder h, String name, String html) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(html).append("</td></tr>\n");
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
    static String compact(double v) {
        return java.math.BigDecimal.valueOf(v).setScale(4, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros()
                .toPlainString();
    }

    static String fmt(double v, int digits) {
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
            th { background: #f4f4f4; } td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            table.facts th, table.facts td { text-align: left; border: none; padding: 1px 12px 1px 0; background: none; }
            .scroll { overflow-x: auto; max-width: 100%; }
            .scroll.long { max-height: 320px; overflow-y: auto; } .scroll.long table { margin: 0; }
            .scroll.long tr:first-child th { position: sticky; top: 0; z-index: 1; }
            time { text-decoration: underline dotted #999; cursor: help; }
            .verdict { font-size: 18px; font-weight: 600; padding: 8px 12px; border-radius: 4px; display: inline-block; }
            .verdict.pass { background: #e6f4ea; color: #1e6b34; } .verdict.fail { background: #fce8e6; color: #a50e0e; }
            tr.fail td, span.fail { color: #a50e0e; } tr.pass td, span.pass { color: #1e6b34; } .muted, .note { color: #777; }
            details > summary { cursor: pointer; margin: 6px 0; }
            .charts { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; }
            figure { margin: 0; min-width: 0; } .box { position: relative; height: 340px; } .box.tall { height: 420px; }
            figcaption { color: #555; font-size: 12.5px; margin-top: 4px; }
            footer { margin: 32px 0 8px; color: #888; font-size: 12px; }
            @media (max-width: 900px) { .charts { grid-template-columns: minmax(0, 1fr); } }
            """;

    /**
     * Draws each chart from the JSON configurations when its canvas comes within a screenful of the viewport
     * (IntersectionObserver), so that a page of many slices (two thousand charts at the default
     * --max-slices) opens at once; all of them before printing. A dataset's "marker" is a dashed
     * vertical line at that x in the dataset's colour (the overlay's optimal gaps), an option
     * "currentRun" shades that column of a trend chart. The html element records how many charts
     * are drawn (data-charts-drawn) and, once the first screenful is, data-charts-first and the
     * performance mark "smoothkl-first-charts".
     */
    private static final String DRAW = """
            (function () {
              'use strict';
              var configs = JSON.parse(document.getElementById('smoothkl-charts').textContent);
              var html = document.documentElement;
              var drawn = 0;
              Chart.register({
                id: 'smoothklMarks',
                beforeDatasetsDraw: function (chart) {
                  var i = chart.config.options.currentRun;
                  if (typeof i !== 'number' || i < 0) return;
                  var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
                  var half = x.getPixelForValue(1) - x.getPixelForValue(0);
                  half = (isFinite(half) && half > 0 ? half : area.right - area.left) / 2;
                  var left = Math.max(area.left, x.getPixelForValue(i) - half);
                  var right = Math.min(area.right, x.getPixelForValue(i) + half);
                  ctx.save();
                  ctx.fillStyle = 'rgba(214, 39, 40, 0.08)';
                  ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
                  ctx.restore();
                },
                afterDatasetsDraw: function (chart) {
                  var area = chart.chartArea, ctx = chart.ctx, x = chart.scales.x;
                  chart.data.datasets.forEach(function (d, i) {
                    if (typeof d.marker !== 'number' || !chart.isDatasetVisible(i)) return;
                    var px = x.getPixelForValue(d.marker);
                    if (px < area.left || px > area.right) return;
                    ctx.save();
                    ctx.strokeStyle = d.borderColor;
                    ctx.lineWidth = 2;
                    ctx.setLineDash([7, 4]);
                    ctx.beginPath();
                    ctx.moveTo(px, area.top);
                    ctx.lineTo(px, area.bottom);
                    ctx.stroke();
                    ctx.restore();
                  });
                }
              });
              function draw(canvas) {
                if (Chart.getChart(canvas) || !configs[canvas.id]) return;
                new Chart(canvas, configs[canvas.id]);
                html.setAttribute('data-charts-drawn', String(++drawn));
              }
              var canvases = Array.prototype.slice.call(document.querySelectorAll('canvas.chart'));
              function first() {
                if (!html.hasAttribute('data-charts-first')) {
                  html.setAttribute('data-charts-first', String(drawn));
                  if (window.performance && performance.mark) performance.mark('smoothkl-first-charts');
                }
              }
              window.addEventListener('beforeprint', function () { canvases.forEach(draw); });
              if (!('IntersectionObserver' in window)) {
                canvases.forEach(draw);
                first();
                return;
              }
              var seen = new IntersectionObserver(function (entries) {
                entries.forEach(function (e) {
                  if (e.isIntersecting) {
                    seen.unobserve(e.target);
                    draw(e.target);
                  }
                });
                first();
              }, { rootMargin: '100% 0px' }); // a screenful ahead, drawn before it scrolls in
              canvases.forEach(function (c) { seen.observe(c); });
            })();
            """;
}
