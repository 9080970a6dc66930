package org.smoothkl.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.LossKind;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.Reduction;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.Smoothing;

/**
 * The audit state of one slice as plain arithmetic: counts, compensated sums and histogram
 * counts. States of parts (rows, partitions, runs) {@link #merge} into the state of the whole,
 * in any order; the Spark side only fills it from SQL aggregates.
 *
 * <p>Means divide by the valid rows; accuracy, the histogram and calibration cover valid rows
 * only. {@code rows = valid + ignored + invalid} by construction.
 *
 * <p>Calibration per confidence bin b (confidence c = top-1 softmax probability): the count
 * n_b, the correct count and the compensated sum of c. From them
 * <pre>
 *   conf_b = Σ_{i∈b} c_i / n_b      acc_b = correct_b / n_b
 *   ECE    = Σ_b (n_b/N) |acc_b − conf_b| = (1/N) Σ_b |correct_b − Σ_{i∈b} c_i|,   N = Σ_b n_b
 * </pre>
 */
public final class SliceSummary {
    private final GapHistogramSpec histogramSpec;
    private final CalibrationSpec calibrationSpec;
    private long valid;
    private long ignored;
    private final SortedMap<String, Long> invalidByReason = new TreeMap<>();
    private final CompensatedSum kl = new CompensatedSum();
    private final CompensatedSum smoothedCe = new CompensatedSum();
    private final CompensatedSum nll = new CompensatedSum();
    private final CompensatedSum gap = new CompensatedSum();
    private long correct;
    private int minClasses = Integer.MAX_VALUE;
    private int maxClasses = Integer.MIN_VALUE;
    private final long[] histogram;
    private long underflow;
    private long overflow;
    private final long[] calibrationCount;
    private final long[] calibrationCorrect;
    private final CompensatedSum[] calibrationConfidence;
    /** Token-sequence input only; null otherwise. */
    private SequenceSummary sequences;

    public SliceSummary(GapHistogramSpec histogramSpec, CalibrationSpec calibrationSpec) {
        this.histogramSpec = histogramSpec;
        this.calibrationSpec = calibrationSpec;
        this.histogram = new long[histogramSpec.bins()];
        this.calibrationCount = new long[calibrationSpec.bins()];
        this.calibrationCorrect = new long[calibrationSpec.bins()];
        this.calibrationConfidence = new CompensatedSum[calibrationSpec.bins()];
        for (int b = 0; b < calibrationConfidence.length; b++) {
            calibrationConfidence[b] = new CompensatedSum();
        }
    }

    /** Adds one valid row (the plain-Java path; Spark adds partial aggregates instead). */
    public SliceSummary addValidRow(double kl, double ce, double nll, double gap, double confidence, boolean correct,
                                    int classes) {
        addValid(1, kl, ce, nll, gap, correct ? 1 : 0, classes, classes);
        addGap(histogramSpec.bucket(gap), 1);
        addCalibration(calibrationSpec.bin(confidence), 1, correct ? 1 : 0, confidence);
        return this;
    }

    /**
     * Adds a partial aggregate of {@code count} valid rows in confidence bin {@code bin}
     * ({@link CalibrationSpec#bin}): how many were correct and the sum of their confidences.
     */
    public void addCalibration(int bin, long count, long correctCount, double sumConfidence) {
        calibrationCount[bin] += count;
        calibrationCorrect[bin] += correctCount;
        calibrationConfidence[bin].add(sumConfidence);
    }

    /** Adds a partial aggregate of valid rows (sums over {@code count} rows). */
    public void addValid(long count, double sumKl, double sumCe, double sumNll, double sumGap,
                         long correctCount, int minK, int maxK) {
        valid += count;
        kl.add(sumKl);
        smoothedCe.add(sumCe);
        nll.add(sumNll);
        gap.add(sumGap);
        correct += correctCount;
        minClasses = Math.min(minClasses, minK);
        maxClasses = Math.max(maxClasses, maxK);
    }

