package org.smoothkl.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.smoothkl.GoldenRows;

/**
 * --input-kind probs|log_probs through both kernels: the golden rows given as float64 softmax
 * probabilities and as log-probabilities reproduce the golden losses; bad distributions are
 * invalid with their reason; zero probabilities give +∞, never NaN.
 */
class InputKindKernelTest {
    private static final double U = Math.ulp(1.0); // 2⁻⁵²

    static Stream<Arguments> filesKindsAndKernels() {
        List<Arguments> all = new ArrayList<>();
        for (String f : GoldenRows.FILES) {
            for (InputKind kind : List.of(InputKind.PROBS, InputKind.LOG_PROBS)) {
                for (String kernel : List.of("scalar", "vector")) {
                    all.add(Arguments.of(f, kind, kernel));
                }
            }
        }
        return all.stream();
    }

    /** lp = (z − M) − log Σ exp(z − M) in double: the convention's own form. */
    static double[] logSoftmax(double[] z) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            m = Math.max(m, v);
        }
        double s = 0;
        for (double v : z) {
            s += Math.exp(v - m);
        }
        double l = Math.log(s);
        double[] lp = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            lp[j] = (z[j] - m) - l;
        }
        return lp;
    }

    static double[] exp(double[] lp) {
        double[] p = new double[lp.length];
        for (int j = 0; j < lp.length; j++) {
            p[j] = Math.exp(lp[j]);
        }
        return p;
    }

    /**
     * The golden rows (float32 logits, float64 references) as float64 log-probabilities and as
     * softmax probabilities. Tolerance: the log-softmax in double is off by ≤ 2u·(1 + |lp_j|) per
     * class (u = 2⁻⁵²); exp and log each add ≤ 1 ulp, i.e. ≤ 2u absolute on log p. KL, CE and NLL
     * are q-weighted sums of −lp_j, so their error is ≤ 4u·(1 + Σ_j q_j |lp_j|) ≤ 4u·(1 + CE + nll)
     * on top of the kernel's own 1e-12·max(1, |x|) from the golden README. Rows whose softmax
     * underflows double precision (a p below 2⁻¹⁰²²) carry no probability to reproduce: as probs
     * they must give +∞ (or, where q puts no mass there, the finite golden value), never NaN.
     */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("filesKindsAndKernels")
    void goldenRowsAsProbabilitiesReproduceTheGoldenLosses(String file, InputKind kind, String kernelName) {
        List<String> failures = new ArrayList<>();
        int compared = 0;
        int underflowed = 0;
        for (GoldenRows.Row row : GoldenRows.load(file)) {
            double[] lp = logSoftmax(row.logits());
            double[] p = exp(lp);
            boolean underflow = false;
            for (double v : p) {
                underflow |= v < Double.MIN_NORMAL;
            }
            double[] input = kind == InputKind.PROBS ? p : lp;
            Smoothing s = row.smoothing().withInput(kind, Smoothing.DEFAULT_SUM_TOLERANCE);
            MetricsBatch out = new MetricsBatch();
            KernelGoldenTest.kernel(kernelName, s).compute(LogitBatch.of(new double[][] {input}, new long[] {row.label()}), out);
            String id = row.id() + " " + row.tags();
            if (row.expectedIgnored()) {
                if (out.status(0) != RowStatus.IGNORED) {
                    failures.add(id + ": status " + out.status(0) + " " + out.reason(0));
                }
                continue;
            }
            if (out.status(0) != RowStatus.VALID) {
                failures.add(id + ": status " + out.status(0) + " " + out.reason(0));
                continue;
            }
            double ce = row.expectedDouble("smoothed_ce");
            double nll = row.expectedDouble("nll");
            double tol = 4 * U * (1 + ce + nll);
            double[][] got = {{out.kl(0), row.expectedDouble("kl")}, {out.smoothedCe(0), ce}, {out.nll(0), nll}};
            String[] names = {"kl", "smoothed_ce", "nll"};
            if (kind == InputKind.PROBS && underflow) {
                underflowed++;
                for (int f = 0; f < 3; f++) {
                    double g = got[f][0];
                    if (Double.isNaN(g) || !(Double.isInfinite(g) || close(g, got[f][1], tol))) {
                        failures.add(id + ": underflowed " + names[f] + " " + g + " vs " + got[f][1]);
                    }
                }
                continue;
            }
            compared++;
            for (int f = 0; f < 3; f++) {
                if (!close(got[f][0], got[f][1], tol)) {
                    failures.add(id + ": " + names[f] + " " + got[f][0] + " vs " + got[f][1] + " (tol " + tol + ")");
                }
            }
            if (out.pred(0) != row.expected().get("pred").asInt()) {
                failures.add(id + ": pred " + out.pred(0));
            }
        }
        assertThat(failures).as(file + " " + kind + " " + kernelName).isEmpty();
        if (!file.equals("seed_bigK")) { // whose three rows are all ignored
            assertThat(compared).isPositive();
        }
    }

    private static boolean close(double got, double expected, double extra) {
        if (Double.isInfinite(expected) || Double.isNaN(expected)) {
            return Double.compare(got, expected) == 0;
        }
        return Math.abs(got - expected) <= 1e-12 * Math.max(1, Math.abs(expected)) + extra;
    }

    private static MetricsBatch score(String kernel, InputKind kind, double eps, double[][] rows, long[] labels) {
        Smoothing s = Preset.SEED.with(eps, null).withInput(kind, Smoothing.DEFAULT_SUM_TOLERANCE);
        MetricsBatch out = new MetricsBatch();
        KernelGoldenTest.kernel(kernel, s).compute(LogitBatch.of(rows, labels), out);
        return out;
    }

    @Test
    void badDistributionsAreInvalidWithTheirReason() {
        double inf = Double.POSITIVE_INFINITY;
        for (String kernel : List.of("scalar", "vector")) {
            MetricsBatch probs = score(kernel, InputKind.PROBS, 0.1, new double[][] {
                {0.5, -0.1, 0.6}, {0.5, Double.NaN, 0.5}, {0.5, inf, 0.5}, {0.5, -inf, 0.5},
                {0.5, 0.5, 0.5}, {0, 0, 0}, {0.2, 0.3, 0.4}, {0.5, 0.5 + 9e-4, 0}, {0.5, -0.0, 0.5}}, new long[9]);
            assertThat(reasons(probs)).as(kernel).containsExactly("negative_probability", "nan_logit", "inf_logit",
                    "negative_probability", "not_normalized", "not_normalized", "not_normalized", "valid", "valid");

            MetricsBatch logProbs = score(kernel, InputKind.LOG_PROBS, 0.1, new double[][] {
                {Math.log(0.5), -inf, Math.log(0.5)}, {0, inf, 0}, {Double.NaN, 0, -inf}, {-inf, -inf, -inf},
                {0, 0, -inf}, {Math.log(0.2), Math.log(0.3), Math.log(0.4)}}, new long[6]);
            assertThat(reasons(logProbs)).as(kernel).containsExactly("valid", "inf_logit", "nan_logit",
                    "not_normalized", "not_normalized", "not_normalized");

            // logits keep refusing −∞
            MetricsBatch logits = score(kernel, InputKind.LOGITS, 0.1, new double[][] {{0, -inf, 1}}, new long[1]);
            assertThat(reasons(logits)).containsExactly("inf_logit");
        }
    }

    @Test
    void zeroProbabilitiesGiveInfiniteLossesNeverNaN() {
        double inf = Double.POSITIVE_INFINITY;
        for (String kernel : List.of("scalar", "vector")) {
            for (InputKind kind : List.of(InputKind.PROBS, InputKind.LOG_PROBS)) {
                double[][] p = {{1, 0, 0}, {0, 1, 0}, {0.5, 0.5, 0}};
                double[][] rows = kind == InputKind.PROBS ? p
                        : Stream.of(p).map(r -> java.util.Arrays.stream(r).map(Math::log).toArray()).toArray(double[][]::new);
                long[] labels = {0, 0, 0};
                MetricsBatch smoothed = score(kernel, kind, 0.1, rows, labels);
                String where = kernel + " " + kind;
                // one-hot on the label, ε > 0: the target puts ε/(K−1) on classes of probability 0
                assertThat(smoothed.status(0)).as(where).isEqualTo(RowStatus.VALID);
                assertThat(smoothed.nll(0)).as(where).isEqualTo(0.0);
                assertThat(smoothed.kl(0)).as(where).isEqualTo(inf);
                assertThat(smoothed.smoothedCe(0)).as(where).isEqualTo(inf);
                assertThat(smoothed.gap(0)).as(where).isEqualTo(inf);
                assertThat(smoothed.confidence(0)).as(where).isEqualTo(1.0);
                // probability 0 on the label: infinite NLL
                assertThat(smoothed.nll(1)).as(where).isEqualTo(inf);
                assertThat(smoothed.kl(1)).as(where).isEqualTo(inf);
                assertThat(smoothed.pred(1)).as(where).isEqualTo(1);
                // ε = 0: q is one-hot, so zeros elsewhere cost nothing (0·log 0 = 0)
                MetricsBatch hard = score(kernel, kind, 0, rows, labels);
                assertThat(hard.kl(0)).as(where).isEqualTo(0.0);
                assertThat(hard.smoothedCe(0)).as(where).isEqualTo(0.0);
                assertThat(hard.nll(2)).as(where).isCloseTo(Math.log(2), org.assertj.core.data.Offset.offset(1e-15));
                assertThat(hard.nll(1)).as(where).isEqualTo(inf);
                // ε = 1 under seed: q_y = 0, so an infinite NLL is weighed by 0 (no 0·∞ = NaN)
                MetricsBatch all = score(kernel, kind, 1, rows, labels);
                assertThat(all.smoothedCe(1)).as(where).isEqualTo(-0.5 * Math.log(1) + 0.5 * inf);
                assertThat(all.smoothedCe(2)).as(where).isEqualTo(inf);
                for (MetricsBatch m : List.of(smoothed, hard, all)) {
                    for (int i = 0; i < m.rows(); i++) {
                        assertThat(m.kl(i)).as(where).isNotNaN();
                        assertThat(m.smoothedCe(i)).as(where).isNotNaN();
                        assertThat(m.nll(i)).as(where).isNotNaN();
                        assertThat(m.gap(i)).as(where).isNotNaN();
                    }
                }
            }
        }
    }

    @Test
    void vectorKernelAgreesWithScalarOnRandomDistributions() {
        SplittableRandom r = new SplittableRandom(5);
        int[] ks = {2, 3, 5, 8, 17, 100, 1003};
        int compared = 0;
        for (InputKind kind : List.of(InputKind.PROBS, InputKind.LOG_PROBS)) {
            for (Preset preset : Preset.values()) {
                LogitBatch batch = new LogitBatch(16, 1024);
                for (int row = 0; row < 80; row++) {
                    int k = ks[r.nextInt(ks.length)];
                    double[] z = new double[k];
                    for (int j = 0; j < k; j++) {
                        z[j] = r.nextInt(6) == 0 ? Double.NEGATIVE_INFINITY : r.nextGaussian() * 4;
                    }
                    z[r.nextInt(k)] = r.nextGaussian();
                    double[] lp = logSoftmax(z);
                    for (double v : kind == InputKind.PROBS ? exp(lp) : lp) {
                        batch.appendValue(v);
                    }
                    batch.endRow(r.nextInt(10) == 0 ? preset.defaultIgnoreIndex() : r.nextInt(k));
                }
                Smoothing s = preset.with(0.1, null).withInput(kind, Smoothing.DEFAULT_SUM_TOLERANCE);
                MetricsBatch a = new MetricsBatch();
                MetricsBatch b = new MetricsBatch();
                new ScalarKernel(s).compute(batch, a);
                new VectorKernel(s).compute(batch, b);
                for (int i = 0; i < batch.rows(); i++) {
                    String where = kind + " " + preset + " row " + i;
                    assertThat(b.status(i)).as(where).isEqualTo(a.status(i));
                    assertThat(b.reason(i)).as(where).isEqualTo(a.reason(i));
                    if (a.status(i) == RowStatus.INVALID) {
                        continue;
                    }
                    assertThat(b.pred(i)).as(where).isEqualTo(a.pred(i));
                    double[][] pairs = {{a.kl(i), b.kl(i)}, {a.smoothedCe(i), b.smoothedCe(i)}, {a.nll(i), b.nll(i)},
                        {a.gap(i), b.gap(i)}, {a.confidence(i), b.confidence(i)}};
                    for (double[] p : pairs) {
                        assertThat(GoldenRows.close(p[1], p[0], 1e-12)).as(where + ": " + p[1] + " vs " + p[0]).isTrue();
                    }
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(400);
    }

    private static List<String> reasons(MetricsBatch m) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < m.rows(); i++) {
            out.add(m.status(i) == RowStatus.INVALID ? m.reason(i).code() : m.status(i).code());
        }
        return out;
    }
}
