package org.smoothkl.loss;

import java.util.SplittableRandom;

/**
 * Logits that look like those of a model trained with label smoothing ε (He et al. 2019, Fig. 4):
 * the other classes' logits are N(0, 1), and the predicted class sits a gap g above their mean,
 * g ~ N(g*, (0.15·g*)²) with g* = log((K−1)(1−ε)/ε), the optimum of the paper's convention
 * (2·ln K + 8 at ε = 0, where the optimum is infinite). The prediction is the label with
 * probability {@code accuracy}, otherwise another class drawn uniformly. Row i of a seed is
 * always the same, on any partitioning.
 */
public final class SyntheticLogits implements java.io.Serializable {
    private final int classes;
    private final double targetGap;

    public SyntheticLogits(int classes, double epsilon) {
        if (classes < 2) {
            throw new IllegalArgumentException("--classes must be at least 2, got " + classes);
        }
        if (!(epsilon >= 0 && epsilon < 1)) {
            throw new IllegalArgumentException("--epsilon must lie in [0, 1) to generate data, got " + epsilon);
        }
        this.classes = classes;
        double g = TargetConvention.UNIFORM_OTHERS.optimalGap(classes, epsilon);
        this.targetGap = Double.isInfinite(g) ? 2 * Math.log(classes) + 8 : g;
    }

    public double targetGap() {
        return targetGap;
    }

    /** The label of row {@code rowId}; {@link #logits} writes its logits. */
    public int label(long seed, long rowId) {
        return random(seed, rowId).nextInt(classes);
    }

    /** Fills {@code out} (length K) with row {@code rowId}'s logits. */
    public void logits(long seed, long rowId, double accuracy, float[] out) {
        SplittableRandom r = random(seed, rowId);
        int label = r.nextInt(classes);
        int predicted = label;
        if (r.nextDouble() >= accuracy) {
            predicted = (label + 1 + r.nextInt(classes - 1)) % classes;
        }
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            out[j] = (float) r.nextGaussian();
            if (j != predicted) {
                sum += out[j];
            }
        }
        double gap = Math.max(0.05 * targetGap, targetGap * (1 + 0.15 * r.nextGaussian()));
        out[predicted] = (float) (sum / (classes - 1) + gap);
    }

    private static SplittableRandom random(long seed, long rowId) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ rowId * 0xC2B2AE3D27D4EB4FL);
    }

    /** One in-memory batch of about {@code values} logits (at least one row), seed 1, accuracy 0.8: for timing kernels. */
    public LogitBatch batch(int values) {
        int k = classes;
        int rows = Math.max(1, values / k);
        LogitBatch b = new LogitBatch(rows, rows * k);
        float[] z = new float[k];
        for (int r = 0; r < rows; r++) {
            logits(1, r, 0.8, z);
            for (float v : z) {
                b.appendValue(v);
            }
            b.endRow(label(1, r));
        }
        return b;
    }
}
