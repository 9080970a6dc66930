package org.smoothkl.input;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.smoothkl.audit.InputFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The format of --input when neither --format nor the config file names one: from the path's
 * extension ({@code .parquet}, {@code .orc}, {@code .json}/{@code .jsonl}/{@code .ndjson},
 * {@code .csv}, {@code .npz}; a compression suffix such as {@code .gz} is looked past), else
 * parquet. A directory's name or a glob's last name counts alike ({@code preds.parquet/},
 * {@code shards/*.npz}). The choice is logged.
 */
public final class FormatInference {
    private static final Logger LOG = LoggerFactory.getLogger(FormatInference.class);
    private static final Map<String, InputFormat> EXTENSIONS = Map.of(
            "parquet", InputFormat.PARQUET, "orc", InputFormat.ORC, "json", InputFormat.JSON, "jsonl", InputFormat.JSON,
            "ndjson", InputFormat.JSON, "csv", InputFormat.CSV, "npz", InputFormat.NPZ);
    /** Compression codecs Spark's text readers open by extension. */
    private static final java.util.concurrent.atomic.AtomicReference<String> LAST_LOGGED =
            new java.util.concurrent.atomic.AtomicReference<>();
    private static final java.util.Set<String> COMPRESSION = java.util.Set.of("gz", "bz2", "zst", "lz4", "snappy", "deflate", "xz");

    private FormatInference() {
    }

    /** The format the last name of {@code path} says (compression suffix aside), if it says one. */
    public static Optional<InputFormat> ofExtension(String path) {
        if (path == null) {
            return Optional.empty();
        }
        String name = path.replaceAll("/+$", "");
        name = name.substring(name.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        String[] parts = name.split("\\.");
        int last = parts.length - 1;
        if (last >= 1 && COMPRESSION.contains(parts[last])) {
            last--;
        }
        boolean dotfile = parts.length > 0 && parts[0].isEmpty() && last == 1; // ".csv": a hidden name, no extension
        return last >= 1 && !dotfile ? Optional.ofNullable(EXTENSIONS.get(parts[last])) : Optional.empty();
    }

    /**
     * The --format value to read {@code input} with: {@code given} (the flag or the config file's
     * key; null when neither set it), else the extension's, else parquet. Logged when inferred.
     */
    public static String formatName(String given, String input) {
        if (given != null) {
            return given;
        }
        if (input == null) { // --table: the catalog knows
            return InputFormat.PARQUET.code();
        }
        Optional<InputFormat> byName = ofExtension(input);
        if (byName.isPresent()) {
            logOnce("format " + byName.get().code() + ", from the extension of " + input);
            return byName.get().code();
        }
        logOnce("format parquet, the default: " + input + " has no extension of a known format (--format names another)");
        return InputFormat.PARQUET.code();
    }

    /**
     * Logs {@code line} unless it was the last line logged: a run resolves its settings more than
     * once (the command line checks them before Spark starts, then the audit resolves them again).
     */
    private static void logOnce(String line) {
        if (!line.equals(LAST_LOGGED.getAndSet(line))) {
            LOG.info(line);
        }
    }
}
