package org.smoothkl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The benchmark's outside anchors, measured by submit/bench-anchors.py (one Python process per
 * round, after that round's JVM measurements): Arrow C++'s Parquet scan of the same files and
 * PyTorch CPU's smoothed cross-entropy, one thread each. Times go into the round's samples as
 * arrow_scan, torch_f32, torch_f64; what could not run (no python3, no pyarrow, no torch) is
 * collected once, for the report to say.
 */
final class Anchors {
    private final double epsilon;
    private final int values;
    private final Set<String> absent = new LinkedHashSet<>();

    Anchors(double epsilon, int values) {
        this.epsilon = epsilon;
        this.values = values;
    }

    List<String> absent() {
        return new ArrayList<>(absent);
    }

    void measure(Map<Integer, Path> data, Map<Integer, Map<String, List<Double>>> times) throws InterruptedException {
        Path script = Path.of(System.getenv().getOrDefault("SMOOTHKL_ROOT", "."), "submit", "bench-anchors.py");
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString(), "--eps", Double.toString(epsilon),
                "--values", Integer.toString(values)));
        data.forEach((k, p) -> cmd.add(k + "=" + p.toAbsolutePath()));
        String stdout;
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                absent.add("submit/bench-anchors.py exited with " + p.exitValue());
                return;
            }
        } catch (IOException e) {
            absent.add("python3 could not run: " + e.getMessage());
            return;
        }
        String[] lines = stdout.strip().split("\n");
        JsonNode result;
        try {
            result = new ObjectMapper().readTree(lines[lines.length - 1]);
        } catch (IOException e) {
            absent.add("submit/bench-anchors.py printed no JSON: " + e.getMessage());
            return;
        }
        for (String side : List.of("arrow", "torch")) {
            JsonNode r = result.get(side);
            if (r.has("absent")) {
                absent.add(r.get("absent").asText());
                continue;
            }
            for (int k : data.keySet()) {
                JsonNode perK = r.get(Integer.toString(k));
                Map<String, List<Double>> t = times.get(k);
                for (String field : List.of("arrow_scan_s", "torch_f32_s", "torch_f64_s")) {
                    if (perK != null && perK.has(field)) {
                        t.computeIfAbsent(field.substring(0, field.length() - 2), x -> new ArrayList<>()).add(perK.get(field).asDouble());
                    }
                }
            }
        }
    }
}
