package org.smoothkl.aggregate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collate;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.hex;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.min;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StringType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.EngineChoice;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.engine.CpuMetricsEngine;
import org.smoothkl.input.AuditInput;
import org.smoothkl.input.InputReader;
import org.smoothkl.loss.Preset;

/**
 * Every Spark type a slice can be grouped by, on 3000 rows in three Parquet files with six values
 * and null per slice column: the slices are Spark's own groups (one per value as Spark groups
 * them: −0.0 with 0.0, every NaN together, binary by content, collated strings by collation), each
 * with Spark's {@code groupBy().count()}, adding up to every row; the CPU engine's pre-aggregated
 * path (levels on the driver and in SQL) and the SQL path give the same summaries bit for bit; and
 * a whole run writes one distinctly named slice per group in summary.json, histograms.csv and
 * histograms/. (The types that name no slice are refused: {@code BadInputMatrixTest}.)
 */
class GroupByTypesTest {
    private static final GapHistogramSpec HISTOGRAM = new GapHistogramSpec(20, 0, 10);
    private static final CalibrationSpec CALIBRATION = new CalibrationSpec(15);
    private static final long ROWS = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Slice values by {@code v = id % 6}; every seventh row null. */
    static Stream<Arguments> types() {
        return Stream.of(
                one("boolean", "v % 2 = 0"),
                one("tinyint", "CAST(v - 3 AS TINYINT)"),
                one("smallint", "CAST(v * 1000 - 2500 AS SMALLINT)"),
                one("int", "CAST(v * 100000 - 1 AS INT)"),
                one("bigint", "v * 10000000000 - 3"),
                // −0.0 groups with 0.0, NaN with −NaN: four slices and null
                one("float", "CASE v WHEN 0 THEN CAST('NaN' AS FLOAT) WHEN 1 THEN -CAST('NaN' AS FLOAT) WHEN 2 THEN -0.0F"
                        + " WHEN 3 THEN 0.0F WHEN 4 THEN 1.5F ELSE CAST('-Infinity' AS FLOAT) END"),
                one("double", "CASE v WHEN 0 THEN CAST('NaN' AS DOUBLE) WHEN 1 THEN -CAST('NaN' AS DOUBLE) WHEN 2 THEN -0.0D"
                        + " WHEN 3 THEN 0.0D WHEN 4 THEN 1e-300D ELSE CAST('Infinity' AS DOUBLE) END"),
                one("decimal(5,2)", "CAST(v * 1.25 - 3 AS DECIMAL(5,2))"),
                one("decimal(18,0)", "CAST(v * 100000000000000000 AS DECIMAL(18,0))"),
                one("decimal(38,10)", "CAST(v * 12345678901234567 / 7 AS DECIMAL(38,10))"),
                one("string", "CASE v WHEN 0 THEN '' WHEN 1 THEN 'é' WHEN 2 THEN 'e' WHEN 3 THEN 'E' WHEN 4 THEN 'a b'"
                        + " ELSE '𝄞' END"),
                // "A" with "a", "É" with "é": three slices and null, named by the smallest spelling
                one("string collate UTF8_LCASE", "CAST(CASE v WHEN 0 THEN 'a' WHEN 1 THEN 'A' WHEN 2 THEN 'b'"
                        + " WHEN 3 THEN 'É' WHEN 4 THEN 'é' ELSE 'a' END AS STRING COLLATE UTF8_LCASE)"),
                one("string collate UNICODE_CI", "CAST(CASE v WHEN 0 THEN 'x' WHEN 1 THEN 'X' WHEN 2 THEN 'y'"
                        + " WHEN 3 THEN 'Ö' WHEN 4 THEN 'ö' ELSE 'z' END AS STRING COLLATE UNICODE_CI)"),
                one("binary", "CASE v WHEN 0 THEN X'00FF' WHEN 1 THEN X'' WHEN 2 THEN X'00' WHEN 3 THEN X'0000'"
                        + " WHEN 4 THEN X'FF' ELSE X'01' END"),
                one("date", "date_add(DATE'1969-12-30', CAST(v AS INT) * 400)"),
                one("timestamp", "timestamp_micros(1700000000000000 + v * 1000001)"),
                one("timestamp_ntz", "CAST(timestamp_micros(v * 86400000001) AS TIMESTAMP_NTZ)"),
                Arguments.of("binary, collated string and double together",
                        List.of("CASE v % 2 WHEN 0 THEN X'0A' ELSE X'0B' END",
                                "CAST(CASE v % 3 WHEN 0 THEN 'q' WHEN 1 THEN 'Q' ELSE 'r' END AS STRING COLLATE UTF8_LCASE)",
                                "IF(v < 3, -0.0D, 0.0D)")));
    }

