package org.smoothkl.cli;

import java.io.File;
import java.util.Map;

/**
 * A command's settings in the API's one precedence order ({@link org.smoothkl.api.Settings}: flag
 * &gt; --config file &gt; the bundled conf/smoothkl.conf), for the commands that read them here
 * ({@code generate}; {@code run} resolves through {@link org.smoothkl.api.AuditSettings}).
 */
final class Settings {
    static final String DEFAULTS_RESOURCE = org.smoothkl.api.Settings.DEFAULTS_RESOURCE;

    private final org.smoothkl.api.Settings settings;

    private Settings(org.smoothkl.api.Settings settings) {
        this.settings = settings;
    }

    /** {@code flags} maps a key of {@code section} (e.g. "epsilon") to a flag's value; null values are unset flags. */
    static Settings load(String section, File configFile, Map<String, Object> flags) {
        return new Settings(org.smoothkl.api.Settings.load(section, configFile, flags));
    }

    String string(String key) {
        return settings.string(key);
    }

    int integer(String key) {
        return settings.integer(key);
    }

    long longValue(String key) {
        return settings.longValue(key);
    }

    double number(String key) {
        return settings.number(key);
    }

    boolean flag(String key) {
        return settings.flag(key);
    }
}
