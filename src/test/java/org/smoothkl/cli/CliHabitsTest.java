package org.smoothkl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.smoothkl.Scripts;
import picocli.CommandLine;

/**
 * The command line's habits (issue 16, part 4), none of which starts Spark: every command's help
 * shows its required options and an example; every missing required setting is named at once;
 * a mistyped option, command, metric or value gets a "did you mean"; -V prints the versions the
 * build and the class path have.
 */
class CliHabitsTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, CliHabitsTest::noSpark, false, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static SparkSession noSpark() {
        throw new AssertionError("the command line's own answers need no SparkSession");
    }

    /** The commands, from picocli's model of Main: a new command is covered without listing it here. */
    private static List<String> commands() {
        List<String> names = new ArrayList<>(List.of(""));
        names.addAll(new CommandLine(new Main(CliHabitsTest::noSpark, new PrintWriter(new StringWriter()))).getSubcommands().keySet());
        return names;
    }

    @Test
    void everyCommandsHelpEndsWithAnExampleOfItself() {
        List<String> commands = commands();
        assertThat(commands).contains("run", "generate", "report", "demo");
        for (String command : commands) {
            Run help = command.isEmpty() ? cli("--help") : cli(command, "--help");
            String name = ("smoothkl " + command).strip();
            assertThat(help.code()).as(name + " --help").isZero();
            assertThat(help.out()).as(name + " --help").startsWith("Usage: " + name)
                    .containsPattern("(?m)^Examples?:\\n  " + Pattern.quote(command.isEmpty() ? "smoothkl run" : name) + " ");
            assertThat(help.out().lines()).as(name + " --help fits 80 columns").allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        }
    }

    /** The options with no default (a --config file may set them, so picocli does not enforce them) read "Required". */
    @Test
    void runsHelpShowsTheRequiredOptions() {
        String help = cli("run", "--help").out();
        assertThat(help).startsWith("Usage: smoothkl run (--input PATH | --table NAME) --preset NAME --epsilon E\n"
                + "                    --output DIR [OPTIONS]\n");
        for (String option : List.of("--input=PATH", "--table=NAME", "--preset=NAME", "--epsilon=E", "--output=DIR")) {
            assertThat(help).containsPattern("(?m)^ +" + Pattern.quote(option) + " +Required[.,]");
        }
        assertThat(help).doesNotContainPattern("(?m)^ +--(bins|group-by|format|check)\\S* +Required");
        assertThat(cli("generate", "--help").out()).startsWith("Usage: smoothkl generate --output DIR [OPTIONS]")
                .containsPattern("(?m)^ +--output=DIR +Required\\.");
        assertThat(cli("report", "--help").out()).startsWith("Usage: smoothkl report [-hV] [--history=DIR] --output=DIR")
                .containsPattern("(?m)^ +--output=DIR +Required\\.");
    }

    @Test
    void everyMissingRequiredOptionIsNamedInOneLine() throws IOException {
        Run none = cli("run");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).isEqualTo("smoothkl: error: no --input (a file, directory or glob; or --table NAME), --preset,"
                + " --epsilon or --output given (as flags, or as keys of smoothkl.run in a --config file)\n");
        Path config = Files.writeString(tmp.resolve("run.conf"), "smoothkl.run { epsilon = 0.1, input = preds.parquet }\n");
        Run some = cli("run", "--config", config.toString(), "--group-by", "slice");
        assertThat(some.code()).isEqualTo(2);
        assertThat(some.err()).isEqualTo("smoothkl: error: no --preset or --output given"
                + " (as flags, or as keys of smoothkl.run in a --config file)\n");
        Run report = cli("report");
        assertThat(report.code()).isEqualTo(2);
        assertThat(report.err()).isEqualTo("smoothkl: error: Missing required option: '--output=DIR' (see 'smoothkl report --help')\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "run --epsilonn 0.1 --inptu x  | unknown options --epsilonn (did you mean --epsilon?), --inptu (did you mean --input?)"
                + " (see 'smoothkl run --help')",
        "run --group_by=slice          | unknown option --group_by (did you mean --group-by?) (see 'smoothkl run --help')",
        "run --zzzzzzzz                | unknown option --zzzzzzzz (see 'smoothkl run --help')",
        "generate --row 5              | unknown option --row (did you mean --rows?) (see 'smoothkl generate --help')",
        "rnu --input x                 | unknown command 'rnu' (did you mean run?); the commands are run, report, generate, demo"
                + " (see 'smoothkl --help')",
        "run stray                     | unexpected argument 'stray' (smoothkl run takes options only) (see 'smoothkl run --help')",
        "run --preset sedd --epsilon 0.1 --input x.parquet --output o"
                + " | --preset: unknown value 'sedd'; expected one of seed, pytorch, fairseq, onmt (did you mean seed?)",
        "run --engine cpus --preset seed --epsilon 0.1 --input x.parquet --output o"
                + " | --engine: unknown value 'cpus'; expected one of auto, cpu, rapids (did you mean cpu?)",
        "run --check 'mean_kll <= 1' --preset seed --epsilon 0.1 --input x.parquet --output o"
                + " | --check 'mean_kll <= 1': unknown metric 'mean_kll' (did you mean mean_kl?); metrics are rows,",
        "run --check 'delta(acuracy) >= 0' --preset seed --epsilon 0.1 --input x.parquet --output o"
                + " | unknown metric 'acuracy' (did you mean accuracy?)"})
    void aMistypedNameGetsTheNearestOne(String args, String says) {
        Run run = cli(split(args));
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("smoothkl: error: ").contains(says).doesNotContain("\tat ");
        assertThat(run.err().strip()).doesNotContain("\n");
    }

    /** -V: smoothkl's version as the build has it (pom.xml), Spark's and, when its jar is on the class path, RAPIDS'. */
    @Test
    void versionPrintsTheBuildsSparksAndRapidsVersions() throws IOException {
        String pom = Files.readString(Scripts.BASEDIR.resolve("pom.xml"));
        Matcher own = Pattern.compile("<artifactId>smoothkl</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(own.find()).as("the project's version in pom.xml").isTrue();
        boolean rapidsJar = getClass().getClassLoader().getResource(Versions.RAPIDS) != null;
        Matcher rapids = Pattern.compile("<rapids.version>([^<]+)</rapids.version>").matcher(pom);
        assertThat(rapids.find()).isTrue();
        List<String> expected = List.of("smoothkl " + own.group(1),
                "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION() + " (Scala " + scala.util.Properties.versionNumberString() + ")",
                rapidsJar ? "RAPIDS Accelerator " + rapids.group(1) : "RAPIDS not on the class path");
        for (String[] args : List.of(new String[] {"--version"}, new String[] {"-V"}, new String[] {"run", "-V"},
                new String[] {"generate", "--version"})) {
            Run version = cli(args);
            assertThat(version.code()).isZero();
            assertThat(version.out().lines().toList()).as(String.join(" ", args)).isEqualTo(expected);
        }
    }

    /** Words split on blanks, a '…' quoted part kept whole. */
    private static String[] split(String line) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(line.strip());
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return words.toArray(String[]::new);
    }
}
