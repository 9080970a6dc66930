package org.smoothkl.loss;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The formulas of {@link AbstractRowKernel} with the JDK Vector API over the widest double
 * vectors the CPU has: a scan pass (max, min; NaN and ±∞ show in them), the first argmax, and
 * one fused pass for Σ exp(z_j − M) and Σ (M − z_j), with our own exp ({@link VectorExp}: plain
 * add/mul/fma and integer ops on the bit pattern, no native stub), so a row gives the same bits
 * interpreted, C1- or C2-compiled. Lane-wise partial sums add in a different order than the
 * scalar loop (slightly more accurate, not bit-identical); results agree with
 * {@link ScalarKernel} to 1e-12 relative on the golden rows. Load it through
 * {@link RowKernels}, which falls back to the scalar kernel where the incubator module is absent.
 */
public final class VectorKernel extends AbstractRowKernel {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /**
     * Rows shorter than this take their own paths ({@link #scanShort}, {@link #sumsShort}): a few
     * vector iterations do not pay for the lane reductions, and keeping short rows out of the vector
     * loops keeps their JIT profile that of long rows. Measured: after C2 had compiled the vector
     * loops on K = 10 rows, it did not inline the vector exp into them, and K = 1000 rows then ran
     * at 0.5 GB/s instead of 1.2 (src/site/markdown/performance.md).
     */
    static final int SHORT_ROW = 4 * LANES;

    /** The lane partial sums, added in lane order (reduceLanes(ADD) leaves the order open). */
    private final double[] lanes = new double[LANES];
    /** A short row's z_j − M and their exps ({@link #sumsShort}). */
    private final double[] shortRow = new double[SHORT_ROW];
    private final double[] shortExp = new double[SHORT_ROW];

    /** A block of short rows, transposed: value j of the block's row r at [j · LANES + r]. */
    private final double[] transposed = new double[SHORT_ROW * LANES];
    /**
     * The block's weights for Σ (−d_j), laid out as {@link #transposed}: −1, and 0 at a row's
     * excluded offsets (set for a block, put back after it). below + d·w is below − d, or below
     * + (±0) = below for an excluded offset: the bits of skipping it, with one fma where a
     * compare, an or and a blend per value were.
     */
    private final double[] weights = minusOnes(SHORT_ROW * LANES);
    private final double[] argmaxLanes = new double[LANES];

    public VectorKernel(Smoothing smoothing) {
        super(smoothing);
    }

    /** Short rows of one K go a vector's worth at a time, a row per lane. */
    @Override
    int blockRows() {
        return LANES;
    }

    @Override
    int blockMaxClasses() {
        return SHORT_ROW - 1;
    }

    /**
     * {@link #scan} and {@link #sums} for LANES rows of one K &lt; SHORT_ROW, a row per lane, with
     * the same bits as {@link #scanShort} and {@link #sumsShort} row by row: max and min do not
     * depend on order; the first argmax is the lowest j whose value equals the max; Σ exp(d_j) and
     * Σ (−d_j) are added in row order from 0, as there, an excluded offset adding ±0 ({@link #weights}),
     * which leaves every sum as it is.
     */
    @Override
    void scanAndSumBlock(double[] z, int[] offsets, int first, int k, int[] a, int[] b, Block out) {
        double[] t = transposed;
        double[] w = weights;
        for (int r = 0; r < LANES; r++) {
            int o = offsets[first + r];
            for (int j = 0; j < k; j++) {
                t[j * LANES + r] = z[o + j];
            }
            setWeight(w, a[r], k, r, 0);
            setWeight(w, b[r], k, r, 0);
        }
        DoubleVector max = DoubleVector.fromArray(SPECIES, t, 0);
        DoubleVector min = max;
        for (int j = 1; j < k; j++) {
            DoubleVector v = DoubleVector.fromArray(SPECIES, t, j * LANES);
            max = max.max(v);
            min = min.min(v);
        }
        DoubleVector argmax = DoubleVector.zero(SPECIES);
        for (int j = k - 1; j >= 0; j--) {
            argmax = argmax.blend(j, DoubleVector.fromArray(SPECIES, t, j * LANES).eq(max));
        }
        max.intoArray(out.max, 0);
        min.intoArray(out.min, 0);
        argmax.intoArray(argmaxLanes, 0);
        for (int r = 0; r < LANES; r++) {
            out.argmax[r] = (int) argmaxLanes[r];
        }
        sumsBlock(t, w, k, max, out);
        for (int r = 0; r < LANES; r++) {
            setWeight(w, a[r], k, r, -1);
            setWeight(w, b[r], k, r, -1);
        }
    }

    /** Weight {@code value} for row r's offset j of the block, when j is one of its K offsets (K: none excluded). */
    private static void setWeight(double[] w, int j, int k, int r, double value) {
        if (j < k) {
            w[j * LANES + r] = value;
        }
    }

