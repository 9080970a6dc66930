package org.smoothkl.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarArray;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.SparkTestSession;
import org.smoothkl.spark.SparkInternals;

/**
 * The page decoder gives the rows Spark's own reader gives (same order, nulls, lengths and value
 * bits) on every shape and encoding it takes, across file splits, row groups and pages; it is
 * the path taken for plain Parquet, and a file it does not handle goes to Spark's reader.
 */
class LogitsParquetFormatTest {
    private static final SparkSession SPARK = SparkTestSession.get();
    private static final String OPTIONAL_LIST = "message m { required int64 id; optional int32 label;"
            + " optional group logits (LIST) { repeated group list { optional %s element; } } }";
    private static final String REQUIRED_LIST = "message m { required int64 id; optional int32 label;"
            + " required group logits (LIST) { repeated group list { required %s element; } } }";
    private static final String TWO_LEVEL_LIST = "message m { required int64 id; optional int32 label;"
            + " optional group logits (LIST) { repeated %s array; } }";

    @TempDir
    Path tmp;

    /** One fixture: how the file is written and what its rows hold. */
    private record Shape(String name, String schema, boolean doubles, ParquetProperties.WriterVersion version,
                         boolean dictionary, CompressionCodecName codec, boolean nulls, boolean byteStreamSplit) {
    }

    private static List<Shape> decodedShapes() {
        List<Shape> shapes = new ArrayList<>();
        ParquetProperties.WriterVersion v1 = ParquetProperties.WriterVersion.PARQUET_1_0;
        ParquetProperties.WriterVersion v2 = ParquetProperties.WriterVersion.PARQUET_2_0;
        for (boolean doubles : new boolean[] {false, true}) {
            String type = doubles ? "double" : "float";
            shapes.add(new Shape("plain v1 snappy " + type, OPTIONAL_LIST.formatted(type), doubles, v1, false,
                    CompressionCodecName.SNAPPY, false, false));
            shapes.add(new Shape("nulls v1 zstd " + type, OPTIONAL_LIST.formatted(type), doubles, v1, false,
                    CompressionCodecName.ZSTD, true, false));
            shapes.add(new Shape("dictionary v1 gzip " + type, OPTIONAL_LIST.formatted(type), doubles, v1, true,
                    CompressionCodecName.GZIP, true, false));
            shapes.add(new Shape("plain v2 snappy " + type, OPTIONAL_LIST.formatted(type), doubles, v2, false,
                    CompressionCodecName.SNAPPY, true, false));
            shapes.add(new Shape("dictionary v2 uncompressed " + type, OPTIONAL_LIST.formatted(type), doubles, v2, true,
                    CompressionCodecName.UNCOMPRESSED, false, false));
        }
        // dictionary pages first, then PLAIN once the dictionary outgrows its page (as parquet-java and pyarrow write)
        shapes.add(new Shape("dictionary fallback v1 snappy float", OPTIONAL_LIST.formatted("float"), false, v1, true,
                CompressionCodecName.SNAPPY, true, false));
        shapes.add(new Shape("dictionary fallback v2 snappy double", OPTIONAL_LIST.formatted("double"), true, v2, true,
                CompressionCodecName.SNAPPY, false, false));
        shapes.add(new Shape("byte stream split v1 float", OPTIONAL_LIST.formatted("float"), false, v1, false,
                CompressionCodecName.SNAPPY, true, true));
        shapes.add(new Shape("byte stream split v2 double", OPTIONAL_LIST.formatted("double"), true, v2, false,
                CompressionCodecName.ZSTD, false, true));
        shapes.add(new Shape("required list", REQUIRED_LIST.formatted("float"), false, v1, false,
                CompressionCodecName.UNCOMPRESSED, false, false));
        shapes.add(new Shape("two-level list with nulls", TWO_LEVEL_LIST.formatted("float"), false, v1, false,
                CompressionCodecName.SNAPPY, true, false));
        return shapes;
    }