    public void addIgnored(long count) {
        ignored += count;
    }

    public void addInvalid(String reason, long count) {
        invalidByReason.merge(reason, count, Long::sum);
    }

    public void addInvalid(InvalidReason reason, long count) {
        addInvalid(reason.code(), count);
    }

    /** Adds {@code count} rows of one status; for invalid rows {@code reason} names why. */
    public void addCount(RowStatus status, String reason, long count) {
        switch (status) {
            case IGNORED -> addIgnored(count);
            case INVALID -> addInvalid(reason, count);
            case VALID -> throw new IllegalArgumentException("valid rows come with their sums: use addValid");
        }
    }

    /** Adds {@code count} valid rows to histogram bucket {@code bucket} ({@link GapHistogramSpec#bucket}). */
    public void addGap(int bucket, long count) {
        if (bucket < 0) {
            underflow += count;
        } else if (bucket >= histogram.length) {
            overflow += count;
        } else {
            histogram[bucket] += count;
        }
    }

    /** Adds per-sequence aggregates (token-sequence input). */
    public void addSequences(SequenceSummary part) {
        sequences = sequences == null ? new SequenceSummary().merge(part) : sequences.merge(part);
    }

    /** The per-sequence state, or null when the input was not token sequences. */
    public SequenceSummary sequences() {
        return sequences;
    }

    /** A new state holding this one and {@code other}; neither is changed. */
    public SliceSummary merge(SliceSummary other) {
        if (!other.histogramSpec.equals(histogramSpec) || !other.calibrationSpec.equals(calibrationSpec)) {
            throw new IllegalArgumentException("cannot merge summaries with different histograms or calibration bins");
        }
        SliceSummary m = new SliceSummary(histogramSpec, calibrationSpec);
        for (SliceSummary s : new SliceSummary[] {this, other}) {
            m.valid += s.valid;
            m.ignored += s.ignored;
            s.invalidByReason.forEach((r, n) -> m.invalidByReason.merge(r, n, Long::sum));
            m.kl.merge(s.kl);
            m.smoothedCe.merge(s.smoothedCe);
            m.nll.merge(s.nll);
            m.gap.merge(s.gap);
            m.correct += s.correct;
            m.minClasses = Math.min(m.minClasses, s.minClasses);
            m.maxClasses = Math.max(m.maxClasses, s.maxClasses);
            for (int i = 0; i < histogram.length; i++) {
                m.histogram[i] += s.histogram[i];
            }
            m.underflow += s.underflow;
            m.overflow += s.overflow;
            for (int b = 0; b < calibrationCount.length; b++) {
                m.calibrationCount[b] += s.calibrationCount[b];
                m.calibrationCorrect[b] += s.calibrationCorrect[b];
                m.calibrationConfidence[b].merge(s.calibrationConfidence[b]);
            }
            if (s.sequences != null) {
                m.addSequences(s.sequences);
            }
        }
        return m;
    }

    public GapHistogramSpec histogramSpec() {
        return histogramSpec;
    }

    public CalibrationSpec calibrationSpec() {
        return calibrationSpec;
    }

    public long rows() {
        return valid + ignored + invalid();
    }

    public long valid() {
        return valid;
    }

    public long ignored() {
        return ignored;
    }

