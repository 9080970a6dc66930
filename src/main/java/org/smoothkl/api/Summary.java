package org.smoothkl.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.Metric;
import org.smoothkl.audit.ReliabilityBin;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;

/**
 * The numbers of one summary of a run, overall or one slice, as summary.json holds them. A number
 * that is undefined (a mean without valid rows, the optimal gap when K varies) is NaN; summary.json
 * writes it as null. {@link #metric(String)} reads any of them by its summary.json key.
 */
public final class Summary {
    private final SliceKey key;
    private final SliceSummary state;
    private final AuditSpec spec;

    Summary(SliceKey key, SliceSummary state, AuditSpec spec) {
        this.key = key;
        this.state = state;
        this.spec = spec;
    }

    /** Column → value (Spark's own object: String, Integer, Long, Boolean, LocalDate, ...), in --group-by order; empty for overall. */
    public Map<String, Object> key() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < key.columns().size(); i++) {
            m.put(key.columns().get(i), key.values().get(i));
        }
        return Collections.unmodifiableMap(m);
    }

    /** The typed key itself (equal for the same slice in every run). */
    public SliceKey sliceKey() {
        return key;
    }

    /** "overall", or the slice's label as summary.json's checks and the console name it ({@code slice=a, n=3}). */
    public String label() {
        return key.label();
    }

    public boolean isOverall() {
        return key.columns().isEmpty();
    }

    public long rows() {
        return state.rows();
    }

    public long valid() {
        return state.valid();
    }

    public long ignored() {
        return state.ignored();
    }

    public long invalid() {
        return state.invalid();
    }

    /** Invalid rows by reason code ({@code non_finite_logit}, {@code label_out_of_range}, ...). */
    public Map<String, Long> invalidByReason() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(state.invalidByReason()));
    }

    /**
     * A number by its summary.json key: {@code rows}, {@code mean_kl}, {@code accuracy}, {@code ece},
     * {@code preset_loss} (its value), ...; NaN when undefined.
     *
     * @throws IllegalArgumentException for a key that is no metric (the message lists them)
     */
    public double metric(String code) {
        Metric m = Metric.fromKey(code);
        if (m == null) {
            throw new IllegalArgumentException("no metric '" + code + "'"
                    + org.smoothkl.audit.EditDistance.didYouMean(String.valueOf(code), Metric.codeList()) + "; the metrics are " + Metric.keys());
        }
        return m.of(state, spec);
    }

    /** Every metric by its summary.json key, counts included (as doubles). */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Metric metric : Metric.values()) {
            m.put(metric.code(), metric.of(state, spec));
        }
        return Collections.unmodifiableMap(m);
    }

    public double meanKl() {
        return Metric.MEAN_KL.of(state, spec);
    }

    public double meanSmoothedCe() {
        return Metric.MEAN_SMOOTHED_CE.of(state, spec);
    }

    public double meanNll() {
        return Metric.MEAN_NLL.of(state, spec);
    }

    public double accuracy() {
        return Metric.ACCURACY.of(state, spec);
    }

    public double meanGap() {
        return Metric.MEAN_GAP.of(state, spec);
    }

    /** The gap at the loss optimum for these rows' K and ε (summary.json's {@code gap_opt}; +∞ at ε = 0). */
    public double optimalGap() {
        return Metric.GAP_OPT.of(state, spec);
    }

    public double meanConfidence() {
        return Metric.MEAN_CONFIDENCE.of(state, spec);
    }

    /** Expected calibration error over --calibration-bins bins. */
    public double ece() {
        return Metric.ECE.of(state, spec);
    }

    /** The number the preset's own criterion reports for these rows (its loss, summed or averaged as it reduces). */
    public double presetLoss() {
        return Metric.PRESET_LOSS.of(state, spec);
    }

    /** K of the valid rows; null when it varies or there are none. */
    public Integer classes() {
        return state.classes();
    }

    public Histogram histogram() {
        return new Histogram(state);
    }

    /** The reliability table: per confidence bin its count, mean confidence and accuracy. */
    public List<ReliabilityBin> reliability() {
        return state.reliability();
    }

    @Override
    public String toString() {
        return label() + ": " + rows() + " rows, mean_kl " + meanKl() + ", accuracy " + accuracy();
    }
}
