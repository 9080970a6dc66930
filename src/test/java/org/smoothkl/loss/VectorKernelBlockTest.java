package org.smoothkl.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.DoubleVector;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernel's block path (short rows of one K, a row per lane) gives the same bits as
 * its row-by-row path: every metric of every row, for every preset, ε, the logits and log-probs
 * input kinds, labels in range, ignored and out of range, and blocks holding NaN / ±∞ rows (which
 * the row path scores again). The row-by-row reference scores each row in a batch of its own,
 * where no block fits.
 */
class VectorKernelBlockTest {
    private static final int LANES = DoubleVector.SPECIES_PREFERRED.length();

    @Test
    void blockPathGivesTheBitsOfTheRowPath() {
        SplittableRandom r = new SplittableRandom(21);
        int blocks = 0;
        for (Preset preset : Preset.values()) {
            for (double eps : new double[] {0, 0.1, 1}) {
                for (InputKind kind : List.of(InputKind.LOGITS, InputKind.LOG_PROBS)) {
                    Smoothing s = preset.with(eps, null).withInput(kind, Smoothing.DEFAULT_SUM_TOLERANCE);
                    for (int k : new int[] {2, 3, 5, 8, 10, 17, VectorKernel.SHORT_ROW - 1}) {
                        List<double[]> rows = new ArrayList<>();
                        List<Long> labels = new ArrayList<>();
                        for (int i = 0; i < 4 * LANES; i++) {
                            double scale = Math.pow(10, r.nextInt(-2, 3));
                            double[] z = new double[k];
                            for (int j = 0; j < k; j++) {
                                z[j] = (float) (r.nextGaussian() * scale);
                            }
                            if (i % 5 == 0) {
                                z[r.nextInt(k)] = z[r.nextInt(k)]; // ties for the argmax
                            }
                            if (kind == InputKind.LOG_PROBS) {
                                z = InputKindKernelTest.logSoftmax(z);
                            }
                            if (i == LANES + 3) {
                                z[k - 1] = Double.NaN;
                            } else if (i == 2 * LANES + 1) {
                                z[0] = Double.POSITIVE_INFINITY;
                            } else if (i == 2 * LANES + 5) {
                                z[k / 2] = Double.NEGATIVE_INFINITY; // a zero probability under LOG_PROBS
                            }
                            rows.add(z);
                            int pick = r.nextInt(12);
                            labels.add(pick == 0 ? preset.defaultIgnoreIndex() : pick == 1 ? k : pick == 2 ? -1 : (long) r.nextInt(k));
                        }
                        LogitBatch all = LogitBatch.of(rows.toArray(double[][]::new), labels.stream().mapToLong(Long::longValue).toArray());
                        MetricsBatch block = new MetricsBatch();
                        VectorKernel blockKernel = new VectorKernel(s);
                        blockKernel.compute(all, block);
                        if (s.epsilonInRange() && k >= s.convention().minClasses()) {
                            // K = 17 fits a block with 8 lanes (AVX-512), not with 4 (AVX2): then it is a long row
                            assertThat(blockKernel.blockRowsScored).as("rows through the block path")
                                    .isEqualTo(k <= blockKernel.blockMaxClasses() ? rows.size() : 0);
                        }
                        VectorKernel one = new VectorKernel(s);
                        for (int i = 0; i < rows.size(); i++) {
                            MetricsBatch single = new MetricsBatch();
                            one.compute(LogitBatch.of(new double[][] {rows.get(i)}, new long[] {labels.get(i)}), single);
                            String where = preset + " eps=" + eps + " " + kind + " K=" + k + " row " + i;
                            assertThat(bits(block, i)).as(where).isEqualTo(bits(single, 0));
                        }
                        assertThat(one.blockRowsScored).isZero();
                        blocks += blockKernel.blockRowsScored / LANES;
                    }
                }
            }
        }
        assertThat(blocks).isGreaterThan(100);
    }

    static String bits(MetricsBatch m, int i) {
        return m.status(i) + " " + m.reason(i) + " " + m.pred(i) + " " + m.correct(i) + " "
                + Long.toHexString(Double.doubleToRawLongBits(m.kl(i))) + " "
                + Long.toHexString(Double.doubleToRawLongBits(m.smoothedCe(i))) + " "
                + Long.toHexString(Double.doubleToRawLongBits(m.nll(i))) + " "
                + Long.toHexString(Double.doubleToRawLongBits(m.gap(i))) + " "
                + Long.toHexString(Double.doubleToRawLongBits(m.gapOpt(i))) + " "
                + Long.toHexString(Double.doubleToRawLongBits(m.confidence(i)));
    }
}
