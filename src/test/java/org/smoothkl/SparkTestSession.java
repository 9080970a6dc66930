package org.smoothkl;

import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of the test suite: local[2], UI off, two shuffle partitions, bound to
 * the loopback address. Built on first use, stopped when the test JVM exits.
 */
public final class SparkTestSession {
    private static SparkSession session;

    private SparkTestSession() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("smoothkl-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.driver.host", "127.0.0.1")
                    .getOrCreate();
            SparkSession s = session;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        }
        return session;
    }

    /** Runs {@code body} with the session's {@code key} set to {@code value}, then unset (back to its default). */
    public static void withConf(String key, Object value, Runnable body) {
        get().conf().set(key, String.valueOf(value));
        try {
            body.run();
        } finally {
            get().conf().unset(key);
        }
    }
}
