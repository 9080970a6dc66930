package org.smoothkl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.ScalarKernel;
import org.smoothkl.loss.Smoothing;

/**
 * The algebra of {@link SliceSummary}, Deequ style and without Spark: the state of A ∪ B equals
 * merge(A, B) and merge(B, A) for random rows split at random, and the derived numbers
 * (rows, means, classes, optimal gap) follow from the counts.
 */
class SliceSummaryTest {
    private static final double REL = 1e-12;
    private static final GapHistogramSpec SPEC = new GapHistogramSpec(20, -2, 18);
    private static final CalibrationSpec CAL = new CalibrationSpec(12);
    private static final List<String> REASONS = List.of(
            InvalidReason.NAN_LOGIT.code(), InvalidReason.LABEL_OUT_OF_RANGE.code(), InvalidReason.MALFORMED_RECORD.code());

    /** One generated row: valid with its metrics, ignored, or invalid with a reason. */
    private record Row(RowStatus status, String reason, double kl, double ce, double nll, double gap,
                       double confidence, boolean correct, int classes) {
        void addTo(SliceSummary s) {
            switch (status) {
                case VALID -> s.addValidRow(kl, ce, nll, gap, confidence, correct, classes);
                case IGNORED -> s.addIgnored(1);
                case INVALID -> s.addCount(RowStatus.INVALID, reason, 1);
            }
        }
    }

