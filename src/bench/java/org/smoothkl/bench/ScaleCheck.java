package org.smoothkl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.job.AuditJob;

/**
 * The scale check of submit/bench --scale-check: each dataset is audited in a fresh JVM
 * (submit/local with a 2 GB heap; in local mode that heap is also the executor's), which reports
 * the audit's time and the JVM's peak heap. Time should grow with the rows, heap should not.
 */
final class ScaleCheck {
    static final String MARK = "SCALE-CHECK ";
    static final String HEAP = "2g";

    private ScaleCheck() {
    }

    static Map<String, Object> run(boolean quick, BiFunction<Integer, Long, Path> dataset) throws IOException, InterruptedException {
        long base = quick ? 10_000 : 100_000;
        List<Object[]> cases = List.of(
                new Object[] {"K=1000, 1x rows", 1000, base},
                new Object[] {"K=1000, 10x rows", 1000, 10 * base},
                new Object[] {"K=262144", 262_144, quick ? 100L : 1000L});
        Map<String, Object> out = new LinkedHashMap<>();
        System.out.printf(Locale.ROOT, "%nscale check (each in a fresh JVM with -Xmx%s):%n%-18s %10s %10s %14s %16s%n",
                HEAP, "case", "rows", "seconds", "peak heap MB", "heap after GC MB");
        for (Object[] c : cases) {
            Path data = dataset.apply((Integer) c[1], (Long) c[2]);
            Map<?, ?> m = child(data);
            out.put((String) c[0], m);
            System.out.printf(Locale.ROOT, "%-18s %10d %10.2f %14.0f %16.0f%n", c[0], c[2],
                    ((Number) m.get("seconds")).doubleValue(), ((Number) m.get("peak_heap_mb")).doubleValue(),
                    ((Number) m.get("heap_after_gc_mb")).doubleValue());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> one = (Map<String, Object>) out.get("K=1000, 1x rows");
        @SuppressWarnings("unchecked")
        Map<String, Object> ten = (Map<String, Object>) out.get("K=1000, 10x rows");
        double timeRatio = ((Number) ten.get("seconds")).doubleValue() / ((Number) one.get("seconds")).doubleValue();
        double heapRatio = ((Number) ten.get("peak_heap_mb")).doubleValue() / ((Number) one.get("peak_heap_mb")).doubleValue();
        out.put("time_10x_over_1x", timeRatio);
        out.put("peak_heap_10x_over_1x", heapRatio);
        System.out.printf(Locale.ROOT, "10x rows: time x%.2f, peak heap x%.2f%n", timeRatio, heapRatio);
        return out;
    }

    private static Map<?, ?> child(Path data) throws IOException, InterruptedException {
        String root = System.getenv().getOrDefault("SMOOTHKL_ROOT", ".");
        ProcessBuilder pb = new ProcessBuilder(root + "/submit/local", "--measure-one", data.toString());
        pb.environment().put("SMOOTHKL_MAIN_CLASS", Bench.class.getName());
        pb.environment().put("SMOOTHKL_DRIVER_MEMORY", HEAP);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        Map<?, ?> result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith(MARK)) {
                    result = new ObjectMapper().readValue(line.substring(MARK.length()), Map.class);
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 || result == null) {
            throw new IllegalStateException("scale check of " + data + " failed (exit " + code + ")");
        }
        return result;
    }

    /** In the child: audit once to warm up, then once measured; print the figures on one line. */
    static int measureOne(SparkSession spark, AuditSpec spec) throws IOException {
        AuditJob.run(spark, spec, null).result();
        List<MemoryPoolMXBean> heap = new ArrayList<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heap.add(pool);
            }
        }
        System.gc();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long start = System.nanoTime();
        AuditJob.run(spark, spec, null).result();
        double seconds = (System.nanoTime() - start) / 1e9;
        double peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum() / 1048576.0;
        System.gc();
        double after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", seconds);
        m.put("peak_heap_mb", peak);
        m.put("heap_after_gc_mb", after);
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576.0);
        System.out.println(MARK + new ObjectMapper().writeValueAsString(m));
        return 0;
    }
}
