package org.smoothkl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.smoothkl.api.Settings;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.loss.Preset;
import picocli.CommandLine;

/**
 * Where each run setting comes from: flag &gt; --config file &gt; the bundled defaults; what is
 * reported when one is missing or wrong; and how picocli reads negative values. No Spark.
 */
class SettingsPrecedenceTest {
    private static Config bundled;

    @TempDir
    Path tmp;

    @BeforeAll
    static void readBundledDefaults() {
        bundled = ConfigFactory.parseResources(Settings.class.getClassLoader(), Settings.DEFAULTS_RESOURCE);
        assertThat(bundled.isEmpty()).as(Settings.DEFAULTS_RESOURCE + " on the test classpath").isFalse();
    }

    private static int defaultBins() {
        return bundled.getInt("smoothkl.run.bins");
    }

    /** A run with the two settings that have no default, plus input and output. */
    private static RunCommand run(String preset, Double epsilon) {
        RunCommand c = new RunCommand();
        c.input = "in.parquet";
        c.output = "out";
        c.preset = preset;
        c.epsilon = epsilon;
        return c;
    }

    private Path conf(String body) throws IOException {
        Path f = Files.createTempFile(tmp, "run", ".conf");
        Files.writeString(f, body);
        return f;
    }

    @Test
    void bundledDefaultsApplyWithoutFlagsOrFile() {
        AuditSpec spec = run("seed", 0.1).spec();
        assertThat(spec.histogram().bins()).isEqualTo(defaultBins());
        assertThat(spec.format().code()).isEqualTo("parquet"); // in.parquet's extension: the bundled file sets no format
        assertThat(spec.logitsColumn()).isEqualTo(bundled.getString("smoothkl.run.logits-col"));
        assertThat(spec.groupBy()).isEqualTo(bundled.getStringList("smoothkl.run.group-by"));
        assertThat(spec.overwrite()).isEqualTo(bundled.getBoolean("smoothkl.run.overwrite"));
    }

    @Test
    void configFileOverridesTheBundledDefault() throws IOException {
        int fileBins = defaultBins() + 7;
        RunCommand c = run("seed", 0.1);
        c.config = conf("smoothkl.run { bins = " + fileBins + ", gap-range = \"-3:9\", group-by = [a, b] }\n").toFile();
        AuditSpec spec = c.spec();
        assertThat(spec.histogram().bins()).isEqualTo(fileBins).isNotEqualTo(defaultBins());
        assertThat(spec.histogram().lo()).isEqualTo(-3.0);
        assertThat(spec.histogram().hi()).isEqualTo(9.0);
        assertThat(spec.groupBy()).containsExactly("a", "b");
        // Keys the file does not set still come from the bundled defaults.
        assertThat(spec.logitsColumn()).isEqualTo(bundled.getString("smoothkl.run.logits-col"));
    }

    /** The format: the flag, else the config file's, else the extension of --input, else parquet (the bundled file sets none). */
    @Test
    void theFormatIsTheFlagsThenTheFilesThenTheExtensions() throws IOException {
        assertThat(bundled.hasPath("smoothkl.run.format")).as("conf/smoothkl.conf leaves format to the extension").isFalse();
        RunCommand c = run("seed", 0.1);
        c.input = "in/preds.csv";
        assertThat(c.spec().format().code()).isEqualTo("csv");
        c.input = "in/shards/*.npz";
        assertThat(c.spec().format().code()).isEqualTo("npz");
        c.input = "in/predictions";
        assertThat(c.spec().format().code()).isEqualTo("parquet");
        c.config = conf("smoothkl.run.format = json\n").toFile();
        assertThat(c.spec().format().code()).isEqualTo("json");
        c.input = "in/preds.csv";
        assertThat(c.spec().format().code()).as("the file's format is given: not the extension's").isEqualTo("json");
        c.format = "orc";
        assertThat(c.spec().format().code()).isEqualTo("orc");
    }

    /** Every required setting that is missing, in one line, whether flags or the file leave it out. */
    @Test
    void everyMissingRequiredSettingIsNamedAtOnce() throws IOException {
        RunCommand none = new RunCommand();
        assertThatThrownBy(none::spec).isInstanceOf(AuditInputException.class).hasMessage("no --input (a file, directory or glob;"
                + " or --table NAME), --preset, --epsilon or --output given (as flags, or as keys of smoothkl.run in a --config file)");
        none.config = conf("smoothkl.run { preset = seed, output = out }\n").toFile();
        assertThatThrownBy(none::spec).isInstanceOf(AuditInputException.class).hasMessage("no --input (a file, directory or glob;"
                + " or --table NAME) or --epsilon given (as flags, or as keys of smoothkl.run in a --config file)");
        RunCommand noOutput = run("seed", 0.1);
        noOutput.output = null;
        assertThatThrownBy(noOutput::spec).isInstanceOf(AuditInputException.class)
                .hasMessage("no --output given (as a flag, or as a key of smoothkl.run in a --config file)");
    }

