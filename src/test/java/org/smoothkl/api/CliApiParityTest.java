package org.smoothkl.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.output.SyntheticOutput;

/**
 * The command line and the library are one way to audit: on the same data and settings they write
 * the same summary.json (as JSON trees, but for run.started and run.seconds), and a bad setting
 * gets the same message from both (the CLI prints it after "smoothkl: error: ").
 */
class CliApiParityTest {
    private static final SparkSession spark = SparkTestSession.get();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ERROR = "smoothkl: error: ";

    @TempDir
    static Path tmp;
    static Path data;

    @BeforeAll
    static void generate() {
        data = tmp.resolve("data");
        SyntheticOutput.write(spark, 6000, 10, 0.1, 3, 7, data.toString(), false);
    }

    /** The tree without what differs between any two runs: when each started and how long it took. */
    private static JsonNode timeless(String json) throws IOException {
        ObjectNode tree = (ObjectNode) JSON.readTree(json);
        ObjectNode run = (ObjectNode) tree.get("run");
        assertThat(run.has("started") && run.has("seconds")).isTrue();
        run.remove(List.of("started", "seconds"));
        return tree;
    }

    @Test
    void theCliAndTheApiWriteTheSameSummaryJson() throws IOException {
        Path out = tmp.resolve("out");
        Path config = tmp.resolve("run.conf");
        Files.writeString(config, "smoothkl.run { bins = 40, check = [\"mean_kl <= 5\"] }\n");
        CliRun cli = CliRun.of("run", "--input", data.toString(), "--preset", "seed", "--epsilon", "0.1", "--group-by", "slice",
                "--check", "slice[slice=slice-0].accuracy >= 0.5", "--check", "overall.mean_gap in [0, 50]", "--meta", "model=v7",
                "--gap-range", "0:25", "--config", config.toString(), "--output", out.toString());
        assertThat(cli.exitCode()).as(cli.err()).isZero();
        String cliJson = Files.readString(out.resolve("summary.json"));

        // The same settings through the builder, into the same directory (so config.output and run.tag agree).
        AuditReport api = Smoothkl.audit(spark).input(data.toString()).preset("seed").epsilon(0.1).groupBy("slice")
                .check("slice[slice=slice-0].accuracy >= 0.5").check("overall.mean_gap in [0, 50]").meta("model", "v7")
                .gapRange("0:25").config(config.toString()).output(out.toString()).overwrite(true).write();
        String apiJson = Files.readString(out.resolve("summary.json"));
        assertThat(api.toJson()).isEqualTo(apiJson);

        assertThat(timeless(apiJson)).isEqualTo(timeless(cliJson));
        assertThat(normalised(apiJson)).as("the same bytes, but for the two run fields").isEqualTo(normalised(cliJson));
        JsonNode tree = JSON.readTree(cliJson);
        assertThat(tree.at("/config/bins").asInt()).as("from the --config file").isEqualTo(40);
        assertThat(tree.at("/config/checks").size()).as("the flags' checks replace the file's").isEqualTo(2);
        assertThat(tree.at("/slices").size()).isEqualTo(3);
        assertThat(tree.at("/overall/rows").asLong()).isEqualTo(6000);

        // A DataFrame of the same files: the same summary but for where the rows came from.
        AuditReport frame = Smoothkl.audit(spark.read().parquet(data.toString())).preset("seed").epsilon(0.1)
                .groupBy("slice").check("slice[slice=slice-0].accuracy >= 0.5").check("overall.mean_gap in [0, 50]")
                .meta("model", "v7").gapRange("0:25").config(config.toString()).output(out.toString()).run();
        ObjectNode fromFrame = (ObjectNode) timeless(frame.toJson());
        ObjectNode fromCli = (ObjectNode) timeless(cliJson);
        assertThat(fromFrame.at("/config/input").isNull()).isTrue();
        assertThat(fromFrame.at("/config/format").asText()).isEqualTo("dataframe");
        for (ObjectNode t : List.of(fromFrame, fromCli)) {
            ((ObjectNode) t.get("config")).remove(List.of("input", "format"));
        }
        assertThat(fromFrame).isEqualTo(fromCli);
    }

    private static String normalised(String json) {
        return json.replaceAll("\"started\" : \"[^\"]*\"", "\"started\" : _").replaceAll("\"seconds\" : [0-9.E-]+", "\"seconds\" : _");
    }

