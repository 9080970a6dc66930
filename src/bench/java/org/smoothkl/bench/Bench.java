package org.smoothkl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.CalibrationSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.RowKernel;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.loss.ScalarKernel;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.loss.SyntheticLogits;
import org.smoothkl.job.AuditJob;
import org.smoothkl.job.AuditRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.smoothkl.input.InputReader;
import org.smoothkl.audit.InputFormat;
import org.smoothkl.audit.EngineChoice;
import org.smoothkl.output.SyntheticOutput;

/**
 * The CPU benchmark (submit/bench): for each K, interleaved and repeated after a warm-up round,
 * the scan floor, the audit job (summary only: no output files), the same audit with Spark
 * built-ins, and the row kernel alone (scalar vs vector) on in-memory batches. Prints medians
 * and ratios measured in this one run, and writes them to bench-results.json.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "CPU benchmark: job vs scan floor vs built-ins; kernels.")
public final class Bench implements Callable<Integer> {
    static final double EPSILON = 0.1;

    @Option(names = "--quick", description = "About 100 MB of logits per K instead of 1 GB.")
    boolean quick;

    @Option(names = "--rounds", description = "Measured rounds after the warm-up (default ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(names = "--ks", split = ",", description = "Class counts (default ${DEFAULT-VALUE}).")
    List<Integer> ks = List.of(10, 1000, 32000);

    @Option(names = "--data-dir", description = "Where datasets are generated and reused (default ${DEFAULT-VALUE}).")
    File dataDir = new File("bench-data");

    @Option(names = "--results", description = "JSON results file (default ${DEFAULT-VALUE}).")
    File results = new File("bench-results.json");

    @Option(names = "--no-builtin", description = "Skip the built-in-functions audit (slow).")
    boolean noBuiltin;

    @Option(names = "--no-udf", description = "Skip the RapidsUDF CPU path (the rapids engine without the plugin).")
    boolean noUdf;

    @Option(names = "--baseline-classes", description = "Also time the vector kernel of the org.smoothkl.loss classes in DIR"
            + " (another build's, compiled alone), beside this build's, in this run.")
    File baselineClasses;

    @Option(names = "--no-anchors", description = "Skip the outside anchors (Arrow C++ scan, PyTorch cross_entropy; submit/bench-anchors.py).")
    boolean noAnchors;

    @Option(names = "--scale-check", description = "Also: time and peak heap at 1x and 10x the rows (K=1000), "
            + "and K=262144, each in a fresh JVM with a 2 GB heap.")
    boolean scaleCheck;

    @Option(names = "--measure-one", hidden = true, description = "Internal: audit one dataset, print time and heap.")
    String measureOne;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException, ReflectiveOperationException {
        SparkSession spark = SparkSession.builder().appName("smoothkl-bench").getOrCreate();
        if (measureOne != null) {
            return ScaleCheck.measureOne(spark, spec(Path.of(measureOne)));
        }
        long bytes = quick ? 100_000_000L : 1_000_000_000L;
        Map<Integer, Path> data = new LinkedHashMap<>();
        for (int k : ks) {
            data.put(k, dataset(spark, k, bytes / (4L * k)));
        }
        Map<Integer, Map<String, List<Double>>> times = new LinkedHashMap<>();
        Map<Integer, Object> readers = new LinkedHashMap<>();
        Anchors anchors = new Anchors(EPSILON, KERNEL_VALUES);
        BaselineKernel baseline = baselineClasses == null ? null : new BaselineKernel(baselineClasses, EPSILON);
        for (int round = 0; round <= rounds; round++) {
            for (int k : ks) {
                Map<String, List<Double>> t = times.computeIfAbsent(k, x -> new LinkedHashMap<>());
                boolean warmup = round == 0;
                // The floor reads with the job's reader settings for this input (batch rows sized from K).
                InputReader.applyReaderSettings(spark, spec(data.get(k)));
                measure(t, "floor", warmup, () -> ScanFloor.touchEveryValue(spark.read().parquet(data.get(k).toString()).select("logits")));
                measure(t, "decoder_floor", warmup, () -> ScanFloor.touchEveryValueDecoded(spark.read().parquet(data.get(k).toString()).select("logits")));
                measure(t, "job", warmup, () -> {
                    AuditRun run = AuditJob.run(spark, spec(data.get(k), EngineChoice.CPU), null);
                    readers.put(k, run.info().get("reader"));
                    return run.result();
                });
                if (!noUdf) {
                    // The RAPIDS engine without the plugin: Spark calls the RapidsUDF's row-at-a-time CPU body.
                    measure(t, "udf_cpu", warmup, () -> AuditJob.run(spark, spec(data.get(k), EngineChoice.RAPIDS), null).result());
                }
                if (!noBuiltin) {
                    measure(t, "builtin", warmup, () -> BuiltinAudit.run(spark.read().parquet(data.get(k).toString()),
                            EPSILON, 50, 0, 20));
                }
                measure(t, "kernel_scalar", warmup, () -> kernelAlone(new ScalarKernel(smoothing()), k));
                measure(t, "kernel_vector", warmup, () -> kernelAlone(RowKernels.create(smoothing()), k));
                if (baseline != null) {
                    measure(t, "kernel_vector_baseline", warmup, () -> {
                        for (int pass = 0; pass < KERNEL_PASSES; pass++) {
                            baseline.run(k, KERNEL_VALUES);
                        }
                        return k;
                    });
                }
                System.err.printf(Locale.ROOT, "round %d K=%d done%s%n", round, k, warmup ? " (warm-up)" : "");
            }
            if (!noAnchors && round > 0) {
                anchors.measure(data, times);
            }
        }
        Map<String, Object> out = report(times, bytes, anchors);
        System.out.println("the job's logits reader (run.reader), by K: " + readers);
        out.put("job_reader", readers);
        if (scaleCheck) {
            out.put("scale_check", ScaleCheck.run(quick, (k, rows) -> dataset(spark, k, rows)));
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(results, out);
        System.out.println("wrote " + results);
        spark.stop();
        return 0;
    }

    private static Smoothing smoothing() {
        return Preset.SEED.with(EPSILON, null);
    }

    static AuditSpec spec(Path input) {
        return spec(input, EngineChoice.CPU);
    }

    static AuditSpec spec(Path input, EngineChoice engine) {
        return new AuditSpec(input.toString(), InputFormat.PARQUET, "logits", "label", Preset.SEED, smoothing(), List.of("slice"),
                new GapHistogramSpec(50, 0, 20), new CalibrationSpec(15), List.of(), null, null, "bench", "unused",
                false, false, engine);
    }

    private Path dataset(SparkSession spark, int k, long rows) {
        Path p = dataDir.toPath().resolve("k" + k + "-rows" + rows);
        if (!Files.exists(p.resolve("_SUCCESS"))) {
            System.err.printf(Locale.ROOT, "generating %d rows at K=%d into %s%n", rows, k, p);
            SyntheticOutput.write(spark, rows, k, EPSILON, 3, 42, p.toString(), true);
        }
        return p;
    }

    /** Logits in one in-memory batch per K: ≈8M values, as the engine's batches hold them. */
    private static final Map<Integer, LogitBatch> BATCHES = new LinkedHashMap<>();
    static final int KERNEL_VALUES = 8 << 20;
    /** Times a kernel sample scores its batch: one pass takes 10–100 ms, too short to time on a shared machine. */
    static final int KERNEL_PASSES = 10;

    /** GB of float32 logits that one kernel sample scores ({@link #KERNEL_PASSES} passes over the batch). */
    private static double kernelGb(int k) {
        return KERNEL_PASSES * Math.max(1, KERNEL_VALUES / k) * (double) k * 4 / 1e9;
    }

    private static long kernelAlone(RowKernel kernel, int k) {
        LogitBatch batch = BATCHES.computeIfAbsent(k, kk -> new SyntheticLogits(kk, EPSILON).batch(KERNEL_VALUES));
        MetricsBatch out = new MetricsBatch();
        for (int pass = 0; pass < KERNEL_PASSES; pass++) {
            kernel.compute(batch, out);
        }
        return batch.size();
    }

    private static void measure(Map<String, List<Double>> t, String what, boolean warmup, Supplier<?> work) {
        long start = System.nanoTime();
        work.get();
        double s = (System.nanoTime() - start) / 1e9;
        if (!warmup) {
            t.computeIfAbsent(what, x -> new ArrayList<>()).add(s);
        }
    }

    private static String fmt(Double x) {
        return x == null ? "-" : String.format(Locale.ROOT, "%.2f", x);
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static Double medianOf(Map<String, List<Double>> t, String what) {
        return t.containsKey(what) ? median(t.get(what)) : null;
    }

    private static Double ratio(Double a, Double b) {
        return a == null || b == null ? null : a / b;
    }

    private Map<String, Object> report(Map<Integer, Map<String, List<Double>>> times, long bytes, Anchors anchors) {
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, Object> perK = new LinkedHashMap<>();
        System.out.printf(Locale.ROOT, "%nsmoothkl CPU benchmark: %d cores, %s kernel, %d rounds after a warm-up, medians%n",
                Runtime.getRuntime().availableProcessors(), RowKernels.name(), rounds);
        System.out.printf(Locale.ROOT, "%-6s %10s %8s %8s %8s %9s %9s %9s | %8s %8s %8s %8s %12s | %8s %8s %9s | %8s %8s | %8s %8s %8s%n",
                "K", "rows", "floor_s", "dec_s", "job_s", "builtin_s", "udf_cpu_s", "job GB/s", "job/flr", "dec/flr", "blt/job", "udf/job", "job rows/s",
                "scal GB/s", "vec GB/s", "vec/scal", "arw GB/s", "job/arw", "t32 GB/s", "t64 GB/s", "vec/t32");
        for (Map.Entry<Integer, Map<String, List<Double>>> e : times.entrySet()) {
            int k = e.getKey();
            long rows = bytes / (4L * k);
            double gb = rows * (double) k * 4 / 1e9;
            Map<String, List<Double>> t = e.getValue();
            double floor = median(t.get("floor"));
            double job = median(t.get("job"));
            double decoderFloor = median(t.get("decoder_floor"));
            Double builtin = t.containsKey("builtin") ? median(t.get("builtin")) : null;
            Double udfCpu = t.containsKey("udf_cpu") ? median(t.get("udf_cpu")) : null;
            double kernelGb = kernelGb(k);
            double scalar = median(t.get("kernel_scalar"));
            double vector = median(t.get("kernel_vector"));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rows", rows);
            m.put("logits_gb", gb);
            m.put("floor_s", floor);
            m.put("decoder_floor_s", decoderFloor);
            m.put("decoder_over_floor", floor / decoderFloor);
            m.put("job_s", job);
            m.put("builtin_s", builtin);
            m.put("udf_cpu_s", udfCpu);
            m.put("udf_cpu_over_job", udfCpu == null ? null : udfCpu / job);
            m.put("job_over_floor", floor / job);
            m.put("builtin_over_job", builtin == null ? null : builtin / job);
            m.put("vector_over_scalar", scalar / vector);
            m.put("job_rows_per_s", rows / job);
            m.put("job_gb_per_s", gb / job);
            m.put("kernel_scalar_gb_per_s", kernelGb / scalar);
            m.put("kernel_vector_gb_per_s", kernelGb / vector);
            Double arrow = medianOf(t, "arrow_scan");
            Double torch32 = medianOf(t, "torch_f32");
            Double torch64 = medianOf(t, "torch_f64");
            Double arrowGb = arrow == null ? null : gb / arrow;
            Double jobPerCoreOverArrow = ratio(gb / job / cores, arrowGb);
            Double torch32Gb = torch32 == null ? null : kernelGb / KERNEL_PASSES / torch32; // one pass: best of 5 in Python
            Double torch64Gb = torch64 == null ? null : kernelGb / KERNEL_PASSES / torch64;
            m.put("arrow_scan_s", arrow);
            m.put("arrow_scan_gb_per_s", arrowGb);
            m.put("job_per_core_over_arrow", jobPerCoreOverArrow);
            m.put("torch_f32_gb_per_s", torch32Gb);
            m.put("torch_f64_gb_per_s", torch64Gb);
            Double base = medianOf(t, "kernel_vector_baseline");
            m.put("kernel_vector_baseline_gb_per_s", base == null ? null : kernelGb / base);
            m.put("kernel_vector_over_baseline", ratio(base, vector));
            m.put("kernel_vector_over_torch_f32", ratio(kernelGb / vector, torch32Gb));
            m.put("samples_s", t);
            perK.put(Integer.toString(k), m);
            System.out.printf(Locale.ROOT, "%-6d %10d %8.2f %8.2f %8.2f %9s %9s %9.2f | %8.2f %8.2f %8s %8s %12.0f | %8.2f %8.2f %9.2f | %8s %8s | %8s %8s %8s%n",
                    k, rows, floor, decoderFloor, job, fmt(builtin), fmt(udfCpu), gb / job,
                    floor / job, floor / decoderFloor, fmt(builtin == null ? null : builtin / job), fmt(udfCpu == null ? null : udfCpu / job), rows / job,
                    kernelGb / scalar, kernelGb / vector, scalar / vector, fmt(arrowGb), fmt(jobPerCoreOverArrow),
                    fmt(torch32Gb), fmt(torch64Gb), fmt(ratio(kernelGb / vector, torch32Gb)));
        }
        System.out.println("floor = Spark's vectorized Parquet scan of the logits, every value read; dec = the same with the"
                + " job's page decoder; job = the audit's summary end to end (scan, kernel, aggregation), no output files written;"
                + " job/flr = floor_s/job_s (throughput ratio); dec/flr = floor_s/dec_s; blt/job = builtin_s/job_s; udf/job = udf_cpu_s/job_s"
                + " (the RapidsUDF's CPU call, i.e. the rapids engine without the plugin); GB/s of float32 logits.");
        System.out.printf(Locale.ROOT, "arw = Arrow C++'s Parquet reader (pyarrow), one thread, logits column only; job/arw = job GB/s"
                + " per core (÷ %d) over it. t32 / t64 = PyTorch CPU F.cross_entropy(label_smoothing=%.2f, reduction=none), one thread,"
                + " float32 / float64, on the kernels' %d values (GB/s of float32 logits either way); vec/t32 = vector kernel over t32.%n",
                cores, EPSILON, KERNEL_VALUES);
        anchors.absent().forEach(a -> System.out.println("anchor absent: " + a));
        if (baselineClasses != null) {
            for (Map.Entry<Integer, Map<String, List<Double>>> e : times.entrySet()) {
                int k = e.getKey();
                double kernelGb = kernelGb(k);
                double base = median(e.getValue().get("kernel_vector_baseline"));
                double vector = median(e.getValue().get("kernel_vector"));
                System.out.printf(Locale.ROOT, "K=%d vector kernel: baseline (%s) %.2f GB/s, this build %.2f GB/s, this/baseline %.2f%n",
                        k, baselineClasses, kernelGb / base, kernelGb / vector, base / vector);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("K", perK);
        out.put("rounds", rounds);
        out.put("quick", quick);
        out.put("cores", cores);
        out.put("anchors_absent", anchors.absent());
        out.put("kernel", RowKernels.name());
        out.put("ks", Arrays.asList(ks.toArray()));
        return out;
    }
}