    @Test
    void flagOverridesTheConfigFile() throws IOException {
        int fileBins = defaultBins() + 7;
        int flagBins = defaultBins() + 13;
        RunCommand c = run(null, null);
        c.config = conf("smoothkl.run { bins = " + fileBins + ", preset = fairseq, epsilon = 0.3, gap-range = \"-3:9\" }\n").toFile();
        c.bins = flagBins;
        c.epsilon = 0.2;
        AuditSpec spec = c.spec();
        assertThat(spec.histogram().bins()).isEqualTo(flagBins);
        assertThat(spec.smoothing().epsilon()).isEqualTo(0.2);
        assertThat(spec.preset()).as("from the file").isEqualTo(Preset.FAIRSEQ);
        assertThat(spec.histogram().lo()).as("from the file").isEqualTo(-3.0);

        c.preset = "onmt";
        c.gapRange = "1:2";
        spec = c.spec();
        assertThat(spec.preset()).isEqualTo(Preset.ONMT);
        assertThat(spec.histogram().lo()).isEqualTo(1.0);
        assertThat(spec.histogram().hi()).isEqualTo(2.0);
    }

    @Test
    void checksAndCalibrationBinsComeFromTheFileUnlessFlagsReplaceThem() throws IOException {
        AuditSpec defaults = run("seed", 0.1).spec();
        assertThat(defaults.checks()).isEmpty();
        assertThat(defaults.calibration().bins()).isEqualTo(bundled.getInt("smoothkl.run.calibration-bins"));
        assertThat(defaults.baseline()).isNull();
        assertThat(defaults.history()).isNull();
        assertThat(defaults.runTag()).as("the output's name").isEqualTo("out");

        RunCommand c = run("seed", 0.1);
        c.config = conf("""
                smoothkl.run {
                  group-by = [slice]
                  calibration-bins = 20
                  baseline = "audits/yesterday"
                  history = "audits/history"
                  run-tag = nightly
                  check = [
                    "mean_kl <= 0.5"
                    "slice[slice=slice-2].accuracy >= 0.6"
                    "ratio(ece) <= 1.2"
                  ]
                }
                """).toFile();
        AuditSpec fromFile = c.spec();
        assertThat(fromFile.checks()).extracting(org.smoothkl.audit.Check::text)
                .containsExactly("mean_kl <= 0.5", "slice[slice=slice-2].accuracy >= 0.6", "ratio(ece) <= 1.2");
        assertThat(fromFile.calibration().bins()).isEqualTo(20);
        assertThat(fromFile.baseline()).isEqualTo("audits/yesterday");
        assertThat(fromFile.history()).isEqualTo("audits/history");
        assertThat(fromFile.runTag()).isEqualTo("nightly");

        c.check = List.of("accuracy>=0.9");
        c.calibrationBins = 10;
        c.runTag = "manual";
        AuditSpec flags = c.spec();
        assertThat(flags.checks()).extracting(org.smoothkl.audit.Check::text).containsExactly("accuracy>=0.9");
        assertThat(flags.calibration().bins()).isEqualTo(10);
        assertThat(flags.runTag()).isEqualTo("manual");
    }

    @Test
    void picocliCollectsRepeatedChecks() {
        RunCommand c = new RunCommand();
        new CommandLine(c).parseArgs("--input", "in", "--output", "audits/2026-11-28/", "--preset", "seed", "--epsilon", "0.1",
                "--group-by", "slice", "--check", "mean_kl<=0.5", "--check", "slice[slice=a].accuracy>=0.6",
                "--calibration-bins", "12");
        AuditSpec spec = c.spec();
        assertThat(spec.checks()).extracting(org.smoothkl.audit.Check::text)
                .containsExactly("mean_kl<=0.5", "slice[slice=a].accuracy>=0.6");
        assertThat(spec.calibration().bins()).isEqualTo(12);
        assertThat(spec.runTag()).isEqualTo("2026-11-28");
    }

    @Test
    void missingPresetNamesTheFlag() {
        assertThatThrownBy(() -> run(null, 0.1).spec())
                .isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--preset");
    }