    @Test
    void everyShapeReadsAsSparksReaderReadsIt() throws IOException {
        for (Shape shape : decodedShapes()) {
            Path file = tmp.resolve(shape.name().replace(' ', '_') + ".parquet");
            write(file, shape, 3000, 11);
            assertThat(encodings(file).contains(Encoding.BYTE_STREAM_SPLIT)).as(shape.name()).isEqualTo(shape.byteStreamSplit());
            if (shape.dictionary()) {
                assertThat(encodings(file)).as(shape.name()).containsAnyOf(Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY);
                assertThat(nonDictionaryPages(file)).as(shape.name() + ": PLAIN pages after the dictionary's")
                        .isEqualTo(shape.name().contains("fallback"));
            } else {
                assertThat(encodings(file)).as(shape.name()).doesNotContain(Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY);
            }
            assertThat(rowGroups(file)).as(shape.name() + ": several row groups").isGreaterThan(2);
            // small splits: some hold no row group's midpoint, most hold several pages
            // (Spark 4.0's vectorized reader refuses BYTE_STREAM_SPLIT: parquet-java's record reader is the reference there)
            withSplitBytes(16 * 1024, () -> assertSameRows(shape.name(), SPARK.read().parquet(file.toString()), true,
                    !shape.byteStreamSplit()));
        }
    }

    /** Files pyarrow wrote (src/test/resources/parquet/write_pyarrow_fixtures.py): a producer other than parquet-java. */
    @Test
    void pyarrowsFilesReadAsSparksReaderReadsThem() throws Exception {
        for (String name : List.of("pyarrow-defaults-float", "pyarrow-v2-zstd-double", "pyarrow-byte-stream-split-float")) {
            Path file = Path.of(getClass().getResource("/parquet/" + name + ".parquet").toURI());
            assertThat(rowGroups(file)).as(name).isGreaterThan(2);
            boolean split = name.contains("byte-stream-split");
            assertThat(encodings(file).contains(Encoding.BYTE_STREAM_SPLIT)).as(name).isEqualTo(split);
            withSplitBytes(40 * 1024, () -> assertSameRows(name, SPARK.read().parquet(file.toString()), true, !split));
        }
    }

    @Test
    void partitionColumnsAndSparksOwnFilesReadAsBefore() throws IOException {
        Path dir = tmp.resolve("partitioned");
        SPARK.range(0, 4000, 1, 3).selectExpr("id", "cast(id % 7 as int) as label",
                        "transform(sequence(0, cast(id % 13 as int)), j -> cast(sin(id * 31 + j) * 9 as float)) as logits",
                        "cast(id % 3 as string) as part")
                .write().partitionBy("part").parquet(dir.toString());
        Dataset<Row> frame = SPARK.read().parquet(dir.toString());
        assertThat(frame.columns()).containsExactly("id", "label", "logits", "part");
        assertSameRows("partitioned", frame, true);

        // Spark's legacy layout (Hive and Impala readers): repeated group bag { optional float array }
        Path legacy = tmp.resolve("legacy");
        SparkTestSession.withConf("spark.sql.parquet.writeLegacyFormat", true,
                () -> frame.drop("part").write().parquet(legacy.toString()));
        Path part;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(legacy)) {
            part = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        try (ParquetFileReader r = ParquetFileReader.open(new Configuration(), new org.apache.hadoop.fs.Path(part.toString()))) {
            assertThat(r.getFooter().getFileMetaData().getSchema().getType("logits").asGroupType().getType(0).getName())
                    .isEqualTo("bag");
        }
        assertSameRows("legacy list layout", SPARK.read().parquet(legacy.toString()), true);
    }

