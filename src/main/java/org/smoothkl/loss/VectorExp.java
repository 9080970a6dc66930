package org.smoothkl.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

/**
 * exp(x) for x ≤ 0 from plain IEEE operations (add, mul, fma, compare, blend, integer shift and
 * add on the bit pattern), lane-wise with the Vector API and per value with the same operations,
 * so the result is the same bits in every lane, at every JIT tier (interpreted, C1, C2) and for
 * the scalar tails: the Vector API's own {@code lanewise(EXP)} calls a native (SVML) stub that
 * is not bit-reproducible across tiers.
 *
 * <pre>
 *   n = round(x / ln 2)          via t = x·log2(e) + 1.5·2^52 (round to nearest), n = t − 1.5·2^52
 *   r = (x − n·ln2_hi) − n·ln2_lo    |r| ≤ ln 2 / 2 (Cody–Waite, fdlibm's two-part ln 2)
 *   p = 1 + r + r²·g(r)          degree 11, Horner with fma (near-minimax: 1.6e-17 relative, below)
 *   exp(x) = p · 2^n             n << 52 added to the bits of p (p ∈ [0.7, 1.42], n ≤ 0)
 * </pre>
 *
 * Domain and range: x ≤ 0 (the kernel calls it with z_j − max). x = ±0 gives exactly 1.
 * Results that would be subnormal flush to zero: x &lt; {@value #FLUSH_BELOW} gives +0 (exp there
 * is below 2.3e-308; −∞ gives +0). Error: at most 1 ulp against {@link Math#exp} on
 * [{@value #FLUSH_BELOW}, 0] (VectorExpTest). Positive x is outside the contract (fine up to
 * about 709 but not tested); NaN cannot reach it (rows with a NaN are rejected first).
 */
final class VectorExp {
    /** exp(x) for x below this is +0: p·2^n is then no longer a normal number. */
    static final double FLUSH_BELOW = -708.39;
    private static final double LOG2E = 1.4426950408889634;
    private static final double SHIFTER = 0x1.8p52;
    private static final double LN2_HI = 6.93147180369123816490e-01; // 0x3fe62e42fee00000: n·LN2_HI is exact
    private static final double LN2_LO = 1.90821492927058770002e-10; // ln 2 − LN2_HI
    // p(r) = 1 + r + r²·g(r) with g of degree 9 (C2..C11): the Chebyshev interpolant, computed in
    // 50-digit arithmetic (mpmath) and rounded to doubles, of (e^r − 1 − r)/r² on |r| ≤ ln 2 / 2;
    // max relative error of p against e^r 1.6e-17 (0.07 ulp of p), where Taylor needs degree 13.
    private static final double C2 = 0x1.0000000000001p-1;
    private static final double C3 = 0x1.5555555555556p-3;
    private static final double C4 = 0x1.5555555553d68p-5;
    private static final double C5 = 0x1.11111111109b5p-7;
    private static final double C6 = 0x1.6c16c17889f40p-10;
    private static final double C7 = 0x1.a01a01a7c2f2ep-13;
    private static final double C8 = 0x1.a019b9148739fp-16;
    private static final double C9 = 0x1.71de0db2eafc6p-19;
    private static final double C10 = 0x1.28917ca046b86p-22;
    private static final double C11 = 0x1.af389eeb9e5e9p-26;

    private VectorExp() {
    }

    /** exp of every lane of x (lanes ≤ 0). */
    static DoubleVector exp(DoubleVector x) {
        DoubleVector t = x.fma(LOG2E, SHIFTER);
        DoubleVector n = t.sub(SHIFTER);
        DoubleVector r = n.fma(x.broadcast(-LN2_LO), n.fma(x.broadcast(-LN2_HI), x));
        DoubleVector p = r.fma(C11, C10);
        p = p.fma(r, x.broadcast(C9));
        p = p.fma(r, x.broadcast(C8));
        p = p.fma(r, x.broadcast(C7));
        p = p.fma(r, x.broadcast(C6));
        p = p.fma(r, x.broadcast(C5));
        p = p.fma(r, x.broadcast(C4));
        p = p.fma(r, x.broadcast(C3));
        p = p.fma(r, x.broadcast(C2));
        p = p.fma(r, x.broadcast(1.0));
        p = p.fma(r, x.broadcast(1.0));
        // t's low bits hold n (two's complement): shifted by 52 they are n in the exponent field
        LongVector scale = ((LongVector) t.reinterpretAsLongs()).lanewise(VectorOperators.LSHL, 52);
        DoubleVector e = ((LongVector) p.reinterpretAsLongs()).add(scale).reinterpretAsDoubles();
        return e.blend(0.0, x.lt(FLUSH_BELOW));
    }

    /** exp(x) for one x ≤ 0, by the same operations as a lane of {@link #exp(DoubleVector)}. */
    static double exp(double x) {
        if (x < FLUSH_BELOW) {
            return 0.0;
        }
        double t = Math.fma(x, LOG2E, SHIFTER);
        double n = t - SHIFTER;
        double r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, x));
        double p = Math.fma(r, C11, C10);
        p = Math.fma(p, r, C9);
        p = Math.fma(p, r, C8);
        p = Math.fma(p, r, C7);
        p = Math.fma(p, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        long scale = Double.doubleToRawLongBits(t) << 52;
        return Double.longBitsToDouble(Double.doubleToRawLongBits(p) + scale);
    }
}