    @Test
    void missingEpsilonNamesTheFlag() {
        assertThatThrownBy(() -> run("seed", null).spec())
                .isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--epsilon");
    }

    @Test
    void epsilonOutsideTheUnitIntervalNamesTheFlag() throws IOException {
        for (double eps : new double[] {1.5, -0.1, Double.NaN}) {
            assertThatThrownBy(() -> run("seed", eps).spec())
                    .as("epsilon %s", eps)
                    .isInstanceOf(AuditInputException.class)
                    .hasMessageContaining("--epsilon");
        }
        RunCommand fromFile = run("seed", null);
        fromFile.config = conf("smoothkl.run.epsilon = 1.5\n").toFile();
        assertThatThrownBy(fromFile::spec).isInstanceOf(AuditInputException.class).hasMessageContaining("--epsilon");
        // The ends of [0, 1] are accepted.
        assertThat(run("seed", 0.0).spec().smoothing().epsilon()).isEqualTo(0.0);
        assertThat(run("seed", 1.0).spec().smoothing().epsilon()).isEqualTo(1.0);
    }

    @Test
    void unknownPresetListsTheAcceptedNames() {
        assertThatThrownBy(() -> run("label-smoothing", 0.1).spec())
                .isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--preset")
                .hasMessageContaining("label-smoothing")
                .satisfies(e -> {
                    for (Preset p : Preset.values()) {
                        assertThat(e.getMessage()).contains(p.code());
                    }
                });
    }

    @ParameterizedTest
    @EnumSource(Preset.class)
    void ignoreIndexDefaultsToThePresets(Preset preset) {
        AuditSpec spec = run(preset.code(), 0.1).spec();
        assertThat(spec.preset()).isEqualTo(preset);
        assertThat(spec.smoothing().ignoreIndex()).isEqualTo(preset.defaultIgnoreIndex());
        assertThat(spec.smoothing().convention()).isEqualTo(preset.convention());
    }

    @Test
    void pytorchIgnoresMinus100UnlessTold() throws IOException {
        assertThat(run("pytorch", 0.1).spec().smoothing().ignoreIndex()).isEqualTo(-100L);
        RunCommand fromFile = run("pytorch", 0.1);
        fromFile.config = conf("smoothkl.run.ignore-index = 0\n").toFile();
        assertThat(fromFile.spec().smoothing().ignoreIndex()).isZero();
        fromFile.ignoreIndex = 5L;
        assertThat(fromFile.spec().smoothing().ignoreIndex()).isEqualTo(5L);
    }

    @Test
    void badConfigFilesAreInputErrors() throws IOException {
        RunCommand missing = run("seed", 0.1);
        missing.config = tmp.resolve("nope.conf").toFile();
        assertThatThrownBy(missing::spec).isInstanceOf(AuditInputException.class).hasMessageContaining("nope.conf");

        RunCommand malformed = run("seed", 0.1);
        malformed.config = conf("smoothkl.run { bins = \n").toFile();
        assertThatThrownBy(malformed::spec).isInstanceOf(AuditInputException.class);

        RunCommand wrongType = run("seed", 0.1);
        wrongType.config = conf("smoothkl.run.bins = many\n").toFile();
        assertThatThrownBy(wrongType::spec).isInstanceOf(AuditInputException.class).hasMessageContaining("--bins");
    }

    @Test
    void aColonInAPathIsPartOfANameNotAUriScheme() {
        RunCommand c = run("seed", 0.1);
        c.input = "run-2026-12-01T10:00";
        c.output = "audits/2026-12-01T10:00/out";
        c.history = "history:2026";
        c.baseline = "2026-12-01T10:00/base";
        AuditSpec spec = c.spec();
        assertThat(spec.input()).isEqualTo("./run-2026-12-01T10:00");
        assertThat(new org.apache.hadoop.fs.Path(spec.input()).getName()).isEqualTo("run-2026-12-01T10:00");
        assertThat(spec.output()).as("a ':' after a '/' is no scheme").isEqualTo("audits/2026-12-01T10:00/out");
        assertThat(spec.history()).isEqualTo("./history:2026");
        assertThat(spec.baseline()).isEqualTo("./2026-12-01T10:00/base");
        assertThat(new org.apache.hadoop.fs.Path(spec.baseline()).getParent().getName()).isEqualTo("2026-12-01T10:00");
        assertThat(spec.runTag()).isEqualTo("out");
        for (String uri : List.of("hdfs://nn:8020/audits/a:b", "file:/tmp/a:b", "s3a://bucket/in", "/abs/run-10:00")) {
            c.input = uri;
            assertThat(c.spec().input()).as("kept as given").isEqualTo(uri);
        }
    }

