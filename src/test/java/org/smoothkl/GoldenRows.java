package org.smoothkl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.Smoothing;

/** The PyTorch golden rows (copied from shared/golden into test resources) as plain records. */
public final class GoldenRows {
    public static final List<String> FILES = List.of("seed", "pytorch", "fairseq", "onmt_legacy", "seed_bigK");
    private static final ObjectMapper JSON = new ObjectMapper();

    private GoldenRows() {
    }

    public static Path dir() {
        return Path.of(System.getProperty("smoothkl.golden.dir", "src/test/resources/golden"));
    }

    public static Path file(String name) {
        return dir().resolve(name + ".jsonl");
    }

    /** One golden row: its inputs and the expected object as written by the reference. */
    public record Row(String id, String variant, int classes, double eps, long label, long ignoreIndex,
                      int batch, List<String> tags, double[] logits, JsonNode expected) {

        public Preset preset() {
            return presetOf(variant);
        }

        public Smoothing smoothing() {
            return preset().with(eps, ignoreIndex);
        }

        /** The seed's bug: ε > 0 rows whose label is the ignore index; the product ignores them. */
        public boolean seedBugRow() {
            return tags.contains("seed_bug") && eps > 0;
        }

        public boolean expectedIgnored() {
            return expected.path("ignored").asBoolean(false) || seedBugRow();
        }

        public double expectedDouble(String field) {
            return number(expected.get(field));
        }
    }

    public static Preset presetOf(String variant) {
        return variant.startsWith("onmt") ? Preset.ONMT : org.smoothkl.loss.WireCode.parse(Preset.class, variant, "preset");
    }

    public static List<Row> load(String name) {
        try {
            List<Row> rows = new ArrayList<>();
            for (String line : Files.readAllLines(file(name))) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                double[] logits = new double[n.get("logits").size()];
                for (int j = 0; j < logits.length; j++) {
                    logits[j] = number(n.get("logits").get(j));
                }
                List<String> tags = new ArrayList<>();
                n.get("tags").forEach(t -> tags.add(t.asText()));
                rows.add(new Row(n.get("id").asText(), n.get("variant").asText(), n.get("K").asInt(),
                        n.get("eps").asDouble(), n.get("label").asLong(), n.get("ignore_index").asLong(),
                        n.get("batch").asInt(), tags, logits, n.get("expected")));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode summary(String name) {
        try {
            return JSON.readTree(dir().resolve(name + ".summary.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Golden numbers: JSON numbers, or the strings "NaN", "Infinity", "-Infinity". */
    public static double number(JsonNode n) {
        if (n.isTextual()) {
            return switch (n.asText()) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException("not a number: " + n);
            };
        }
        return n.asDouble();
    }

    /** |got − expected| ≤ tol·max(1, |expected|); infinities must match exactly. */
    public static boolean close(double got, double expected, double tol) {
        if (Double.isInfinite(expected) || Double.isNaN(expected)) {
            return Double.compare(got, expected) == 0;
        }
        return Math.abs(got - expected) <= tol * Math.max(1, Math.abs(expected));
    }
}
