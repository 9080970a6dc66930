package org.smoothkl.loss;

/**
 * How the smoothing mass ε is spread into the target distribution q for a row with K classes,
 * label y and (for {@link #OTHERS_EXCEPT_PAD}) a pad class.
 *
 * <pre>
 *   UNIFORM_ALL        q_y = 1-ε+ε/K   q_j = ε/K                 (PyTorch label_smoothing)
 *   UNIFORM_OTHERS     q_y = 1-ε       q_j = ε/(K-1)             (NMT criterion, Bag of Tricks, fairseq)
 *   OTHERS_EXCEPT_PAD  q_y = 1-ε       q_pad = 0, q_j = ε/(K-2)  (legacy OpenNMT-py)
 * </pre>
 *
 * The one owner of q: both kernels, the CPU's and cuDF's, ask it which classes carry q_o and over
 * how many classes ε is spread, rather than telling the conventions apart themselves.
 */
public enum TargetConvention implements WireCode {
    UNIFORM_ALL(2, true, false),
    UNIFORM_OTHERS(2, false, false),
    OTHERS_EXCEPT_PAD(3, false, true);

    private final int minClasses;
    private final boolean labelSharesSmoothing;
    private final boolean excludesPadClass;

    TargetConvention(int minClasses, boolean labelSharesSmoothing, boolean excludesPadClass) {
        this.minClasses = minClasses;
        this.labelSharesSmoothing = labelSharesSmoothing;
        this.excludesPadClass = excludesPadClass;
    }

    /** Fewest classes a row may have under this convention (the pad class needs a third). */
    public int minClasses() {
        return minClasses;
    }

    /**
     * Whether ε is spread over all K classes, the label's included (q_y = 1-ε+ε/K, q_o = ε/K),
     * rather than over the classes that carry q_o only (q_y = 1-ε, q_o = ε/{@link #otherClassCount}).
     */
    public boolean labelSharesSmoothing() {
        return labelSharesSmoothing;
    }

    /** q_y, the target probability of the labelled class. */
    public double labelProbability(int classes, double epsilon) {
        return labelSharesSmoothing ? 1 - epsilon + epsilon / classes : 1 - epsilon;
    }

    /** Whether q_y is 0 whatever K: at ε = 1, where the label has no share of ε. */
    public boolean labelProbabilityIsZero(double epsilon) {
        return !labelSharesSmoothing && epsilon == 1;
    }

    /** q_j for a class that is neither the label nor (for OTHERS_EXCEPT_PAD) the pad class. */
    public double otherProbability(int classes, double epsilon) {
        return epsilon / (labelSharesSmoothing ? classes : otherClassCount(classes));
    }

    /** How many classes carry {@link #otherProbability}: K minus {@link #classesWithoutOtherProbability}. */
    public int otherClassCount(int classes) {
        return classes - classesWithoutOtherProbability();
    }

    /** How many of a row's classes do not carry q_o: the label, and the pad class where it is excluded. */
    public int classesWithoutOtherProbability() {
        return excludesPadClass ? 2 : 1;
    }

    /** Whether the pad class is taken out of the target (it must then be a class of the row). */
    public boolean excludesPadClass() {
        return excludesPadClass;
    }

    /**
     * The logit gap at the loss optimum, log(q_y / q_other) (He et al. 2019, §5.2):
     * +∞ at ε = 0, −∞ where q_y = 0.
     */
    public double optimalGap(int classes, double epsilon) {
        if (labelSharesSmoothing) {
            // log(1 + K(1-ε)/ε): q_y/q_other = (1-ε+ε/K)/(ε/K)
            return Math.log1p(classes * (1 - epsilon) / epsilon);
        }
        if (epsilon == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.log(otherClassCount(classes) * (1 - epsilon) / epsilon);
    }

    /** H(q) = −Σ q_j log q_j, with 0·log 0 = 0. It does not depend on the logits. */
    double targetEntropy(int classes, double epsilon) {
        double qy = labelProbability(classes, epsilon);
        double qo = otherProbability(classes, epsilon);
        return -(xLogX(qy) + otherClassCount(classes) * xLogX(qo));
    }

    /** x·log x with the limit 0 at x = 0. */
    static double xLogX(double x) {
        return x == 0 ? 0 : x * Math.log(x);
    }
}