    private static Arguments one(String type, String value) {
        return Arguments.of(type, List.of(value));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void slicesAreSparksGroups(String type, List<String> values) throws IOException {
        SparkSession spark = SparkTestSession.get();
        List<String> groupBy = new ArrayList<>();
        StringBuilder select = new StringBuilder("SELECT ");
        for (int c = 0; c < values.size(); c++) {
            groupBy.add("k" + c);
            select.append("IF(id % 7 = 0, NULL, ").append(values.get(c)).append(") AS k").append(c).append(", ");
        }
        Path data = tmp.resolve("data");
        spark.sql(select + "CAST(id % 3 AS INT) AS label, array(CAST(sin(id) * 4 AS FLOAT), 1.0F, 2.0F) AS logits"
                + " FROM (SELECT id, id % 6 AS v FROM range(0, " + ROWS + ", 1, 3))").write().parquet(data.toString());
        Dataset<Row> raw = spark.read().parquet(data.toString());
        if (values.size() == 1) {
            assertThat(raw.schema().apply("k0").dataType().simpleString()).isEqualTo(type);
        }
        Map<List<Object>, Long> expected = sparkGroups(raw, groupBy);
        assertThat(expected).as("several slices and null").hasSizeGreaterThan(2);

        AuditSpec spec = spec(data, groupBy);
        FirstLevelPreAggregationTest.withOnePartitionPerFile(() -> {
            AuditInput input = InputReader.read(spark, spec);
            assertThat(input.frame().rdd().getNumPartitions()).isEqualTo(3);
            Map<SliceKey, SliceSummary> sql = AuditAggregation.ofScored(new CpuMetricsEngine().withMetrics(input,
                    spec.smoothing()), spec);
            assertThat(rowsBySlice(sql)).as("slices and their rows: Spark's groupBy().count()").isEqualTo(expected);
            assertThat(sql.values().stream().mapToLong(SliceSummary::rows).sum()).isEqualTo(ROWS);
            assertThat(sql.keySet().stream().map(SliceKey::label).distinct().count()).as("labels").isEqualTo(sql.size());
            if (CpuMetricsEngine.canAggregate(input)) {
                assertSamePreAggregated(input, spec, sql, k -> k);
            } else { // collated strings: the SQL path only; against the pre-aggregated one over the lower-cased column
                assertThat(groupBy.stream().anyMatch(g -> collated(raw, g))).as("only collations take the SQL path").isTrue();
                Path lowered = tmp.resolve("lowered");
                List<Column> columns = new ArrayList<>();
                for (String g : raw.columns()) {
                    columns.add(collated(raw, g) ? collate(lower(col(g)), "UTF8_BINARY").as(g) : col(g));
                }
                raw.select(columns.toArray(Column[]::new)).write().parquet(lowered.toString());
                AuditSpec lowerSpec = spec(lowered, groupBy);
                assertSamePreAggregated(InputReader.read(spark, lowerSpec), lowerSpec, sql, GroupByTypesTest::lowerCased);
            }
        });

        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("run", "--input", data.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--group-by", String.join(",", groupBy), "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        String summaryText = Files.readString(out.resolve("summary.json"));
        String csv = Files.readString(out.resolve("histograms.csv"));
        assertThat(summaryText + csv).as("no array identities").doesNotContain("[B@");
        JsonNode slices = JSON.readTree(summaryText).get("slices");
        assertThat(slices).hasSize(expected.size());
        Set<String> keys = new HashSet<>();
        long rows = 0;
        for (JsonNode s : slices) {
            keys.add(s.get("key").toString());
            rows += s.get("rows").asLong();
        }
        assertThat(keys).as("distinct keys in summary.json").hasSize(expected.size());
        assertThat(rows).isEqualTo(ROWS);
        long histogramSlices = spark.read().parquet(out.resolve("histograms").toString())
                .select(groupBy.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new)).distinct().count();
        assertThat(histogramSlices).as("slices in histograms/").isEqualTo(expected.size());
        if (type.equals("binary")) {
            assertThat(keys).contains("{\"k0\":\"0x00ff\"}", "{\"k0\":\"0x\"}", "{\"k0\":\"0x0000\"}", "{\"k0\":null}");
        }
    }

    /** Binary slices by content, labelled in hex, on the pre-aggregated path. */
    @Test
    void binaryLabelsAreHex() {
        SparkSession spark = SparkTestSession.get();
        Path data = tmp.resolve("bytes");
        spark.sql("SELECT IF(id % 3 = 0, X'00FF', X'7F') AS b, CAST(id % 3 AS INT) AS label,"
                + " array(1.0F, 2.0F, 3.0F) AS logits FROM range(12)").write().parquet(data.toString());
        AuditSpec spec = spec(data, List.of("b"));
        AuditInput input = InputReader.read(spark, spec);
        Map<SliceKey, SliceSummary> slices = AuditAggregation.ofPartitionLevel(
                new CpuMetricsEngine().partitionLevel(input, spec.smoothing(), HISTOGRAM, CALIBRATION, spec.maxSlices()), spec);
        assertThat(slices.keySet()).extracting(SliceKey::label).containsExactlyInAnyOrder("b=\"0x00ff\"", "b=\"0x7f\"");
        assertThat(slices.values()).extracting(SliceSummary::rows).containsExactlyInAnyOrder(4L, 8L);
    }

    /** The pre-aggregated path on the driver and in SQL against the SQL path's slices, keys mapped by {@code key}. */
    private static void assertSamePreAggregated(AuditInput input, AuditSpec spec, Map<SliceKey, SliceSummary> sql,
                                                java.util.function.UnaryOperator<SliceKey> key) {
        Dataset<Row> partitions = new CpuMetricsEngine().partitionLevel(input, spec.smoothing(), HISTOGRAM, CALIBRATION, spec.maxSlices());
        Map<SliceKey, SliceSummary> onDriver = AuditAggregation.ofPartitionLevel(partitions, spec);
        Map<SliceKey, SliceSummary> inSql = AuditAggregation.ofPartitionLevel(partitions, spec, 0);
        Map<SliceKey, SliceSummary> expected = new HashMap<>();
        sql.forEach((k, s) -> expected.put(key.apply(k), s));
        assertThat(onDriver.keySet()).isEqualTo(expected.keySet());
        assertThat(inSql.keySet()).isEqualTo(expected.keySet());
        for (SliceKey k : expected.keySet()) {
            FirstLevelPreAggregationTest.assertSameBits(k + " (levels on the driver)", onDriver.get(k), expected.get(k));
            FirstLevelPreAggregationTest.assertSameBits(k + " (levels in SQL)", inSql.get(k), expected.get(k));
        }
    }

    /**
     * Spark's own groups of the slice columns with their row counts, each value as the audit names
     * it: binary as hex text, a collated string by its group's smallest spelling.
     */
    private static Map<List<Object>, Long> sparkGroups(Dataset<Row> raw, List<String> groupBy) {
        List<Column> aggregates = new ArrayList<>();
        aggregates.add(count(lit(1)).as("_n"));
        for (String g : groupBy) {
            Column name = collated(raw, g) ? collate(col(g), "UTF8_BINARY")
                    : raw.schema().apply(g).dataType() instanceof org.apache.spark.sql.types.BinaryType
                    ? concat(lit("0x"), lower(hex(col(g)))) : col(g);
            aggregates.add(min(name).as("_name_" + g));
        }
        Map<List<Object>, Long> groups = new HashMap<>();
        Dataset<Row> counted = raw.groupBy(groupBy.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new))
                .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new));
        for (Row r : counted.collectAsList()) {
            List<Object> names = new ArrayList<>();
            for (int c = 0; c < groupBy.size(); c++) {
                Object v = r.get(c);
                boolean asKey = v instanceof Float || v instanceof Double; // min() keeps −0.0; the group key is 0.0
                names.add(asKey ? v : r.getAs("_name_" + groupBy.get(c)));
            }
            assertThat(groups.put(names, r.<Long>getAs("_n"))).as("one group per name %s", names).isNull();
        }
        return groups;
    }

    private static Map<List<Object>, Long> rowsBySlice(Map<SliceKey, SliceSummary> slices) {
        Map<List<Object>, Long> rows = new HashMap<>();
        slices.forEach((k, s) -> rows.put(k.values(), s.rows()));
        return rows;
    }

    private static boolean collated(Dataset<Row> frame, String column) {
        return frame.schema().apply(column).dataType() instanceof StringType st && !st.supportsBinaryEquality();
    }

    private static SliceKey lowerCased(SliceKey k) {
        return new SliceKey(k.columns(), k.values().stream()
                .map(v -> v instanceof String s ? s.toLowerCase(java.util.Locale.ROOT) : v).toList());
    }

    private static AuditSpec spec(Path input, List<String> groupBy) {
        return new AuditSpec(input.toString(), InputFormat.PARQUET, "logits", "label", Preset.SEED, Preset.SEED.with(0.1, null),
                groupBy, HISTOGRAM, CALIBRATION, List.of(), null, null, "test", input.resolveSibling("unused").toString(), false,
                false, EngineChoice.CPU);
    }
}
