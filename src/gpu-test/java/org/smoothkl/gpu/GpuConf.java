package org.smoothkl.gpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The spark.sql.* and spark.rapids.* settings of conf/spark-gpu.conf (a spark-submit properties file). */
final class GpuConf {
    private GpuConf() {
    }

    static Path file() {
        return Path.of(System.getProperty("smoothkl.conf.dir", "conf")).resolve("spark-gpu.conf");
    }

    static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file())) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] kv = t.split("\\s+", 2);
                m.put(kv[0], kv.length > 1 ? kv[1].strip() : "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    /** What a local session can take: the plugin and SQL settings, not executor resources. */
    static Map<String, String> sqlSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        all().forEach((k, v) -> {
            if (k.equals("spark.plugins") || k.startsWith("spark.sql.") || k.startsWith("spark.rapids.sql.")) {
                m.put(k, v);
            }
        });
        return m;
    }
}
