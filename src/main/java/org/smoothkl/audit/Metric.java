package org.smoothkl.audit;

import org.smoothkl.loss.WireCode;

/**
 * The numbers of a slice summary that summary.json, checks, baseline deltas, the history table
 * and the report use. Each code is the summary.json key that holds the number ({@code preset_loss}
 * is its {@code value}).
 */
public enum Metric implements WireCode {
    ROWS,
    VALID,
    IGNORED,
    INVALID,
    INVALID_FRACTION,
    IGNORED_FRACTION,
    SUM_KL,
    MEAN_KL,
    SUM_SMOOTHED_CE,
    MEAN_SMOOTHED_CE,
    SUM_NLL,
    MEAN_NLL,
    ACCURACY,
    MEAN_GAP,
    GAP_OPT,
    MEAN_CONFIDENCE,
    ECE,
    PRESET_LOSS;

    /** Whether the metric counts rows (a long in summary.json and the history table). */
    public boolean isCount() {
        return this == ROWS || this == VALID || this == IGNORED || this == INVALID;
    }

    /** This metric of a slice state; NaN where it is undefined (no valid rows, K varies). */
    public double of(SliceSummary s, AuditSpec spec) {
        return switch (this) {
            case ROWS -> s.rows();
            case VALID -> s.valid();
            case IGNORED -> s.ignored();
            case INVALID -> s.invalid();
            case INVALID_FRACTION -> s.invalidFraction();
            case IGNORED_FRACTION -> s.ignoredFraction();
            case SUM_KL -> s.sumKl();
            case MEAN_KL -> s.meanKl();
            case SUM_SMOOTHED_CE -> s.sumSmoothedCe();
            case MEAN_SMOOTHED_CE -> s.meanSmoothedCe();
            case SUM_NLL -> s.sumNll();
            case MEAN_NLL -> s.meanNll();
            case ACCURACY -> s.accuracy();
            case MEAN_GAP -> s.meanGap();
            case GAP_OPT -> {
                Double g = s.optimalGap(spec.smoothing());
                yield g == null ? Double.NaN : g;
            }
            case MEAN_CONFIDENCE -> s.meanConfidence();
            case ECE -> s.expectedCalibrationError();
            case PRESET_LOSS -> s.presetLoss(spec.preset());
        };
    }

    /** The metric of a summary.json key, or null. */
    public static Metric fromKey(String key) {
        for (Metric m : values()) {
            if (m.code().equals(key)) {
                return m;
            }
        }
        return null;
    }

    /** Every metric's summary.json key, in declaration order. */
    public static java.util.List<String> codeList() {
        return java.util.Arrays.stream(values()).map(Metric::code).toList();
    }

    public static String keys() {
        return WireCode.codes(Metric.class);
    }
}
