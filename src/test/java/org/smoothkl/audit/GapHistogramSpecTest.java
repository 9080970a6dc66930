package org.smoothkl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Edge behaviour of the gap histogram's bucketing, edges and parsing. */
class GapHistogramSpecTest {

    /** Specs whose widths are and are not exact binary fractions. */
    static Stream<GapHistogramSpec> specs() {
        return Stream.of(
                new GapHistogramSpec(50, 0, 20),
                new GapHistogramSpec(1, 0, 20),
                new GapHistogramSpec(7, -5, 20),
                new GapHistogramSpec(3, 0, 1),
                new GapHistogramSpec(6, 0.1, 0.7),
                new GapHistogramSpec(1000, -1e-3, 1e-3),
                new GapHistogramSpec(97, 1e6, 1e6 + 1));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void endsOfTheRange(GapHistogramSpec spec) {
        int last = spec.bins() - 1;
        assertThat(spec.bucket(spec.lo())).as("lo").isZero();
        assertThat(spec.bucket(Math.nextUp(spec.lo()))).as("just above lo").isZero();
        assertThat(spec.bucket(Math.nextDown(spec.lo()))).as("just below lo").isEqualTo(GapHistogramSpec.UNDERFLOW);
        assertThat(spec.bucket(Double.NEGATIVE_INFINITY)).as("-inf").isEqualTo(GapHistogramSpec.UNDERFLOW);
        assertThat(spec.bucket(-Double.MAX_VALUE)).as("-max").isEqualTo(GapHistogramSpec.UNDERFLOW);
        assertThat(spec.bucket(spec.hi())).as("hi").isEqualTo(spec.bins());
        assertThat(spec.bucket(Math.nextUp(spec.hi()))).as("just above hi").isEqualTo(spec.bins());
        assertThat(spec.bucket(Double.MAX_VALUE)).as("max").isEqualTo(spec.bins());
        assertThat(spec.bucket(Double.POSITIVE_INFINITY)).as("+inf").isEqualTo(spec.bins());
        assertThat(spec.bucket(Math.nextDown(spec.hi()))).as("just below hi").isEqualTo(last);
        assertThat(spec.bucket(spec.hi() - (spec.hi() - spec.lo()) / spec.bins() / 2)).as("middle of last bin").isEqualTo(last);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void interiorEdgesLandInTheBinTheFormulaGives(GapHistogramSpec spec) {
        double[] e = spec.edges();
        for (int i = 1; i < spec.bins(); i++) {
            int b = spec.bucket(e[i]);
            // The documented formula: min(bins − 1, floor((gap − lo)·bins/(hi − lo))).
            int formula = (int) Math.min(spec.bins() - 1, Math.floor((e[i] - spec.lo()) * spec.scale()));
            assertThat(b).as("edge %d = %s", i, e[i]).isEqualTo(formula).isIn(i - 1, i);
            int below = spec.bucket(Math.nextDown(e[i]));
            assertThat(below).as("just below edge %d", i).isIn(i - 1, i).isLessThanOrEqualTo(b);
            assertThat(spec.bucket(Math.nextUp(e[i]))).as("just above edge %d", i).isIn(i - 1, i).isGreaterThanOrEqualTo(b);
            // The middle of bin i is unambiguous.
            assertThat(spec.bucket((e[i] + e[i + 1]) / 2)).as("middle of bin %d", i).isEqualTo(i);
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void bucketIsMonotoneAndInRange(GapHistogramSpec spec) {
        SplittableRandom random = new SplittableRandom(7);
        double width = spec.hi() - spec.lo();
        double[] gaps = new double[20_000];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = spec.lo() - 0.1 * width + random.nextDouble() * 1.2 * width;
        }
        Arrays.sort(gaps);
        int previous = GapHistogramSpec.UNDERFLOW;
        for (double g : gaps) {
            int b = spec.bucket(g);
            assertThat(b).as("gap %s", g).isBetween(GapHistogramSpec.UNDERFLOW, spec.bins()).isGreaterThanOrEqualTo(previous);
            assertThat(b == GapHistogramSpec.UNDERFLOW).as("underflow iff gap < lo: %s", g).isEqualTo(g < spec.lo());
            assertThat(b == spec.bins()).as("overflow iff gap >= hi: %s", g).isEqualTo(g >= spec.hi());
            previous = b;
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void edgesRunFromLoToHi(GapHistogramSpec spec) {
        double[] e = spec.edges();
        assertThat(e).hasSize(spec.bins() + 1);
        assertThat(e[0]).isEqualTo(spec.lo());
        assertThat(e[spec.bins()]).isEqualTo(spec.hi());
        double w = (spec.hi() - spec.lo()) / spec.bins();
        for (int i = 0; i < spec.bins(); i++) {
            assertThat(e[i + 1]).as("edge %d increases", i + 1).isGreaterThan(e[i]);
            assertThat(e[i + 1] - e[i]).as("width %d", i).isCloseTo(w, org.assertj.core.api.Assertions.within(1e-9 * Math.max(1, Math.abs(spec.hi()))));
        }
    }

    @Test
    void nanIsNotCountedInsideTheRange() {
        // Spark orders NaN above every number, so the SQL bucket puts it in overflow; the Java
        // bucket must agree, not claim that NaN lies in [lo, lo + w).
        GapHistogramSpec spec = new GapHistogramSpec(50, 0, 20);
        assertThat(spec.bucket(Double.NaN)).isEqualTo(spec.bins());
    }

    @Test
    void parsesTheDefaultRange() {
        GapHistogramSpec spec = GapHistogramSpec.parse(50, "0:20");
        assertThat(spec).isEqualTo(new GapHistogramSpec(50, 0, 20));
        assertThat(spec.bins()).isEqualTo(50);
        assertThat(spec.lo()).isEqualTo(0.0);
        assertThat(spec.hi()).isEqualTo(20.0);
        assertThat(GapHistogramSpec.parse(4, " -5 : 2.5 ")).isEqualTo(new GapHistogramSpec(4, -5, 2.5));
        assertThat(GapHistogramSpec.parse(4, "-1e3:1e3")).isEqualTo(new GapHistogramSpec(4, -1000, 1000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "20", "0-20", "0:20:30", "a:b", ":20", "0:", "0:x", "20:0", "5:5", "NaN:1", "0:Infinity", "-Infinity:0"})
    void badRangesNameTheFlag(String range) {
        assertThatThrownBy(() -> GapHistogramSpec.parse(50, range))
                .isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--gap-range");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "-1e308:1e308          | too wide",
        "-1.7976931348623157e308:1.7976931348623157e308 | too wide",
        "-1e307:1e307          | too wide for 50 bins",
        "0:1e-320              | too narrow",
        "1e16:1.0000000000000004e16 | too narrow",
        "NaN:NaN               | finite LO < HI",
        "-Infinity:Infinity    | finite LO < HI",
        "1:1                   | finite LO < HI",
        "2:1                   | finite LO < HI",
    })
    void rangesWithoutRoomForTheBinsNameTheFlagAndTheValue(String range, String problem) {
        assertThatThrownBy(() -> GapHistogramSpec.parse(50, range))
                .isInstanceOf(AuditInputException.class)
                .hasMessageStartingWith("--gap-range ")
                .hasMessageContaining(problem)
                .hasMessageEndingWith("got '" + range + "'");
    }

    @Test
    void theWidestAndNarrowestRoomyRangesAreAccepted() {
        GapHistogramSpec wide = GapHistogramSpec.parse(50, "-1e305:1e305");
        assertThat(wide.scale()).isPositive().isFinite();
        assertThat(wide.bucket(0)).isEqualTo(25);
        assertThat(wide.edges()).doesNotHaveDuplicates();
        GapHistogramSpec narrow = GapHistogramSpec.parse(4, "1:1.000000000001");
        assertThat(narrow.edges()).doesNotHaveDuplicates();
        assertThat(narrow.bucket(1.0000000000005)).isEqualTo(2);
        assertThatThrownBy(() -> new GapHistogramSpec(50, -1e308, 1e308)).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--gap-range is too wide");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE, 100_001})
    void badBinCountsNameTheFlag(int bins) {
        assertThatThrownBy(() -> new GapHistogramSpec(bins, 0, 20))
                .isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--bins");
        assertThatThrownBy(() -> GapHistogramSpec.parse(bins, "0:20"))
                .isInstanceOf(AuditInputException.class)
                .hasMessageContaining("--bins");
    }

    @Test
    void oneBinAndTheLargestCountAreAccepted() {
        assertThat(new GapHistogramSpec(1, 0, 20).edges()).containsExactly(0, 20);
        assertThat(new GapHistogramSpec(100_000, 0, 20).edges()).hasSize(100_001);
    }
}