    public long invalid() {
        return invalidByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    public Map<String, Long> invalidByReason() {
        return Collections.unmodifiableSortedMap(invalidByReason);
    }

    public double sumKl() {
        return kl.value();
    }

    public double sumSmoothedCe() {
        return smoothedCe.value();
    }

    public double sumNll() {
        return nll.value();
    }

    public double sumGap() {
        return gap.value();
    }

    public long correct() {
        return correct;
    }

    /** Mean over valid rows; NaN when there are none (written as null). */
    public double meanKl() {
        return perValid(sumKl());
    }

    public double meanSmoothedCe() {
        return perValid(sumSmoothedCe());
    }

    public double meanNll() {
        return perValid(sumNll());
    }

    public double meanGap() {
        return perValid(sumGap());
    }

    public double accuracy() {
        return perValid(correct);
    }

    private double perValid(double x) {
        return valid == 0 ? Double.NaN : x / valid;
    }

    /**
     * The number the preset's own criterion reports for these rows: its loss (KL or smoothed
     * cross-entropy) summed, or averaged over valid rows for a mean reduction.
     */
    public double presetLoss(Preset preset) {
        double sum = preset.loss() == LossKind.KL ? sumKl() : sumSmoothedCe();
        return preset.reduction() == Reduction.SUM ? sum : sum / valid;
    }

    /** invalid / rows: the share of rows that could not be scored; NaN without rows. */
    public double invalidFraction() {
        long rows = rows();
        return rows == 0 ? Double.NaN : (double) invalid() / rows;
    }

    /** ignored / rows; NaN without rows. */
    public double ignoredFraction() {
        long rows = rows();
        return rows == 0 ? Double.NaN : (double) ignored / rows;
    }

    /** The calibration table, one row per confidence bin (empty bins included). */
    public List<ReliabilityBin> reliability() {
        List<ReliabilityBin> table = new ArrayList<>(calibrationCount.length);
        for (int b = 0; b < calibrationCount.length; b++) {
            long n = calibrationCount[b];
            table.add(new ReliabilityBin(b, calibrationSpec.lo(b), calibrationSpec.hi(b), n,
                    n == 0 ? Double.NaN : calibrationConfidence[b].value() / n,
                    n == 0 ? Double.NaN : (double) calibrationCorrect[b] / n));
        }
        return table;
    }

    /** Mean top-1 confidence of the valid rows; NaN without any. */
    public double meanConfidence() {
        CompensatedSum total = new CompensatedSum();
        long n = 0;
        for (int b = 0; b < calibrationCount.length; b++) {
            total.merge(calibrationConfidence[b]);
            n += calibrationCount[b];
        }
        return n == 0 ? Double.NaN : total.value() / n;
    }

    /** Expected calibration error (1/N) Σ_b |correct_b − Σ_{i∈b} c_i|; NaN without valid rows. */
    public double expectedCalibrationError() {
        CompensatedSum gaps = new CompensatedSum();
        long n = 0;
        for (int b = 0; b < calibrationCount.length; b++) {
            gaps.add(Math.abs(calibrationCorrect[b] - calibrationConfidence[b].value()));
            n += calibrationCount[b];
        }
        return n == 0 ? Double.NaN : gaps.value() / n;
    }

    /** K of the valid rows when it is one number; null when it varies or there are none. */
    public Integer classes() {
        return valid > 0 && minClasses == maxClasses ? minClasses : null;
    }

    /** The optimal gap log(q_y/q_other) for this slice's K; null when K varies. */
    public Double optimalGap(Smoothing smoothing) {
        Integer k = classes();
        return k == null ? null : smoothing.convention().optimalGap(k, smoothing.epsilon());
    }

    public long[] histogram() {
        return histogram.clone();
    }

    /** One bin of the histogram as written out: [lo, hi) and its count. */
    public record Bin(double lo, double hi, long count) {
    }

    /** Underflow (lo = −∞), the equal-width bins, then overflow (hi = +∞): counts add up to the valid rows. */
    public List<Bin> bins() {
        double[] edges = histogramSpec.edges();
        List<Bin> bins = new ArrayList<>(histogram.length + 2);
        bins.add(new Bin(Double.NEGATIVE_INFINITY, edges[0], underflow));
        for (int i = 0; i < histogram.length; i++) {
            bins.add(new Bin(edges[i], edges[i + 1], histogram[i]));
        }
        bins.add(new Bin(edges[histogram.length], Double.POSITIVE_INFINITY, overflow));
        return bins;
    }

    public long underflow() {
        return underflow;
    }

    public long overflow() {
        return overflow;
    }
}
