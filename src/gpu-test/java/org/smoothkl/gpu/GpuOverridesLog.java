package org.smoothkl.gpu;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * What the plugin logs while a job runs (spark.rapids.sql.explain, NOT_ON_GPU in
 * conf/spark-gpu.conf): one block per planned query, a line per operator or expression that
 * will not run on the GPU, indented under its parent. Captured from the GpuOverrides logger.
 */
final class GpuOverridesLog implements AutoCloseable {
    private static final String LOGGER = "com.nvidia.spark.rapids.GpuOverrides";
    private final List<String> blocks = Collections.synchronizedList(new ArrayList<>());
    private final AbstractAppender appender;
    private final LoggerConfig config;

    GpuOverridesLog() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        appender = new AbstractAppender("smoothkl-gpu-overrides", null, null, false, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                blocks.add(event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        config = new LoggerConfig(LOGGER, Level.WARN, true);
        config.addAppender(appender, Level.WARN, null);
        ctx.getConfiguration().addLogger(LOGGER, config);
        ctx.updateLoggers();
    }

    /**
     * The lines reporting something off the GPU ('!' cannot, '@' could but is kept off, '^' via the
     * CPU bridge, '#' not replaced), leaving out the subtrees under the lines {@code expected} accepts.
     */
    List<String> offGpu(Predicate<String> expected) {
        List<String> out = new ArrayList<>();
        synchronized (blocks) {
            for (String block : blocks) {
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
        }
        return out;
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().removeLogger(LOGGER);
        ctx.updateLoggers();
        appender.stop();
    }
}
