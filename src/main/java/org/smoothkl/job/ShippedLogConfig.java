package org.smoothkl.job;

/**
 * The job's log config (conf/log4j2.properties, also in the jar as {@value #RESOURCE}) for a run
 * started without one: {@code java -cp smoothkl.jar:SPARK_JARS org.smoothkl.cli.Main ...} would
 * otherwise get Spark's default profile (every INFO line of Spark, ~240 for a small run, and no
 * phase-line format). Under spark-submit Log4j is configured before the job's main runs (the
 * cluster's conf/log4j2.properties, or -Dlog4j2.configurationFile), and this changes nothing.
 */
public final class ShippedLogConfig {
    static final String RESOURCE = "org/smoothkl/log4j2.properties";
    private static final String PROPERTY = "log4j2.configurationFile";

    private ShippedLogConfig() {
    }

    /**
     * Points Log4j at the shipped config unless one is given (the property, or a log4j2 file at
     * the class path's root). Call before anything logs.
     */
    public static void applyIfNoneGiven() {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        ClassLoader loader = ShippedLogConfig.class.getClassLoader();
        for (String name : new String[] {"log4j2-test.properties", "log4j2-test.xml", "log4j2.properties", "log4j2.xml",
                "log4j2.yaml", "log4j2.yml", "log4j2.json"}) {
            if (loader.getResource(name) != null) {
                return;
            }
        }
        if (loader.getResource(RESOURCE) != null) {
            System.setProperty(PROPERTY, RESOURCE);
        }
    }
}
