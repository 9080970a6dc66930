package org.smoothkl.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernel gives the same bits for a row whether it runs cold (interpreted, the
 * Vector API's Java fallback) or hot (C2, intrinsics): the first call here, the call after 20k
 * batches, and a child JVM run with -Xint (never compiled) all agree bit for bit. The Vector
 * API's own EXP (an SVML stub) differed in the last bit between tiers. The batch includes rows
 * of one short K for the block path.
 */
class VectorKernelDeterminismTest {

    /** Rows of awkward lengths, scales and inputs; labels in range, ignored and pad-adjacent. */
    static LogitBatch batch() {
        SplittableRandom r = new SplittableRandom(99);
        int[] ks = {3, 5, 8, 17, 1000, 1003};
        LogitBatch b = new LogitBatch(16, 1 << 14);
        for (int row = 0; row < ks.length * 2; row++) {
            int k = ks[row % ks.length];
            double scale = Math.pow(10, row % 5 - 1);
            for (int j = 0; j < k; j++) {
                b.appendValue((float) (r.nextGaussian() * scale));
            }
            b.endRow(row % 7 == 6 ? -100 : r.nextInt(k));
        }
        // rows of one short K, several vectors' worth: the block path (a row per lane)
        for (int row = 0; row < 24; row++) {
            for (int j = 0; j < 10; j++) {
                b.appendValue((float) (r.nextGaussian() * 3));
            }
            b.endRow(row % 7 == 6 ? -100 : r.nextInt(10));
        }
        return b;
    }

    /** Every metric of every row, as bits, for {@code -Dsmoothkl.kernel} preset SEED and NMT at ε = 0.1. */
    static List<String> bits() {
        LogitBatch batch = batch();
        List<String> out = new ArrayList<>();
        for (Preset preset : Preset.values()) {
            MetricsBatch m = new MetricsBatch();
            new VectorKernel(preset.with(0.1, null)).compute(batch, m);
            for (int i = 0; i < m.rows(); i++) {
                out.add(preset + " " + i + " " + m.status(i) + " " + m.pred(i) + " "
                        + Long.toHexString(Double.doubleToRawLongBits(m.kl(i))) + " "
                        + Long.toHexString(Double.doubleToRawLongBits(m.smoothedCe(i))) + " "
                        + Long.toHexString(Double.doubleToRawLongBits(m.nll(i))) + " "
                        + Long.toHexString(Double.doubleToRawLongBits(m.gap(i))) + " "
                        + Long.toHexString(Double.doubleToRawLongBits(m.confidence(i))));
            }
        }
        return out;
    }

    /** Entry point of the -Xint child JVM: prints {@link #bits()}. */
    public static void main(String[] args) {
        bits().forEach(System.out::println);
    }

    @Test
    void sameBitsColdWarmAndInterpreted() throws IOException, InterruptedException {
        List<String> cold = bits();
        LogitBatch batch = batch();
        VectorKernel warm = new VectorKernel(Preset.SEED.with(0.1, null));
        MetricsBatch sink = new MetricsBatch();
        double keep = 0;
        for (int i = 0; i < 20_000; i++) {
            warm.compute(batch, sink);
            keep += sink.kl(0);
        }
        assertThat(keep).isFinite();
        List<String> hot = bits();
        assertThat(hot).isEqualTo(cold);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xint", "--add-modules=jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), VectorKernelDeterminismTest.class.getName())
                .redirectErrorStream(false).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(stderr).isZero();
        assertThat(stdout.lines().toList()).isEqualTo(hot);
    }
}
