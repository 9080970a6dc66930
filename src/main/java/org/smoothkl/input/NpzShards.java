package org.smoothkl.input;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.SerializableConfiguration;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.spark.SparkInternals;

/**
 * {@code --format npz}: a directory (or file, or glob) of NumPy {@code .npz} shards, each holding a
 * logits array [N, K] and a labels array [N], named by --logits-col and --label-col (the arrays
 * {@code <name>.npy} inside the zip). One Spark task per shard reads it whole, checks both
 * headers itself ({@link NpyHeader}: little-endian, C order, logits float16/32/64 of rank 2, labels
 * int32/64 of rank 1, the same N, all the bytes there), and only then lets ND4J's NumPy reader
 * parse the data ({@code Nd4jNumpy}, the one class that touches ND4J, loaded once per JVM).
 * A shard that fails a check stops the run with exit 2 naming the shard and the array; ND4J never
 * sees it, so the JVM lives.
 *
 * <p>The frame: {@value #SHARD} (the shard's file name, a slice column for --group-by), the label
 * as bigint and the logits as array&lt;double&gt; (float16/32 widen exactly), so shards of
 * different dtypes read alike and the driver need not open any shard to know the schema.
 */
public final class NpzShards {
    /** The column holding each row's shard file name. */
    public static final String SHARD = "shard";
    static final String ND4J_CLASS = "org.nd4j.linalg.factory.Nd4j";
    private static final Set<String> LOGIT_TYPES = Set.of("f2", "f4", "f8");
    private static final Set<String> LABEL_TYPES = Set.of("i4", "i8");

    private NpzShards() {
    }

    static Dataset<Row> read(SparkSession spark, AuditSpec spec) {
        requireNd4j();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<String> shards = list(conf, spec.input());
        StructType schema = new StructType()
                .add(SHARD, DataTypes.StringType, false)
                .add(spec.labelColumn(), DataTypes.LongType, false)
                .add(spec.logitsColumn(), DataTypes.createArrayType(DataTypes.DoubleType, false), false);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        var rows = jsc.parallelize(shards, shards.size())
                .mapPartitions(new ReadShards(new SerializableConfiguration(conf), spec.logitsColumn(), spec.labelColumn()));
        return SparkInternals.frameOf(spark, rows.rdd(), schema);
    }

    /** ND4J is optional (provided): without it, npz input is a usage error, not a crash in a task. */
    static void requireNd4j() {
        try {
            Class.forName(ND4J_CLASS, false, NpzShards.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new AuditInputException("--format npz needs ND4J on the classpath (org.nd4j:nd4j-native:1.0.0-M2.1 "
                    + "and its linux-x86_64 natives; see src/site/markdown/inputs.md, 'NumPy .npz shards')");
        }
    }

    /** The .npz files of {@code input}: a directory's *.npz (sorted), a file, or a glob's matches. */
    static List<String> list(Configuration conf, String input) {
        try {
            Path path = new Path(input);
            FileSystem fs = path.getFileSystem(conf);
            List<String> shards = new ArrayList<>();
            FileStatus[] matches = fs.globStatus(path);
            for (FileStatus m : matches == null ? new FileStatus[0] : matches) {
                if (m.isDirectory()) {
                    for (FileStatus f : fs.listStatus(m.getPath())) {
                        if (f.isFile() && f.getPath().getName().endsWith(".npz")) {
                            shards.add(f.getPath().toString());
                        }
                    }
                } else {
                    shards.add(m.getPath().toString());
                }
            }
            if (shards.isEmpty()) {
                throw new AuditInputException("no .npz shards in " + input);
            }
            shards.sort(null);
            return shards;
        } catch (IOException e) {
            throw new AuditInputException("cannot list the .npz shards in " + input + ": " + e.getMessage(), e);
        }
    }

    /** One shard's two arrays, checked, as Java arrays. */
    record Shard(String name, int rows, int classes, double[] logits, long[] labels) {
    }

    /** Reads and checks {@code path}; every problem is an {@link AuditInputException} naming the shard (and array). */
    static Shard readShard(Configuration conf, String path, String logitsName, String labelName) {
        Path p = new Path(path);
        String name = p.getName();
        byte[] logits = null;
        byte[] labels = null;
        Set<String> arrays = new TreeSet<>();
        try (InputStream in = p.getFileSystem(conf).open(p);
             ZipInputStream zip = new ZipInputStream(new BufferedInputStream(in, 1 << 16))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                String entry = e.getName();
                arrays.add(entry.endsWith(".npy") ? entry.substring(0, entry.length() - 4) : entry);
                if (entry.equals(logitsName + ".npy")) {
                    logits = readAll(zip, path, logitsName);
                } else if (entry.equals(labelName + ".npy")) {
                    labels = readAll(zip, path, labelName);
                }
            }
        } catch (ZipException e) {
            throw new AuditInputException("shard " + path + " is not a readable .npz (zip) file: " + e.getMessage(), e);
        } catch (FileNotFoundException e) {
            throw new AuditInputException("shard " + path + " does not exist", e);
        } catch (IOException e) {
            throw new AuditInputException("cannot read shard " + path + ": " + e.getMessage(), e);
        }
        for (String[] want : new String[][] {{logitsName, logits == null ? null : ""}, {labelName, labels == null ? null : ""}}) {
            if (want[1] == null) {
                throw new AuditInputException("shard " + path + " has no array '" + want[0] + "' (it holds " + arrays
                        + "; name the arrays with --logits-col and --label-col)");
            }
        }
        NpyHeader z = header(path, logitsName, logits);
        NpyHeader y = header(path, labelName, labels);
        check(path, logitsName, z, 2, LOGIT_TYPES, "float16, float32 or float64 [N, K]");
        check(path, labelName, y, 1, LABEL_TYPES, "int32 or int64 [N]");
        checkLength(path, logitsName, z, logits.length);
        checkLength(path, labelName, y, labels.length);
        if (z.shape()[0] != y.shape()[0]) {
            throw new AuditInputException("shard " + path + ": array '" + logitsName + "' has " + z.shape()[0]
                    + " rows and array '" + labelName + "' " + y.shape()[0] + "; expected the same N");
        }
        if (z.items() > Integer.MAX_VALUE - 16) {
            throw new AuditInputException("shard " + path + ", array '" + logitsName + "': " + z.items()
                    + " values are more than one task can hold; write smaller shards");
        }
        int n = (int) z.shape()[0];
        int k = (int) z.shape()[1];
        if (n == 0) {
            return new Shard(name, 0, k, new double[0], new long[0]);
        }
        return new Shard(name, n, k, Nd4jNumpy.doubles(logits), Nd4jNumpy.longs(labels));
    }

