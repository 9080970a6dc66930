package org.smoothkl.loss;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link TargetConvention}'s answers: q of its Javadoc table, bit for bit, and the same bits from
 * the formula the cuDF kernel builds out of {@link TargetConvention#labelSharesSmoothing} and
 * {@link TargetConvention#classesWithoutOtherProbability} with K as a double column.
 */
class TargetConventionTest {
    private static final double[] EPSILONS = {0, 1e-9, 0.05, 0.1, 1.0 / 3, 0.5, 0.9, 1 - 1e-16, 1};

    @Test
    void qIsTheTable() {
        for (double e : EPSILONS) {
            for (int k = 3; k <= 64; k++) {
                assertThat(TargetConvention.UNIFORM_ALL.labelProbability(k, e)).isEqualTo(1 - e + e / k);
                assertThat(TargetConvention.UNIFORM_ALL.otherProbability(k, e)).isEqualTo(e / k);
                assertThat(TargetConvention.UNIFORM_OTHERS.labelProbability(k, e)).isEqualTo(1 - e);
                assertThat(TargetConvention.UNIFORM_OTHERS.otherProbability(k, e)).isEqualTo(e / (k - 1));
                assertThat(TargetConvention.OTHERS_EXCEPT_PAD.labelProbability(k, e)).isEqualTo(1 - e);
                assertThat(TargetConvention.OTHERS_EXCEPT_PAD.otherProbability(k, e)).isEqualTo(e / (k - 2));
            }
        }
        assertThat(TargetConvention.UNIFORM_ALL.otherClassCount(10)).isEqualTo(9);
        assertThat(TargetConvention.UNIFORM_OTHERS.otherClassCount(10)).isEqualTo(9);
        assertThat(TargetConvention.OTHERS_EXCEPT_PAD.otherClassCount(10)).isEqualTo(8);
    }

    @Test
    void theCudfFormulasGiveTheSameBits() {
        for (TargetConvention c : TargetConvention.values()) {
            for (double e : EPSILONS) {
                for (int k = c.minClasses(); k <= 64; k++) {
                    double kd = k;                                             // K cast to FLOAT64
                    double others = kd - (double) c.classesWithoutOtherProbability();
                    double qy = c.labelSharesSmoothing() ? (1 - e) + e / kd : 1 - e;
                    double qo = e / (c.labelSharesSmoothing() ? kd : others);
                    String where = c + " K=" + k + " ε=" + e;
                    assertThat(qy).as(where).isEqualTo(c.labelProbability(k, e));
                    assertThat(qo).as(where).isEqualTo(c.otherProbability(k, e));
                    assertThat(others).as(where).isEqualTo(c.otherClassCount(k));
                    assertThat(c.labelProbabilityIsZero(e)).as(where).isEqualTo(c.labelProbability(k, e) == 0);
                }
            }
        }
    }
}
