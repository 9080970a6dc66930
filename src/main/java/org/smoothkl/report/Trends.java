package org.smoothkl.report;

import static org.smoothkl.report.Charts.NODES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.smoothkl.audit.Check;
import org.smoothkl.audit.Metric;

/**
 * The headline metrics across the runs of the history table (--history), one chart per metric
 * and one line per summary (overall and the slices the gap overlay draws), runs oldest first;
 * the current run's points are large and its column shaded; each absolute check on the metric
 * (and each gap_psi check) is a dashed horizontal line at its bound.
 */
final class Trends {
    /** A headline metric: its history column and its name on the page. */
    record Headline(String code, String title) {
    }

    static final List<Headline> HEADLINES = List.of(new Headline(Metric.MEAN_KL.code(), "mean KL"),
            new Headline(Metric.ACCURACY.code(), "accuracy"), new Headline(Metric.ECE.code(), "ECE"),
            new Headline(Metric.MEAN_GAP.code(), "mean gap"), new Headline(Check.PSI, "gap PSI against the baseline"));

    private Trends() {
    }

    /** The run whose summary.json this is, keyed as the history keys it; null without a readable start. */
    static HistoryEntry.Run currentRun(JsonNode summary) {
        JsonNode run = summary.path("run");
        try {
            return new HistoryEntry.Run(Instant.parse(run.path("started").asText()), run.path("tag").asText(null),
                    summary.path("config").path("output").asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The history's runs, oldest first, each once (a run re-rendered after its append is there already). */
    static List<HistoryEntry.Run> runs(List<HistoryEntry> history) {
        Set<HistoryEntry.Run> runs = new LinkedHashSet<>();
        history.forEach(e -> runs.add(e.run()));
        List<HistoryEntry.Run> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparing(HistoryEntry.Run::time));
        return sorted;
    }

    /**
     * The chart of one headline metric, or null when no run has a value of it for these summaries
     * (gap PSI of runs without a baseline).
     */
    static JsonNode chart(Headline metric, JsonNode summary, List<HistoryEntry> history, List<String> slices) {
        List<HistoryEntry.Run> runs = runs(history);
        Map<HistoryEntry.Run, Integer> column = new HashMap<>();
        for (int i = 0; i < runs.size(); i++) {
            column.put(runs.get(i), i);
        }
        int current = runs.indexOf(currentRun(summary));
        Map<String, Double[]> lines = new LinkedHashMap<>();
        slices.forEach(s -> lines.put(s, new Double[runs.size()]));
        boolean any = false;
        for (HistoryEntry e : history) {
            Double[] line = lines.get(e.slice());
            double v = e.value(metric.code());
            if (line != null && Double.isFinite(v)) {
                line[column.get(e.run())] = v;
                any = true;
            }
        }
        if (!any) {
            return null;
        }
        ArrayNode datasets = NODES.arrayNode();
        int i = 0;
        for (Map.Entry<String, Double[]> l : lines.entrySet()) {
            // overall in black; the slices in their colours of the gap overlay (slices lists them in its order)
            String color = l.getKey().equals(HtmlReport.OVERALL) ? "#222222" : Charts.palette(i++);
            ArrayNode data = NODES.arrayNode();
            ArrayNode radius = NODES.arrayNode();
            for (int r = 0; r < runs.size(); r++) {
                Double v = l.getValue()[r];
                if (v == null) {
                    data.addNull();
                } else {
                    data.add(v);
                }
                radius.add(r == current ? 7 : 3);
            }
            ObjectNode d = Charts.dataset("line", l.getKey(), data, color);
            d.set("pointRadius", radius);
            d.put("pointStyle", "circle");
            d.put("borderWidth", 2);
            d.put("spanGaps", true);
            datasets.add(d);
        }
        for (String text : boundChecks(summary.path("checks"), metric.code())) {
            Check check = Check.parse(text);
            boolean interval = Double.isFinite(check.lo()) && Double.isFinite(check.hi());
            for (double bound : new double[] {check.lo(), check.hi()}) {
                if (Double.isFinite(bound)) {
                    ArrayNode data = NODES.arrayNode();
                    runs.forEach(r -> data.add(bound));
                    String end = !interval ? "" : bound == check.lo() ? " (lower end)" : " (upper end)";
                    ObjectNode d = Charts.dataset("line", "check " + text + end, data, Charts.BOUND_COLOR);
                    d.set("borderDash", Charts.dash(6, 4));
                    d.put("borderWidth", 1.5);
                    d.put("bound", bound);
                    datasets.add(d);
                }
            }
        }
        ArrayNode labels = NODES.arrayNode();
        for (HistoryEntry.Run r : runs) {
            labels.addArray().add(r.tag() == null ? "(no tag)" : r.tag()).add(HtmlReport.shortTime(r.time()));
        }
        ObjectNode x = Charts.axis("category", "runs in the history table, oldest first");
        x.put("offset", true);
        ObjectNode y = Charts.axis("linear", metric.title());
        ObjectNode c = Charts.chart("line", datasets, x, y, "Trend: " + metric.title());
        ((ObjectNode) c.get("data")).set("labels", labels);
        ((ObjectNode) c.get("options")).put("currentRun", current);
        return c;
    }

    /** The texts of the checks whose number is {@code code} of this run (not a difference or ratio), each once. */
    static List<String> boundChecks(JsonNode checks, String code) {
        Set<String> texts = new LinkedHashSet<>();
        for (JsonNode c : checks) {
            String kind = c.path("kind").asText();
            boolean absolute = kind.equals(Check.Kind.ABSOLUTE.code()) && c.path("metric").asText().equals(code);
            boolean distance = kind.equals(Check.Kind.DISTANCE.code()) && c.path("term").asText().equals(code);
            if (absolute || distance) {
                texts.add(c.path("check").asText());
            }
        }
        return new ArrayList<>(texts);
    }
}