    private static NpyHeader header(String path, String array, byte[] npy) {
        try {
            return NpyHeader.parse(npy, npy.length);
        } catch (IllegalArgumentException e) {
            throw new AuditInputException("shard " + path + ", array '" + array + "': " + e.getMessage(), e);
        }
    }

    /** Refuses what ND4J would misread (Fortran order) or die on (big-endian), and wrong ranks, dtypes or sizes. */
    static void check(String path, String array, NpyHeader h, int rank, Set<String> types, String expected) {
        String where = "shard " + path + ", array '" + array + "': ";
        if (h.bigEndian()) {
            throw new AuditInputException(where + "big-endian data (dtype '" + h.descr() + "'); expected little-endian "
                    + expected + " (numpy: arr.astype(arr.dtype.newbyteorder('<')))");
        }
        if (h.fortranOrder()) {
            throw new AuditInputException(where + "Fortran (column-major) order; expected C order "
                    + "(numpy: np.ascontiguousarray(arr) before saving)");
        }
        if (h.shape().length != rank) {
            throw new AuditInputException(where + "shape " + h.shapeText() + " has rank " + h.shape().length
                    + "; expected " + expected);
        }
        if (!types.contains(h.type())) {
            throw new AuditInputException(where + "dtype '" + h.descr() + "'; expected " + expected);
        }
    }

    private static byte[] readAll(ZipInputStream zip, String path, String array) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int r = zip.read(buffer); r >= 0; r = zip.read(buffer)) {
            total += r;
            if (total > Integer.MAX_VALUE - 16) {
                throw new AuditInputException("shard " + path + ", array '" + array + "' is over 2 GB; write smaller shards");
            }
            out.write(buffer, 0, r);
        }
        return out.toByteArray();
    }

    /** Checks the data length against the header: a truncated array is refused before ND4J reads it. */
    static void checkLength(String path, String array, NpyHeader h, int length) {
        long expected = h.dataOffset() + h.items() * h.itemSize();
        if (length != expected) {
            throw new AuditInputException("shard " + path + ", array '" + array + "': " + (length - h.dataOffset())
                    + " data bytes for shape " + h.shapeText() + " of '" + h.descr() + "'; expected "
                    + (expected - h.dataOffset()) + " (truncated?)");
        }
    }

    /** One partition = one shard: its rows (shard, label, logits), produced lazily from the checked arrays. */
    static final class ReadShards implements FlatMapFunction<Iterator<String>, InternalRow> {
        private final SerializableConfiguration conf;
        private final String logitsName;
        private final String labelName;

        ReadShards(SerializableConfiguration conf, String logitsName, String labelName) {
            this.conf = conf;
            this.logitsName = logitsName;
            this.labelName = labelName;
        }

        @Override
        public Iterator<InternalRow> call(Iterator<String> paths) {
            return new Iterator<>() {
                private Shard shard;
                private int next;
                private final GenericInternalRow row = new GenericInternalRow(3);

                @Override
                public boolean hasNext() {
                    while (shard == null || next >= shard.rows()) {
                        if (!paths.hasNext()) {
                            return false;
                        }
                        shard = readShard(conf.value(), paths.next(), logitsName, labelName);
                        next = 0;
                        row.update(0, UTF8String.fromString(shard.name()));
                    }
                    return true;
                }

                @Override
                public InternalRow next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    int i = next++;
                    int k = shard.classes();
                    row.setLong(1, shard.labels()[i]);
                    row.update(2, UnsafeArrayData.fromPrimitiveArray(Arrays.copyOfRange(shard.logits(), i * k, (i + 1) * k)));
                    return row;
                }
            };
        }
    }
}
