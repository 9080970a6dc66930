package org.smoothkl.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whether the job's own session shows Spark's console progress bar (spark.ui.showConsoleProgress,
 * a carriage-return line redrawn on stderr), decided before the session starts. The rule:
 * <ol>
 *   <li>stderr is not a terminal, or {@code CI} is set (to anything but empty, {@code false} or
 *       {@code 0}; GitHub Actions, GitLab CI, CircleCI, Travis and Buildkite set it), or
 *       {@code TERM=dumb}: no bar, whatever the Spark confs say (a scheduler's log file gets the
 *       phase lines only);</li>
 *   <li>otherwise the bar, unless spark.ui.showConsoleProgress is set to false explicitly.</li>
 * </ol>
 * Java cannot ask isatty(2): {@code System.console()} is about stdin and stdout. On Linux stderr
 * is a terminal when /proc/self/fd/2 links to /dev/pts/N, /dev/ttyN or /dev/console; where there
 * is no /proc (macOS), {@code System.console() != null} (stdin and stdout are terminals) stands in.
 */
public final class ConsoleProgress {
    public static final String SPARK_KEY = "spark.ui.showConsoleProgress";

    private ConsoleProgress() {
    }

    /** The setting for the job's session builder: {@value #SPARK_KEY} as the rule says. */
    public static Map<String, Object> sessionConf() {
        return Map.of(SPARK_KEY, Boolean.toString(showBar(System.getenv(), stderrIsTerminal(), System.getProperty(SPARK_KEY))));
    }

    /** The rule; {@code configured}: spark.ui.showConsoleProgress as given (null when not). */
    static boolean showBar(Map<String, String> env, boolean stderrIsTerminal, String configured) {
        String ci = env.getOrDefault("CI", "").trim();
        boolean underCi = !ci.isEmpty() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
        if (!stderrIsTerminal || underCi || "dumb".equals(env.get("TERM"))) {
            return false;
        }
        return configured == null || !configured.trim().equalsIgnoreCase("false");
    }

    static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (!Files.exists(fd, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return System.console() != null;
        }
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