    /** A bad setting: the flags the CLI gets, and the same through the builder. */
    record Bad(String name, String says, List<String> flags, UnaryOperator<Audit> builder) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A bad value besides --preset seed --epsilon 0.1, as a flag and as a builder call. */
    private static Bad seeded(String name, String says, String flag, String value, UnaryOperator<Audit> builder) {
        return new Bad(name, says, List.of("--preset", "seed", "--epsilon", "0.1", flag, value),
                a -> builder.apply(a.preset("seed").epsilon(0.1)));
    }

    static List<Bad> badSettings() {
        return List.of(
                new Bad("epsilon 2", "--epsilon must lie in [0, 1], got 2.0", List.of("--preset", "seed", "--epsilon", "2"),
                        a -> a.preset("seed").epsilon(2)),
                new Bad("unknown preset", "--preset: ", List.of("--preset", "label-smoothing", "--epsilon", "0.1"),
                        a -> a.preset("label-smoothing").epsilon(0.1)),
                new Bad("no preset", "no --preset given", List.of("--epsilon", "0.1"), a -> a.epsilon(0.1)),
                seeded("a check needing a baseline", "compares with a baseline: give --baseline DIR",
                        "--check", "delta(mean_kl) <= 0.1", a -> a.check("delta(mean_kl) <= 0.1")),
                seeded("a malformed check", "mean_kl <== 1", "--check", "mean_kl <== 1", a -> a.check("mean_kl <== 1")),
                seeded("zero bins", "--bins", "--bins", "0", a -> a.bins(0)),
                seeded("an empty gap range", "--gap-range", "--gap-range", "5:1", a -> a.gapRange("5:1")),
                seeded("a column twice", "--group-by names column 'slice' twice", "--group-by", "slice,slice",
                        a -> a.groupBy("slice,slice")),
                seeded("an unknown engine", "--engine: ", "--engine", "gpu", a -> a.engine("gpu")),
                seeded("a meta without =", "--meta v7: expected KEY=VALUE", "--meta", "v7", a -> a.set("meta", List.of("v7"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void aBadSettingGetsTheCommandLinesMessage(Bad bad) {
        List<String> args = new ArrayList<>(List.of("run", "--input", data.toString(), "--output", tmp.resolve("bad").toString()));
        args.addAll(bad.flags());
        CliRun cli = CliRun.on(CliApiParityTest::noSpark, args.toArray(String[]::new));
        assertThat(cli.exitCode()).as(cli.err()).isEqualTo(2);
        assertThat(cli.err()).startsWith(ERROR);
        String message = cli.err().strip().substring(ERROR.length());
        assertThat(message).contains(bad.says());

        Audit fromInput = bad.builder().apply(Smoothkl.audit(spark).input(data.toString()).output(tmp.resolve("bad").toString()));
        assertThatThrownBy(fromInput::write).isInstanceOf(AuditInputException.class).hasMessage(message);
        Audit fromFrame = bad.builder().apply(Smoothkl.audit(spark.read().parquet(data.toString())));
        assertThatThrownBy(fromFrame::run).isInstanceOf(AuditInputException.class).hasMessage(message);
        assertThatThrownBy(fromFrame::spec).isInstanceOf(AuditInputException.class).hasMessage(message);
        assertThat(tmp.resolve("bad")).doesNotExist();
    }

    @Test
    void aConfigFilesUnknownKeyGetsTheSameMessage() throws IOException {
        Path config = tmp.resolve("typo.conf");
        Files.writeString(config, "smoothkl.run { preset = seed, epsilom = 0.1 }\n");
        CliRun cli = CliRun.on(CliApiParityTest::noSpark, "run", "--input", data.toString(), "--output",
                tmp.resolve("bad").toString(), "--config", config.toString());
        assertThat(cli.exitCode()).isEqualTo(2);
        assertThatThrownBy(() -> Smoothkl.audit(spark.read().parquet(data.toString())).config(config.toString()).run())
                .isInstanceOf(AuditInputException.class)
                .hasMessage(cli.err().strip().substring(ERROR.length()))
                .hasMessageContaining("did you mean smoothkl.run.epsilon?");
    }

    private static SparkSession noSpark() {
        throw new AssertionError("a settings error must be reported before a SparkSession is asked for");
    }
}
