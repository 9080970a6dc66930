package org.smoothkl.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.ChildJvms;
import org.smoothkl.SharedInput;

/**
 * Two runs started at once against the same --output (two driver JVMs through SparkSubmit):
 * one wins; the other stops with exit 2 saying the output is taken; the output is one complete
 * run, and the claim is gone afterwards.
 */
class ConcurrentRunsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Enough rows that the winner is still auditing when the loser tries to claim. */
    private static final long ROWS = SharedInput.ROWS;

    @TempDir
    Path tmp;

    @Test
    void oneWinsTheOtherIsToldTheOutputIsTaken() throws IOException {
        Path input = SharedInput.get();
        Path out = tmp.resolve("out");
        List<String> args = List.of("run", "--input", input.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--group-by", "slice", "--output", out.toString());
        try (ChildJvms children = new ChildJvms(tmp.resolve("logs"))) {
            ChildJvms.Child a = children.submit("a", "local[1]", List.of(), List.of(), args);
            ChildJvms.Child b = children.submit("b", "local[1]", List.of(), List.of(), args);
            int codeA = a.waitFor(Duration.ofMinutes(15));
            int codeB = b.waitFor(Duration.ofMinutes(15));
            assertThat(List.of(codeA, codeB)).as("a: " + a.err() + "\nb: " + b.err()).containsExactlyInAnyOrder(0, 2);
            ChildJvms.Child winner = codeA == 0 ? a : b;
            ChildJvms.Child loser = codeA == 0 ? b : a;
            assertThat(loser.err()).contains("smoothkl: error: output", "is taken: another run");
            assertThat(winner.out()).contains("wrote " + out);
        }
        assertThat(out.resolve(AtomicOutput.SUCCESS)).exists();
        JsonNode overall = JSON.readTree(out.resolve("summary.json").toFile()).get("overall");
        assertThat(overall.get("rows").asLong()).isEqualTo(ROWS);
        assertThat(overall.get("valid").asLong()).isEqualTo(ROWS);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no claim or temporary directory left")
                    .noneMatch(n -> n.startsWith(".out."));
        }
    }
}