    private static List<Row> randomRows(SplittableRandom r, int n, int minK, int maxK) {
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            if (u < 0.1) {
                rows.add(new Row(RowStatus.IGNORED, null, 0, 0, 0, 0, 0.5, false, 0));
            } else if (u < 0.2) {
                rows.add(new Row(RowStatus.INVALID, REASONS.get(r.nextInt(REASONS.size())), 0, 0, 0, 0, Double.NaN, false, 0));
            } else {
                // Losses over many decades so that the order of addition matters to a plain sum.
                double scale = Math.pow(10, r.nextInt(-6, 9));
                double kl = r.nextDouble() * scale;
                double nll = r.nextDouble() * scale;
                double ce = kl + nll;
                double gap = -4 + r.nextDouble() * 24; // under, inside and over [-2, 18)
                if (r.nextInt(50) == 0) {
                    gap = r.nextBoolean() ? SPEC.lo() : SPEC.hi(); // exact edges now and then
                }
                // Top-1 confidence lies in [1/K, 1]; bin edges and exactly 1 now and then.
                double confidence = 1.0 / minK + r.nextDouble() * (1 - 1.0 / minK);
                if (r.nextInt(40) == 0) {
                    confidence = r.nextBoolean() ? 1.0 : CAL.lo(r.nextInt(1, CAL.bins()));
                }
                rows.add(new Row(RowStatus.VALID, null, kl, ce, nll, gap, confidence, r.nextBoolean(),
                        r.nextInt(minK, maxK + 1)));
            }
        }
        return rows;
    }

    private static SliceSummary stateOf(List<Row> rows) {
        SliceSummary s = new SliceSummary(SPEC, CAL);
        rows.forEach(row -> row.addTo(s));
        return s;
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 42L, 20261128L})
    void stateOfTheUnionEqualsTheMergeOfTheParts(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> all = randomRows(r, 5000, 10, 12);
        List<Row> a = new ArrayList<>();
        List<Row> b = new ArrayList<>();
        for (Row row : all) {
            (r.nextInt(3) == 0 ? a : b).add(row);
        }
        SliceSummary whole = stateOf(all);
        SliceSummary stateA = stateOf(a);
        SliceSummary stateB = stateOf(b);

        assertSameState(stateA.merge(stateB), whole, "merge(A, B)");
        assertSameState(stateB.merge(stateA), whole, "merge(B, A)");

        // Independent of the class under test: the counts and exact sums of the generated rows.
        assertThat(whole.valid()).isEqualTo(all.stream().filter(x -> x.status == RowStatus.VALID).count());
        assertThat(whole.ignored()).isEqualTo(all.stream().filter(x -> x.status == RowStatus.IGNORED).count());
        assertThat(whole.invalid()).isEqualTo(all.stream().filter(x -> x.status == RowStatus.INVALID).count());
        assertThat(whole.rows()).isEqualTo(all.size()).isEqualTo(whole.valid() + whole.ignored() + whole.invalid());
        Map<String, Long> byReason = new TreeMap<>();
        all.stream().filter(x -> x.status == RowStatus.INVALID).forEach(x -> byReason.merge(x.reason, 1L, Long::sum));
        assertThat(whole.invalidByReason()).isEqualTo(byReason);
        assertThat(whole.correct()).isEqualTo(all.stream().filter(x -> x.status == RowStatus.VALID && x.correct).count());
        assertClose(whole.sumKl(), exactSum(all, Row::kl), "sum kl vs exact");
        assertClose(whole.sumSmoothedCe(), exactSum(all, Row::ce), "sum ce vs exact");
        assertClose(whole.sumNll(), exactSum(all, Row::nll), "sum nll vs exact");
        assertClose(whole.sumGap(), exactSum(all, Row::gap), "sum gap vs exact");
        long[] expectedHistogram = new long[SPEC.bins()];
        long under = 0;
        long over = 0;
        for (Row row : all) {
            if (row.status != RowStatus.VALID) {
                continue;
            }
            if (row.gap < SPEC.lo()) {
                under++;
            } else if (row.gap >= SPEC.hi()) {
                over++;
            } else {
                expectedHistogram[SPEC.bucket(row.gap)]++;
            }
        }
        assertThat(whole.histogram()).containsExactly(expectedHistogram);
        assertThat(whole.underflow()).isEqualTo(under).isPositive();
        assertThat(whole.overflow()).isEqualTo(over).isPositive();
        assertThat(whole.bins().stream().mapToLong(SliceSummary.Bin::count).sum()).isEqualTo(whole.valid());

        // Calibration, independently: per bin the count, the correct count and the exact sum of confidences.
        long[] n = new long[CAL.bins()];
        long[] correct = new long[CAL.bins()];
        BigDecimal[] conf = new BigDecimal[CAL.bins()];
        java.util.Arrays.fill(conf, BigDecimal.ZERO);
        for (Row row : all) {
            if (row.status == RowStatus.VALID) {
                int bin = row.confidence >= 1 ? CAL.bins() - 1 : (int) Math.floor(row.confidence * CAL.bins());
                n[bin]++;
                correct[bin] += row.correct ? 1 : 0;
                conf[bin] = conf[bin].add(new BigDecimal(row.confidence));
            }
        }
        BigDecimal eceTimesN = BigDecimal.ZERO;
        List<ReliabilityBin> table = whole.reliability();
        assertThat(table).hasSize(CAL.bins());
        for (int bin = 0; bin < CAL.bins(); bin++) {
            ReliabilityBin t = table.get(bin);
            assertThat(t.bin()).isEqualTo(bin);
            assertThat(t.count()).as("bin %d count", bin).isEqualTo(n[bin]);
            assertThat(t.lo()).isEqualTo((double) bin / CAL.bins());
            if (n[bin] > 0) {
                assertThat(t.accuracy()).isEqualTo((double) correct[bin] / n[bin]);
                assertClose(t.meanConfidence(), conf[bin].doubleValue() / n[bin], "bin " + bin + " mean confidence");
            }
            eceTimesN = eceTimesN.add(BigDecimal.valueOf(correct[bin]).subtract(conf[bin]).abs());
        }
        assertThat(java.util.Arrays.stream(n).sum()).isEqualTo(whole.valid());
        assertClose(whole.expectedCalibrationError(), eceTimesN.doubleValue() / whole.valid(), "ece vs exact");
    }

    @Test
    void mergeIsAssociativeAndLeavesItsInputsAlone() {
        SplittableRandom r = new SplittableRandom(99);
        SliceSummary a = stateOf(randomRows(r, 700, 10, 10));
        SliceSummary b = stateOf(randomRows(r, 900, 10, 10));
        SliceSummary c = stateOf(randomRows(r, 300, 10, 10));
        long aRows = a.rows();
        double aKl = a.sumKl();
        long[] aHist = a.histogram();

        assertSameState(a.merge(b).merge(c), a.merge(b.merge(c)), "(A+B)+C vs A+(B+C)");
        assertSameState(a.merge(b).merge(c), c.merge(a).merge(b), "(A+B)+C vs (C+A)+B");
        assertThat(a.rows()).isEqualTo(aRows);
        assertThat(a.sumKl()).isEqualTo(aKl);
        assertThat(a.histogram()).containsExactly(aHist);
    }

    @Test
    void emptyStateIsTheIdentity() {
        SliceSummary a = stateOf(randomRows(new SplittableRandom(5), 1000, 10, 10));
        SliceSummary empty = new SliceSummary(SPEC, CAL);
        assertSameState(a.merge(empty), a, "A + 0");
        assertSameState(empty.merge(a), a, "0 + A");
    }

    @Test
    void partialAggregatesEqualRowByRow() {
        // The Spark side adds one partial per (slice, status) and per (slice, bucket); that must
        // give the state of adding the same rows one by one.
        List<Row> rows = randomRows(new SplittableRandom(11), 2000, 10, 10);
        SliceSummary partial = new SliceSummary(SPEC, CAL);
        CompensatedSum kl = new CompensatedSum();
        CompensatedSum ce = new CompensatedSum();
        CompensatedSum nll = new CompensatedSum();
        CompensatedSum gap = new CompensatedSum();
        long valid = 0;
        long correct = 0;
        long[] buckets = new long[SPEC.bins() + 2];
        long[] binRows = new long[CAL.bins()];
        long[] binCorrect = new long[CAL.bins()];
        CompensatedSum[] binConfidence = new CompensatedSum[CAL.bins()];
        for (int b = 0; b < CAL.bins(); b++) {
            binConfidence[b] = new CompensatedSum();
        }
        for (Row row : rows) {
            if (row.status == RowStatus.VALID) {
                int b = CAL.bin(row.confidence);
                binRows[b]++;
                binCorrect[b] += row.correct ? 1 : 0;
                binConfidence[b].add(row.confidence);
                valid++;
                kl.add(row.kl);
                ce.add(row.ce);
                nll.add(row.nll);
                gap.add(row.gap);
                correct += row.correct ? 1 : 0;
                buckets[SPEC.bucket(row.gap) + 1]++;
            } else {
                partial.addCount(row.status, row.reason, 1);
            }
        }
        partial.addValid(valid, kl.value(), ce.value(), nll.value(), gap.value(), correct, 10, 10);
        for (int i = 0; i < buckets.length; i++) {
            partial.addGap(i - 1, buckets[i]);
        }
        for (int b = 0; b < CAL.bins(); b++) {
            partial.addCalibration(b, binRows[b], binCorrect[b], binConfidence[b].value());
        }
        assertSameState(partial, stateOf(rows), "partials vs rows");
    }

    @Test
    void addingValidRowsThroughAddCountIsRefused() {
        assertThatThrownBy(() -> new SliceSummary(SPEC, CAL).addCount(RowStatus.VALID, null, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void meansAreNaNWithoutValidRows() {
        SliceSummary empty = new SliceSummary(SPEC, CAL);
        SliceSummary onlyOthers = new SliceSummary(SPEC, CAL);
        onlyOthers.addIgnored(3);
        onlyOthers.addInvalid(InvalidReason.NAN_LOGIT, 2);
        for (SliceSummary s : List.of(empty, onlyOthers, empty.merge(onlyOthers))) {
            assertThat(s.valid()).isZero();
            assertThat(s.meanKl()).isNaN();
            assertThat(s.meanSmoothedCe()).isNaN();
            assertThat(s.meanNll()).isNaN();
            assertThat(s.meanGap()).isNaN();
            assertThat(s.accuracy()).isNaN();
            assertThat(s.classes()).isNull();
            assertThat(s.optimalGap(Preset.SEED.with(0.1, null))).isNull();
            assertThat(s.rows()).isEqualTo(s.ignored() + s.invalid());
        }
        assertThat(onlyOthers.rows()).isEqualTo(5);
        assertThat(onlyOthers.invalidByReason()).containsExactly(Map.entry(InvalidReason.NAN_LOGIT.code(), 2L));
    }

    @Test
    void meansDivideByValidRows() {
        SliceSummary s = new SliceSummary(SPEC, CAL);
        s.addValidRow(1.0, 2.0, 3.0, 4.0, 0.5, true, 10);
        s.addValidRow(3.0, 6.0, 9.0, 8.0, 0.5, false, 10);
        s.addIgnored(5);
        s.addInvalid("nan_logit", 7);
        assertThat(s.rows()).isEqualTo(14);
        assertThat(s.meanKl()).isEqualTo(2.0);
        assertThat(s.meanSmoothedCe()).isEqualTo(4.0);
        assertThat(s.meanNll()).isEqualTo(6.0);
        assertThat(s.meanGap()).isEqualTo(6.0);
        assertThat(s.accuracy()).isEqualTo(0.5);
    }

    @Test
    void classesAndOptimalGapWhenKIsOneNumber() {
        int k = 37;
        SliceSummary a = stateOf(randomRows(new SplittableRandom(3), 400, k, k));
        SliceSummary b = stateOf(randomRows(new SplittableRandom(4), 400, k, k));
        SliceSummary merged = a.merge(b);
        assertThat(merged.classes()).isEqualTo(k);
        for (Preset p : Preset.values()) {
            for (double eps : new double[] {0.0, 0.05, 0.1, 0.5, 1.0}) {
                Smoothing smoothing = p.with(eps, null);
                double expected = p.convention().optimalGap(k, eps);
                assertThat(merged.optimalGap(smoothing)).as("%s eps=%s", p, eps).isEqualTo(expected);
            }
        }
    }

    @Test
    void classesAndOptimalGapAreNullWhenKVaries() {
        SliceSummary tens = stateOf(randomRows(new SplittableRandom(3), 400, 10, 10));
        SliceSummary twelves = stateOf(randomRows(new SplittableRandom(4), 400, 12, 12));
        assertThat(tens.classes()).isEqualTo(10);
        assertThat(twelves.classes()).isEqualTo(12);
        Smoothing smoothing = Preset.PYTORCH.with(0.1, null);
        for (SliceSummary s : List.of(tens.merge(twelves), twelves.merge(tens),
                stateOf(randomRows(new SplittableRandom(6), 400, 10, 12)))) {
            assertThat(s.classes()).isNull();
            assertThat(s.optimalGap(smoothing)).isNull();
        }
        // Ignored and invalid rows carry no K: they do not make K vary.
        SliceSummary withOthers = tens.merge(stateOf(List.of(
                new Row(RowStatus.IGNORED, null, 0, 0, 0, 0, 0.5, false, 0),
                new Row(RowStatus.INVALID, "nan_logit", 0, 0, 0, 0, Double.NaN, false, 0))));
        assertThat(withOthers.classes()).isEqualTo(10);
    }

    @Test
    void anInfiniteLossStaysInfiniteThroughMerges() {
        // Finite logits 1e308 and -1e308 give a valid row with nll = +inf; the overall state is
        // the merge of the slices, so the merge must keep +inf (not turn it into NaN).
        SliceSummary a = new SliceSummary(SPEC, CAL);
        a.addValidRow(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY, 1.0, false, 3);
        SliceSummary b = stateOf(randomRows(new SplittableRandom(8), 100, 3, 3));
        SliceSummary whole = stateOf(randomRows(new SplittableRandom(8), 100, 3, 3));
        whole.addValidRow(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY, 1.0, false, 3);
        for (SliceSummary s : List.of(whole, a.merge(b), b.merge(a), new SliceSummary(SPEC, CAL).merge(a))) {
            assertThat(s.sumKl()).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(s.sumNll()).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(s.meanKl()).isEqualTo(Double.POSITIVE_INFINITY);
            assertThat(s.overflow()).isPositive();
        }
    }

    @Test
    void overflowingFiniteLogitsGiveAnInfiniteOverallLoss() {
        // The path of the job: kernel row -> slice state -> AuditResult.of, which merges every
        // slice into the overall state. max - z_y = 1e308 - (-1e308) overflows: nll = +inf.
        Smoothing smoothing = Preset.SEED.with(0.1, null);
        MetricsBatch out = new MetricsBatch();
        new ScalarKernel(smoothing).compute(LogitBatch.of(new double[][] {{1e308, -1e308, 0}, {1, 2, 3}}, new long[] {1, 2}), out);
        assertThat(out.status(0)).isEqualTo(RowStatus.VALID);
        assertThat(out.nll(0)).isEqualTo(Double.POSITIVE_INFINITY);

        Map<SliceKey, SliceSummary> slices = new java.util.HashMap<>();
        for (int i = 0; i < out.rows(); i++) {
            SliceSummary s = new SliceSummary(SPEC, CAL);
            s.addValidRow(out.kl(i), out.smoothedCe(i), out.nll(i), out.gap(i), out.confidence(i), false, 3);
            slices.put(new SliceKey(List.of("row"), List.of(i)), s);
        }
        AuditSpec spec = new AuditSpec("in", InputFormat.PARQUET, "logits", "label", Preset.SEED, smoothing, List.of("row"),
                SPEC, CAL, List.of(), null, null, "t", "out", false, false);
        SliceSummary overall = AuditResult.of(spec, slices).overall();
        assertThat(slices.get(new SliceKey(List.of("row"), List.of(0))).sumNll()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(overall.sumNll()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(overall.sumKl()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(overall.valid()).isEqualTo(2);
    }

    @Test
    void statesWithDifferentHistogramsDoNotMerge() {
        SliceSummary a = new SliceSummary(SPEC, CAL);
        SliceSummary b = new SliceSummary(new GapHistogramSpec(SPEC.bins() + 1, SPEC.lo(), SPEC.hi()), CAL);
        SliceSummary c = new SliceSummary(SPEC, new CalibrationSpec(CAL.bins() + 1));
        assertThatThrownBy(() -> a.merge(b)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.merge(c)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eceAndReliabilityOfAHandWorkedExample() {
        // Four bins. Bin 1 [0.25, 0.5): confidences 0.3, 0.4, one correct: acc 0.5, conf 0.35.
        // Bin 3 [0.75, 1]: 0.8, 0.9, 1.0, all correct: acc 1, conf 0.9.
        // ECE = 2/5·|0.5 − 0.35| + 3/5·|1 − 0.9| = 0.06 + 0.06 = 0.12.
        SliceSummary s = new SliceSummary(SPEC, new CalibrationSpec(4));
        s.addValidRow(0, 0, 0, 1, 0.3, true, 5);
        s.addValidRow(0, 0, 0, 1, 0.4, false, 5);
        s.addValidRow(0, 0, 0, 1, 0.8, true, 5);
        s.addValidRow(0, 0, 0, 1, 0.9, true, 5);
        s.addValidRow(0, 0, 0, 1, 1.0, true, 5);
        s.addIgnored(7); // ignored rows are not part of calibration
        List<ReliabilityBin> t = s.reliability();
        assertThat(t).extracting(ReliabilityBin::count).containsExactly(0L, 2L, 0L, 3L);
        assertThat(t.get(0).accuracy()).isNaN();
        assertThat(t.get(0).meanConfidence()).isNaN();
        assertThat(t.get(1).accuracy()).isEqualTo(0.5);
        assertThat(t.get(1).meanConfidence()).isCloseTo(0.35, within(1e-15));
        assertThat(t.get(3).accuracy()).isEqualTo(1.0);
        assertThat(t.get(3).meanConfidence()).isCloseTo(0.9, within(1e-15));
        assertThat(t.get(3).hi()).isEqualTo(1.0);
        assertThat(s.expectedCalibrationError()).isCloseTo(0.12, within(1e-15));
        assertThat(s.meanConfidence()).isCloseTo(3.4 / 5, within(1e-15));
        assertThat(new SliceSummary(SPEC, CAL).expectedCalibrationError()).isNaN();
        assertThat(new SliceSummary(SPEC, CAL).meanConfidence()).isNaN();
    }

    @Test
    void calibrationBinsHaveHalfOpenEdgesAndKeepOneInTheLast() {
        CalibrationSpec spec = new CalibrationSpec(10);
        assertThat(spec.bin(0.0)).isZero();
        assertThat(spec.bin(0.1)).isEqualTo(1);
        assertThat(spec.bin(Math.nextDown(0.1))).isZero();
        assertThat(spec.bin(0.95)).isEqualTo(9);
        assertThat(spec.bin(1.0)).isEqualTo(9);
        assertThat(spec.bin(Math.nextDown(1.0))).isEqualTo(9);
        assertThat(spec.bin(-0.5)).isZero();
        assertThat(spec.bin(Double.NaN)).isEqualTo(9);
        assertThat(spec.hi(9)).isEqualTo(1.0);
        assertThatThrownBy(() -> new CalibrationSpec(0)).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--calibration-bins");
    }

    private static void assertSameState(SliceSummary got, SliceSummary expected, String what) {
        assertThat(got.histogramSpec()).as(what).isEqualTo(expected.histogramSpec());
        assertThat(got.valid()).as(what + " valid").isEqualTo(expected.valid());
        assertThat(got.ignored()).as(what + " ignored").isEqualTo(expected.ignored());
        assertThat(got.invalid()).as(what + " invalid").isEqualTo(expected.invalid());
        assertThat(got.invalidByReason()).as(what + " invalid by reason").isEqualTo(expected.invalidByReason());
        assertThat(got.rows()).as(what + " rows").isEqualTo(expected.rows())
                .isEqualTo(got.valid() + got.ignored() + got.invalid());
        assertThat(got.correct()).as(what + " correct").isEqualTo(expected.correct());
        assertThat(got.classes()).as(what + " classes").isEqualTo(expected.classes());
        assertClose(got.sumKl(), expected.sumKl(), what + " sum kl");
        assertClose(got.sumSmoothedCe(), expected.sumSmoothedCe(), what + " sum ce");
        assertClose(got.sumNll(), expected.sumNll(), what + " sum nll");
        assertClose(got.sumGap(), expected.sumGap(), what + " sum gap");
        assertThat(got.histogram()).as(what + " histogram").containsExactly(expected.histogram());
        assertThat(got.underflow()).as(what + " underflow").isEqualTo(expected.underflow());
        assertThat(got.overflow()).as(what + " overflow").isEqualTo(expected.overflow());
        assertThat(got.bins()).as(what + " bins").isEqualTo(expected.bins());
        assertThat(got.calibrationSpec()).as(what).isEqualTo(expected.calibrationSpec());
        List<ReliabilityBin> g = got.reliability();
        List<ReliabilityBin> e = expected.reliability();
        for (int b = 0; b < e.size(); b++) {
            assertThat(g.get(b).count()).as(what + " calibration bin " + b + " count").isEqualTo(e.get(b).count());
            // Double.equals: NaN (an empty bin) equals NaN
            assertThat(Double.valueOf(g.get(b).accuracy())).as(what + " calibration bin " + b + " accuracy")
                    .isEqualTo(Double.valueOf(e.get(b).accuracy()));
            if (e.get(b).count() > 0) {
                assertClose(g.get(b).meanConfidence(), e.get(b).meanConfidence(), what + " bin " + b + " mean confidence");
            }
        }
        if (expected.valid() > 0) {
            assertClose(got.expectedCalibrationError(), expected.expectedCalibrationError(), what + " ece");
            assertClose(got.meanConfidence(), expected.meanConfidence(), what + " mean confidence");
        }
    }

    private static double exactSum(List<Row> rows, ToDoubleFunction<Row> field) {
        BigDecimal s = BigDecimal.ZERO;
        for (Row row : rows) {
            if (row.status == RowStatus.VALID) {
                s = s.add(new BigDecimal(field.applyAsDouble(row)));
            }
        }
        return s.doubleValue();
    }

    private static void assertClose(double got, double expected, String what) {
        if (!Double.isFinite(expected)) {
            assertThat(got).as(what).isEqualTo(expected);
            return;
        }
        assertThat(Math.abs(got - expected)).as(what + ": got " + got + ", expected " + expected)
                .isLessThanOrEqualTo(REL * Math.abs(expected));
    }
}
