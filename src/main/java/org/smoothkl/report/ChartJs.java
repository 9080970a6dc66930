package org.smoothkl.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Chart.js (MIT), read from the org.webjars.npm:chart.js WebJar on the classpath (shaded into
 * the job jar) so that the report can inline it: the page then opens from disk with no network.
 * The version is the WebJar's own (its pom.properties), so upgrading is a pom.xml change.
 */
final class ChartJs {
    private static final String POM_PROPERTIES = "/META-INF/maven/org.webjars.npm/chart.js/pom.properties";
    private static final String SCRIPT = "/META-INF/resources/webjars/chart.js/%s/dist/chart.umd.min.js";
    private static String version;
    private static String source;

    private ChartJs() {
    }

    static synchronized String version() {
        if (version == null) {
            Properties p = new Properties();
            try (InputStream in = open(POM_PROPERTIES)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            version = p.getProperty("version");
        }
        return version;
    }

    /**
     * The minified UMD build, ready to sit inside a {@code <script>} element: without its
     * source-map comment (the map is not shipped) and with no {@code </script} in it.
     */
    static synchronized String source() {
        if (source == null) {
            String js;
            try (InputStream in = open(String.format(SCRIPT, version()))) {
                js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            js = js.replaceAll("(?m)^//# sourceMappingURL=.*$", "");
            source = js.replaceAll("(?i)</(script)", "<\\\\/$1");
        }
        return source;
    }

    private static InputStream open(String resource) {
        InputStream in = ChartJs.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(resource + " is missing from the classpath (the org.webjars.npm:chart.js WebJar)");
        }
        return in;
    }
}
