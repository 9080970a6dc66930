package org.smoothkl.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.smoothkl.GoldenRows;

/** The Vector API kernel against the scalar reference on random batches, every preset, awkward K. */
class VectorKernelTest {
    private static final double TOL = 1e-12;

    @Test
    void agreesWithTheScalarKernelOnRandomBatches() {
        SplittableRandom r = new SplittableRandom(11);
        int[] ks = {2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 100, 1000, 1003, 32000};
        int compared = 0;
        for (Preset preset : Preset.values()) {
            for (double eps : new double[] {0, 0.1, 0.5, 1}) {
                LogitBatch batch = new LogitBatch(16, 1024);
                for (int row = 0; row < 60; row++) {
                    int k = ks[r.nextInt(ks.length)];
                    double scale = Math.pow(10, r.nextInt(-2, 5));
                    for (int j = 0; j < k; j++) {
                        batch.appendValue((float) (r.nextGaussian() * scale));
                    }
                    long label = r.nextInt(10) == 0 ? preset.defaultIgnoreIndex() : r.nextInt(-1, k + 1);
                    batch.endRow(label);
                }
                // a NaN row, an infinite row, and rows with both (the first in row order names the reason)
                batch.appendValue(1);
                batch.appendValue(Double.NaN);
                batch.endRow(0);
                batch.appendValue(Double.POSITIVE_INFINITY);
                batch.appendValue(Double.NaN);
                batch.endRow(0);
                batch.appendValue(Double.NaN);
                batch.appendValue(Double.NEGATIVE_INFINITY);
                batch.endRow(0);
                batch.appendValue(Double.NEGATIVE_INFINITY);
                batch.appendValue(1);
                batch.appendValue(2);
                batch.endRow(0);
                // the same inside rows long enough for the vector loops: NaN / ±∞ at lane offsets and in tails
                for (double[] bad : new double[][] {{20, Double.NaN, 25, Double.POSITIVE_INFINITY},
                    {20, Double.POSITIVE_INFINITY, 25, Double.NaN}, {3, Double.NEGATIVE_INFINITY, 36, Double.NaN},
                    {36, Double.NEGATIVE_INFINITY, -1, 0}, {0, Double.NaN, -1, 0}, {17, Double.POSITIVE_INFINITY, -1, 0}}) {
                    for (int j = 0; j < 37; j++) {
                        batch.appendValue(j == (int) bad[0] ? bad[1] : j == (int) bad[2] ? bad[3] : r.nextGaussian());
                    }
                    batch.endRow(1);
                }
                Smoothing s = preset.with(eps, null);
                MetricsBatch a = new MetricsBatch();
                MetricsBatch b = new MetricsBatch();
                new ScalarKernel(s).compute(batch, a);
                new VectorKernel(s).compute(batch, b);
                for (int i = 0; i < batch.rows(); i++) {
                    String where = preset + " eps=" + eps + " row " + i;
                    assertThat(b.status(i)).as(where).isEqualTo(a.status(i));
                    assertThat(b.reason(i)).as(where).isEqualTo(a.reason(i));
                    if (a.status(i) == RowStatus.INVALID) {
                        continue;
                    }
                    assertThat(b.pred(i)).as(where).isEqualTo(a.pred(i));
                    assertThat(b.correct(i)).as(where).isEqualTo(a.correct(i));
                    double[][] pairs = {{a.kl(i), b.kl(i)}, {a.smoothedCe(i), b.smoothedCe(i)}, {a.nll(i), b.nll(i)},
                        {a.gap(i), b.gap(i)}, {a.gapOpt(i), b.gapOpt(i)}, {a.confidence(i), b.confidence(i)}};
                    for (double[] p : pairs) {
                        assertThat(GoldenRows.close(p[1], p[0], TOL)).as(where + ": " + p[1] + " vs " + p[0]).isTrue();
                    }
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(500);
    }

    /**
     * The long-row scan takes max and min by compares, which keep the first of −0 and +0, and
     * spots NaN and ±∞ by the row's sum: rows whose max is a zero, and rows whose finite values
     * overflow the sum, get the reference scan's results to the bit.
     */
    @Test
    void longRowsWithZeroMaxOrOverflowingSumsScanAsTheReference() {
        int k = 4 * VectorKernel.SHORT_ROW + 3;
        VectorKernel kernel = new VectorKernel(Preset.SEED.with(0.1, null));
        for (int variant = 0; variant < 4; variant++) {
            double[] z = new double[k];
            for (int j = 0; j < k; j++) {
                z[j] = switch (variant) {
                    case 0 -> j == 5 ? -0.0 : j == k - 9 ? 0.0 : -1 - j; // −0 first, +0 later: Java's max is +0
                    case 1 -> j % 7 == 0 ? -0.0 : -1 - j; // only −0: the max is −0
                    case 2 -> j == 2 ? 0.0 : j == 30 ? -0.0 : -0.5 * j; // +0 first
                    default -> (j % 2 == 0 ? 1.7e308 : -1.6e308) + j; // finite, but the sum overflows
                };
            }
            AbstractRowKernel.Scan want = ScalarKernel.scanRow(z, 0, k);
            AbstractRowKernel.Scan got = kernel.scan(z, 0, k);
            assertThat(Double.doubleToRawLongBits(got.max())).as("max, variant %d", variant)
                    .isEqualTo(Double.doubleToRawLongBits(want.max()));
            assertThat(got.argmax()).as("argmax, variant %d", variant).isEqualTo(want.argmax());
            assertThat(got.min()).as("min, variant %d", variant).isEqualTo(want.min());
            assertThat(got.problem(InputKind.LOGITS)).isEqualTo(want.problem(InputKind.LOGITS)).isNull();
        }
    }

    @Test
    void theModuleIsPresentInTheTestJvmSoTheFactoryPicksVector() {
        // surefire starts the JVM with --add-modules jdk.incubator.vector, as submit/local does
        assertThat(RowKernels.vectorAvailable()).isTrue();
        assertThat(RowKernels.create(Preset.SEED.with(0.1, null))).isInstanceOf(VectorKernel.class);
        String before = System.getProperty(RowKernels.PROPERTY);
        try {
            System.setProperty(RowKernels.PROPERTY, "scalar");
            assertThat(RowKernels.create(Preset.SEED.with(0.1, null))).isInstanceOf(ScalarKernel.class);
        } finally {
            if (before == null) {
                System.clearProperty(RowKernels.PROPERTY);
            } else {
                System.setProperty(RowKernels.PROPERTY, before);
            }
        }
    }
}
