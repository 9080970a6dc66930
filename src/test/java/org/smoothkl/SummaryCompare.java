package org.smoothkl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.smoothkl.GoldenRows;

/** Compares two summary.json files key by key: counts exactly, sums and means to a relative tolerance. */
public final class SummaryCompare {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** The keys of SUMMARY both runs must agree on. */
    public static final List<String> COUNTS = List.of("rows", "valid", "ignored", "invalid", "classes");
    public static final List<String> NUMBERS = List.of("sum_kl", "mean_kl", "sum_smoothed_ce", "mean_smoothed_ce", "sum_nll",
            "mean_nll", "accuracy", "mean_gap", "gap_opt");

    private SummaryCompare() {
    }

    public static JsonNode read(Path outputDir) {
        try {
            return JSON.readTree(outputDir.resolve("summary.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** overall and every slice of {@code a} and {@code b} agree (slices in the same order: both are sorted by key). */
    public static void assertSameSummary(JsonNode a, JsonNode b, double tol) {
        assertSameSlice("overall", a.get("overall"), b.get("overall"), tol);
        assertThat(b.get("slices").size()).isEqualTo(a.get("slices").size());
        for (int i = 0; i < a.get("slices").size(); i++) {
            JsonNode sa = a.get("slices").get(i);
            JsonNode sb = b.get("slices").get(i);
            assertThat(sb.get("key")).isEqualTo(sa.get("key"));
            assertSameSlice("slice " + sa.get("key"), sa, sb, tol);
        }
    }

    public static void assertSameSlice(String where, JsonNode a, JsonNode b, double tol) {
        for (String k : COUNTS) {
            assertThat(b.get(k)).as(where + " " + k).isEqualTo(a.get(k));
        }
        assertThat(b.get("invalid_by_reason")).as(where + " reasons").isEqualTo(a.get("invalid_by_reason"));
        assertThat(b.get("gap_histogram")).as(where + " histogram").isEqualTo(a.get("gap_histogram"));
        for (String k : NUMBERS) {
            assertClose(where + " " + k, a.get(k), b.get(k), tol);
        }
        assertClose(where + " preset_loss", a.get("preset_loss").get("value"), b.get("preset_loss").get("value"), tol);
    }

    public static void assertClose(String what, JsonNode expected, JsonNode got, double tol) {
        if (expected.isNull() || expected.isTextual()) {
            assertThat(got).as(what).isEqualTo(expected);
            return;
        }
        assertThat(GoldenRows.close(got.asDouble(), expected.asDouble(), tol))
                .as(what + ": " + got + " vs " + expected).isTrue();
    }
}
