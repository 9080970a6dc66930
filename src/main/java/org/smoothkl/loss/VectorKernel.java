package org.smoothkl.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The formulas of {@link AbstractRowKernel} with the JDK Vector API: lane-wise max, exp and
 * sums over the widest double vectors the CPU has, scalar tails. Lane-wise partial sums add in a
 * different order than the scalar loop (slightly more accurate, not bit-identical); results agree
 * with {@link ScalarKernel} to 1e-12 relative on the golden rows. Load it through
 * {@link RowKernels}, which falls back to the scalar kernel where the incubator module is absent.
 */
public final class VectorKernel extends AbstractRowKernel {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    public VectorKernel(Smoothing smoothing) {
        super(smoothing);
    }

    @Override
    Scan scan(double[] z, int from, int to) {
        DoubleVector max = DoubleVector.broadcast(SPECIES, Double.NEGATIVE_INFINITY);
        DoubleVector min = DoubleVector.broadcast(SPECIES, Double.POSITIVE_INFINITY);
        DoubleVector finite = DoubleVector.zero(SPECIES); // x − x is NaN exactly when x is NaN or ±∞
        int j = from;
        for (int end = from + SPECIES.loopBound(to - from); j < end; j += LANES) {
            DoubleVector v = DoubleVector.fromArray(SPECIES, z, j);
            max = max.max(v);
            min = min.min(v);
            finite = finite.add(v.sub(v));
        }
        double m = max.reduceLanes(VectorOperators.MAX);
        double lo = min.reduceLanes(VectorOperators.MIN);
        double check = finite.reduceLanes(VectorOperators.ADD);
        for (; j < to; j++) {
            m = Math.max(m, z[j]);
            lo = Math.min(lo, z[j]);
            check += z[j] - z[j];
        }
        if (Double.isNaN(check) || Double.isNaN(m)) {
            return ScalarKernel.scanRow(z, from, to); // a NaN or ±∞ somewhere: the reference says which
        }
        return new Scan(m, firstIndexOf(z, from, to, m), lo, -1, -1, -1);
    }

    @Override
    void log(double[] z, int from, int to, double[] out) {
        int j = from;
        for (int end = from + SPECIES.loopBound(to - from); j < end; j += LANES) {
            DoubleVector.fromArray(SPECIES, z, j).lanewise(VectorOperators.LOG).intoArray(out, j - from);
        }
        for (; j < to; j++) {
            out[j - from] = Math.log(z[j]);
        }
    }

    private static int firstIndexOf(double[] z, int from, int to, double value) {
        int j = from;
        for (int end = from + SPECIES.loopBound(to - from); j < end; j += LANES) {
            int lane = DoubleVector.fromArray(SPECIES, z, j).eq(value).firstTrue();
            if (lane < LANES) {
                return j + lane - from;
            }
        }
        for (; j < to; j++) {
            if (z[j] == value) {
                return j - from;
            }
        }
        throw new IllegalStateException("max not found in its row");
    }

    @Override
    double sumExp(double[] z, int from, int to, double max) {
        DoubleVector acc = DoubleVector.zero(SPECIES);
        int j = from;
        for (int end = from + SPECIES.loopBound(to - from); j < end; j += LANES) {
            acc = acc.add(DoubleVector.fromArray(SPECIES, z, j).sub(max).lanewise(VectorOperators.EXP));
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; j < to; j++) {
            s += Math.exp(z[j] - max);
        }
        return s;
    }

    @Override
    double sumBelowMax(double[] z, int from, int to, double max) {
        if (to <= from) {
            return 0;
        }
        DoubleVector acc = DoubleVector.zero(SPECIES);
        DoubleVector m = DoubleVector.broadcast(SPECIES, max);
        int j = from;
        for (int end = from + SPECIES.loopBound(to - from); j < end; j += LANES) {
            acc = acc.add(m.sub(DoubleVector.fromArray(SPECIES, z, j)));
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; j < to; j++) {
            s += max - z[j];
        }
        return s;
    }
}
