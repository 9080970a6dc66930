package org.smoothkl.loss;

import java.util.Locale;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A JMH-free timing harness (a main, not a test): the scalar and the Vector API kernel on the
 * benchmark's batches (8M float32 values, Bench.kernelAlone), then Σ exp over the same values
 * with {@link VectorExp} and with the Vector API's lanewise(EXP) (SVML). Single thread, best of
 * several runs after a warm-up. Run: java --add-modules jdk.incubator.vector -cp
 * target/classes:target/test-classes org.smoothkl.loss.KernelTiming [K ...]
 */
public final class KernelTiming {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    public static void main(String[] args) {
        int[] ks = args.length == 0 ? new int[] {1000, 32000} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (int k : ks) {
            LogitBatch batch = batch(k);
            Smoothing s = Preset.SEED.with(0.1, null);
            RowKernel scalar = new ScalarKernel(s);
            RowKernel vector = new VectorKernel(s);
            double[] z = batch.values();
            int n = batch.size() & -S.length();
            double ts = 1e9;
            double tv = 1e9;
            double te = 1e9;
            double tsvml = 1e9;
            double sink = 0;
            for (int round = 0; round < 7; round++) {
                MetricsBatch out = new MetricsBatch();
                long t0 = System.nanoTime();
                scalar.compute(batch, out);
                long t1 = System.nanoTime();
                vector.compute(batch, out);
                long t2 = System.nanoTime();
                sink += ours(z, n);
                long t3 = System.nanoTime();
                sink += svml(z, n);
                long t4 = System.nanoTime();
                if (round >= 2) {
                    ts = Math.min(ts, (t1 - t0) / 1e9);
                    tv = Math.min(tv, (t2 - t1) / 1e9);
                    te = Math.min(te, (t3 - t2) / 1e9);
                    tsvml = Math.min(tsvml, (t4 - t3) / 1e9);
                }
            }
            VectorKernel vk = (VectorKernel) vector;
            int[] off = batch.offsets();
            double[] sums = new double[2];
            double tscan = 1e9;
            double tsums = 1e9;
            for (int round = 0; round < 7; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < batch.rows(); i++) {
                    sink += vk.scan(z, off[i], off[i + 1]).max();
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < batch.rows(); i++) {
                    vk.scan(z, off[i], off[i + 1]);
                    vk.sums(z, off[i], off[i + 1], 20, 3, off[i + 1] - off[i], sums);
                    sink += sums[0];
                }
                long t2 = System.nanoTime();
                if (round >= 2) {
                    tscan = Math.min(tscan, (t1 - t0) / 1e9);
                    tsums = Math.min(tsums, (t2 - t1) / 1e9);
                }
            }
            System.out.printf(Locale.ROOT, "K=%d: vector scan+argmax %.3f ns/value, scan+fused sums %.3f ns/value, kernel %.3f ns/value%n",
                    k, tscan / batch.size() * 1e9, tsums / batch.size() * 1e9, tv / batch.size() * 1e9);
            double gb = batch.size() * 4.0 / 1e9;
            System.out.printf(Locale.ROOT, "K=%d: scalar %.3f GB/s, vector %.3f GB/s, vec/scal %.2f | Σexp alone: ours %.3f ns/value,"
                    + " SVML %.3f ns/value (ours/SVML time %.2f)  [%s]%n", k, gb / ts, gb / tv, ts / tv,
                    te / n * 1e9, tsvml / n * 1e9, te / tsvml, sink == 0 ? "" : "ok");
        }
    }

    static double ours(double[] z, int n) {
        DoubleVector acc = DoubleVector.zero(S);
        for (int j = 0; j < n; j += S.length()) {
            acc = acc.add(VectorExp.exp(DoubleVector.fromArray(S, z, j).sub(20)));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static double svml(double[] z, int n) {
        DoubleVector acc = DoubleVector.zero(S);
        for (int j = 0; j < n; j += S.length()) {
            acc = acc.add(DoubleVector.fromArray(S, z, j).sub(20).lanewise(VectorOperators.EXP));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static LogitBatch batch(int k) {
        return new SyntheticLogits(k, 0.1).batch(8 << 20);
    }
}
