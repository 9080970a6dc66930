package org.smoothkl.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.smoothkl.audit.AuditInputException;

/**
 * Settings in one precedence order: a given value (a command-line flag, a builder call of
 * {@link Audit}) &gt; the file given with --config &gt; the shipped defaults (conf/smoothkl.conf,
 * bundled into the jar). All are HOCON, read with Typesafe Config; a given value sits at the same
 * path as its config key ({@code smoothkl.SECTION.KEY}). Messages name a setting by its flag
 * ({@code --epsilon}), whichever layer set it.
 *
 * <p>Support for {@link AuditSettings} and the command line's commands (each reads its own
 * section: run, generate); an audit needs none of it directly.
 */
public final class Settings {
    public static final String DEFAULTS_RESOURCE = "org/smoothkl/smoothkl.conf";
    /** The sections of smoothkl.* a command reads (run, generate). */
    private static final Set<String> SECTIONS = Set.of("run", "generate");

    private final Config config;
    private final String section;

    private Settings(Config config, String section) {
        this.config = config;
        this.section = section;
    }

    /**
     * {@code flags} maps every key of {@code section} the caller knows (e.g. "epsilon") to its given
     * value (a String, Number, Boolean or List of Strings, as the config file would hold it); null
     * values are unset. {@code configFile}: the --config file, or null.
     */
    public static Settings load(String section, File configFile, Map<String, ?> flags) {
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
                if (configFile.getPath().isBlank()) {
                    throw new AuditInputException("--config is an empty path");
                }
                if (!configFile.isFile()) {
                    throw new AuditInputException("config file " + configFile + " does not exist");
                }
                Config file = ConfigFactory.parseFile(configFile);
                Set<String> known = new TreeSet<>(flags.keySet());
                if (defaults.root().get("smoothkl") instanceof ConfigObject d && d.get(section) instanceof ConfigObject keys) {
                    known.addAll(keys.keySet());
                }
                requireKnownKeys(file, section, known, configFile);
                merged = merged.withFallback(file);
            }
            return new Settings(merged.withFallback(defaults).resolve(), "smoothkl." + section + ".");
        } catch (ConfigException e) {
            throw new AuditInputException("bad configuration: " + e.getMessage(), e);
        }
    }

    /**
     * Every key the file sets under smoothkl.SECTION, or under a smoothkl.X that no command reads,
     * is one of {@code known}: a misspelt key would otherwise be ignored and its default used.
     * Keys of the other command's section are left to it; keys outside smoothkl (values for
     * substitutions) are the file's own.
     */
    private static void requireKnownKeys(Config file, String section, Set<String> known, File configFile) {
        if (!(file.root().get("smoothkl") instanceof ConfigObject sections)) {
            return;
        }
        for (Map.Entry<String, ConfigValue> s : sections.entrySet()) {
            String name = "smoothkl." + s.getKey();
            if (s.getKey().equals(section) && s.getValue() instanceof ConfigObject keys) {
                for (String key : keys.keySet()) {
                    if (!known.contains(key)) {
                        throw unknownKey(name + "." + key, section, known, configFile);
                    }
                }
            } else if (!SECTIONS.contains(s.getKey())) { // a misspelt section, e.g. smoothkl.rnu.bins
                boolean keys = s.getValue() instanceof ConfigObject o && !o.isEmpty();
                throw unknownKey(keys ? name + "." + ((ConfigObject) s.getValue()).keySet().iterator().next() : name,
                        section, known, configFile);
            }
        }
    }

    private static AuditInputException unknownKey(String path, String section, Set<String> known, File configFile) {
        return new AuditInputException("unknown key " + path + " in " + configFile + suggestion(path, section, known));
    }

    /** "; did you mean smoothkl.run.epsilon?" for the nearest known key, or the known keys when none is near. */
    private static String suggestion(String path, String section, Set<String> known) {
        String prefix = "smoothkl." + section + ".";
        String nearest = org.smoothkl.audit.EditDistance.nearest(path, known.stream().map(k -> prefix + k).toList(), path.length() - prefix.length());
        if (nearest != null) {
            return "; did you mean " + nearest + "?";
        }
        return "; the keys of smoothkl." + section + " are " + String.join(", ", known);
    }

    public boolean has(String key) {
        return config.hasPath(section + key);
    }

    public String string(String key) {
        return get(key, () -> config.getString(section + key));
    }

    /**
     * A path: not empty. A relative path whose first name has a ':' (run-2026-12-01T10:00) gets a
     * leading "./", as Hadoop would take "run-2026-12-01T10" for a URI scheme; "hdfs://", "file:/"
     * and other schemes are followed by '/' and kept.
     */
    public String path(String key) {
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

    public int integer(String key) {
        return get(key, () -> config.getInt(section + key));
    }

    public long longValue(String key) {
        return get(key, () -> config.getLong(section + key));
    }

    public double number(String key) {
        return get(key, () -> config.getDouble(section + key));
    }

    public boolean flag(String key) {
        return get(key, () -> config.getBoolean(section + key));
    }

    /** An object of string values ({@code option { versionAsOf = 3 }}); empty when unset. */
    public Map<String, String> map(String key) {
        if (!has(key)) {
            return Map.of();
        }
        Map<String, String> values = new java.util.LinkedHashMap<>();
        get(key, () -> config.getConfig(section + key)).entrySet()
                .forEach(e -> values.put(e.getKey(), String.valueOf(e.getValue().unwrapped())));
        return values;
    }

    public List<String> strings(String key) {
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