    @Test
    void offHeapVectorsReadTheSame() throws IOException {
        Path file = tmp.resolve("offheap.parquet");
        write(file, new Shape("nulls", OPTIONAL_LIST.formatted("float"), false, ParquetProperties.WriterVersion.PARQUET_1_0,
                false, CompressionCodecName.SNAPPY, true, false), 1500, 7);
        SparkTestSession.withConf("spark.sql.columnVector.offheap.enabled", true,
                () -> assertSameRows("off-heap vectors", SPARK.read().parquet(file.toString()), true));
    }

    /**
     * A file with an encrypted column (the label, with its own key) and its footer in plaintext, so
     * that parquet-java opens it without keys: the decoder leaves it to Spark's reader. (A column
     * encrypted with the footer key already fails parquet-java's open, which also leaves the file
     * to Spark's reader.)
     */
    @Test
    void encryptedFilesAreRefused() throws IOException {
        Path file = tmp.resolve("encrypted.parquet");
        MessageType schema = MessageTypeParser.parseMessageType(OPTIONAL_LIST.formatted("float"));
        byte[] key = "0123456789012345".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toString()))
                .withType(schema).withConf(new Configuration())
                .withEncryption(org.apache.parquet.crypto.FileEncryptionProperties.builder(key).withPlaintextFooter()
                        .withEncryptedColumns(Map.of(org.apache.parquet.hadoop.metadata.ColumnPath.get("label"),
                                org.apache.parquet.crypto.ColumnEncryptionProperties.builder("label")
                                        .withKey("5432109876543210".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).build()))
                        .build())
                .build()) {
            for (int i = 0; i < 20; i++) {
                Group g = groups.newGroup().append("id", (long) i).append("label", i % 3);
                Group list = g.addGroup("logits");
                for (int j = 0; j < 4; j++) {
                    list.addGroup("list").append("element", i + j * 0.5f);
                }
                writer.write(g);
            }
        }
        LogitsColumnReader.Opened opened = LogitsColumnReader.open(new Configuration(), new org.apache.hadoop.fs.Path(file.toString()),
                0, java.nio.file.Files.size(file), "logits", true);
        assertThat(opened.reader()).isNull();
        assertThat(opened.unsupported()).isEqualTo("an encrypted file");
    }

    @Test
    void filesItDoesNotHandleGoToSparksReader() throws IOException {
        Path dir = tmp.resolve("mixed");
        Shape plain = new Shape("plain", OPTIONAL_LIST.formatted("float"), false,
                ParquetProperties.WriterVersion.PARQUET_1_0, false, CompressionCodecName.SNAPPY, true, false);
        write(dir.resolve("a.parquet"), plain, 500, 3);
        // the column's name in another case (a metastore table's lower-cased schema over such files)
        write(dir.resolve("b.parquet"), new Shape("other case", plain.schema().replace("logits", "Logits"), false,
                plain.version(), false, plain.codec(), true, false), 500, 4);
        // an older file without the column: Spark reads its logits as null
        write(dir.resolve("c.parquet"), new Shape("no logits", "message m { required int64 id; optional int32 label; }",
                false, plain.version(), false, plain.codec(), true, false), 50, 5);
        Dataset<Row> frame = SPARK.read().schema("id bigint, label int, logits array<float>").parquet(dir.toString());
        Map<String, Long> counts = assertSameRows("mixed", frame, false);
        assertThat(counts).containsEntry(ReadCounts.DECODED, 1L)
                .containsEntry("no column logits in the file (another case, or a later schema)", 2L).hasSize(2);
    }

    @Test
    void onlySparksOwnParquetScanTakesTheDecoder() {
        Path orc = tmp.resolve("orc");
        SPARK.range(0, 100).selectExpr("cast(id % 3 as int) as label", "array(cast(id as float), 1.0f) as logits")
                .write().orc(orc.toString());
        SparkInternals.LogitsRead<ColumnarBatch> scan = SparkInternals.logitsBatches(SPARK.read().orc(orc.toString()), "logits");
        assertThat(scan.counts()).isNull();
        assertThat(scan.because()).contains("ORC");
        Path parquet = tmp.resolve("parquet");
        SPARK.range(0, 100).selectExpr("cast(id % 3 as int) as label", "array(cast(id as float), 1.0f) as logits")
                .write().parquet(parquet.toString());
        assertThat(SparkInternals.logitsBatches(SPARK.read().parquet(parquet.toString()).where("label = 1"), "logits"))
                .as("a filtered frame is no plain scan").isNull();
    }

    /**
     * The decoder's rows equal Spark's reader's, compared as text with every value's bits; the
     * splits all decoded when {@code onlyDecoded}. Returns the split counts.
     */
    private static Map<String, Long> assertSameRows(String what, Dataset<Row> frame, boolean onlyDecoded) {
        return assertSameRows(what, frame, onlyDecoded, true);
    }

    private static Map<String, Long> assertSameRows(String what, Dataset<Row> frame, boolean onlyDecoded, boolean vectorized) {
        List<String> expected = new ArrayList<>();
        SparkTestSession.withConf("spark.sql.parquet.enableVectorizedReader", vectorized, () -> {
            for (Row r : frame.select("*").collectAsList()) { // planned anew, under this setting
                expected.add(describe(r));
            }
        });
        SparkInternals.LogitsRead<ColumnarBatch> scan = SparkInternals.logitsBatches(frame, "logits");
        assertThat(scan).as(what + ": a plain columnar scan").isNotNull();
        assertThat(scan.counts()).as(what + ": " + scan.because()).isNotNull();
        int logits = List.of(frame.columns()).indexOf("logits");
        boolean doubles = frame.schema().apply("logits").dataType().sql().contains("DOUBLE");
        FlatMapFunction<Iterator<ColumnarBatch>, String> rows = batches -> {
            List<String> out = new ArrayList<>();
            while (batches.hasNext()) {
                ColumnarBatch b = batches.next();
                for (int r = 0; r < b.numRows(); r++) {
                    out.add(describe(b, r, logits, doubles));
                }
            }
            return out.iterator();
        };
        List<String> actual = scan.data().toJavaRDD().mapPartitions(rows).collect();
        assertThat(actual).as(what).containsExactlyInAnyOrderElementsOf(expected);
        Map<String, Long> counts = scan.counts().value();
        if (onlyDecoded) {
            assertThat(counts.keySet()).as(what).containsExactly(ReadCounts.DECODED);
        }
        return counts;
    }

    private static String describe(Row r) {
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < r.size(); c++) {
            Object v = r.get(c);
            if (v instanceof scala.collection.Seq<?> seq) {
                s.append('[');
                scala.collection.Iterator<?> it = seq.iterator();
                while (it.hasNext()) {
                    s.append(bits(it.next())).append(',');
                }
                s.append(']');
            } else {
                s.append(v);
            }
            s.append('|');
        }
        return s.toString();
    }

    private static String describe(ColumnarBatch b, int r, int logits, boolean doubles) {
        StringBuilder s = new StringBuilder();
        for (int c = 0; c < b.numCols(); c++) {
            ColumnVector v = b.column(c);
            if (v.isNullAt(r)) {
                s.append("null");
            } else if (c == logits) {
                ColumnarArray a = v.getArray(r);
                s.append('[');
                for (int j = 0; j < a.numElements(); j++) {
                    s.append(a.isNullAt(j) ? "null" : doubles ? bits(a.getDouble(j)) : bits(a.getFloat(j))).append(',');
                }
                s.append(']');
            } else {
                Object value = v.dataType().sql().equals("BIGINT") ? v.getLong(r)
                        : v.dataType().sql().equals("INT") ? v.getInt(r) : v.getUTF8String(r).toString();
                s.append(value);
            }
            s.append('|');
        }
        return s.toString();
    }

    private static String bits(Object value) {
        if (value == null) {
            return "null";
        }
        return value instanceof Float f ? "f" + Integer.toHexString(Float.floatToRawIntBits(f))
                : "d" + Long.toHexString(Double.doubleToRawLongBits((Double) value));
    }

    /** {@code rows} rows: K from 0 to 40 and now and then 700 (rows spanning pages), odd values among them. */
    private static void write(Path file, Shape shape, int rows, long seed) throws IOException {
        MessageType schema = MessageTypeParser.parseMessageType(shape.schema());
        boolean twoLevel = shape.schema().contains("repeated float array") || shape.schema().contains("repeated double array");
        boolean required = shape.schema().contains("required group logits");
        Random random = new Random(seed);
        float[] odd = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE};
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toString()))
                .withType(schema).withConf(new Configuration()).withWriterVersion(shape.version())
                .withDictionaryEncoding(shape.dictionary()).withCompressionCodec(shape.codec())
                .withByteStreamSplitEncoding(shape.byteStreamSplit())
                .withPageRowCountLimit(50).withPageSize(2048).withRowGroupSize(24 * 1024L)
                .withDictionaryPageSize(shape.name().contains("fallback") ? 256 : 1024 * 1024).build()) {
            for (int i = 0; i < rows; i++) {
                Group g = groups.newGroup().append("id", (long) i);
                if (!shape.nulls() || i % 17 != 3) {
                    g.append("label", random.nextInt(10));
                }
                boolean nullList = shape.nulls() && !required && i % 11 == 5;
                if (!nullList && schema.containsField(shape.schema().contains("Logits") ? "Logits" : "logits")) {
                    Group list = g.addGroup(schema.containsField("Logits") ? "Logits" : "logits");
                    int k = i % 97 == 1 ? 700 : shape.nulls() && i % 13 == 7 ? 0 : random.nextInt(41);
                    for (int j = 0; j < k; j++) {
                        boolean nullElement = shape.nulls() && !twoLevel && !required && random.nextInt(50) == 0;
                        boolean fewValues = shape.dictionary() && (!shape.name().contains("fallback") || i < rows / 3);
                        float value = fewValues ? (random.nextInt(6) - 2) * 0.75f
                                : random.nextInt(40) == 0 ? odd[random.nextInt(odd.length)] : (float) random.nextGaussian() * 4;
                        if (twoLevel) {
                            list.append("array", value);
                        } else {
                            Group element = list.addGroup("list");
                            if (!nullElement) {
                                if (shape.doubles()) {
                                    element.append("element", value * 1.000000001);
                                } else {
                                    element.append("element", value);
                                }
                            }
                        }
                    }
                }
                writer.write(g);
            }
        }
    }

    private static Set<Encoding> encodings(Path file) throws IOException {
        Set<Encoding> all = new TreeSet<>();
        try (ParquetFileReader r = ParquetFileReader.open(new Configuration(), new org.apache.hadoop.fs.Path(file.toString()))) {
            for (BlockMetaData b : r.getRowGroups()) {
                for (ColumnChunkMetaData c : b.getColumns()) {
                    if (c.getPath().toDotString().startsWith("logits")) {
                        all.addAll(c.getEncodings());
                    }
                }
            }
        }
        return all;
    }

    /** Whether some data page of the logits column is not dictionary-encoded (parquet-java's encoding stats). */
    private static boolean nonDictionaryPages(Path file) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(new Configuration(), new org.apache.hadoop.fs.Path(file.toString()))) {
            for (BlockMetaData b : r.getRowGroups()) {
                for (ColumnChunkMetaData c : b.getColumns()) {
                    if (c.getPath().toDotString().startsWith("logits") && c.getEncodingStats().hasNonDictionaryEncodedPages()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static int rowGroups(Path file) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(new Configuration(), new org.apache.hadoop.fs.Path(file.toString()))) {
            return r.getRowGroups().size();
        }
    }

    private static void withSplitBytes(long bytes, Runnable body) {
        SparkTestSession.withConf("spark.sql.files.maxPartitionBytes", bytes,
                () -> SparkTestSession.withConf("spark.sql.files.openCostInBytes", 0, body));
    }
}
