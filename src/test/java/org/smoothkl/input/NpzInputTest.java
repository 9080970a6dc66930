package org.smoothkl.input;

import org.smoothkl.SummaryCompare;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;

/**
 * --format npz through ND4J: shards written by numpy (python3 with numpy, when this machine has
 * it; else by {@link NpyWriter}) audit to the same summary as the same data in Parquet; shards
 * ND4J would misread or die on are exit 2 naming the shard and the array, and the JVM goes on.
 */
class NpzInputTest {
    private static final boolean NUMPY = numpyAvailable();
    private static final String SAVE = String.join("\n",
            "import glob, os, sys",
            "import numpy as np",
            "staging, out, mode = sys.argv[1:4]",
            "for f in sorted(glob.glob(os.path.join(staging, '*.logits.npy'))):",
            "    name = os.path.basename(f)[:-len('.logits.npy')]",
            "    z = np.load(f)",
            "    y = np.load(os.path.join(staging, name + '.labels.npy'))",
            "    if mode == 'fortran': z = np.asfortranarray(z)",
            "    if mode == 'bigendian': z = z.astype(z.dtype.newbyteorder('>'))",
            "    save = np.savez_compressed if name.endswith('c') else np.savez",
            "    save(os.path.join(out, name + '.npz'), logits=z, labels=y)",
            "");
    private final SparkSession spark = SparkTestSession.get();

    @TempDir
    Path tmp;

    /** One shard's data: logits in C order (values a float16 holds exactly), their dtype, labels and theirs. */
    record Shard(String name, int k, double[] logits, String logitsType, long[] labels, String labelsType) {
        int rows() {
            return labels.length;
        }

        NpyWriter.Array logitsArray() {
            return new NpyWriter.Array(logits, logitsType, new long[] {rows(), k});
        }

        NpyWriter.Array labelsArray() {
            return new NpyWriter.Array(Arrays.stream(labels).asDoubleStream().toArray(), labelsType, new long[] {rows()});
        }
    }

