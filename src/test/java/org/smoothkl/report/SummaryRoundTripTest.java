package org.smoothkl.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.smoothkl.audit.Assessment;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.Check;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.Metric;
import org.smoothkl.audit.RunSnapshot;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSnapshot;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.loss.Preset;
import org.smoothkl.audit.InputFormat;

/**
 * summary.json read back as a baseline equals what was written (and an older summary without
 * calibration still reads), and report.html's static properties: nothing loaded from outside,
 * user text escaped, one section and two charts per summary. No Spark, no browser.
 */
class SummaryRoundTripTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GapHistogramSpec HIST = new GapHistogramSpec(20, 0, 10);
    private static final CalibrationSpec CAL = new CalibrationSpec(10);

    private static AuditSpec spec(double epsilon, List<String> checks, String baseline) {
        return new AuditSpec("in", InputFormat.PARQUET, "logits", "label", Preset.SEED, Preset.SEED.with(epsilon, null),
                List.of("slice"), HIST, CAL, checks.stream().map(Check::parse).toList(), baseline, null, "tag", "out",
                false, false);
    }

    /** Two slices of random valid rows (one named with HTML in it) and one of invalid rows only. */
    private static AuditResult result(AuditSpec spec, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<SliceKey, SliceSummary> slices = new LinkedHashMap<>();
        for (String name : List.of("a", "<b>&'\"")) {
            SliceSummary s = new SliceSummary(HIST, CAL);
            for (int i = 0; i < 500; i++) {
                s.addValidRow(r.nextDouble(), 1 + r.nextDouble(), r.nextDouble(), r.nextDouble() * 12 - 1, r.nextDouble(),
                        r.nextBoolean(), 10);
            }
            slices.put(new SliceKey(List.of("slice"), List.of(name)), s);
        }
        SliceSummary bad = new SliceSummary(HIST, CAL);
        bad.addInvalid("nan_logit", 4);
        slices.put(new SliceKey(List.of("slice"), List.of("c")), bad);
        return AuditResult.of(spec, slices);
    }

    private static String summaryJson(AuditResult result, RunSnapshot baseline) {
        return SummaryJson.render(result, Assessment.of(result, baseline), Map.of("started", "2026-11-28T00:00:00Z"));
    }

    @Test
    void aSummaryReadBackAsABaselineIsWhatWasWritten() {
        AuditResult result = result(spec(0.1, List.of(), null), 1);
        RunSnapshot read = SummaryReader.snapshot(summaryJson(result, null), "dir");
        Map<SliceKey, SliceSnapshot> written = Assessment.of(result, null).slices();
        assertThat(read.slices().keySet()).containsExactlyElementsOf(written.keySet());
        assertThat(read.histogram()).isEqualTo(HIST);
        assertThat(read.calibrationBins()).isEqualTo(CAL.bins());
        assertThat(read.started()).isEqualTo("2026-11-28T00:00:00Z");
        written.forEach((key, w) -> {
            SliceSnapshot r = read.slices().get(key);
            String label = key.label();
            assertThat(r.key()).isEqualTo(w.key());
            for (Metric m : Metric.values()) {
                assertThat(Double.valueOf(r.metric(m))).as("%s %s", label, m.code()).isEqualTo(Double.valueOf(w.metric(m)));
            }
            assertThat(r.gapCounts()).containsExactly(w.gapCounts());
            assertThat(r.reliability()).hasSameSizeAs(w.reliability());
            for (int b = 0; b < w.reliability().size(); b++) {
                assertThat(r.reliability().get(b).count()).isEqualTo(w.reliability().get(b).count());
                assertThat(Double.valueOf(r.reliability().get(b).accuracy()))
                        .isEqualTo(Double.valueOf(w.reliability().get(b).accuracy()));
            }
        });
        // ε = 0: the optimal gap is +∞, written as "Infinity" and read back as such.
        RunSnapshot zero = SummaryReader.snapshot(summaryJson(result(spec(0.0, List.of(), null), 1), null), "dir");
        assertThat(zero.slices().get(SliceKey.OVERALL).metric(Metric.GAP_OPT)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    /** The keys of a slice, in the order summary.json has held them since before its metric keys came from Metric. */
    @Test
    void aSliceKeepsItsKeysInSummaryJsonOrder() throws Exception {
        AuditResult base = result(spec(0.3, List.of(), null), 4);
        RunSnapshot baseline = SummaryReader.snapshot(summaryJson(base, null), "base");
        JsonNode slice = JSON.readTree(summaryJson(result(spec(0.1, List.of(), "base"), 5), baseline)).path("slices").path(0);
        List<String> keys = new java.util.ArrayList<>();
        slice.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("key", "rows", "valid", "ignored", "invalid", "invalid_by_reason",
                "invalid_fraction", "ignored_fraction", "sum_kl", "mean_kl", "sum_smoothed_ce", "mean_smoothed_ce", "sum_nll",
                "mean_nll", "accuracy", "mean_gap", "gap_opt", "classes", "preset_loss", "gap_histogram", "mean_confidence",
                "ece", "reliability", "baseline");
        List<String> loss = new java.util.ArrayList<>();
        slice.path("preset_loss").fieldNames().forEachRemaining(loss::add);
        assertThat(loss).containsExactly("name", "reduction", "value");
        for (Metric m : Metric.values()) {
            assertThat(keys).as("every metric is written").contains(m.code());
        }
    }

    @Test
    void aSummaryWrittenBeforeCalibrationStillServesAsABaseline() throws Exception {
        ObjectNode old = (ObjectNode) JSON.readTree(summaryJson(result(spec(0.1, List.of(), null), 2), null));
        ((ObjectNode) old.get("config")).remove("calibration_bins");
        List<JsonNode> parts = new java.util.ArrayList<>();
        parts.add(old.get("overall"));
        old.get("slices").forEach(parts::add);
        for (JsonNode p : parts) {
            ((ObjectNode) p).remove(List.of("mean_confidence", "ece", "reliability", "invalid_fraction", "ignored_fraction"));
        }
        RunSnapshot base = SummaryReader.snapshot(JSON.writeValueAsString(old), "old");
        assertThat(base.calibrationBins()).isNull();
        base.requireComparableWith(spec(0.1, List.of(), "old"));
        AuditResult now = result(spec(0.1, List.of("delta(mean_kl)<=1", "delta(ece)<=1"), "old"), 3);
        Assessment a = Assessment.of(now, base);
        SliceKey sliceA = new SliceKey(List.of("slice"), List.of("a"));
        assertThat(a.comparisons().get(sliceA).difference(Metric.MEAN_KL)).isFinite();
        assertThat(a.comparisons().get(sliceA).difference(Metric.ECE)).isNaN();
        assertThat(a.checks().stream().filter(c -> c.check().term().equals("delta(ece)"))).allMatch(c -> !c.passed());
        // ... and the report draws without the baseline's reliability overlay.
        String html = HtmlReport.render(JSON.readTree(summaryJson(now, base)));
        assertThat(html).contains("baseline: share of valid rows per bin").doesNotContain("baseline: accuracy at mean confidence");
    }

    @Test
    void theReportLoadsNothingEscapesUserTextAndHasTwoChartsPerSummary() throws Exception {
        AuditResult base = result(spec(0.3, List.of(), null), 4);
        RunSnapshot baseline = SummaryReader.snapshot(summaryJson(base, null), "base");
        AuditResult now = result(spec(0.1, List.of("accuracy>=0.9", "gap_psi<0.1"), "base"), 5);
        JsonNode summary = JSON.readTree(summaryJson(now, baseline));
        String html = HtmlReport.render(summary);

        assertThat(html).startsWith("<!DOCTYPE html>").contains("Content-Security-Policy\" content=\"default-src 'none'");
        assertThat(html).doesNotContainPattern("(?i)<script[^>]+src=").doesNotContainPattern("(?i)<link[^>]+href=")
                .doesNotContainPattern("(?i)<img[^>]+src=\"http");
        // The slice named <b>&'" appears only escaped, in the page and in the chart data (its label quotes it).
        assertThat(html).doesNotContain("<b>&'\"").contains("slice=&quot;&lt;b&gt;&amp;&#39;\\&quot;&quot;");
        assertThat(html).contains("\\u003cb>");
        assertThat(html).contains("FAIL:");
        assertThat(html).contains("Chart.js v" + ChartJs.version());

        // One section per summary, each with its two canvases, and a configuration per canvas.
        Matcher sections = Pattern.compile("<section class=\"slice\" id=\"s(\\d+)\"").matcher(html);
        int n = 0;
        while (sections.find()) {
            assertThat(html).contains("<canvas id=\"gap-" + n + "\"", "<canvas id=\"rel-" + n + "\"");
            n++;
        }
        assertThat(n).isEqualTo(4);
        String configs = html.substring(html.indexOf("<script id=\"smoothkl-charts\" type=\"application/json\">")
                + "<script id=\"smoothkl-charts\" type=\"application/json\">".length());
        JsonNode charts = JSON.readTree(configs.substring(0, configs.indexOf("</script>")));
        assertThat(charts.size()).as("two per summary, the theory panel and the overlay").isEqualTo(2 * 4 + 2);
        JsonNode overallGap = charts.get("gap-0");
        JsonNode line = null;
        for (JsonNode d : overallGap.at("/data/datasets")) {
            if (d.get("label").asText().startsWith("optimal gap")) {
                line = d;
            }
        }
        assertThat(line).isNotNull();
        double gapOpt = summary.at("/overall/gap_opt").asDouble();
        assertThat(line.at("/data/0/x").asDouble()).isEqualTo(gapOpt);
        assertThat(line.at("/data/1/x").asDouble()).isEqualTo(gapOpt);
        assertThat(line.get("borderColor").asText()).isEqualTo(Charts.OPTIMUM_COLOR);
    }

    @Test
    void atEpsilonZeroThereIsNoOptimalGapLine() throws Exception {
        AuditResult now = result(spec(0.0, List.of(), null), 6);
        String html = HtmlReport.render(JSON.readTree(summaryJson(now, null)));
        assertThat(html).contains("Optimal gap +∞ (ε = 0): no line.");
        assertThat(html).contains("No checks configured.");
        String configs = html.substring(html.indexOf("<script id=\"smoothkl-charts\" type=\"application/json\">")
                + "<script id=\"smoothkl-charts\" type=\"application/json\">".length());
        JsonNode charts = JSON.readTree(configs.substring(0, configs.indexOf("</script>")));
        // No line in a gap histogram, no marker in the overlay, no optimum on the ε panel (its curve is for ε > 0).
        charts.fields().forEachRemaining(c -> c.getValue().at("/data/datasets").forEach(d -> {
            assertThat(d.get("label").asText()).as(c.getKey()).doesNotStartWith("optimal gap =").doesNotStartWith("this run: optimal");
            assertThat(d.has("marker")).as(c.getKey() + " " + d.get("label")).isFalse();
            if (c.getKey().startsWith("gap-")) {
                assertThat(d.get("label").asText()).doesNotStartWith("optimal gap");
            }
        }));
    }
}
