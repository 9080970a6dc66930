package org.smoothkl.loss;

/**
 * What the row kernel needs to know about a run: the target convention, ε, and the ignore
 * index (also the pad class under {@link TargetConvention#OTHERS_EXCEPT_PAD}).
 */
public record Smoothing(TargetConvention convention, double epsilon, long ignoreIndex) implements java.io.Serializable {

    public Smoothing {
        if (convention == null) {
            throw new IllegalArgumentException("convention must not be null");
        }
    }

    /** ε must lie in [0, 1] (NaN does not); otherwise every row is invalid. */
    public boolean epsilonInRange() {
        return epsilon >= 0 && epsilon <= 1;
    }
}