    @Test
    void aColonInTheOutputsLastNameIsAName() {
        for (String[] out : new String[][] {{"run-2026-12-01T10:00", "./run-2026-12-01T10:00"},
                {"audits/run-2026-12-01T10:00/", "audits/run-2026-12-01T10:00/"}, {"file:/tmp/run-10:00", "file:/tmp/run-10:00"}}) {
            RunCommand c = run("seed", 0.1);
            c.output = out[0];
            assertThat(c.spec().output()).as(out[0]).isEqualTo(out[1]);
        }
    }

    @Test
    void emptyPathsNameTheFlag() {
        for (String empty : List.of("", "  ")) {
            RunCommand input = run("seed", 0.1);
            input.input = empty;
            assertThatThrownBy(input::spec).isInstanceOf(AuditInputException.class).hasMessage("--input is an empty path");
            RunCommand output = run("seed", 0.1);
            output.output = empty;
            assertThatThrownBy(output::spec).isInstanceOf(AuditInputException.class).hasMessage("--output is an empty path");
            RunCommand baseline = run("seed", 0.1);
            baseline.baseline = empty;
            assertThatThrownBy(baseline::spec).isInstanceOf(AuditInputException.class).hasMessage("--baseline is an empty path");
            RunCommand history = run("seed", 0.1);
            history.history = empty;
            assertThatThrownBy(history::spec).isInstanceOf(AuditInputException.class).hasMessage("--history is an empty path");
            RunCommand config = run("seed", 0.1);
            config.config = new java.io.File(empty);
            assertThatThrownBy(config::spec).isInstanceOf(AuditInputException.class).hasMessage("--config is an empty path");
        }
    }