    private static double[] minusOnes(int n) {
        double[] w = new double[n];
        Arrays.fill(w, -1);
        return w;
    }

    /** The block's two sums, lane-wise; small so that C2 inlines the vector exp into its loop. */
    private void sumsBlock(double[] t, double[] w, int k, DoubleVector max, Block out) {
        DoubleVector e = DoubleVector.zero(SPECIES);
        DoubleVector below = DoubleVector.zero(SPECIES);
        for (int j = 0; j < k; j++) {
            DoubleVector d = DoubleVector.fromArray(SPECIES, t, j * LANES).sub(max);
            e = e.add(VectorExp.exp(d));
            below = d.fma(DoubleVector.fromArray(SPECIES, w, j * LANES), below);
        }
        e.intoArray(out.sumExp, 0);
        below.intoArray(out.sumBelow, 0);
    }

    /**
     * Max and min lane-wise by compare and blend (one instruction each, where Java's max with its
     * NaN and −0 rules is several), and the sum of the values, which is not finite when the row
     * holds a NaN or ±∞ (or values so large that they overflow it): such a row, and a row whose
     * max is ±0 (where Java's max prefers +0 and a compare keeps whichever came first), goes to
     * the reference scan, so the result is the reference's bits. Max and min of a set of finite
     * values do not depend on the order they are taken in; four accumulators each, so that the
     * compares do not wait on one another.
     */
    @Override
    Scan scan(double[] z, int from, int to) {
        if (to - from < SHORT_ROW) {
            return scanShort(z, from, to);
        }
        int j = from;
        int end = from + SPECIES.loopBound(to - from);
        // a row of SHORT_ROW or more values has whole vectors
        DoubleVector max0 = DoubleVector.fromArray(SPECIES, z, j);
        DoubleVector min0 = max0;
        DoubleVector max1 = max0;
        DoubleVector min1 = max0;
        DoubleVector max2 = max0;
        DoubleVector min2 = max0;
        DoubleVector max3 = max0;
        DoubleVector min3 = max0;
        DoubleVector sum = max0;
        j += LANES;
        for (int end4 = end - 3 * LANES; j < end4; j += 4 * LANES) {
            DoubleVector v0 = DoubleVector.fromArray(SPECIES, z, j);
            DoubleVector v1 = DoubleVector.fromArray(SPECIES, z, j + LANES);
            DoubleVector v2 = DoubleVector.fromArray(SPECIES, z, j + 2 * LANES);
            DoubleVector v3 = DoubleVector.fromArray(SPECIES, z, j + 3 * LANES);
            max0 = max0.blend(v0, v0.compare(VectorOperators.GT, max0));
            min0 = min0.blend(v0, v0.compare(VectorOperators.LT, min0));
            max1 = max1.blend(v1, v1.compare(VectorOperators.GT, max1));
            min1 = min1.blend(v1, v1.compare(VectorOperators.LT, min1));
            max2 = max2.blend(v2, v2.compare(VectorOperators.GT, max2));
            min2 = min2.blend(v2, v2.compare(VectorOperators.LT, min2));
            max3 = max3.blend(v3, v3.compare(VectorOperators.GT, max3));
            min3 = min3.blend(v3, v3.compare(VectorOperators.LT, min3));
            sum = sum.add(v0.add(v1).add(v2.add(v3)));
        }
        for (; j < end; j += LANES) {
            DoubleVector v = DoubleVector.fromArray(SPECIES, z, j);
            max0 = max0.blend(v, v.compare(VectorOperators.GT, max0));
            min0 = min0.blend(v, v.compare(VectorOperators.LT, min0));
            sum = sum.add(v);
        }
        double m = max0.max(max1).max(max2.max(max3)).reduceLanes(VectorOperators.MAX);
        double lo = min0.min(min1).min(min2.min(min3)).reduceLanes(VectorOperators.MIN);
        double total = sum.reduceLanes(VectorOperators.ADD);
        for (; j < to; j++) {
            m = Math.max(m, z[j]);
            lo = Math.min(lo, z[j]);
            total += z[j];
        }
        if (!Double.isFinite(total) || m == 0) {
            return ScalarKernel.scanRow(z, from, to); // a NaN or ±∞ somewhere (the reference says which), or max ±0
        }
        return new Scan(m, firstIndexOf(z, from, to, m), lo, -1, -1, -1);
    }

    /**
     * A short row's scan: one branch-light loop for max, first argmax and min, and whether all
     * values are finite (v − v is 0 only for finite v); a row with NaN or ±∞ goes to the reference.
     */
    private static Scan scanShort(double[] z, int from, int to) {
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        int argmax = -1;
        boolean finite = true;
        for (int j = from; j < to; j++) {
            double v = z[j];
            finite &= v - v == 0;
            if (v > max) {
                max = v;
                argmax = j - from;
            }
            min = Math.min(min, v);
        }
        return finite ? new Scan(max, argmax, min, -1, -1, -1) : ScalarKernel.scanRow(z, from, to);
    }

