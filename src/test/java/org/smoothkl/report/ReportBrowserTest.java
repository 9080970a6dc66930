package org.smoothkl.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;
import org.smoothkl.loss.TargetConvention;

/**
 * report.html in a real browser: Debian's Chromium, headless, driven over W3C WebDriver by
 * /usr/bin/chromedriver (packages chromium and chromium-driver; .ci/run installs them). Three runs
 * append to one history: an ε = 0.1 baseline, then ε = 0.2 and ε = 0.3 runs against it on input
 * with ignored and invalid rows. The last run's report opens from disk with no console error and
 * no network request; everything checked is read back from the live Chart.js objects and the page's
 * cells: the overlay has one line per slice plus the baseline, the top panel's curve is the loss
 * package's optimal gap, the trend charts' points are the history table's values, the reliability
 * counts are the summary's bins, rows = valid + ignored + invalid, and a page of 1000 slices opens
 * (load and first charts drawn) in under {@value #OPEN_LIMIT_MS} ms. Screenshots are kept in
 * target/report-screenshots/.
 */
class ReportBrowserTest {
    static final String CHROMIUM = System.getProperty("smoothkl.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("smoothkl.chromedriver", "/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Paths.get("target", "report-screenshots");
    static final long OPEN_LIMIT_MS = 5000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path out;
    static Path history;
    static JsonNode summary;
    static ChromeDriverService service;
    static ChromeDriver browser;

    @BeforeAll
    static void auditAndStartTheBrowser() throws IOException {
        Path gen01 = tmp.resolve("gen01");
        Path gen03 = tmp.resolve("gen03");
        for (Object[] g : new Object[][] {{gen01, "0.1"}, {gen03, "0.3"}}) {
            CliRun r = CliRun.of("generate", "--rows", "20000", "--classes", "100", "--epsilon", (String) g[1],
                    "--output", g[0].toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
        }
        // About 1 % of the rows ignored (the seed preset's ignore index), 2 % invalid for two reasons.
        Path mixed = tmp.resolve("mixed");
        SparkSession spark = SparkTestSession.get();
        spark.read().parquet(gen03.toString()).selectExpr("slice", "logits",
                "CAST(CASE pmod(hash(logits), 100) WHEN 0 THEN 100000 WHEN 1 THEN -5 WHEN 2 THEN NULL ELSE label END"
                        + " AS INT) AS label").write().parquet(mixed.toString());
        history = tmp.resolve("history");
        Path base = tmp.resolve("base");
        audit(0, "--input", gen01.toString(), "--epsilon", "0.1", "--output", base.toString(), "--run-tag", "base");
        audit(0, "--input", mixed.toString(), "--epsilon", "0.2", "--output", tmp.resolve("mid").toString(),
                "--baseline", base.toString(), "--run-tag", "mid");
        out = tmp.resolve("run");
        audit(3, "--input", mixed.toString(), "--epsilon", "0.3", "--output", out.toString(), "--baseline", base.toString(),
                "--run-tag", "final", "--check", "accuracy>=0.75", "--check", "gap_psi<0.25", "--check", "delta(accuracy)>=-0.02",
                "--check", "mean_gap in [2, 9]");
        summary = JSON.readTree(out.resolve("summary.json").toFile());

        assertThat(new File(CHROMIUM).canExecute()).as(CHROMIUM + " (apt-get install chromium; .ci/run does)").isTrue();
        assertThat(new File(CHROMEDRIVER).canExecute()).as(CHROMEDRIVER + " (apt-get install chromium-driver; .ci/run does)")
                .isTrue();
        service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile"), "--window-size=1400,1000",
                "--force-device-scale-factor=1");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        browser = new ChromeDriver(service, options);
        // Record uncaught errors and console.error calls from before the page's first script.
        browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                window.__smoothklErrors = [];
                window.addEventListener('error', e => window.__smoothklErrors.push('error: ' + e.message));
                window.addEventListener('securitypolicyviolation', e => window.__smoothklErrors.push('csp: ' + e.blockedURI));
                const consoleError = console.error;
                console.error = function () {
                  window.__smoothklErrors.push('console.error: ' + Array.from(arguments).join(' '));
                  return consoleError.apply(console, arguments);
                };
                """));
    }

    /** A seed-preset run grouped by slice, appended to the history; exits {@code exit}. */
    private static void audit(int exit, String... args) {
        List<String> all = new ArrayList<>(List.of("run", "--preset", "seed", "--group-by", "slice", "--history",
                history.toString()));
        all.addAll(List.of(args));
        CliRun r = CliRun.of(all.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(exit);
    }

    @AfterAll
    static void stopTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
    }

    /** Opens a page from disk at 1400 × 1000, waits for load and its first charts, returns the problems the browser reported. */
    private static List<String> open(Path page) {
        browser.manage().window().setSize(new Dimension(1400, 1000));
        browser.get(page.toUri().toString());
        waitFor("the page to load", () -> "complete".equals(browser.executeScript("return document.readyState")));
        return problems();
    }

    private static List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                problems.add(e.getLevel() + " " + e.getMessage());
            }
        }
        @SuppressWarnings("unchecked")
        List<Object> recorded = (List<Object>) browser.executeScript("return window.__smoothklErrors || ['no recorder']");
        recorded.forEach(x -> problems.add(String.valueOf(x)));
        return problems;
    }

    /** Scrolls each chart's canvas into view and waits until Chart.js has drawn it (they are drawn lazily). */
    private static void drawByScrolling(List<WebElement> canvases) {
        for (WebElement c : canvases) {
            browser.executeScript("arguments[0].scrollIntoView({block: 'center'})", c);
            waitFor("chart " + c.getDomAttribute("id"), () -> Boolean.TRUE.equals(
                    browser.executeScript("return !!Chart.getChart(arguments[0])", c)));
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** The live Chart.js data of the chart on canvas {@code id}: {labels, datasets: [{label, data, marker, …}]}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> chartData(String id) {
        return (Map<String, Object>) browser.executeScript("const c = Chart.getChart(document.getElementById(arguments[0]));"
                + "return c ? {labels: c.data.labels || [], datasets: c.data.datasets.map(d => ({label: d.label, data: d.data,"
                + " marker: d.marker === undefined ? null : d.marker, color: d.borderColor, radius: d.pointRadius,"
                + " axis: d.yAxisID || null}))," + " currentRun: c.config.options.currentRun === undefined ? null"
                + " : c.config.options.currentRun} : null", id);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> datasets(Map<String, Object> chart) {
        return (List<Map<String, Object>>) chart.get("datasets");
    }

    private static Map<String, Object> dataset(Map<String, Object> chart, String labelStart) {
        return datasets(chart).stream().filter(d -> ((String) d.get("label")).startsWith(labelStart)).findFirst()
                .orElseThrow(() -> new AssertionError("no dataset " + labelStart + " in " + chart));
    }

    private static double num(Object o) {
        return o == null ? Double.NaN : ((Number) o).doubleValue();
    }

    private static List<String> labels() {
        List<String> labels = new ArrayList<>(List.of("overall"));
        summary.get("slices").forEach(s -> labels.add("slice=" + s.at("/key/slice").asText()));
        return labels;
    }

    private static JsonNode part(int i) {
        return i == 0 ? summary.get("overall") : summary.get("slices").get(i - 1);
    }

    private static void screenshot(String name) throws IOException {
        browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "requestAnimationFrame(() => requestAnimationFrame(() => done()));");
        Files.createDirectories(SCREENSHOTS);
        Path file = SCREENSHOTS.resolve(name);
        Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(file)).as(file.toString()).isGreaterThan(20_000);
    }

    /** The whole page in one screenshot: the window as tall as the page (which draws every chart). */
    private static void fullPageScreenshot(String name) throws IOException {
        long height = ((Number) browser.executeScript("return document.documentElement.scrollHeight"
                + " + (window.outerHeight - window.innerHeight) + 16")).longValue();
        browser.manage().window().setSize(new Dimension(1400, (int) Math.min(height, 16000)));
        screenshot(name);
    }

    @Test
    void theReportRendersEverySlicesChartsWithTheOptimalGapAndNoErrors() throws IOException {
        Files.createDirectories(SCREENSHOTS);
        List<String> labels = labels();
        assertThat(labels).hasSize(4);

        List<String> problems = open(out.resolve("report.html"));
        drawByScrolling(browser.findElements(By.cssSelector("canvas.chart")));
        problems.addAll(problems());
        Files.write(SCREENSHOTS.resolve("report-overall-section.png"),
                browser.findElement(By.id("s0")).getScreenshotAs(OutputType.BYTES));
        assertThat(problems).as("console errors and warnings").isEmpty();
        @SuppressWarnings("unchecked")
        List<Object> resources = (List<Object>) browser.executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name)");
        assertThat(resources).as("network requests of a page that must open offline").isEmpty();

        assertThat(browser.findElement(By.id("verdict")).getText()).startsWith("FAIL");
        assertThat(browser.findElement(By.id("checks")).getText()).contains("accuracy>=0.75", "gap_psi<0.25");
        List<WebElement> sections = browser.findElements(By.cssSelector("section.slice"));
        assertThat(sections).extracting(s -> s.getDomAttribute("data-slice")).containsExactlyElementsOf(labels);

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> charts = (List<Map<String, Object>>) browser.executeScript(INSPECT_CHARTS);
        assertThat(charts).hasSize(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            Map<String, Object> c = charts.get(i);
            String label = labels.get(i);
            JsonNode part = part(i);
            assertThat(c.get("slice")).isEqualTo(label);
            assertThat(c.get("gapChart")).as("%s gap chart drawn by Chart.js", label).isEqualTo(true);
            assertThat(c.get("relChart")).as("%s reliability chart drawn by Chart.js", label).isEqualTo(true);
            assertThat((List<?>) c.get("gapLabels")).as(label).anySatisfy(l -> assertThat((String) l).startsWith("optimal gap"))
                    .anySatisfy(l -> assertThat((String) l).startsWith("baseline: share"))
                    .anySatisfy(l -> assertThat((String) l).startsWith("baseline optimal gap"));
            @SuppressWarnings("unchecked")
            List<String> relLabels = (List<String>) c.get("relLabels");
            assertThat(relLabels).as(label).contains("perfect calibration", "baseline: accuracy at mean confidence",
                    HtmlReport.ROWS_PER_BIN);
            // The line sits at the summary's optimal gap and is painted over most of the plot's height.
            assertThat(((Number) c.get("optimalGapX")).doubleValue()).isCloseTo(part.get("gap_opt").asDouble(), within(1e-9));
            long lineRows = ((Number) c.get("optimalGapRedRows")).longValue();
            long areaRows = ((Number) c.get("plotRows")).longValue();
            assertThat(lineRows).as("%s: rows of red at the optimal gap's x, of %d", label, areaRows)
                    .isGreaterThan(areaRows / 3);
            assertThat(((Number) c.get("gapBarPixels")).longValue()).as("%s histogram bars", label).isGreaterThan(500);
            assertThat(((Number) c.get("relBarPixels")).longValue()).as("%s reliability bars", label).isGreaterThan(500);
            assertThat(((Number) c.get("countBarPixels")).longValue()).as("%s count bars", label).isGreaterThan(200);
        }
        fullPageScreenshot("report-full.png");
    }

    /** The paper's bottom panel: one line per slice plus the baseline's, each marker at its own optimal gap, painted. */
    @Test
    void theOverlayHasOneLinePerSliceAndTheBaselineEachWithItsOptimalGap() throws IOException {
        open(out.resolve("report.html"));
        drawByScrolling(List.of(browser.findElement(By.id("overlay"))));
        Map<String, Object> overlay = chartData("overlay");
        List<Map<String, Object>> lines = datasets(overlay);
        List<String> labels = labels().subList(1, 4);
        assertThat(lines).as("3 slices + the baseline").hasSize(labels.size() + 1);
        for (int i = 0; i < labels.size(); i++) {
            Map<String, Object> line = lines.get(i);
            JsonNode s = part(i + 1);
            assertThat((String) line.get("label")).startsWith(labels.get(i));
            assertThat(num(line.get("marker"))).isCloseTo(s.get("gap_opt").asDouble(), within(1e-12));
            assertShares(line, s.at("/gap_histogram/counts"), s.get("valid").asLong());
        }
        Map<String, Object> base = lines.get(labels.size());
        JsonNode b = summary.at("/overall/baseline");
        assertThat((String) base.get("label")).startsWith("baseline run");
        assertThat(num(base.get("marker"))).isCloseTo(b.at("/values/gap_opt").asDouble(), within(1e-12));
        assertShares(base, b.at("/gap_histogram/counts"), b.at("/values/valid").asLong());
        assertThat(b.at("/values/gap_opt").asDouble()).as("ε = 0.1 and 0.3 optima lie apart")
                .isGreaterThan(summary.at("/overall/gap_opt").asDouble() + 1);
        // Each marker is painted in its dataset's colour over much of the plot's height.
        for (Map<String, Object> line : List.of(lines.get(labels.size() - 1), base)) {
            long[] rows = markerRows("overlay", num(line.get("marker")), (String) line.get("color"));
            assertThat(rows[0]).as("rows painted %s at %s's marker, of %d", line.get("color"), line.get("label"), rows[1])
                    .isGreaterThan(rows[1] / 3);
        }
        assertThat(browser.findElement(By.id("figure4")).getText()).contains("All 3 slices");
        browser.executeScript("document.getElementById('figure4').scrollIntoView()");
        screenshot("report-figure4.png");
    }

    private static void assertShares(Map<String, Object> line, JsonNode counts, long valid) {
        List<?> points = (List<?>) line.get("data");
        assertThat(points).hasSize(counts.size());
        for (int k = 0; k < counts.size(); k++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> p = (Map<String, Object>) points.get(k);
            assertThat(num(p.get("y"))).isCloseTo(counts.get(k).asDouble() / valid, within(1e-12));
        }
    }

    /** [rows of the plot area painted {@code color} within 2 px of x = {@code value}, rows of the plot area]. */
    private static long[] markerRows(String id, double value, String color) {
        @SuppressWarnings("unchecked")
        List<Number> r = (List<Number>) browser.executeScript(ROWS_AT + """
                const canvas = document.getElementById(arguments[0]);
                const want = [1, 3, 5].map(i => parseInt(arguments[2].substr(i, 2), 16));
                return rowsAt(canvas, arguments[1], (r, g, b, a) => a > 150 && Math.abs(r - want[0]) < 40
                    && Math.abs(g - want[1]) < 40 && Math.abs(b - want[2]) < 40);
                """, id, value, color);
        return new long[] {r.get(0).longValue(), r.get(1).longValue()};
    }

    /** The paper's top panel: the curve is the loss package's optimal gap; this run and the history's others marked. */
    @Test
    void theTopPanelIsTheTheoreticalGapAgainstEpsilonWithTheRunsMarked() {
        open(out.resolve("report.html"));
        drawByScrolling(List.of(browser.findElement(By.id("theory"))));
        Map<String, Object> theory = chartData("theory");
        Map<String, Object> curve = dataset(theory, "optimal gap log(q_y/q_other)");
        int k = summary.at("/overall/classes").asInt();
        assertThat(k).isEqualTo(100);
        List<?> points = (List<?>) curve.get("data");
        assertThat(points).hasSizeGreaterThan(100);
        for (Object o : points) {
            Map<?, ?> p = (Map<?, ?>) o;
            assertThat(num(p.get("y"))).isCloseTo(TargetConvention.UNIFORM_OTHERS.optimalGap(k, num(p.get("x"))), within(1e-12));
        }
        Map<?, ?> optimum = (Map<?, ?>) ((List<?>) dataset(theory, "this run: optimal gap").get("data")).get(0);
        assertThat(num(optimum.get("x"))).isEqualTo(0.3);
        assertThat(num(optimum.get("y"))).isCloseTo(summary.at("/overall/gap_opt").asDouble(), within(1e-12));
        Map<?, ?> mean = (Map<?, ?>) ((List<?>) dataset(theory, "this run: mean gap").get("data")).get(0);
        assertThat(num(mean.get("x"))).isEqualTo(0.3);
        assertThat(num(mean.get("y"))).isCloseTo(summary.at("/overall/mean_gap").asDouble(), within(1e-12));
        List<?> others = (List<?>) dataset(theory, "other runs in the history").get("data");
        assertThat(others).extracting(o -> num(((Map<?, ?>) o).get("x"))).containsExactlyInAnyOrder(0.1, 0.2);
    }

    /** Each headline metric's trend: per line and run, the history table's value; the bounds of the checks on it. */
    @Test
    void theTrendChartsShowTheHistoryTablesValuesWithTheCheckBounds() throws IOException {
        Dataset<Row> table = SparkTestSession.get().read().parquet(history.toString());
        List<Row> rows = table.orderBy("run_time").collectAsList();
        List<Object> times = table.select("run_time").distinct().orderBy("run_time").collectAsList().stream()
                .map(r -> r.get(0)).toList();
        assertThat(times).hasSize(3);
        open(out.resolve("report.html"));
        List<WebElement> canvases = browser.findElements(By.cssSelector("canvas.chart-trend"));
        assertThat(canvases).extracting(c -> c.getDomAttribute("data-metric"))
                .containsExactly("mean_kl", "accuracy", "ece", "mean_gap", "gap_psi");
        drawByScrolling(canvases);
        Map<String, List<Double>> bounds = Map.of("accuracy", List.of(0.75), "gap_psi", List.of(0.25), "mean_gap", List.of(2.0, 9.0));
        for (WebElement canvas : canvases) {
            String metric = canvas.getDomAttribute("data-metric");
            Map<String, Object> chart = chartData(canvas.getDomAttribute("id"));
            assertThat((List<?>) chart.get("labels")).as(metric).hasSize(3);
            assertThat(chart.get("currentRun")).as("the current run is the newest").isEqualTo(2L);
            // Per line (a summary's label): the value of each run, null where the table holds none.
            Map<String, Double[]> expected = new TreeMap<>();
            for (Row r : rows) {
                Double[] line = expected.computeIfAbsent(r.getAs("slice"), s -> new Double[3]);
                Object v = r.getAs(metric);
                line[times.indexOf(r.get(r.fieldIndex("run_time")))] = v == null ? null : ((Number) v).doubleValue();
            }
            Map<String, List<?>> drawn = new HashMap<>();
            List<Double> boundLines = new ArrayList<>();
            for (Map<String, Object> d : datasets(chart)) {
                String label = (String) d.get("label");
                if (label.startsWith("check ")) {
                    List<?> ys = (List<?>) d.get("data");
                    assertThat(ys).as(label).hasSize(3).allSatisfy(y -> assertThat(num(y)).isEqualTo(num(ys.get(0))));
                    boundLines.add(num(ys.get(0)));
                } else {
                    drawn.put(label, (List<?>) d.get("data"));
                    assertThat(num(((List<?>) d.get("radius")).get(2))).as("current run's point")
                            .isGreaterThan(num(((List<?>) d.get("radius")).get(0)));
                }
            }
            assertThat(drawn.keySet()).as(metric).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (Map.Entry<String, Double[]> e : expected.entrySet()) {
                List<?> values = drawn.get(e.getKey());
                for (int i = 0; i < 3; i++) {
                    Double want = e.getValue()[i];
                    if (want == null) {
                        assertThat(values.get(i)).as("%s %s run %d", metric, e.getKey(), i).isNull();
                    } else {
                        assertThat(num(values.get(i))).as("%s %s run %d", metric, e.getKey(), i).isEqualTo(want);
                    }
                }
            }
            assertThat(boundLines).as(metric + " bound lines").isEqualTo(bounds.getOrDefault(metric, List.of()));
        }
        assertThat(rows.stream().filter(r -> r.getAs("gap_psi") == null)).as("the baseline run has no PSI").isNotEmpty();
        browser.executeScript("document.getElementById('trends').scrollIntoView()");
        screenshot("report-trends.png");
    }

    /** Under each reliability diagram, its rows per bin: every bin of the summary, an empty one as 0. */
    @Test
    void theReliabilityCountsAreTheSummarysBins() {
        open(out.resolve("report.html"));
        boolean sawEmpty = false;
        List<String> labels = labels();
        for (int i = 0; i < labels.size(); i++) {
            drawByScrolling(List.of(browser.findElement(By.id("rel-" + i))));
            Map<String, Object> counts = dataset(chartData("rel-" + i), HtmlReport.ROWS_PER_BIN);
            assertThat(counts.get("axis")).isEqualTo("count");
            JsonNode bins = part(i).get("reliability");
            List<?> points = (List<?>) counts.get("data");
            assertThat(points).as(labels.get(i)).hasSize(bins.size());
            for (int b = 0; b < bins.size(); b++) {
                Map<?, ?> p = (Map<?, ?>) points.get(b);
                JsonNode bin = bins.get(b);
                assertThat(num(p.get("y"))).as("%s bin %d", labels.get(i), b).isEqualTo(bin.get("count").asDouble());
                assertThat(num(p.get("x"))).isCloseTo((bin.get("lo").asDouble() + bin.get("hi").asDouble()) / 2, within(1e-12));
                sawEmpty |= bin.get("count").asLong() == 0;
            }
        }
        assertThat(sawEmpty).as("some confidence bin is empty (low confidences)").isTrue();
    }

    /** The overview's cells add up, invalid rows by reason open in a table, times read as dates with the ISO value kept. */
    @Test
    void theOverviewsNumbersAddUpAndTablesScrollOnANarrowWindow() throws IOException {
        open(out.resolve("report.html"));
        WebElement overview = browser.findElement(By.id("overview"));
        List<String> header = overview.findElements(By.cssSelector("table tr:first-child th")).stream().map(WebElement::getText)
                .toList();
        int rows = header.indexOf("rows");
        int valid = header.indexOf("valid");
        int ignored = header.indexOf("ignored");
        int invalid = header.indexOf("invalid");
        assertThat(List.of(rows, valid, ignored, invalid)).as(header.toString()).doesNotContain(-1);
        List<WebElement> lines = overview.findElements(By.cssSelector("#overview > .scroll table tr")).subList(1, 5);
        for (int i = 0; i < lines.size(); i++) {
            List<Long> cells = lines.get(i).findElements(By.tagName("td")).stream()
                    .map(WebElement::getText).map(t -> t.matches("\\d+") ? Long.parseLong(t) : -1L).toList();
            JsonNode part = part(i);
            assertThat(cells.get(rows)).as("rows = valid + ignored + invalid").isEqualTo(
                    cells.get(valid) + cells.get(ignored) + cells.get(invalid));
            assertThat(cells.get(rows)).isEqualTo(part.get("rows").asLong());
            assertThat(cells.get(ignored)).isEqualTo(part.get("ignored").asLong()).isPositive();
            assertThat(cells.get(invalid)).isEqualTo(part.get("invalid").asLong()).isPositive();
        }
        // Invalid rows by reason, per summary, in a table that opens on request.
        WebElement reasons = browser.findElement(By.id("invalid-reasons"));
        assertThat(reasons.getTagName()).isEqualTo("details");
        assertThat(reasons.getDomProperty("open")).isEqualTo("false");
        reasons.findElement(By.tagName("summary")).click();
        List<WebElement> reasonRows = reasons.findElements(By.cssSelector("tr"));
        List<String> reasonHeader = reasonRows.get(0).findElements(By.tagName("th")).stream().map(WebElement::getText).toList();
        assertThat(reasonHeader).contains("label_out_of_range", "null_label");
        assertThat(reasonRows).hasSize(1 + 4);
        for (int i = 1; i < reasonRows.size(); i++) {
            List<WebElement> cells = reasonRows.get(i).findElements(By.tagName("td"));
            JsonNode part = part(i - 1);
            assertThat(cells.get(0).getText()).isEqualTo(labels().get(i - 1));
            long sum = 0;
            for (int c = 2; c < cells.size(); c++) {
                long n = Long.parseLong(cells.get(c).getText());
                assertThat(n).isEqualTo(part.at("/invalid_by_reason/" + reasonHeader.get(c)).asLong(0));
                sum += n;
            }
            assertThat(sum).isEqualTo(Long.parseLong(cells.get(1).getText())).isEqualTo(part.get("invalid").asLong());
        }
        // The start as a date; its ISO value in the tooltip.
        WebElement started = browser.findElement(By.cssSelector("header time"));
        String iso = summary.at("/run/started").asText();
        assertThat(started.getDomAttribute("datetime")).isEqualTo(iso);
        assertThat(started.getDomAttribute("title")).isEqualTo(iso);
        assertThat(started.getText()).doesNotContain(iso).doesNotContainPattern("\\dT\\d").matches(".*\\d{4}, \\d\\d:\\d\\d:\\d\\d UTC");

        // A narrow window: the page does not overflow sideways; the wide overview table scrolls in its box.
        browser.manage().window().setSize(new Dimension(480, 900));
        waitFor("the narrow layout", () -> ((Number) browser.executeScript("return window.innerWidth")).intValue() < 500);
        @SuppressWarnings("unchecked")
        Map<String, Number> widths = (Map<String, Number>) browser.executeScript("""
                const box = document.querySelector('#overview > .scroll');
                return {page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth,
                        table: box.scrollWidth, box: box.clientWidth};
                """);
        assertThat(widths.get("page").intValue()).as("page width %s", widths).isLessThanOrEqualTo(widths.get("window").intValue());
        assertThat(widths.get("table").intValue()).as("table wider than its box %s", widths)
                .isGreaterThan(widths.get("box").intValue());
        browser.executeScript("document.getElementById('overview').scrollIntoView()");
        screenshot("report-narrow.png");
    }

    /** 1000 slices: the page loads and draws its first screenful in under the limit; the rest as they scroll in. */
    @Test
    void aPageOf1000SlicesOpensUnderTheLimit() throws IOException {
        ObjectNode big = summary.deepCopy();
        ArrayNode slices = big.putArray("slices");
        for (int i = 0; i < 1000; i++) {
            ObjectNode s = (ObjectNode) summary.get("slices").get(i % 3).deepCopy();
            s.putObject("key").put("slice", String.format("s-%04d", i));
            slices.add(s);
        }
        Path page = tmp.resolve("big.html");
        Files.writeString(page, HtmlReport.render(big, null));
        System.out.printf("1000-slice report.html: %.1f MB%n", Files.size(page) / 1e6);
        browser.manage().window().setSize(new Dimension(1400, 1000));
        browser.get("about:blank");
        long started = System.nanoTime();
        browser.get(page.toUri().toString());
        waitFor("the first charts", () -> browser.findElement(By.tagName("html")).getDomAttribute("data-charts-first") != null);
        double wallMs = (System.nanoTime() - started) / 1e6;
        @SuppressWarnings("unchecked")
        Map<String, Number> t = (Map<String, Number>) browser.executeScript("""
                const nav = performance.getEntriesByType('navigation')[0];
                return {load: nav.loadEventEnd, first: performance.getEntriesByName('smoothkl-first-charts')[0].startTime,
                        interactive: nav.domInteractive, parsed: nav.domContentLoadedEventEnd,
                        drawn: Number(document.documentElement.getAttribute('data-charts-drawn')),
                        canvases: document.querySelectorAll('canvas.chart').length};
                """);
        double openMs = Math.max(t.get("load").doubleValue(), t.get("first").doubleValue());
        System.out.printf("1000-slice report: HTML parsed (domInteractive) at %.0f ms, scripts run by %.0f ms%n",
                t.get("interactive").doubleValue(), t.get("parsed").doubleValue());
        System.out.printf("1000-slice report: load event %.0f ms, first %d charts drawn at %.0f ms after navigation;"
                + " %.0f ms by the test's clock (WebDriver included); %d canvases%n", t.get("load").doubleValue(),
                t.get("drawn").intValue(), t.get("first").doubleValue(), wallMs, t.get("canvases").intValue());
        screenshot("report-1000-top.png");
        assertThat(problems()).isEmpty();
        assertThat(openMs).as("ms from navigation to load and first charts").isLessThan(OPEN_LIMIT_MS);
        assertThat(t.get("drawn").intValue()).as("charts drawn at first").isPositive()
                .isLessThan(t.get("canvases").intValue() / 10);
        assertThat(t.get("canvases").intValue()).isEqualTo(2 * 1001 + 2);
        Map<String, Object> overlay = chartData("overlay");
        assertThat(datasets(overlay)).hasSize(GapFigure.OVERLAY_SLICES + 1);
        assertThat(browser.findElement(By.id("figure4")).getText()).contains("The 10 largest of 1000 slices");
        browser.executeScript("document.getElementById('figure4').scrollIntoView()");
        screenshot("report-1000-figure4.png");
        // The last slice's charts are drawn once scrolled to.
        drawByScrolling(List.of(browser.findElement(By.id("gap-1000")), browser.findElement(By.id("rel-1000"))));
        // What drawing every chart at once would add (the page does so before printing), measured here:
        // 10-18 s on the 2-core machine, more under load, so past WebDriver's default 30 s script timeout.
        browser.manage().timeouts().scriptTimeout(Duration.ofMinutes(5));
        double allMs = ((Number) browser.executeScript("const t = performance.now();"
                + "window.dispatchEvent(new Event('beforeprint')); return performance.now() - t")).doubleValue();
        assertThat(browser.findElement(By.tagName("html")).getDomAttribute("data-charts-drawn")).isEqualTo("2004");
        System.out.printf("1000-slice report: drawing all 2004 charts at once takes %.0f ms more (%.1f× the time to"
                + " the first charts)%n", allMs, allMs / t.get("first").doubleValue());
    }

    /** {@code report --history} renders the run's page again from summary.json and the table: the same page. */
    @Test
    void theReportCommandWithTheHistoryRendersTheSamePage() throws IOException {
        Path copy = tmp.resolve("rerendered");
        Files.createDirectories(copy);
        try (var files = Files.list(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Files.writeString(copy.resolve("report.html"), "stale");
        CliRun r = CliRun.of("report", "--output", copy.toString(), "--history", history.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readString(copy.resolve("report.html"))).isEqualTo(Files.readString(out.resolve("report.html")));

        CliRun none = CliRun.of("report", "--output", copy.toString(), "--history", tmp.resolve("no-history").toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err().strip()).startsWith("smoothkl: error: --history ").contains("no-history").doesNotContain("\n")
                .doesNotContain("Exception");
    }

    @Test
    void theErrorDetectorCatchesABrokenPage() throws IOException {
        // A negative control: the same report with a script error must not pass for clean.
        String html = Files.readString(out.resolve("report.html"));
        Path broken = tmp.resolve("broken.html");
        Files.writeString(broken, html.replace("</body>", "<script>notDefinedAnywhere();</script>\n</body>"));
        List<String> problems = open(broken);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("notDefinedAnywhere"));
    }

    /**
     * rowsAt(canvas, value, test): [rows of the chart's plot area with a pixel passing {@code test}
     * within 2 px of x = value, rows of the plot area].
     */
    private static final String ROWS_AT = """
            function rowsAt(canvas, value, test) {
              const c = Chart.getChart(canvas);
              const dpr = c.currentDevicePixelRatio;
              const x = Math.round(c.scales.x.getPixelForValue(value) * dpr);
              const top = Math.round(c.chartArea.top * dpr), bottom = Math.round(c.chartArea.bottom * dpr);
              const w = 5;
              const d = canvas.getContext('2d').getImageData(x - 2, top, w, bottom - top).data;
              let rows = 0;
              for (let y = 0; y < bottom - top; y++) {
                let hit = false;
                for (let k = 0; k < w; k++) {
                  const i = (y * w + k) * 4;
                  if (test(d[i], d[i + 1], d[i + 2], d[i + 3])) hit = true;
                }
                if (hit) rows++;
              }
              return [rows, bottom - top];
            }
            """;

    /** Per section: both canvases, their Chart.js instances, dataset labels and what is painted. */
    private static final String INSPECT_CHARTS = ROWS_AT + """
            function painted(canvas, test) {
              const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              let n = 0;
              for (let i = 0; i < d.length; i += 4) { if (test(d[i], d[i + 1], d[i + 2], d[i + 3])) n++; }
              return n;
            }
            const blue = (r, g, b, a) => a > 100 && b > r + 40 && b > g + 20;
            const red = (r, g, b, a) => a > 150 && r > 180 && g < 110 && b < 110;
            // The count bars' rgba(120, 120, 120, 0.55), on the canvas's transparent background.
            const grey = (r, g, b, a) => a > 110 && a < 170 && Math.abs(r - 120) < 8 && r === g && g === b;
            return Array.from(document.querySelectorAll('section.slice')).map(sec => {
              const gap = sec.querySelector('canvas.chart-gap');
              const rel = sec.querySelector('canvas.chart-reliability');
              const gc = gap ? Chart.getChart(gap) : null;
              const rc = rel ? Chart.getChart(rel) : null;
              const r = { slice: sec.dataset.slice, gapChart: !!gc, relChart: !!rc };
              if (gc) {
                r.gapLabels = gc.data.datasets.map(d => d.label);
                r.gapBarPixels = painted(gap, blue);
                const opt = gc.data.datasets.find(d => d.label.startsWith('optimal gap'));
                if (opt) {
                  const [rows, plotRows] = rowsAt(gap, opt.data[0].x, red);
                  r.optimalGapX = opt.data[0].x;
                  r.optimalGapRedRows = rows;
                  r.plotRows = plotRows;
                }
              }
              if (rc) {
                r.relLabels = rc.data.datasets.map(d => d.label);
                r.relBarPixels = painted(rel, blue);
                r.countBarPixels = painted(rel, grey);
              }
              return r;
            });
            """;
}
