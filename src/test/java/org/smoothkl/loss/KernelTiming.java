package org.smoothkl.loss;

import java.util.Locale;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A JMH-free timing harness (a main, not a test): the scalar and the Vector API kernel on the
 * benchmark's batches (8M float32 values, Bench.kernelAlone), then Σ exp over the same values
 * with {@link VectorExp} and with the Vector API's lanewise(EXP) (SVML), and Σ exp over an
 * in-cache block (64k values, 200 times) with VectorExp and with a table-driven candidate (Tang's
 * method, {@link #tang}). Single thread, best of several runs after a warm-up. Run: java --add-modules jdk.incubator.vector -cp
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
            double[] block = java.util.Arrays.copyOf(z, 1 << 16);
            int[] idx = new int[S.length()];
            double tOurs = 1e9;
            double tTang = 1e9;
            for (int round = 0; round < 7; round++) {
                long t0 = System.nanoTime();
                for (int q = 0; q < 200; q++) {
                    sink += ours(block, block.length);
                }
                long t1 = System.nanoTime();
                for (int q = 0; q < 200; q++) {
                    sink += tangSum(block, block.length, idx);
                }
                long t2 = System.nanoTime();
                if (round >= 2) {
                    tOurs = Math.min(tOurs, (t1 - t0) / 200e9);
                    tTang = Math.min(tTang, (t2 - t1) / 200e9);
                }
            }
            System.out.printf(Locale.ROOT, "K=%d: Σexp over an in-cache block: VectorExp %.3f ns/value, Tang 16-entry table by gather %.3f ns/value%n",
                    k, tOurs / block.length * 1e9, tTang / block.length * 1e9);
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

    private static final double[] TANG_HI = new double[16];
    private static final VectorSpecies<Integer> INDEX_SPECIES =
            VectorSpecies.of(int.class, jdk.incubator.vector.VectorShape.forBitSize(S.length() * 32));

    static {
        for (int j = 0; j < 16; j++) {
            TANG_HI[j] = StrictMath.pow(2, j / 16.0);
        }
    }

    /**
     * A timing candidate only (its accuracy is not tested): Tang's method with a 16-entry table,
     * x = (16m + j)·ln2/16 + r, exp(x) = 2^m · 2^(j/16) · (1 + q(r)), q of degree 7 on
     * |r| ≤ ln2/32. The Vector API of JDK 17 reads the table with a gather from an int[] of
     * indices (rearrange by a shuffle made from a vector is not intrinsified there).
     */
    static DoubleVector tang(DoubleVector x, int[] idx) {
        DoubleVector t = x.fma(16 * 1.4426950408889634, 0x1.8p52);
        DoubleVector n = t.sub(0x1.8p52);
        DoubleVector r = n.fma(x.broadcast(-1.90821492927058770002e-10 / 16), n.fma(x.broadcast(-6.93147180369123816490e-01 / 16), x));
        jdk.incubator.vector.LongVector bits = (jdk.incubator.vector.LongVector) t.reinterpretAsLongs();
        bits.and(15).convertShape(VectorOperators.L2I, INDEX_SPECIES, 0).reinterpretAsInts().intoArray(idx, 0);
        DoubleVector hi = DoubleVector.fromArray(S, TANG_HI, 0, idx, 0);
        DoubleVector p = r.fma(1.0 / 5040, 1.0 / 720).fma(r, x.broadcast(1.0 / 120)).fma(r, x.broadcast(1.0 / 24))
                .fma(r, x.broadcast(1.0 / 6)).fma(r, x.broadcast(0.5));
        DoubleVector e = hi.fma(p.fma(r.mul(r), r), hi);
        jdk.incubator.vector.LongVector scale = bits.and(-16L).lanewise(VectorOperators.LSHL, 48);
        return ((jdk.incubator.vector.LongVector) e.reinterpretAsLongs()).add(scale).reinterpretAsDoubles();
    }

    static double tangSum(double[] z, int n, int[] idx) {
        DoubleVector acc = DoubleVector.zero(S);
        for (int j = 0; j < n; j += S.length()) {
            acc = acc.add(tang(DoubleVector.fromArray(S, z, j).sub(20), idx));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static LogitBatch batch(int k) {
        return new SyntheticLogits(k, 0.1).batch(8 << 20);
    }
}
