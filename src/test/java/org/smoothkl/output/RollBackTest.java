package org.smoothkl.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The roll-back of interrupted commits (no Spark) touches only what a run on the same output
 * made: {@code .DIR.tmp-UUID} is deleted, {@code .DIR.old-UUID} put back when DIR is missing
 * (deleted when it is there). Every other sibling survives, however alike its name: other
 * outputs' directories, temporary and old directories and claims, and near-misses of ours.
 */
class RollBackTest {
    private static final String UUID_0 = "0b7e4c1e-7d53-4a4f-9d5e-2f6a8c0d1e23";

    @TempDir
    Path tmp;

    static Stream<Arguments> outputs() {
        // An output named like another's temporary directory ("a.tmp-UUID") and a plain one.
        return Stream.of("X", "a.tmp-" + UUID_0)
                .flatMap(x -> Stream.of(Arguments.of(x, false), Arguments.of(x, true)));
    }

    /** Each sibling and what it holds (a file "owner" naming it): what was moved or deleted shows. */
    private Map<String, String> siblings() throws IOException {
        Map<String, String> found = new TreeMap<>();
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path p : s.toList()) {
                found.put(p.getFileName().toString(),
                        Files.isDirectory(p) ? Files.readString(p.resolve("owner")) : Files.readString(p));
            }
        }
        return found;
    }

    private void make(String name, boolean directory) throws IOException {
        Path p = tmp.resolve(name);
        if (directory) {
            Files.createDirectories(p);
            Files.writeString(p.resolve("owner"), name);
        } else {
            Files.writeString(p, name);
        }
    }

    @ParameterizedTest(name = "output {0}, present: {1}")
    @MethodSource("outputs")
    void onlyThisOutputsTemporaryAndOldDirectoriesAreRolledBack(String x, boolean present) throws IOException {
        List<String> others = new ArrayList<>();
        // Other outputs whose names start with ours, and "a" (whose temporary directory is named like output "a.tmp-UUID").
        for (String n : List.of(x + ".tmp-1", x + ".old-a", x + ".tmp-" + UUID.randomUUID(), x + "y", "a")) {
            if (!n.equals(x)) {
                others.addAll(List.of(n, "." + n + ".tmp-" + UUID.randomUUID(), "." + n + ".old-" + UUID.randomUUID()));
                make("." + n + ".lock", false); // a live claim of that output's run
            }
        }
        String uuid = UUID.randomUUID().toString();
        // Near-misses: more than a UUID, a UUID that parses but is not canonical, upper case, none.
        others.addAll(List.of("." + x + ".tmp-" + uuid + "-extra", "." + x + ".old-" + uuid + "-extra",
                "." + x + ".tmp-1-2-3-4-5", "." + x + ".old-1-2-3-4-5", "." + x + ".tmp-" + uuid.toUpperCase(),
                "." + x + ".tmp-", "." + x + ".old-", "." + x + ".tmp-" + uuid + ".tmp-" + uuid));
        for (String n : others) {
            make(n, true);
        }
        if (present) {
            make(x, true);
        }
        String ourTemp = "." + x + ".tmp-" + UUID.randomUUID();
        String ourOld = "." + x + ".old-" + UUID.randomUUID();
        make(ourTemp, true);
        make(ourOld, true);
        Map<String, String> before = siblings();

        AtomicOutput.begin(new Configuration(), tmp.resolve(x).toString(), true).close(); // claims, rolls back, releases

        Map<String, String> expected = new TreeMap<>(before);
        expected.remove(ourTemp);
        expected.remove(ourOld);
        expected.put(x, present ? x : ourOld); // the old result put back only when the output is missing
        assertThat(siblings()).isEqualTo(expected);
    }
}
