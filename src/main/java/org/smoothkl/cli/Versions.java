package org.smoothkl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code -V/--version}: smoothkl's version as the build stamped it (the filtered resource
 * org/smoothkl/version.properties), the Spark version on the class path, and the RAPIDS
 * Accelerator's when its jar is there (its rapids4spark-version-info.properties).
 */
final class Versions implements CommandLine.IVersionProvider {
    static final String OWN = "org/smoothkl/version.properties";
    static final String RAPIDS = "rapids4spark-version-info.properties";

    @Override
    public String[] getVersion() {
        String rapids = property(RAPIDS, "version");
        return new String[] {
            "smoothkl " + smoothkl(),
            "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION() + " (Scala " + scala.util.Properties.versionNumberString() + ")",
            rapids == null ? "RAPIDS not on the class path" : "RAPIDS Accelerator " + rapids};
    }

    /** The build's version of smoothkl. */
    static String smoothkl() {
        String v = property(OWN, "smoothkl.version");
        if (v == null || v.startsWith("${")) {
            throw new IllegalStateException(OWN + " is missing from the jar or was not filtered by the build");
        }
        return v;
    }

    /** {@code key} of the class path's resource {@code name}, or null when there is no such resource. */
    private static String property(String name, String key) {
        try (InputStream in = Versions.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
