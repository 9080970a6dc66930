package org.smoothkl.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Chart.js configurations as JSON trees: datasets, points, axes and a chart's options, shared by
 * the report's charts. A dataset's {@code marker} (an x value) is drawn by the page's marker plugin
 * as a dashed vertical line in the dataset's colour, so that a marker needs no dataset of its own.
 */
final class Charts {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String RUN_COLOR = "rgba(76, 120, 168, 0.75)";
    static final String OPTIMUM_COLOR = "#d62728";
    static final String BASELINE_COLOR = "#555555";
    static final String BASELINE_OPTIMUM_COLOR = "#999999";
    static final String COUNT_COLOR = "rgba(120, 120, 120, 0.55)";
    static final String BOUND_COLOR = "#b8860b";
    /** Tableau 10: distinct colours for the lines of overlaid slices. */
    static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
            "#ff9da7", "#9c755f", "#17becf"};

    private Charts() {
    }

    static String palette(int i) {
        return PALETTE[i % PALETTE.length];
    }

    static ObjectNode dataset(String type, String label, ArrayNode data, String color) {
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

    /** A two-point line from (x, 0) to (x, top), dashed. */
    static ObjectNode verticalLine(String label, double x, double top, String color, int order) {
        ArrayNode data = NODES.arrayNode();
        data.add(point(x, 0));
        data.add(point(x, top));
        ObjectNode line = dataset("line", label, data, color);
        line.put("borderWidth", 2.5);
        line.set("borderDash", dash(8, 4));
        line.put("order", order);
        return line;
    }

    /** Bars of this run filling their bins edge to edge, drawn under the lines. */
    static ObjectNode runBars(String label, ArrayNode bars) {
        ObjectNode run = dataset("bar", label, bars, RUN_COLOR);
        run.put("borderWidth", 0);
        run.put("barPercentage", 1.0);
        run.put("categoryPercentage", 1.0);
        run.put("order", 3);
        return run;
    }

    static ArrayNode dash(int on, int off) {
        return NODES.arrayNode().add(on).add(off);
    }

    static ObjectNode point(double x, double y) {
        ObjectNode p = NODES.objectNode();
        p.put("x", x);
        p.put("y", y);
        return p;
    }

    static ObjectNode axis(String type, String title) {
        ObjectNode a = NODES.objectNode();
        a.put("type", type);
        ObjectNode t = a.putObject("title");
        t.put("display", true);
        t.put("text", title);
        return a;
    }

    /** A linear x axis over exactly [min, max]. */
    static ObjectNode linearX(String title, double min, double max) {
        ObjectNode x = axis("linear", title);
        x.put("min", min);
        x.put("max", max);
        x.put("offset", false);
        return x;
    }

    static ObjectNode chart(String type, ArrayNode datasets, ObjectNode x, ObjectNode y, String title) {
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

    /** A finite number as JSON; NaN and ±∞ as null (Chart.js leaves a gap). */
    static void putNumber(ArrayNode a, double v) {
        if (Double.isFinite(v)) {
            a.add(v);
        } else {
            a.addNull();
        }
    }
}
