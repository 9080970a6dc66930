package org.smoothkl.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.smoothkl.LogCapture;

/**
 * What the plugin logs while a job runs (spark.rapids.sql.explain, NOT_ON_GPU in
 * conf/spark-gpu.conf): one block per planned query, a line per operator or expression that
 * will not run on the GPU, indented under its parent. Captured from the GpuOverrides logger.
 */
final class GpuOverridesLog implements AutoCloseable {
    private static final String LOGGER = "com.nvidia.spark.rapids.GpuOverrides";
    private final LogCapture blocks = LogCapture.of(LOGGER, Level.WARN);

    /**
     * The lines reporting something off the GPU ('!' cannot, '@' could but is kept off, '^' via the
     * CPU bridge, '#' not replaced), leaving out the subtrees under the lines {@code expected} accepts.
     */
    List<String> offGpu(Predicate<String> expected) {
        List<String> out = new ArrayList<>();
        for (String block : blocks.messages()) {
            int skipBelow = -1; // indentation of an accepted line whose children are skipped
            for (String line : block.lines().toList()) {
                String t = line.strip();
                if (t.isEmpty()) {
                    continue;
                }
                int indent = line.indexOf(t.charAt(0));
                if (skipBelow >= 0 && indent > skipBelow) {
                    continue;
                }
                skipBelow = -1;
                if (t.startsWith("*")) {
                    continue;
                }
                if (expected.test(t)) {
                    skipBelow = indent;
                } else {
                    out.add(t);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        blocks.close();
    }
}