    /**
     * {@link Math#log} per value: the Vector API's LOG, like its EXP, calls a native stub whose
     * last bit differs between JIT tiers, and this path (PROBS only) is not the hot one.
     */
    @Override
    void log(double[] z, int from, int to, double[] out) {
        for (int j = from; j < to; j++) {
            out[j - from] = Math.log(z[j]);
        }
    }

    private static int firstIndexOf(double[] z, int from, int to, double value) {
        int j = from;
        // anyTrue is one vector test; the lane is then found by the scalar loop below
        for (int end = from + SPECIES.loopBound(to - from); j < end; j += LANES) {
            if (DoubleVector.fromArray(SPECIES, z, j).eq(value).anyTrue()) {
                break;
            }
        }
        for (; j < to; j++) {
            if (z[j] == value) {
                return j - from;
            }
        }
        throw new IllegalStateException("max not found in its row");
    }

    /**
     * One pass for both sums: d = z_j − M gives exp(d) and M − z_j = −d (negation is exact, so
     * the terms are those of the reference). The excluded offsets split the row into up to three
     * ranges; their exp terms are added after the ranges'. Each range: lane partial sums added in
     * lane order, then its scalar tail; all in a fixed order, so the same bits at every JIT tier.
     */
    @Override
    void sums(double[] z, int from, int to, double max, int a, int b, double[] sums) {
        int k = to - from;
        if (k < SHORT_ROW) {
            sumsShort(z, from, to, max, a, b, sums);
            return;
        }
        sums[0] = 0;
        sums[1] = 0;
        sumRange(z, from, from + a, max, sums);
        if (a < k) {
            sumRange(z, from + a + 1, from + b, max, sums);
        }
        if (b < k) {
            sumRange(z, from + b + 1, to, max, sums);
        }
        double excluded = a < k ? VectorExp.exp(z[from + a] - max) : 0;
        if (b < k) {
            excluded += VectorExp.exp(z[from + b] - max);
        }
        sums[0] += excluded;
    }

    /**
     * sums[0] += Σ exp(z_j − max), sums[1] += Σ (max − z_j) over [start, stop). Kept small on
     * purpose: C2 compiles it on its own and inlines the whole vector exp into the loop (in a
     * bigger method the inlining budget runs out and the vectors are boxed, ~5× slower).
     */
    private void sumRange(double[] z, int start, int stop, double max, double[] sums) {
        if (stop <= start) {
            return;
        }
        DoubleVector e = DoubleVector.zero(SPECIES);
        DoubleVector below = DoubleVector.zero(SPECIES);
        int j = start;
        for (int end = start + SPECIES.loopBound(stop - start); j < end; j += LANES) {
            DoubleVector d = DoubleVector.fromArray(SPECIES, z, j).sub(max);
            e = e.add(VectorExp.exp(d));
            below = below.sub(d);
        }
        double se = addLanes(e);
        double sb = addLanes(below);
        for (; j < stop; j++) {
            double d = z[j] - max;
            se += VectorExp.exp(d);
            sb -= d;
        }
        sums[0] += se;
        sums[1] += sb;
    }

    /**
     * {@link #sums} for a short row: d_j = z_j − M into a scratch row padded to whole vectors, exp of
     * it a vector at a time (a dependent chain of fmas per exp: one chain per lane instead of one
     * per value), then Σ exp(d_j) over the row and Σ (−d_j) over all but offsets a and b, both in
     * row order (the padding is not added).
     */
    private void sumsShort(double[] z, int from, int to, double max, int a, int b, double[] sums) {
        int k = to - from;
        double[] d = shortRow;
        double[] e = shortExp;
        for (int o = 0; o < k; o++) {
            d[o] = z[from + o] - max;
        }
        int padded = (k + LANES - 1) / LANES * LANES;
        for (int o = k; o < padded; o++) {
            d[o] = 0;
        }
        for (int o = 0; o < padded; o += LANES) {
            VectorExp.exp(DoubleVector.fromArray(SPECIES, d, o)).intoArray(e, o);
        }
        double se = 0;
        double sb = 0;
        for (int o = 0; o < k; o++) {
            se += e[o];
            if (o != a && o != b) {
                sb -= d[o];
            }
        }
        sums[0] = se;
        sums[1] = sb;
    }

    /** Σ of the lanes, in lane order. */
    private double addLanes(DoubleVector v) {
        double[] l = lanes;
        v.intoArray(l, 0);
        double s = 0;
        for (double x : l) {
            s += x;
        }
        return s;
    }
}
