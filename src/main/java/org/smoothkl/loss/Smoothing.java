package org.smoothkl.loss;

/**
 * What the row kernel needs to know about a run: the target convention, ε, the ignore index
 * (also the pad class under {@link TargetConvention#OTHERS_EXCEPT_PAD}), what the input numbers
 * are ({@link InputKind}) and, for probabilities, how far a row's Σ p may be from 1.
 */
public record Smoothing(TargetConvention convention, double epsilon, long ignoreIndex,
                        InputKind inputKind, double sumTolerance) implements java.io.Serializable {

    /**
     * The default |Σ p − 1| allowed for {@link InputKind#PROBS} and {@link InputKind#LOG_PROBS}.
     * A float32 softmax p = e/Σe sums to 1 within the relative error of its float32 normaliser Σe
     * plus the rounding of each stored p. Measured (submit/softmax-sum-tolerance.py, V up to 256k,
     * Gaussian logits of scale 1–10): ≤ 2e-7 with a tree sum (numpy, GPU reductions), ≤ 3.6e-4 with
     * a naive sequential float32 loop, ≤ 6e-4 when float32 probabilities are stored as float16.
     * 1e-3 passes all of these and still refuses what is not a distribution: logits or sigmoid
     * outputs given as probabilities, a top-k truncation that dropped more than 0.1 % of the mass.
     */
    public static final double DEFAULT_SUM_TOLERANCE = 1e-3;

    public Smoothing {
        if (convention == null) {
            throw new IllegalArgumentException("convention must not be null");
        }
        if (inputKind == null) {
            throw new IllegalArgumentException("input kind must not be null");
        }
    }

    /** Raw logits (the default input kind). */
    public Smoothing(TargetConvention convention, double epsilon, long ignoreIndex) {
        this(convention, epsilon, ignoreIndex, InputKind.LOGITS, DEFAULT_SUM_TOLERANCE);
    }

    /** The same run on input of another kind. */
    public Smoothing withInput(InputKind kind, double tolerance) {
        return new Smoothing(convention, epsilon, ignoreIndex, kind, tolerance);
    }

    /** ε must lie in [0, 1] (NaN does not); otherwise every row is invalid. */
    public boolean epsilonInRange() {
        return epsilon >= 0 && epsilon <= 1;
    }
}
