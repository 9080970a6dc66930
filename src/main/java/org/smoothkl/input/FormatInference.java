package org.smoothkl.input;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.smoothkl.audit.InputFormat;

/**
 * The format of --input when neither --format nor the config file names one: from the path's
 * extension ({@code .parquet}, {@code .orc}, {@code .json}/{@code .jsonl}/{@code .ndjson},
 * {@code .csv}, {@code .npz}; a compression suffix such as {@code .gz} is looked past), else
 * parquet. A directory's name or a glob's last name counts alike ({@code preds.parquet/},
 * {@code shards/*.npz}). The input phase line says which format was read ({@link #describe}).
 */
public final class FormatInference {
    private static final Map<String, InputFormat> EXTENSIONS = Map.of(
            "parquet", InputFormat.PARQUET, "orc", InputFormat.ORC, "json", InputFormat.JSON, "jsonl", InputFormat.JSON,
            "ndjson", InputFormat.JSON, "csv", InputFormat.CSV, "npz", InputFormat.NPZ);
    /** Compression codecs Spark's text readers open by extension. */
    private static final Set<String> COMPRESSION = Set.of("gz", "bz2", "zst", "lz4", "snappy", "deflate", "xz");

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
     * key; null when neither set it), else the extension's, else parquet.
     */
    public static String formatName(String given, String input) {
        if (given != null) {
            return given;
        }
        if (input == null) { // --table: the catalog knows
            return InputFormat.PARQUET.code();
        }
        return ofExtension(input).map(InputFormat::code).orElse(InputFormat.PARQUET.code());
    }

    /**
     * The format {@code input} was read as, for the input phase line: "csv, as its extension says",
     * or "format parquet" when its name says none (or another data source was named). True whether
     * the format was given or inferred: a given built-in format that contradicts the extension is
     * refused before any read.
     */
    public static String describe(String input, String format) {
        return ofExtension(input).filter(f -> f.code().equals(format)).isPresent()
                ? format + ", as its extension says" : "format " + format;
    }
}
