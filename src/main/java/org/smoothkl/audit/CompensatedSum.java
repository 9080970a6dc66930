package org.smoothkl.audit;

/**
 * A double sum with Neumaier's compensation: the running error of every addition is kept
 * and added back at the end, so merging partial sums of any order loses nothing that a
 * double could hold. Merge is associative and commutative up to the last bit of the
 * compensated value.
 */
public final class CompensatedSum {
    private double sum;
    private double compensation;

    public CompensatedSum add(double x) {
        double t = sum + x;
        // An infinite or NaN sum has no rounding error to keep; (sum − t) would make the
        // compensation NaN, and a later merge would turn an infinite sum into NaN.
        if (Double.isFinite(t)) {
            if (Math.abs(sum) >= Math.abs(x)) {
                compensation += (sum - t) + x;
            } else {
                compensation += (x - t) + sum;
            }
        }
        sum = t;
        return this;
    }

    public CompensatedSum merge(CompensatedSum other) {
        add(other.sum);
        add(other.compensation);
        return this;
    }

    public CompensatedSum copy() {
        CompensatedSum c = new CompensatedSum();
        c.sum = sum;
        c.compensation = compensation;
        return c;
    }

    public double value() {
        double v = sum + compensation;
        // An infinite or NaN sum has no meaningful compensation (inf − inf would give NaN).
        return Double.isFinite(sum) ? v : sum;
    }
}
