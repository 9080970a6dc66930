package org.smoothkl.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.smoothkl.audit.AuditInputException;

/**
 * Settings in one precedence order: command-line flag &gt; the file given with --config &gt;
 * the shipped defaults (conf/smoothkl.conf, bundled into the jar). All are HOCON, read with
 * Typesafe Config; a flag is a value at the same path as its config key.
 */
final class Settings {
    static final String DEFAULTS_RESOURCE = "org/smoothkl/smoothkl.conf";

    private final Config config;
    private final String section;

    private Settings(Config config, String section) {
        this.config = config;
        this.section = section;
    }

    /** {@code flags} maps a key of {@code section} (e.g. "epsilon") to a flag's value; null values are unset flags. */
    static Settings load(String section, File configFile, Map<String, Object> flags) {
        Map<String, Object> given = new LinkedHashMap<>();
        flags.forEach((k, v) -> {
            if (v != null) {
                given.put("smoothkl." + section + "." + k, v);
            }
        });
        try {
            Config defaults = ConfigFactory.parseResources(Settings.class.getClassLoader(), DEFAULTS_RESOURCE);
            if (defaults.isEmpty()) {
                throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the jar");
            }
            Config merged = ConfigFactory.parseMap(given);
            if (configFile != null) {
                if (!configFile.isFile()) {
                    throw new AuditInputException("config file " + configFile + " does not exist");
                }
                merged = merged.withFallback(ConfigFactory.parseFile(configFile));
            }
            return new Settings(merged.withFallback(defaults).resolve(), "smoothkl." + section + ".");
        } catch (ConfigException e) {
            throw new AuditInputException("bad configuration: " + e.getMessage(), e);
        }
    }

    boolean has(String key) {
        return config.hasPath(section + key);
    }

    String string(String key) {
        return get(key, () -> config.getString(section + key));
    }

    /**
     * A path: not empty. A relative path whose first name has a ':' (run-2026-12-01T10:00) gets a
     * leading "./", as Hadoop would take "run-2026-12-01T10" for a URI scheme; "hdfs://", "file:/"
     * and other schemes are followed by '/' and kept.
     */
    String path(String key) {
        String p = string(key);
        if (p.isBlank()) {
            throw new AuditInputException("--" + key + " is an empty path");
        }
        int colon = p.indexOf(':');
        int slash = p.indexOf('/');
        if (colon >= 0 && (slash < 0 || colon < slash) && !p.startsWith("/", colon + 1)) {
            return "./" + p;
        }
        return p;
    }

    int integer(String key) {
        return get(key, () -> config.getInt(section + key));
    }

    long longValue(String key) {
        return get(key, () -> config.getLong(section + key));
    }

    double number(String key) {
        return get(key, () -> config.getDouble(section + key));
    }

    boolean flag(String key) {
        return get(key, () -> config.getBoolean(section + key));
    }

    List<String> strings(String key) {
        return get(key, () -> config.getStringList(section + key));
    }

    private <T> T get(String key, java.util.function.Supplier<T> read) {
        if (!has(key)) {
            throw new AuditInputException("no --" + key + " given (and no '" + section + key + "' in the config)");
        }
        try {
            return read.get();
        } catch (ConfigException e) {
            throw new AuditInputException("bad value for --" + key + ": " + e.getMessage(), e);
        }
    }
}