    @Test
    void aGroupByColumnNamedTwiceIsRefused() throws IOException {
        RunCommand flags = new RunCommand();
        new CommandLine(flags).parseArgs("--input", "in", "--output", "out", "--preset", "seed", "--epsilon", "0.1",
                "--group-by", "a,b", "--group-by", "a");
        assertThatThrownBy(flags::spec).isInstanceOf(AuditInputException.class).hasMessage("--group-by names column 'a' twice");
        RunCommand fromFile = run("seed", 0.1);
        fromFile.config = conf("smoothkl.run.group-by = [country, slice, country]\n").toFile();
        assertThatThrownBy(fromFile::spec).isInstanceOf(AuditInputException.class).hasMessage("--group-by names column 'country' twice");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "smoothkl.run.epsilom = 0.1              | smoothkl.run.epsilom   | did you mean smoothkl.run.epsilon?",
        "smoothkl.run { gap_range = \"0:5\" }    | smoothkl.run.gap_range | did you mean smoothkl.run.gap-range?",
        "smoothkl.run.groupby = [a]              | smoothkl.run.groupby   | did you mean smoothkl.run.group-by?",
        "smoothkl.run.Bins = 5                   | smoothkl.run.Bins      | did you mean smoothkl.run.bins?",
        "smoothkl.rnu.bins = 5                   | smoothkl.rnu.bins      | did you mean smoothkl.run.bins?",
        "smoothkl.run.colour = blue              | smoothkl.run.colour    | the keys of smoothkl.run are ",
    })
    void unknownConfigKeysAreNamedWithTheNearestKnownKey(String body, String key, String hint) throws IOException {
        RunCommand c = run("seed", 0.1);
        c.config = conf(body + "\n").toFile();
        assertThatThrownBy(c::spec).isInstanceOf(AuditInputException.class)
                .hasMessageStartingWith("unknown key " + key + " in " + c.config)
                .hasMessageContaining(hint);
    }

    @Test
    void knownKeysOfEitherSectionAndTheFilesOwnValuesAreAccepted() throws IOException {
        RunCommand c = run(null, null);
        c.config = conf("""
                base = "audits"
                smoothkl.run { preset = seed, epsilon = 0.1, ignore-index = 0, history = ${base}"/history", run-tag = n }
                smoothkl.generate { rows = 10, classes = 4, output = "data" }
                """).toFile();
        assertThat(c.spec().history()).isEqualTo("audits/history");
        java.util.Map<String, Object> flags = generateFlags();
        flags.put("rows", 5);
        Settings generate = Settings.load("generate", c.config, flags);
        assertThat(generate.integer("rows")).as("the flag").isEqualTo(5);
        assertThat(generate.integer("classes")).isEqualTo(4);
    }

    @Test
    void unknownKeysOfTheGenerateSectionAreNamedToo() throws IOException {
        Path f = conf("smoothkl.generate.clases = 4\n");
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"generate", "--config", f.toString(), "--output", "data"},
                SettingsPrecedenceTest::noSpark, false, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertThat(code).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(err.toString().strip()).isEqualTo("smoothkl: error: unknown key smoothkl.generate.clases in " + f
                + "; did you mean smoothkl.generate.classes?");
    }

    /** GenerateCommand's flags, all unset (it passes every one, as RunCommand does). */
    private static java.util.Map<String, Object> generateFlags() {
        java.util.Map<String, Object> flags = new java.util.LinkedHashMap<>();
        for (String k : List.of("rows", "classes", "epsilon", "slices", "seed", "output", "overwrite")) {
            flags.put(k, null);
        }
        return flags;
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(org.smoothkl.audit.EditDistance.between("epsilom", "epsilon")).isEqualTo(1);
        assertThat(org.smoothkl.audit.EditDistance.between("groupby", "group-by")).isEqualTo(1);
        assertThat(org.smoothkl.audit.EditDistance.between("bins", "bins")).isZero();
        assertThat(org.smoothkl.audit.EditDistance.between("", "abc")).isEqualTo(3);
        assertThat(org.smoothkl.audit.EditDistance.between("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void picocliReadsNegativeValuesOfRunOptions() {
        RunCommand c = new RunCommand();
        new CommandLine(c).parseArgs("--input", "in", "--output", "out", "--preset", "pytorch", "--epsilon", "0.1",
                "--ignore-index", "-100", "--gap-range", "-5:20", "--bins", "25", "--group-by", "a,b");
        assertThat(c.ignoreIndex).isEqualTo(-100L);
        assertThat(c.gapRange).isEqualTo("-5:20");
        assertThat(c.groupBy).containsExactly("a", "b");
        AuditSpec spec = c.spec();
        assertThat(spec.smoothing().ignoreIndex()).isEqualTo(-100L);
        assertThat(spec.histogram().lo()).isEqualTo(-5.0);
        assertThat(spec.histogram().hi()).isEqualTo(20.0);
        assertThat(spec.histogram().bins()).isEqualTo(25);
    }

    @Test
    void picocliReadsNegativeValuesThroughTheMainCommand() {
        CommandLine.ParseResult parsed = new CommandLine(new Main(null, null)).parseArgs("run",
                "--input", "in", "--output", "out", "--preset", "seed", "--epsilon", "0.1",
                "--ignore-index", "-7", "--gap-range", "-5.5:-1");
        assertThat(parsed.subcommand()).isNotNull();
        RunCommand c = (RunCommand) parsed.subcommand().commandSpec().userObject();
        AuditSpec spec = c.spec();
        assertThat(spec.smoothing().ignoreIndex()).isEqualTo(-7L);
        assertThat(spec.histogram().lo()).isEqualTo(-5.5);
        assertThat(spec.histogram().hi()).isEqualTo(-1.0);
    }

    @Test
    void settingsErrorsExitWith2BeforeSparkStarts() {
        for (List<String> args : List.of(
                List.of("run", "--input", "in", "--output", "out", "--preset", "seed", "--epsilon", "1.5"),
                List.of("run", "--input", "in", "--output", "out", "--epsilon", "0.1"),
                List.of("run", "--input", "in", "--output", "out", "--preset", "seed", "--epsilon", "0.1", "--bins", "0"),
                List.of("run", "--input", "in", "--output", "out", "--preset", "seed", "--epsilon", "0.1", "--bins", "x"),
                List.of("run", "--input", "in", "--output", "out", "--preset", "seed", "--epsilon", "0.1",
                        "--check", "delta(mean_kl)<=0.1"),
                List.of("run", "--input", "in", "--output", "out", "--preset", "seed", "--epsilon", "0.1",
                        "--calibration-bins", "0"))) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.execute(args.toArray(String[]::new), SettingsPrecedenceTest::noSpark, false,
                    new PrintWriter(out), new PrintWriter(err));
            assertThat(code).as("%s: %s", args, err).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(err.toString()).as("%s", args).containsAnyOf("--epsilon", "--preset", "--bins", "--baseline",
                    "--calibration-bins");
        }
    }

    private static SparkSession noSpark() {
        throw new AssertionError("a settings error must be reported before a SparkSession is asked for");
    }
}
