package org.smoothkl.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;

/**
 * The bad-input matrix (src/site/markdown/inputs.md, "Bad input"): one row per case, each with its expected outcome.
 * Either the run stops with exit 2 and one line on stderr naming the column, file or value (and
 * leaves no output behind), or it succeeds with the bad rows quarantined: exact counts per
 * reason, {@code rows = valid + ignored + invalid}, and every quarantined row in invalid/ with
 * its reason.
 */
class BadInputMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SparkSession SPARK = SparkTestSession.get();

    @TempDir
    Path tmp;

    /** Writes a case's input under a directory and returns the run's arguments besides --output. */
    @FunctionalInterface
    interface Input {
        List<String> write(Path dir) throws IOException;
    }

    /** What a case must end in. */
    sealed interface Expect permits Refused, Quarantined {
    }

    /** Exit 2, one line on stderr containing each of {@code mentions}. */
    record Refused(List<String> mentions) implements Expect {
    }

    /** Exit 0 with these counts; {@code extra} checks the summary and the rows of invalid/ further. */
    record Quarantined(long valid, long ignored, Map<String, Long> invalidByReason, BiConsumer<JsonNode, List<Row>> extra)
            implements Expect {
    }

    static Stream<Arguments> matrix() {
        List<Arguments> rows = new ArrayList<>();
        // --- schema: the run is refused, naming the column, its type and what was expected
        rows.add(row("logits not an array", parquet("SELECT 1 AS label, 2.5D AS logits"),
                refused("logits column 'logits'", "has type double", "expected array<float> or array<double>")));
        rows.add(row("logits array of strings", parquet("SELECT 1 AS label, array('a', 'b') AS logits"),
                refused("logits column 'logits'", "array<string>")));
        rows.add(row("logits array of ints", parquet("SELECT 1 AS label, array(1, 2) AS logits"),
                refused("logits column 'logits'", "array<int>")));
        rows.add(row("token-sequence logits with a scalar label", parquet("SELECT 1 AS label, array(array(1.0F, 2.0F)) AS logits"),
                refused("label column 'label'", "has type int", "token sequences", "expected array<int> or array<bigint>")));
        rows.add(row("logits nested three deep", parquet("SELECT array(1) AS label, array(array(array(1.0F, 2.0F))) AS logits"),
                refused("logits column 'logits'", "array<array<array<float>>>")));
        rows.add(row("logits as JSON text in Parquet", parquet("SELECT 1 AS label, '[1.0, 2.0]' AS logits"),
                refused("logits column 'logits'", "has type string", "text is parsed only in csv and json")));
        rows.add(row("label as string in Parquet", parquet("SELECT '1' AS label, array(1.0F, 2.0F) AS logits"),
                refused("label column 'label'", "has type string", "text is parsed only in csv and json")));
        rows.add(row("label as boolean", parquet("SELECT true AS label, array(1.0F, 2.0F) AS logits"),
                refused("label column 'label'", "has type boolean", "expected int or long", "double or decimal holding integers")));
        rows.add(row("logits column missing", parquet("SELECT 1 AS label, array(1.0F, 2.0F) AS scores"),
                refused("no column 'logits'", "--logits-col", "label, scores")));
        rows.add(row("label column missing", parquet("SELECT 1 AS target, array(1.0F, 2.0F) AS logits"),
                refused("no column 'label'", "--label-col", "target, logits")));
        rows.add(row("group-by column missing", parquet(good(), "--group-by", "slice,country"),
                refused("no column 'country'", "--group-by")));
        // group-by columns of types that name no slice: refused naming the column and its type
        for (String[] t : new String[][] {
                {"array(1, 2)", "array<int>"}, {"map('a', 1)", "map<string,int>"}, {"named_struct('a', 1)", "struct<a:int>"},
                {"parse_json('{\"a\": 1}')", "variant"}, {"INTERVAL '2' DAY", "interval day"},
                {"INTERVAL '3' MONTH", "interval month"}, {"INTERVAL '1:30' HOUR TO MINUTE", "interval hour to minute"}}) {
            rows.add(row("group-by column of type " + t[1], parquet("SELECT " + t[0] + " AS k, CAST(id % 3 AS INT) AS label,"
                            + " array(CAST(id AS FLOAT), 1.0F, 2.0F) AS logits FROM range(4)", "--group-by", "k"),
                    refused("group-by column 'k'", "has type " + t[1] + ";", "expected a plain value")));
        }
        // --- slice columns named like the audit's own columns: refused, or (internal names) out of their way
        rows.add(row("group-by a metric column's name", parquet(good().replace("SELECT", "SELECT 1 AS status,"), "--group-by", "status"),
                refused("group-by column 'status'", "--group-by", "clashes with the metric column")));
        rows.add(row("label column named like a metric column", parquet("SELECT 1 AS kl, array(1.0F, 2.0F) AS logits", "--label-col", "kl"),
                refused("label column 'kl'", "--label-col", "clashes with the metric column")));
        rows.add(row("group-by _token (an output column of token sequences)", parquet(sequences().replace("SELECT", "SELECT 1 AS _token,"),
                        "--group-by", "_token"),
                refused("group-by column '_token'", "--group-by", "invalid/ and rows/")));
        rows.add(row("group-by _corrupt_record (an output column of JSON and CSV)", parquet(good().replace("SELECT", "SELECT 'x' AS _corrupt_record,"),
                        "--group-by", "_corrupt_record"),
                refused("group-by column '_corrupt_record'", "invalid/ and rows/")));
        rows.add(row("group-by count (a column of histograms/)", parquet(good().replace("SELECT", "SELECT 1 AS count,"), "--group-by", "count"),
                refused("group-by column 'count'", "histograms/")));
        rows.add(row("group-by a _smoothkl_ name", csvText("_smoothkl_logits,label,logits\na,1,\"[1.0, 2.0]\"\n",
                        "--group-by", "_smoothkl_logits"),
                refused("group-by column '_smoothkl_logits'", "starts with _smoothkl_")));
        rows.add(row("group-by names that were internal once (_blk, _bucket, _cal, _n, _min_k, _max_k)",
                parquet(good().replace("SELECT", "SELECT CAST(id % 2 AS INT) AS _blk, 'b' AS _bucket, 1 AS _cal, id < 3 AS _n, 0 AS _min_k, "
                        + "'x' AS _max_k,"), "--group-by", "_blk,_bucket,_cal,_n,_min_k,_max_k"),
                new Quarantined(10, 0, Map.of(), (summary, invalid) -> {
                    assertThat(summary.get("slices")).hasSize(4);
                    long total = 0;
                    for (JsonNode slice : summary.get("slices")) {
                        assertThat(slice.get("key").get("_bucket").asText()).isEqualTo("b");
                        total += slice.get("rows").asLong();
                    }
                    assertThat(total).isEqualTo(10);
                })));
        rows.add(row("token sequences grouped by names that were internal once (_seqs, _seq_tokens, _seq_loss)",
                parquet(sequences().replace("SELECT", "SELECT 1 AS _seqs, 2 AS _seq_tokens, 'x' AS _seq_loss,"),
                        "--group-by", "_seqs,_seq_tokens,_seq_loss"),
                new Quarantined(6, 0, Map.of(), (summary, invalid) -> {
                    assertThat(summary.at("/slices/0/rows").asLong()).isEqualTo(6);
                    assertThat(summary.at("/slices/0/key/_seq_tokens").asInt()).isEqualTo(2);
                })));
        // --- --keep: columns carried into invalid/ and rows/ (KeptColumnsTest joins them back)
        rows.add(row("--keep a column that does not exist", parquet(good(), "--keep", "id"),
                refused("input has no column 'id'", "--keep", "its columns are slice, label, logits")));
        rows.add(row("--keep a metric column's name", parquet(good().replace("SELECT", "SELECT 1 AS reason,"), "--keep", "reason"),
                refused("kept column 'reason'", "--keep", "clashes with the metric column")));
        rows.add(row("--keep _token (an output column of token sequences)", parquet(sequences().replace("SELECT", "SELECT 1 AS _token,"),
                        "--keep", "_token"),
                refused("kept column '_token'", "--keep", "invalid/ and rows/")));
        rows.add(row("--keep the logits column", parquet(good(), "--keep", "logits"),
                refused("kept column 'logits'", "--keep", "is the logits column")));
        rows.add(row("--keep the label, a slice and a column twice: each written once",
                parquet("SELECT 'a' AS slice, id, CAST(id % 4 AS INT) AS label, array(CAST(id AS FLOAT), 1.0F, 2.0F) AS logits FROM range(10)",
                        "--group-by", "slice", "--keep", "label,id,slice,id", "--write-rows"),
                new Quarantined(8, 0, Map.of("label_out_of_range", 2L), (summary, invalid) -> {
                    assertThat(invalid).allSatisfy(r -> assertThat(r.schema().fieldNames())
                            .containsExactly("slice", "label", "logits", "id", "reason"));
                    assertThat(invalid).extracting(r -> r.<Long>getAs("id")).containsExactlyInAnyOrder(3L, 7L);
                    assertThat(SPARK.read().parquet(summary.at("/config/output").asText() + "/rows").columns())
                            .startsWith("slice", "label", "id", "status");
                })));
        rows.add(row("--group-by a,a", parquet(good(), "--group-by", "slice,slice"), refused("--group-by names column 'slice' twice")));
        rows.add(row("--group-by a --group-by a", parquet(good(), "--group-by", "slice", "--group-by", "slice"),
                refused("--group-by names column 'slice' twice")));
        rows.add(row("--group-by with an empty name", parquet(good(), "--group-by", "slice,,label"),
                refused("--group-by slice,,label has an empty column name")));
        // --- rows the kernel cannot score: quarantined with their reason
        rows.add(row("null logits arrays", parquet(goodPlus("CAST(NULL AS ARRAY<FLOAT>)", "0")),
                quarantined(10, 0, Map.of("null_logits", 2L))));
        rows.add(row("null labels", parquet(goodPlus("array(1.0F, 2.0F, 3.0F)", "CAST(NULL AS INT)")),
                quarantined(10, 0, Map.of("null_label", 2L))));
        rows.add(row("null element in logits", parquet(goodPlus("array(1.0F, CAST(NULL AS FLOAT), 3.0F)", "0")),
                quarantined(10, 0, Map.of("null_logit", 2L))));
        rows.add(row("NaN logit", parquet(goodPlus("array(1.0F, CAST('NaN' AS FLOAT), 3.0F)", "0")),
                quarantined(10, 0, Map.of("nan_logit", 2L))));
        rows.add(row("+Infinity logit", parquet(goodPlus("array(1.0F, CAST('Infinity' AS FLOAT), 3.0F)", "0")),
                quarantined(10, 0, Map.of("inf_logit", 2L))));
        rows.add(row("-Infinity logit", parquet(goodPlus("array(CAST('-Infinity' AS DOUBLE), 1.0D, 3.0D)", "0", true)),
                quarantined(10, 0, Map.of("inf_logit", 2L))));
        rows.add(row("empty logits arrays", parquet(goodPlus("CAST(array() AS ARRAY<FLOAT>)", "0")),
                quarantined(10, 0, Map.of("too_few_classes", 2L))));
        rows.add(row("K = 1", parquet(goodPlus("array(4.0F)", "0")),
                quarantined(10, 0, Map.of("too_few_classes", 2L))));
        rows.add(row("K = 2 under onmt (needs K >= 3; label 1 is its pad)", parquet(goodPlus("array(1.0F, 2.0F)", "0"),
                "--preset", "onmt"), quarantined(7, 3, Map.of("too_few_classes", 2L))));
        rows.add(row("label >= K", parquet(goodPlus("array(1.0F, 2.0F, 3.0F)", "3")),
                quarantined(10, 0, Map.of("label_out_of_range", 2L))));
        rows.add(row("label far out of range (long)", parquet(goodPlus("array(1.0D, 2.0D, 3.0D)", "1099511627776L", true)),
                quarantined(10, 0, Map.of("label_out_of_range", 2L))));
        rows.add(row("negative label, not the ignore index", parquet(goodPlus("array(1.0F, 2.0F, 3.0F)", "-3")),
                quarantined(10, 0, Map.of("label_out_of_range", 2L))));
        // --- labels as Spark ML writes them (double), float or decimal: an integer in a long's range is a label
        rows.add(row("label double 0.0, 1.0, 2.0 and -0.0", parquet("SELECT CAST(id % 3 AS DOUBLE) AS label, array(CAST(id AS FLOAT), 1.0F, 2.0F)"
                        + " AS logits FROM range(10) UNION ALL SELECT -0.0D, array(1.0F, 2.0F)", "--write-rows"),
                new Quarantined(11, 0, Map.of(), (summary, invalid) -> {
                    Dataset<Row> audited = SPARK.read().parquet(summary.at("/config/output").asText() + "/rows");
                    assertThat(audited.schema().apply("label").dataType()).as("rows/: the label audited").isEqualTo(DataTypes.LongType);
                    assertThat(audited.groupBy("label").count().collectAsList()).extracting(r -> r.getLong(0) + ":" + r.getLong(1))
                            .containsExactlyInAnyOrder("0:5", "1:3", "2:3");
                })));
        for (String type : List.of("FLOAT", "DECIMAL(10,0)", "DECIMAL(5,2)")) {
            rows.add(row("label " + type.toLowerCase(java.util.Locale.ROOT) + " 1", parquet(labelsPlus(type, "1")), quarantined(12, 0, Map.of())));
        }
        for (String[] t : new String[][] {{"3.5", "DOUBLE"}, {"'NaN'", "DOUBLE"}, {"'Infinity'", "DOUBLE"}, {"'-Infinity'", "DOUBLE"},
                {"1e19", "DOUBLE"}, {"9223372036854775808", "DOUBLE"}, {"2.5", "FLOAT"}, {"'NaN'", "FLOAT"}, {"2.5", "DECIMAL(5,2)"},
                {"100000000000000000000", "DECIMAL(38,0)"}}) {
            rows.add(row("label " + t[1].toLowerCase(java.util.Locale.ROOT) + " " + t[0].replace("'", ""),
                    parquet(labelsPlus(t[1], t[0])), new Quarantined(10, 0, Map.of("malformed_label", 2L), (summary, invalid) ->
                            assertThat(invalid).as("quarantined with the label as given").allSatisfy(r -> assertThat(r.get(r.fieldIndex("label")))
                                    .isEqualTo(SPARK.sql("SELECT CAST(" + t[0] + " AS " + t[1] + ")").first().get(0))))));
        }
        rows.add(row("label double 2^40 and -2^63 (integers, no class)", parquet(labelsPlus("DOUBLE", "IF(id = 0, 1099511627776, -9223372036854775808)")),
                quarantined(10, 0, Map.of("label_out_of_range", 2L))));
        rows.add(row("label double null", parquet(labelsPlus("DOUBLE", "NULL")), quarantined(10, 0, Map.of("null_label", 2L))));
        rows.add(row("label = ignore index (pytorch -100)", parquet(goodPlus("array(1.0F, 2.0F, 3.0F)", "-100"),
                "--preset", "pytorch"), quarantined(10, 2, Map.of())));
        rows.add(row("ignore index with a NaN logit: NaN wins", parquet(goodPlus("array(CAST('NaN' AS FLOAT), 2.0F)", "-100"),
                "--preset", "pytorch"), quarantined(10, 0, Map.of("nan_logit", 2L))));
        rows.add(row("mixed K inside one slice", parquet("SELECT 'a' AS slice, CAST(id % 2 AS INT) AS label, "
                        + "IF(id % 3 = 0, array(1.0F, 2.0F), array(1.0F, 2.0F, 3.0F, 4.0F)) AS logits FROM range(12)",
                        "--group-by", "slice"),
                new Quarantined(12, 0, Map.of(), (summary, invalid) -> {
                    JsonNode slice = summary.at("/slices/0");
                    assertThat(slice.get("rows").asLong()).isEqualTo(12);
                    assertThat(slice.get("classes").isNull()).as("classes when K varies").isTrue();
                    assertThat(slice.get("gap_opt").isNull()).as("gap_opt when K varies").isTrue();
                })));
        // --- run settings
        rows.add(row("unknown preset", parquet(good(), "--preset", "keras"), refused("keras", "seed, pytorch, fairseq, onmt")));
        rows.add(row("epsilon above 1", parquet(good(), "--epsilon", "1.5"), refused("--epsilon", "1.5")));
        rows.add(row("epsilon below 0", parquet(good(), "--epsilon", "-0.1"), refused("--epsilon", "-0.1")));
        rows.add(row("epsilon NaN", parquet(good(), "--epsilon", "NaN"), refused("--epsilon", "NaN")));
        rows.add(row("epsilon not a number", parquet(good(), "--epsilon", "ten"), refused("--epsilon", "ten", "see 'smoothkl run --help'")));
        rows.add(row("unknown flag", parquet(good(), "--epsilion", "0.1"), refused("--epsilion")));
        rows.add(row("--gap-range whose width overflows", parquet(good(), "--gap-range", "-1e308:1e308"),
                refused("--gap-range is too wide for 50 bins", "'-1e308:1e308'")));
        rows.add(row("--gap-range too narrow for its bins", parquet(good(), "--gap-range", "0:1e-320", "--bins", "10"),
                refused("--gap-range is too narrow for 10 bins", "'0:1e-320'")));
        rows.add(row("--gap-range with a NaN end", parquet(good(), "--gap-range", "NaN:20"), refused("--gap-range", "finite LO < HI", "'NaN:20'")));
        rows.add(row("--gap-range with an infinite end", parquet(good(), "--gap-range", "0:Infinity"),
                refused("--gap-range", "finite LO < HI", "'0:Infinity'")));
        rows.add(row("--gap-range with LO = HI", parquet(good(), "--gap-range", "5:5"), refused("--gap-range", "finite LO < HI", "'5:5'")));
        rows.add(row("misspelt key in --config", dir -> {
            List<String> args = new ArrayList<>(parquet(good()).write(dir));
            Files.writeString(dir.resolve("run.conf"), "smoothkl.run {\n  bins = 20\n  epsilom = 0.2\n}\n");
            args.addAll(List.of("--config", dir.resolve("run.conf").toString()));
            return args;
        }, refused("unknown key smoothkl.run.epsilom in ", "run.conf", "did you mean smoothkl.run.epsilon?")));
        // --- files and paths
        rows.add(row("corrupt Parquet file among good ones", dir -> {
            List<String> args = parquet(good()).write(dir);
            Files.write(dir.resolve("input/part-99999-corrupt.parquet"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            return args;
        }, refused("cannot read an input file", "part-99999-corrupt.parquet", "not a Parquet file")));
        rows.add(row("truncated Parquet file among good ones", dir -> {
            List<String> args = parquet(good()).write(dir);
            Path part;
            try (Stream<Path> files = Files.list(dir.resolve("input"))) {
                part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(part);
            Files.write(dir.resolve("input/part-99998-truncated.parquet"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
            return args;
        }, refused("part-99998-truncated.parquet")));
        // --- files of one input that disagree on a column's type: refused naming two of them, before the scan
        String floats = "SELECT 'a' AS slice, CAST(id % 3 AS INT) AS label, array(CAST(id AS FLOAT), 1.0F, 2.0F) AS logits FROM range(10)";
        rows.add(row("Parquet files with logits array<float> and string", mixed("parquet", floats, floats.replace(
                        "array(CAST(id AS FLOAT), 1.0F, 2.0F)", "'[1.0, 2.0]'")),
                refused("input files disagree on the type of column 'logits'", "a-part-", "has array<float>", "b-part-", "has string")));
        rows.add(row("Parquet files with int and bigint labels", mixed("parquet", floats, floats.replace("AS INT", "AS BIGINT"), "--group-by", "slice"),
                refused("input files disagree on the type of column 'label'", "has int", "has bigint")));
        rows.add(row("Parquet files with string and int slices", mixed("parquet", floats, floats.replace("'a' AS slice", "1 AS slice"),
                        "--group-by", "slice"),
                refused("input files disagree on the type of column 'slice'", "has string", "has int")));
        rows.add(row("ORC files with logits array<float> and string", mixed("orc", floats, floats.replace(
                        "array(CAST(id AS FLOAT), 1.0F, 2.0F)", "'[1.0, 2.0]'")),
                refused("input files disagree on the type of column 'logits'", "a-part-", "b-part-", ".orc")));
        rows.add(row("Parquet files that disagree only on a column the audit does not read",
                mixed("parquet", floats.replace("FROM", ", 'x' AS note FROM"), floats.replace("FROM", ", 1 AS note FROM"), "--group-by", "slice"),
                quarantined(20, 0, Map.of())));
        rows.add(row("Parquet files one of which lacks the slice column", mixed("parquet", floats, floats.replace("'a' AS slice, ", ""),
                        "--group-by", "slice"),
                new Quarantined(20, 0, Map.of(), (summary, invalid) -> assertThat(summary.get("slices")).hasSize(2))));
        rows.add(row("a text file read as Parquet", dir -> {
            Path file = dir.resolve("preds.txt");
            Files.writeString(file, "label,logits\n1,\"[1, 2]\"\n");
            return List.of("--input", file.toString());
        }, refused("preds.txt")));
        rows.add(row("missing path", dir -> List.of("--input", dir.resolve("nowhere").toString()),
                refused("input path does not exist", "nowhere")));
        rows.add(row("glob matching nothing", dir -> List.of("--input", dir.resolve("in/part-*.parquet").toString()),
                refused("input path does not exist", "part-*.parquet")));
        rows.add(row("empty directory", dir -> {
            Files.createDirectories(dir.resolve("empty"));
            return List.of("--input", dir.resolve("empty").toString());
        }, refused("cannot read", "empty")));
        rows.add(row("empty --input", dir -> List.of("--input", ""), refused("--input is an empty path")));
        rows.add(row("empty --output", parquet(good(), "--output", ""), refused("--output is an empty path")));
        rows.add(row("blank --baseline", parquet(good(), "--baseline", " "), refused("--baseline is an empty path")));
        rows.add(row("empty --history", parquet(good(), "--history", ""), refused("--history is an empty path")));
        // --- a ':' in a name (timestamped runs): a name, not a URI scheme
        rows.add(row("--input with ':' in its last name", parquetAt("run-2026-12-01T10:00", good()), quarantined(10, 0, Map.of())));
        rows.add(row("--input with ':' in a directory name", parquetAt("2026-12-01T10:00/input", good()), quarantined(10, 0, Map.of())));
        rows.add(row("CSV --input with ':' in its directory name", textFile("2026-12-01T10:00/preds.csv", "csv", "label,logits",
                "1,\"[1.0, 2.0]\""), quarantined(1, 0, Map.of())));
        rows.add(row("CSV --input with ':' in the file name (local file system)", textFile("preds-10:00.csv", "csv", "label,logits",
                "1,\"[1.0, 2.0]\""), refused("--input", "preds-10:00.csv", "cannot open a file with ':' in its name")));
        rows.add(row("glob --input through a name with ':'", dir -> {
            parquetAt("2026-12-01T10:00/input", good()).write(dir);
            return List.of("--input", dir.resolve("2026-12-01T10:00/input/*.parquet").toString());
        }, refused("--input", "2026-12-01T10:00", "cannot glob a path with ':'")));
        rows.add(row("npz --input with ':' in a directory name", dir -> {
            Files.createDirectories(dir.resolve("2026-12-01T10:00/shards"));
            return List.of("--input", dir.resolve("2026-12-01T10:00/shards").toString(), "--format", "npz");
        }, refused("--input", "2026-12-01T10:00", "npz shards are listed by a glob")));
        rows.add(row("--output with ':' in a directory name", dir -> {
            List<String> args = new ArrayList<>(parquet(good()).write(dir));
            args.addAll(List.of("--output", dir.resolve("2026-12-01T10:00/out").toString()));
            return args;
        }, quarantined(10, 0, Map.of())));
        rows.add(row("--output with ':' in its last name", dir -> {
            List<String> args = new ArrayList<>(parquet(good()).write(dir));
            args.addAll(List.of("--output", dir.resolve("run-2026-12-01T10:00").toString()));
            return args;
        }, quarantined(10, 0, Map.of())));
        for (String history : List.of("history-2026-12-01T10:00", "2026-12-01T10:00/history")) {
            rows.add(row("--history with ':' in " + (history.contains("/") ? "a directory name" : "its last name"), dir -> {
                List<String> args = new ArrayList<>(parquet(good()).write(dir));
                args.addAll(List.of("--history", dir.resolve(history).toString()));
                return args;
            }, new Quarantined(10, 0, Map.of(), (summary, invalid) -> assertThat(SPARK.read()
                    .parquet(summary.at("/config/history").asText()).count()).as("history rows: overall only").isEqualTo(1))));
        }
        for (String baseline : List.of("baseline-2026-12-01T10:00", "2026-12-01T10:00/baseline")) {
            rows.add(row("--baseline with ':' in " + (baseline.contains("/") ? "a directory name" : "its last name"), dir -> {
                List<String> args = new ArrayList<>(parquet(good()).write(dir));
                Path earlier = dir.resolve("earlier");
                List<String> first = new ArrayList<>(List.of("run", "--preset", "seed", "--epsilon", "0.1", "--output", earlier.toString()));
                first.addAll(args);
                assertThat(CliRun.of(first.toArray(String[]::new)).exitCode()).isZero();
                Files.createDirectories(dir.resolve(baseline).getParent());
                Files.move(earlier, dir.resolve(baseline));
                args.addAll(List.of("--baseline", dir.resolve(baseline).toString(), "--check", "delta(mean_kl) <= 0"));
                return args;
            }, new Quarantined(10, 0, Map.of(), (summary, invalid) -> {
                assertThat(summary.at("/baseline/path").asText()).endsWith(baseline);
                assertThat(summary.at("/verdict/failed").asInt()).as("the same input: no delta").isZero();
            })));
        }
        rows.add(row("zero-row input", parquet("SELECT 'a' AS slice, 1 AS label, array(1.0F, 2.0F) AS logits FROM range(0)"),
                new Quarantined(0, 0, Map.of(), (summary, invalid) -> {
                    assertThat(summary.at("/overall/mean_kl").isNull()).isTrue();
                    assertThat(summary.at("/overall/accuracy").isNull()).isTrue();
                    assertThat(summary.get("slices")).isEmpty();
                })));
        rows.add(row("zero-row input with --group-by", parquet("SELECT 'a' AS slice, 1 AS label, array(1.0F) AS logits "
                        + "FROM range(0)", "--group-by", "slice"),
                new Quarantined(0, 0, Map.of(), (summary, invalid) -> assertThat(summary.get("slices")).isEmpty())));
        // --- tables, other data sources, --where and --option (inputs.md, "Tables, Delta and Iceberg")
        rows.add(row("--table that does not exist", dir -> List.of("--table", "db.nowhere"),
                refused("--table db.nowhere", "no such table or view", "spark.sql.catalogImplementation is in-memory")));
        rows.add(row("--table in a catalog that is not configured", dir -> List.of("--table", "lake.db.preds"),
                refused("--table lake.db.preds", "no catalog 'lake' is configured", "spark.sql.catalog.lake")));
        rows.add(row("--table that is no table name", dir -> List.of("--table", "db.preds x"),
                refused("--table db.preds x", "not a table name")));
        rows.add(row("--table with a --format", dir -> List.of("--table", "db.preds", "--format", "csv"),
                refused("--format csv does not apply to --table db.preds")));
        rows.add(row("--table and --input", parquet(good(), "--table", "db.preds"), refused("give --input or --table, not both")));
        rows.add(row("--format misspelt", parquet(good(), "--format", "parqet"), refused("--format parqet", "did you mean parquet?")));
        rows.add(row("--format naming a class that is not there", parquet(good(), "--format", "com.example.NoSuchSource"),
                refused("--format com.example.NoSuchSource", "no class com.example.NoSuchSource", "--packages or --jars")));
        rows.add(row("--format avro without its jar", parquet(good(), "--format", "avro"),
                refused("--format avro", "--packages org.apache.spark:spark-avro_2.13:")));
        rows.add(row("--format delta on a session without Delta's extension", parquet(good(), "--format", "delta"),
                refused("--format delta needs the session configured for Delta",
                        "--conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension")));
        rows.add(row("a Parquet directory read as Iceberg", parquet(good(), "--format", "iceberg"),
                refused("is no iceberg table (it has no metadata/*.metadata.json)")));
        rows.add(row("a Delta table's directory read as Parquet", deltaLike("input", "slice"),
                refused("is a Delta table (it has _delta_log/)", "every version", "give --format delta")));
        rows.add(row("a Delta table's partition read as Parquet", deltaLike("input/slice=a", "slice"),
                refused("slice=a lies in", "which is a Delta table", "give --format delta")));
        rows.add(row("a .csv file read as Parquet", dir -> {
            Files.writeString(dir.resolve("preds.csv"), "label,logits\n1,\"[1.0, 2.0]\"\n");
            return List.of("--input", dir.resolve("preds.csv").toString(), "--format", "parquet");
        }, refused("preds.csv has the extension of csv files but --format is parquet; drop --format (the extension then decides)")));
        rows.add(row("a .csv file without --format is read as CSV", dir -> {
            Files.writeString(dir.resolve("preds.csv"), "label,logits\n1,\"[1.0, 2.0]\"\n");
            return List.of("--input", dir.resolve("preds.csv").toString());
        }, new Quarantined(1, 0, Map.of(), (summary, invalid) -> assertThat(summary.at("/config/format").asText()).isEqualTo("csv"))));
        rows.add(row("--where that does not parse", parquet(good(), "--where", "label >"),
                refused("--where \"label >\" is not a Spark SQL predicate", "Syntax error")));
        rows.add(row("--where naming a missing column", parquet(good(), "--where", "country = 'fr'"),
                refused("--where \"country = 'fr'\" names no column of the input: `country`", "its columns are slice, label, logits")));
        rows.add(row("--where that is no boolean", parquet(good(), "--where", "label"), refused("--where \"label\"", "is not a boolean")));
        rows.add(row("--where with an aggregate", parquet(good(), "--where", "count(*) > 1"),
                refused("--where \"count(*) > 1\"", "invalid expressions")));
        rows.add(row("--where empty", parquet(good(), "--where", " "), refused("--where is empty")));
        rows.add(row("--where on npz shards naming a missing column", dir -> {
            Files.createDirectories(dir.resolve("shards"));
            NpyWriter.npz(dir.resolve("shards/one.npz"), Map.of(
                    "logits", NpyWriter.npy(new NpyWriter.Array(new double[] {1, 2}, "f4", new long[] {1, 2}), false, false),
                    "label", NpyWriter.npy(new NpyWriter.Array(new double[] {1}, "i8", new long[] {1}), false, false)));
            return List.of("--input", dir.resolve("shards").toString(), "--format", "npz", "--where", "day = 1");
        }, refused("--where \"day = 1\" names no column of the input: `day`", "its columns are shard, label, logits")));
        rows.add(row("--where keeps the JSON rows it names; a record that does not parse has no values to keep",
                with(jsonLines("{\"logits\": [1.0, 2.0], \"label\": 1}", "{\"logits\": [1.0, 2.0], \"label\": 0}",
                        "{\"logits\": [1.0, 2.0, \"label\": 1}"), "--where", "label = 1"),
                quarantined(1, 0, Map.of())));
        rows.add(row("--where keeping nulls keeps the JSON records that do not parse",
                with(jsonLines("{\"logits\": [1.0, 2.0], \"label\": 1}", "{\"logits\": [1.0, 2.0], \"label\": 0}",
                        "{\"logits\": [1.0, 2.0, \"label\": 1}"), "--where", "label = 1 OR label IS NULL"),
                quarantined(1, 0, Map.of("malformed_record", 1L))));
        rows.add(row("--option without '='", parquet(good(), "--option", "mergeSchema"), refused("--option mergeSchema: expected KEY=VALUE")));
        rows.add(row("--option whose value the reader refuses", with(jsonLines("{\"logits\": [1.0, 2.0], \"label\": 1}"),
                        "--option", "samplingRatio=often"),
                refused("as json with --option samplingRatio=often", "often")));
        rows.add(row("--option for npz shards", dir -> {
            Files.createDirectories(dir.resolve("shards"));
            return List.of("--input", dir.resolve("shards").toString(), "--format", "npz", "--option", "mergeSchema=true");
        }, refused("--option mergeSchema", "npz shards take no reader options")));
        // --- text formats: bad records and bad text are rows, not failures
        rows.add(row("JSON mixing good and bad rows", jsonLines(
                        "{\"id\": 1, \"logits\": [1.0, 2.0, 3.0], \"label\": 2}",
                        "{\"id\": 2, \"logits\": [1.0, \"NaN\", 2.0], \"label\": 0}",
                        "{\"id\": 3, \"logits\": [1.0, \"Infinity\"], \"label\": 0}",
                        "{\"id\": 4, \"logits\": [1.0, \"-Infinity\"], \"label\": 1}",
                        "{\"id\": 5, \"logits\": [1.0, 2.0], \"label\": null}",
                        "{\"id\": 6, \"logits\": [1.0, 2.0, 3.0], \"label\": 5}",
                        "{\"id\": 7, \"logits\": [1.0, 2.0, 3.0], \"label\": -3}",
                        "{\"id\": 8, \"logits\": [1.0, 2.0, 3.0], \"label\": 100000}",
                        "{\"id\": 9, \"logits\": [4.0], \"label\": 0}",
                        "{\"id\": 10, \"logits\": [], \"label\": 0}",
                        "{\"id\": 11, \"logits\": null, \"label\": 0}",
                        "{\"id\": 12, \"logits\": [1.0, null, 2.0], \"label\": 0}",
                        "{\"id\": 13, \"logits\": [1.0, 2.0], \"label\": 1.5}",
                        "{\"id\": 14, \"logits\": [1.0, 2.0",
                        "{\"id\": 15, \"label\": 1}"),
                new Quarantined(1, 1, Map.of("nan_logit", 1L, "inf_logit", 2L, "null_label", 1L, "label_out_of_range", 2L,
                        "too_few_classes", 2L, "null_logits", 2L, "null_logit", 1L, "malformed_label", 1L, "malformed_record", 1L),
                        (summary, invalid) -> {
                    // The quarantined rows keep their columns as read: the NaN itself, the broken record's text.
                    Row nan = invalid.stream().filter(r -> "nan_logit".equals(r.getAs("reason"))).findFirst().orElseThrow();
                    assertThat(Double.isNaN(nan.<scala.collection.Seq<Double>>getAs("logits").apply(1))).isTrue();
                    assertThat(invalid).filteredOn(r -> r.getAs("_corrupt_record") != null
                                    && r.<String>getAs("_corrupt_record").contains("\"id\": 14"))
                            .extracting(r -> r.<String>getAs("reason")).containsExactly("malformed_record");
                })));
        // Labels written as doubles (Spark ML writes them so): integral ones count, as in Parquet; 1.5 is malformed_label.
        rows.add(row("JSON labels written as doubles", jsonLines(
                        "{\"logits\": [1.0, 2.0, 3.0], \"label\": 0.0}",
                        "{\"logits\": [1.0, 2.0, 3.0], \"label\": 1.0}",
                        "{\"logits\": [1.0, 2.0, 3.0], \"label\": 2}",
                        "{\"logits\": [1.0, 2.0, 3.0], \"label\": 2e0}",
                        "{\"logits\": [1.0, 2.0, 3.0], \"label\": -0.0}",
                        "{\"logits\": [1.0, 2.0, 3.0], \"label\": 1.5}",
                        "{\"logits\": [1.0, 2.0, 3.0], \"label\": 1e30}"),
                new Quarantined(5, 0, Map.of("malformed_label", 2L), (summary, invalid) -> {
                    assertThat(summary.at("/overall/accuracy").asDouble()).isEqualTo(2.0 / 5); // labels 2, 2 are the argmax
                    assertThat(invalid).extracting(r -> r.<Double>getAs("label")).containsExactlyInAnyOrder(1.5, 1e30);
                })));
        rows.add(row("CSV labels written as doubles", csv(
                        "label,logits",
                        "0.0,\"[1.0, 2.0, 3.0]\"",
                        "1.0,\"[1.0, 2.0, 3.0]\"",
                        "2,\"[1.0, 2.0, 3.0]\"",
                        "2e0,\"[1.0, 2.0, 3.0]\"",
                        "1.5,\"[1.0, 2.0, 3.0]\"",
                        "NaN,\"[1.0, 2.0, 3.0]\"",
                        "9223372036854775808,\"[1.0, 2.0, 3.0]\""),
                new Quarantined(4, 0, Map.of("malformed_label", 3L), (summary, invalid) -> assertThat(invalid)
                        .extracting(r -> r.<String>getAs("label")).containsExactlyInAnyOrder("1.5", "NaN", "9223372036854775808"))));
        rows.add(row("JSON with logits as text", jsonLines(
                        "{\"logits\": \"[1.0, 2.0]\", \"label\": 1}",
                        "{\"logits\": \"[1.0, oops]\", \"label\": 1}"),
                quarantined(1, 0, Map.of("malformed_logits", 1L))));
        rows.add(row("CSV with bad text logits and labels", csv(
                        "slice,label,logits",
                        "a,1,\"[0.5, 2.5, -1.0]\"",
                        "a,x,\"[0.5, 2.5, -1.0]\"",
                        "b,0,not-a-list",
                        "b,2,\"[1, 2, \"\"NaN\"\"]\""),
                new Quarantined(1, 0, Map.of("malformed_label", 1L, "malformed_logits", 1L, "nan_logit", 1L),
                        (summary, invalid) -> assertThat(invalid).extracting(r -> r.<String>getAs("logits")).contains("not-a-list"))));
        rows.add(row("CSV header only", csv("label,logits"), quarantined(0, 0, Map.of())));
        // --- CSV is RFC 4180: quoted fields span lines, CRLF ends records, a quote inside quotes is doubled
        rows.add(row("CSV quoted fields with newlines, CRLF line ends and doubled quotes", csvText("slice,label,logits\r\n"
                        + "\"north\nwest\",1,\"[0.5,\n2.5, -1.0]\"\r\n"
                        + "\"say \"\"hi\"\"\",0,\"[1.0, 2.0, 3.0]\"\r\n"
                        + "plain,2,\"[1.0,\r\n2.0,\r\n3.0]\"\r\n"
                        + "\"north\nwest\",0,\"[3.0, 1.0]\"\r\n", "--group-by", "slice"),
                new Quarantined(4, 0, Map.of(), (summary, invalid) -> assertThat(sliceRows(summary))
                        .isEqualTo(Map.of("north\nwest", 2L, "say \"hi\"", 1L, "plain", 1L)))));
        rows.add(row("CSV records with too few or too many fields, and a quote left open at the end", csv(
                        "slice,label,logits",
                        "a,1,\"[0.5, 2.5, -1.0]\"",
                        "a,1",
                        "b,0,\"[1.0, 2.0]\",extra",
                        "b,2,\"[1.0, 2.0, 3.0]\"",
                        "c,0,\"[1.0, 2.0"),
                new Quarantined(2, 0, Map.of("malformed_record", 2L, "malformed_logits", 1L), (summary, invalid) -> {
                    assertThat(invalid).filteredOn(r -> "malformed_record".equals(r.getAs("reason")))
                            .extracting(r -> r.<String>getAs("_corrupt_record")).containsExactlyInAnyOrder("a,1", "b,0,\"[1.0, 2.0]\",extra");
                    // The open quote runs to the end of the file: one field, so one row.
                    assertThat(invalid).filteredOn(r -> "malformed_logits".equals(r.getAs("reason")))
                            .extracting(r -> r.<String>getAs("logits").strip()).containsExactly("[1.0, 2.0");
                })));
        // --- a source column named like Spark's corrupt-record column is data, not a parse failure
        rows.add(row("JSON with a field named _corrupt_record", jsonLines(
                        "{\"_corrupt_record\": \"mine\", \"logits\": [1.0, 2.0, 3.0], \"label\": 2}",
                        "{\"logits\": [1.0, 2.0], \"label\": 0}",
                        "{\"logits\": [1.0, 2.0"),
                new Quarantined(2, 0, Map.of("malformed_record", 1L), (summary, invalid) -> assertThat(invalid)
                        .extracting(r -> r.<String>getAs("_corrupt_record")).containsExactly("{\"logits\": [1.0, 2.0"))));
        rows.add(row("CSV with a column named _corrupt_record", csv(
                        "_corrupt_record,label,logits",
                        "mine,1,\"[0.5, 2.5, -1.0]\"",
                        ",0,\"[0.5, 2.5]\""),
                quarantined(2, 0, Map.of())));
        rows.add(row("Parquet with a column named _corrupt_record", parquet(good().replace("SELECT", "SELECT 'mine' AS _corrupt_record,")),
                quarantined(10, 0, Map.of())));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void matrixRow(String name, Input input, Expect expect) throws IOException {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(input.write(tmp));
        if (!args.contains("--preset")) {
            args.addAll(List.of("--preset", "seed"));
        }
        if (!args.contains("--epsilon")) {
            args.addAll(List.of("--epsilon", "0.1"));
        }
        Path out = tmp.resolve("out");
        int given = args.indexOf("--output");
        if (given < 0) {
            args.addAll(List.of("--output", out.toString()));
        } else {
            out = Path.of(args.get(given + 1));
        }
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.err()).as("no stack trace for bad input").doesNotContain("Exception").doesNotContain("\tat ");
        if (expect instanceof Refused r) {
            assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
            assertThat(run.err().strip()).startsWith("smoothkl: error: ").doesNotContain("\n");
            for (String m : r.mentions()) {
                assertThat(run.err()).contains(m);
            }
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left.map(p -> p.getFileName().toString()))
                        .as("a refused run leaves no output, temporary directory or claim")
                        .noneMatch(n -> n.equals("out") || n.startsWith(".out."));
            }
        } else if (expect instanceof Quarantined q) {
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(out.resolve("_SUCCESS")).exists();
            JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
            JsonNode overall = summary.get("overall");
            Map<String, Long> reasons = JSON.convertValue(overall.get("invalid_by_reason"),
                    JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Long.class));
            long invalid = q.invalidByReason().values().stream().mapToLong(Long::longValue).sum();
            assertThat(reasons).isEqualTo(q.invalidByReason());
            assertThat(overall.get("valid").asLong()).isEqualTo(q.valid());
            assertThat(overall.get("ignored").asLong()).isEqualTo(q.ignored());
            assertThat(overall.get("invalid").asLong()).isEqualTo(invalid);
            assertThat(overall.get("rows").asLong()).isEqualTo(q.valid() + q.ignored() + invalid);

            List<Row> quarantined = SPARK.read().parquet(out.resolve("invalid").toString()).collectAsList();
            Map<String, Long> written = quarantined.stream()
                    .collect(Collectors.groupingBy(row -> row.<String>getAs("reason"), Collectors.counting()));
            assertThat(written).as("invalid/ holds each quarantined row with its reason").isEqualTo(q.invalidByReason());
            if (q.extra() != null) {
                q.extra().accept(summary, quarantined);
            }
        }
    }

    /** An existing output is refused and kept; --overwrite replaces it. */
    @Test
    void existingOutputIsRefusedAndKept() throws IOException {
        List<String> input = parquet(good()).write(tmp);
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "earlier result");
        List<String> args = new ArrayList<>(List.of("run", "--preset", "seed", "--epsilon", "0.1", "--output", out.toString()));
        args.addAll(input);
        CliRun refused = CliRun.of(args.toArray(String[]::new));
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("already exists", "--overwrite");
        assertThat(out.resolve("keep.txt")).hasContent("earlier result");

        args.add("--overwrite");
        CliRun again = CliRun.of(args.toArray(String[]::new));
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(out.resolve("keep.txt")).doesNotExist();
        assertThat(out.resolve("_SUCCESS")).exists();
    }

    // ---- inputs

    private static Arguments row(String name, Input input, Expect expect) {
        return Arguments.of(name, input, expect);
    }

    private static Refused refused(String... mentions) {
        return new Refused(List.of(mentions));
    }

    private static Quarantined quarantined(long valid, long ignored, Map<String, Long> reasons) {
        return new Quarantined(valid, ignored, reasons, null);
    }

    /** Ten good rows (K = 3, labels 0..2). */
    private static String good() {
        return "SELECT 'a' AS slice, CAST(id % 3 AS INT) AS label, array(CAST(id AS FLOAT), 1.0F, 2.0F) AS logits FROM range(10)";
    }

    /** Three token sequences of two tokens each (K = 2). */
    private static String sequences() {
        return "SELECT 'a' AS slice, array(0, 1) AS label, array(array(1.0F, 2.0F), array(2.0F, 1.0F)) AS logits FROM range(3)";
    }

    /** Ten good rows and two rows with the given logits and label expressions (double logits if asked). */
    private static String goodPlus(String logits, String label) {
        return goodPlus(logits, label, false);
    }

    private static String goodPlus(String logits, String label, boolean doubles) {
        String type = doubles ? "DOUBLE" : "FLOAT";
        String labelType = label.endsWith("L") ? "BIGINT" : "INT";
        return "SELECT CAST(id % 3 AS " + labelType + ") AS label, CAST(array(id, 1, 2) AS ARRAY<" + type + ">) AS logits FROM range(10)"
                + " UNION ALL SELECT CAST(" + label + " AS " + labelType + "), CAST(" + logits + " AS ARRAY<" + type + ">) FROM range(2)";
    }

    /** Ten good rows with labels of {@code type} and two with the label {@code label} (an expression of id), K = 3. */
    private static String labelsPlus(String type, String label) {
        return "SELECT CAST(id % 3 AS " + type + ") AS label, CAST(array(id, 1, 2) AS ARRAY<FLOAT>) AS logits FROM range(10)"
                + " UNION ALL SELECT CAST(" + label + " AS " + type + "), array(1.0F, 2.0F, 3.0F) FROM range(2)";
    }

    private static Input parquet(String sql, String... extra) {
        return parquetAt("input", sql, extra);
    }

    private static Input parquetAt(String where, String sql, String... extra) {
        return dir -> {
            Path p = dir.resolve(where);
            SPARK.sql(sql).write().parquet(p.toString());
            List<String> args = new ArrayList<>(List.of("--input", p.toString()));
            args.addAll(List.of(extra));
            return args;
        };
    }

    /** One input directory of the files of two datasets (a-part-…, b-part-…) written in {@code format}. */
    private static Input mixed(String format, String sqlA, String sqlB, String... extra) {
        return dir -> {
            Path input = Files.createDirectories(dir.resolve("input"));
            for (String part : List.of("a", "b")) {
                Path written = dir.resolve("written-" + part);
                SPARK.sql(part.equals("a") ? sqlA : sqlB).coalesce(1).write().format(format).save(written.toString());
                try (Stream<Path> files = Files.list(written)) {
                    for (Path f : files.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                        Files.copy(f, input.resolve(part + "-" + f.getFileName()));
                    }
                }
            }
            List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--format", format));
            args.addAll(List.of(extra));
            return args;
        };
    }

    /** {@code input} with more flags. */
    private static Input with(Input input, String... extra) {
        return dir -> {
            List<String> args = new ArrayList<>(input.write(dir));
            args.addAll(List.of(extra));
            return args;
        };
    }

    /**
     * Parquet files laid out as a Delta table's, partitioned by {@code partition}, with a
     * _delta_log/ beside them (its content does not matter: the reader looks for the directory);
     * the input is {@code read}, the table or a directory inside it. Real Delta tables: TablesIT.
     */
    private static Input deltaLike(String read, String partition) {
        return dir -> {
            Path table = dir.resolve("input");
            SPARK.sql(good()).write().partitionBy(partition).parquet(table.toString());
            Files.createDirectories(table.resolve("_delta_log"));
            Files.writeString(table.resolve("_delta_log/00000000000000000000.json"), "{\"commitInfo\": {}}\n");
            return List.of("--input", dir.resolve(read).toString());
        };
    }

    private static Input jsonLines(String... lines) {
        return textFile("input.jsonl", "json", lines);
    }

    private static Input csv(String... lines) {
        return textFile("input.csv", "csv", lines);
    }

    /** A CSV file of exactly this text (line ends as given). */
    private static Input csvText(String text, String... extra) {
        return dir -> {
            Path p = dir.resolve("input.csv");
            Files.writeString(p, text);
            List<String> args = new ArrayList<>(List.of("--input", p.toString(), "--format", "csv"));
            args.addAll(List.of(extra));
            return args;
        };
    }

    /** Rows per slice of a single --group-by column, from summary.json. */
    private static Map<String, Long> sliceRows(JsonNode summary) {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (JsonNode slice : summary.get("slices")) {
            rows.put(slice.get("key").elements().next().asText(), slice.get("rows").asLong());
        }
        return rows;
    }

    private static Input textFile(String name, String format, String... lines) {
        return dir -> {
            Path p = dir.resolve(name);
            try {
                Files.createDirectories(p.getParent());
                Files.write(p, List.of(lines));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return List.of("--input", p.toString(), "--format", format);
        };
    }
}
