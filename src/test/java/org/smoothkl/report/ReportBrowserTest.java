package org.smoothkl.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
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

/**
 * report.html in a real browser: Debian's Chromium, headless, driven over W3C WebDriver by
 * /usr/bin/chromedriver (packages chromium and chromium-driver; .ci/run installs them). The
 * report of an ε = 0.3 run against an ε = 0.1 baseline opens from disk with no console error
 * and no network request, every slice has both charts drawn, the optimal gap line is painted
 * where the summary puts it, and a screenshot of the whole page is kept in
 * target/report-screenshot.png.
 */
class ReportBrowserTest {
    static final String CHROMIUM = System.getProperty("smoothkl.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("smoothkl.chromedriver", "/usr/bin/chromedriver");
    static final Path SCREENSHOT = Paths.get("target", "report-screenshot.png");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path out;
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
        Path base = tmp.resolve("base");
        CliRun b = CliRun.of("run", "--input", gen01.toString(), "--preset", "seed", "--epsilon", "0.1", "--group-by", "slice",
                "--output", base.toString());
        assertThat(b.exitCode()).as(b.err()).isZero();
        out = tmp.resolve("run");
        CliRun r = CliRun.of("run", "--input", gen03.toString(), "--preset", "seed", "--epsilon", "0.3", "--group-by", "slice",
                "--output", out.toString(), "--baseline", base.toString(),
                "--check", "accuracy>=0.75", "--check", "gap_psi<0.25", "--check", "delta(accuracy)>=-0.02");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(3);
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

    @AfterAll
    static void stopTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
    }

    /** Opens a page from disk, waits for its charts, returns the problems the browser reported. */
    private static List<String> open(Path page, int charts) {
        browser.get(page.toUri().toString());
        waitFor("the page to load", () -> "complete".equals(browser.executeScript("return document.readyState")));
        if (charts > 0) {
            waitFor(charts + " charts drawn", () -> Integer.toString(charts)
                    .equals(browser.findElement(By.tagName("html")).getDomAttribute("data-charts-drawn")));
        }
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

    private static void waitFor(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void theReportRendersEverySlicesChartsWithTheOptimalGapAndNoErrors() throws IOException {
        List<String> labels = new ArrayList<>(List.of("overall"));
        summary.get("slices").forEach(s -> labels.add("slice=" + s.at("/key/slice").asText()));
        assertThat(labels).hasSize(4);

        List<String> problems = open(out.resolve("report.html"), 2 * labels.size());
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
            JsonNode part = i == 0 ? summary.get("overall") : summary.get("slices").get(i - 1);
            assertThat(c.get("slice")).isEqualTo(label);
            assertThat(c.get("gapChart")).as("%s gap chart drawn by Chart.js", label).isEqualTo(true);
            assertThat(c.get("relChart")).as("%s reliability chart drawn by Chart.js", label).isEqualTo(true);
            assertThat((List<?>) c.get("gapLabels")).as(label).anySatisfy(l -> assertThat((String) l).startsWith("optimal gap"))
                    .anySatisfy(l -> assertThat((String) l).startsWith("baseline: share"))
                    .anySatisfy(l -> assertThat((String) l).startsWith("baseline optimal gap"));
            @SuppressWarnings("unchecked")
            List<String> relLabels = (List<String>) c.get("relLabels");
            assertThat(relLabels).as(label).contains("perfect calibration", "baseline: accuracy at mean confidence");
            // The line sits at the summary's optimal gap and is painted over most of the plot's height.
            assertThat(((Number) c.get("optimalGapX")).doubleValue()).isCloseTo(part.get("gap_opt").asDouble(), within(1e-9));
            long lineRows = ((Number) c.get("optimalGapRedRows")).longValue();
            long areaRows = ((Number) c.get("plotRows")).longValue();
            assertThat(lineRows).as("%s: rows of red at the optimal gap's x, of %d", label, areaRows)
                    .isGreaterThan(areaRows / 3);
            assertThat(((Number) c.get("gapBarPixels")).longValue()).as("%s histogram bars", label).isGreaterThan(500);
            assertThat(((Number) c.get("relBarPixels")).longValue()).as("%s reliability bars", label).isGreaterThan(500);
        }

        // The whole page, for a person to look at.
        // The window is taller than the page's viewport by the browser's own frame.
        long height = ((Number) browser.executeScript("return document.documentElement.scrollHeight"
                + " + (window.outerHeight - window.innerHeight) + 16")).longValue();
        browser.manage().window().setSize(new Dimension(1400, (int) Math.min(height, 16000)));
        browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "requestAnimationFrame(() => requestAnimationFrame(() => done()));");
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, browser.getScreenshotAs(OutputType.BYTES));
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(50_000);
    }

    @Test
    void theErrorDetectorCatchesABrokenPage() throws IOException {
        // A negative control: the same report with a script error must not pass for clean.
        String html = Files.readString(out.resolve("report.html"));
        Path broken = tmp.resolve("broken.html");
        Files.writeString(broken, html.replace("</body>", "<script>notDefinedAnywhere();</script>\n</body>"));
        List<String> problems = open(broken, 0);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("notDefinedAnywhere"));
    }

    /** Per section: both canvases, their Chart.js instances, dataset labels and what is painted. */
    private static final String INSPECT_CHARTS = """
            function painted(canvas, test) {
              const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              let n = 0;
              for (let i = 0; i < d.length; i += 4) { if (test(d[i], d[i + 1], d[i + 2], d[i + 3])) n++; }
              return n;
            }
            const blue = (r, g, b, a) => a > 100 && b > r + 40 && b > g + 20;
            const red = (r, g, b, a) => a > 150 && r > 180 && g < 110 && b < 110;
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
                  const dpr = gc.currentDevicePixelRatio;
                  const x = Math.round(gc.scales.x.getPixelForValue(opt.data[0].x) * dpr);
                  const top = Math.round(gc.chartArea.top * dpr);
                  const bottom = Math.round(gc.chartArea.bottom * dpr);
                  const w = 5;
                  const d = gap.getContext('2d').getImageData(x - 2, top, w, bottom - top).data;
                  let rows = 0;
                  for (let y = 0; y < bottom - top; y++) {
                    let hit = false;
                    for (let k = 0; k < w; k++) {
                      const i = (y * w + k) * 4;
                      if (red(d[i], d[i + 1], d[i + 2], d[i + 3])) hit = true;
                    }
                    if (hit) rows++;
                  }
                  r.optimalGapX = opt.data[0].x;
                  r.optimalGapRedRows = rows;
                  r.plotRows = bottom - top;
                }
              }
              if (rc) {
                r.relLabels = rc.data.datasets.map(d => d.label);
                r.relBarPixels = painted(rel, blue);
              }
              return r;
            });
            """;
}