    private static Shard shard(String name, int n, int k, String logitsType, String labelsType, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] z = new double[n * k];
        for (int i = 0; i < z.length; i++) {
            z[i] = Math.max(-15, Math.min(15, Math.round(r.nextGaussian() * 3 * 64) / 64.0));
        }
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 11 == 3 ? -100 : r.nextInt(k);
        }
        if (n > 5) {
            y[5] = 99; // out of range
            z[2 * k + 1] = Double.NaN;
        }
        return new Shard(name, k, z, logitsType, y, labelsType);
    }

    private static List<Shard> shards() {
        return List.of(shard("part-0", 40, 10, "f4", "i8", 1), shard("part-1c", 25, 12, "f8", "i4", 2),
                shard("part-2", 30, 10, "f2", "i8", 3), shard("part-3", 0, 10, "f4", "i8", 4));
    }

    /** -Dsmoothkl.test.numpy=false forces the fallback writer (how the tests run where numpy is missing). */
    private static boolean numpyAvailable() {
        if (!Boolean.parseBoolean(System.getProperty("smoothkl.test.numpy", "true"))) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Writes the shards into {@code dir}: with numpy when present (mode plain, fortran or bigendian), else with NpyWriter. */
    private void write(Path dir, List<Shard> shards, String mode) throws Exception {
        Files.createDirectories(dir);
        if (NUMPY) {
            Path staging = Files.createTempDirectory(tmp, "staging");
            for (Shard s : shards) {
                Files.write(staging.resolve(s.name() + ".logits.npy"), NpyWriter.npy(s.logitsArray(), false, false));
                Files.write(staging.resolve(s.name() + ".labels.npy"), NpyWriter.npy(s.labelsArray(), false, false));
            }
            Path script = tmp.resolve("save.py");
            Files.writeString(script, SAVE);
            Process p = new ProcessBuilder("python3", script.toString(), staging.toString(), dir.toString(), mode)
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as(output).isTrue();
            return;
        }
        for (Shard s : shards) {
            Map<String, byte[]> arrays = new LinkedHashMap<>();
            arrays.put("logits", NpyWriter.npy(s.logitsArray(), mode.equals("bigendian"), mode.equals("fortran")));
            arrays.put("labels", NpyWriter.npy(s.labelsArray(), false, false));
            NpyWriter.npz(dir.resolve(s.name() + ".npz"), arrays);
        }
    }

    private CliRun audit(Path input, String out, String format) {
        return CliRun.of("run", "--input", input.toString(), "--format", format, "--label-col", "labels",
                "--preset", "pytorch", "--epsilon", "0.1", "--group-by", NpzShards.SHARD,
                "--output", tmp.resolve(out).toString());
    }

    @Test
    void shardsWrittenByNumpyAuditLikeTheSameDataInParquet() throws Exception {
        List<Shard> shards = shards();
        Path npz = tmp.resolve("npz");
        write(npz, shards, "plain");

        List<Row> rows = new ArrayList<>();
        for (Shard s : shards) {
            for (int i = 0; i < s.rows(); i++) {
                rows.add(RowFactory.create(s.name() + ".npz", s.labels()[i],
                        Arrays.copyOfRange(s.logits(), i * s.k(), (i + 1) * s.k())));
            }
        }
        StructType schema = new StructType().add("shard", DataTypes.StringType).add("labels", DataTypes.LongType)
                .add("logits", DataTypes.createArrayType(DataTypes.DoubleType));
        Path parquet = tmp.resolve("parquet");
        spark.createDataFrame(rows, schema).write().parquet(parquet.toString());

        CliRun a = audit(npz, "out-npz", "npz");
        CliRun b = audit(parquet, "out-parquet", "parquet");
        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(b.exitCode()).as(b.err()).isZero();
        var fromNpz = SummaryCompare.read(tmp.resolve("out-npz"));
        var fromParquet = SummaryCompare.read(tmp.resolve("out-parquet"));
        SummaryCompare.assertSameSummary(fromParquet, fromNpz, 1e-12);
        assertThat(fromNpz.get("overall").get("rows").asLong()).isEqualTo(95);
        assertThat(fromNpz.get("overall").get("invalid_by_reason").toString())
                .isEqualTo("{\"label_out_of_range\":3,\"nan_logit\":3}");
        assertThat(fromNpz.get("slices")).hasSize(3); // the empty shard has no rows
        System.out.println("NpzInputTest: shards written by " + (NUMPY ? "numpy" : "NpyWriter (no numpy here)"));
    }

    private void assertBadShard(List<Shard> bad, String mode, String... mentions) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "bad");
        write(dir, List.of(shards().get(0)), "plain");
        write(dir, bad, mode);
        assertBadDirectory(dir, mentions);
    }

    private void assertBadDirectory(Path dir, String... mentions) {
        CliRun r = audit(dir, "out-" + dir.getFileName(), "npz");
        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("smoothkl: error: ").doesNotContain("\n");
        for (String m : mentions) {
            assertThat(r.err()).contains(m);
        }
    }

    private static Shard renamed(Shard s, String name) {
        return new Shard(name, s.k(), s.logits(), s.logitsType(), s.labels(), s.labelsType());
    }

    @Test
    void fortranOrderAndBigEndianShardsAreExitTwoNamingTheShardAndTheJvmLives() throws Exception {
        Shard bad = renamed(shard("x", 6, 4, "f4", "i8", 9), "bad");
        assertBadShard(List.of(bad), "fortran", "bad.npz", "array 'logits'", "Fortran");
        assertBadShard(List.of(bad), "bigendian", "bad.npz", "array 'logits'", "big-endian");

        // the same JVM audits a good directory afterwards
        Path good = tmp.resolve("good");
        write(good, List.of(shards().get(0)), "plain");
        CliRun r = audit(good, "out-good", "npz");
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @Test
    void wrongRankDtypeSizeOrNamesAreExitTwoNamingTheShardAndArray() throws Exception {
        Shard s = shard("x", 6, 4, "f4", "i8", 9);
        assertWritten("rank", Map.of("logits", NpyWriter.npy(new NpyWriter.Array(s.logits(), "f4", new long[] {24}), false, false),
                "labels", NpyWriter.npy(s.labelsArray(), false, false)), "array 'logits'", "shape (24,) has rank 1");
        assertWritten("dtype", Map.of("logits", NpyWriter.npy(new NpyWriter.Array(new double[24], "i4", new long[] {6, 4}), false, false),
                "labels", NpyWriter.npy(s.labelsArray(), false, false)), "array 'logits'", "dtype '<i4'");
        assertWritten("labeltype", Map.of("logits", NpyWriter.npy(s.logitsArray(), false, false),
                "labels", NpyWriter.npy(new NpyWriter.Array(new double[6], "f4", new long[] {6}), false, false)),
                "array 'labels'", "dtype '<f4'", "int32 or int64");
        assertWritten("mismatch", Map.of("logits", NpyWriter.npy(s.logitsArray(), false, false),
                "labels", NpyWriter.npy(new NpyWriter.Array(new double[5], "i8", new long[] {5}), false, false)),
                "has 6 rows and array 'labels' 5");
        assertWritten("missing", Map.of("logits", NpyWriter.npy(s.logitsArray(), false, false)),
                "has no array 'labels'", "[logits]");
        byte[] whole = NpyWriter.npy(s.logitsArray(), false, false);
        assertWritten("truncated", Map.of("logits", Arrays.copyOf(whole, whole.length - 8),
                "labels", NpyWriter.npy(s.labelsArray(), false, false)), "array 'logits'", "truncated");

        Path notZip = Files.createDirectories(tmp.resolve("notzip"));
        Files.write(notZip.resolve("junk.npz"), new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        assertBadDirectory(notZip, "junk.npz");

        Path empty = Files.createDirectories(tmp.resolve("noshards"));
        assertBadDirectory(empty, "no .npz shards");
    }

    private void assertWritten(String name, Map<String, byte[]> arrays, String... mentions) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        NpyWriter.npz(dir.resolve(name + ".npz"), new LinkedHashMap<>(arrays));
        List<String> all = new ArrayList<>(List.of(name + ".npz"));
        all.addAll(List.of(mentions));
        assertBadDirectory(dir, all.toArray(String[]::new));
    }
}
