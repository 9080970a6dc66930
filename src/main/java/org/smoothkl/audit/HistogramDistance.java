package org.smoothkl.audit;

/**
 * Distances between two histograms over the same bins (for the gap histogram: underflow, the
 * equal-width bins and overflow, so that every valid row counts).
 *
 * <p><b>PSI</b>, the population stability index, with run fractions p and baseline fractions q:
 * <pre>
 *   PSI = Σ_i (p_i − q_i) · ln(p_i / q_i)
 * </pre>
 * It is infinite when a bin is empty in one histogram only, so both histograms are smoothed
 * first: {@value #SMOOTHING} is added to every bin's count (Jeffreys' additive smoothing),
 * p_i = (n_i + ½) / (N + ½·B) over B bins. Identical histograms give exactly 0; a few dozen
 * rows per slice pull both towards uniform, which damps PSI where it would be noise.
 *
 * <p><b>Jensen–Shannon distance</b>, in bits, on the raw fractions (no smoothing needed: the
 * mixture m is positive wherever p or q is, and 0·log 0 = 0):
 * <pre>
 *   m = (p + q)/2,   JSD = ½ Σ p_i log₂(p_i/m_i) + ½ Σ q_i log₂(q_i/m_i),   distance = √JSD ∈ [0, 1]
 * </pre>
 * the same number as SciPy's {@code jensenshannon(p, q, base=2)}.
 *
 * <p>Both are NaN when either histogram is empty (no valid rows).
 */
public final class HistogramDistance {
    public static final double SMOOTHING = 0.5;

    private HistogramDistance() {
    }

    public static double psi(long[] run, long[] baseline) {
        requireSameBins(run, baseline);
        double n = total(run);
        double m = total(baseline);
        if (n == 0 || m == 0) {
            return Double.NaN;
        }
        double pn = n + SMOOTHING * run.length;
        double qn = m + SMOOTHING * baseline.length;
        CompensatedSum psi = new CompensatedSum();
        for (int i = 0; i < run.length; i++) {
            double p = (run[i] + SMOOTHING) / pn;
            double q = (baseline[i] + SMOOTHING) / qn;
            psi.add((p - q) * Math.log(p / q));
        }
        return psi.value();
    }

    public static double jensenShannon(long[] run, long[] baseline) {
        requireSameBins(run, baseline);
        double n = total(run);
        double m = total(baseline);
        if (n == 0 || m == 0) {
            return Double.NaN;
        }
        CompensatedSum jsd = new CompensatedSum();
        for (int i = 0; i < run.length; i++) {
            double p = run[i] / n;
            double q = baseline[i] / m;
            double mix = (p + q) / 2;
            jsd.add(0.5 * xLogXOverY(p, mix) + 0.5 * xLogXOverY(q, mix));
        }
        return Math.sqrt(Math.max(0, jsd.value() / Math.log(2)));
    }

    private static double xLogXOverY(double x, double y) {
        return x == 0 ? 0 : x * Math.log(x / y);
    }

    private static double total(long[] counts) {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    private static void requireSameBins(long[] a, long[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("histograms of " + a.length + " and " + b.length + " bins");
        }
    }
}
