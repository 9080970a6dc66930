package org.smoothkl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The messages one logger (and its children) logs at a level or above while open, collected from
 * log4j2 (the tests' logging): for tests that assert what a run logged. Events still reach the
 * parent loggers' appenders.
 */
public final class LogCapture implements AutoCloseable {
    private final String logger;
    private final List<String> messages = Collections.synchronizedList(new ArrayList<>());
    private final AbstractAppender appender;

    private LogCapture(String logger, Level level) {
        this.logger = logger;
        appender = new AbstractAppender("capture-" + logger, null, null, false, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                messages.add(event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        LoggerConfig config = new LoggerConfig(logger, level, true);
        config.addAppender(appender, level, null);
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().addLogger(logger, config);
        ctx.updateLoggers();
    }

    /** Starts collecting what {@code logger} logs at {@code level} or above. */
    public static LogCapture of(String logger, Level level) {
        return new LogCapture(logger, level);
    }

    /** The messages so far, in the order logged. */
    public List<String> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().removeLogger(logger);
        ctx.updateLoggers();
        appender.stop();
    }
}
