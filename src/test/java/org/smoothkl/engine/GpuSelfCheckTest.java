package org.smoothkl.engine;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;
import org.smoothkl.audit.EngineChoice;
import org.smoothkl.input.AuditInput;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.Smoothing;

/**
 * The GPU self-check on the CPU: the comparison as a pure function (what passes, what is caught
 * and how it is named), the built-in batch's coverage, the whole check through an engine (the
 * CPU engine as the "GPU" passes; a wrapper that perturbs one field is caught), and what
 * --engine rapids and auto do with a failure. The RAPIDS UDF's own run is in the GPU-plan tests
 * (GpuSelfCheckRapidsTest, -Pgpu).
 */
class GpuSelfCheckTest {
    private static final Smoothing RUN = Preset.SEED.with(0.1, null);

    private static Object[] valid(double kl, int pred) {
        Object[] f = new Object[MetricField.values().length];
        f[MetricField.STATUS.ordinal()] = "valid";
        f[MetricField.KL.ordinal()] = kl;
        f[MetricField.SMOOTHED_CE.ordinal()] = 2.0;
        f[MetricField.NLL.ordinal()] = 1.5;
        f[MetricField.GAP.ordinal()] = 3.0;
        f[MetricField.GAP_OPT.ordinal()] = Double.POSITIVE_INFINITY;
        f[MetricField.CONFIDENCE.ordinal()] = 0.5;
        f[MetricField.PRED.ordinal()] = pred;
        f[MetricField.CORRECT.ordinal()] = true;
        f[MetricField.CLASSES.ordinal()] = 3;
        return f;
    }

    private static GpuSelfCheck.Outcome compare(Object[] cpu, Object[] gpu) {
        return GpuSelfCheck.compare(List.of("row 'r0' under c0", "row 'r1' under c1"),
                List.of(valid(1.0, 0), cpu), List.of(valid(1.0, 0), gpu));
    }

    @Test
    void equalFieldsPass() {
        GpuSelfCheck.Outcome o = compare(valid(0.25, 2), valid(0.25, 2));
        assertThat(o.passed()).isTrue();
        assertThat(o.rows()).isEqualTo(2);
        assertThat(o.maxRelDiff()).isZero();
        assertThat(o.firstDifference()).isNull();
    }

    @Test
    void roundingWithinTheToleranceIsAccepted() {
        GpuSelfCheck.Outcome o = compare(valid(0.25, 2), valid(0.25 * (1 + 1e-12), 2));
        assertThat(o.passed()).isTrue();
        // relative to max(1, |cpu|): 0.25e-12
        assertThat(o.maxRelDiff()).isGreaterThan(0).isLessThan(1e-12);
    }

    @Test
    void aDoubleBeyondTheToleranceIsNamedWithItsRowAndSetting() {
        GpuSelfCheck.Outcome o = compare(valid(3.0, 2), valid(3.0 + 3e-8, 2));
        assertThat(o.passed()).isFalse();
        assertThat(o.maxRelDiff()).isGreaterThan(GpuSelfCheck.TOLERANCE);
        assertThat(o.firstDifference()).isEqualTo("kl of row 'r1' under c1: gpu 3.00000003, cpu 3.0");
        assertThat(o.failure()).contains("kl of row 'r1' under c1").endsWith("run on the CPU engine with --engine cpu");
    }

    @Test
    void exactFieldsMustBeEqual() {
        Object[] gpu = valid(0.25, 1);
        assertThat(compare(valid(0.25, 2), gpu).firstDifference()).startsWith("pred of row 'r1'");
        Object[] invalid = valid(0.25, 2);
        invalid[MetricField.STATUS.ordinal()] = "invalid";
        assertThat(compare(valid(0.25, 2), invalid).firstDifference()).startsWith("status of row 'r1'");
        Object[] noCorrect = valid(0.25, 2);
        noCorrect[MetricField.CORRECT.ordinal()] = false;
        assertThat(compare(valid(0.25, 2), noCorrect).firstDifference()).startsWith("correct of row 'r1'");
    }

    @Test
    void nullsAndNonFiniteValuesMustMatchExactly() {
        Object[] missing = valid(0.25, 2);
        missing[MetricField.NLL.ordinal()] = null;
        assertThat(compare(valid(0.25, 2), missing).firstDifference()).isEqualTo("nll of row 'r1' under c1: gpu null, cpu 1.5");
        Object[] finite = valid(0.25, 2);
        finite[MetricField.GAP_OPT.ordinal()] = Double.MAX_VALUE;
        assertThat(compare(valid(0.25, 2), finite).firstDifference()).startsWith("gap_opt of row 'r1'");
        Object[] nan = valid(0.25, 2);
        nan[MetricField.CONFIDENCE.ordinal()] = Double.NaN;
        Object[] nanToo = valid(0.25, 2);
        nanToo[MetricField.CONFIDENCE.ordinal()] = Double.NaN;
        assertThat(compare(nan, nanToo).passed()).isTrue();
    }

    @Test
    void aMissingRowFails() {
        GpuSelfCheck.Outcome o = GpuSelfCheck.compare(List.of("a", "b"), List.of(valid(1, 0), valid(1, 0)), List.<Object[]>of(valid(1, 0)));
        assertThat(o.passed()).isFalse();
        assertThat(o.firstDifference()).isEqualTo("the engine returned 1 rows for 2");
    }

    /** The batch holds what the issue asks: every status, every reason a logits run can give, each convention. */
    @Test
    void theBatchCoversEveryStatusReasonAndConvention() {
        var settings = GpuSelfCheck.smoothings(RUN);
        assertThat(settings.values().stream().map(Smoothing::convention).distinct())
                .containsExactlyInAnyOrder(org.smoothkl.loss.TargetConvention.values());
        Set<String> statuses = new TreeSet<>();
        Set<String> reasons = new TreeSet<>();
        for (Object[] f : GpuSelfCheck.cpu(settings.values())) {
            statuses.add((String) f[MetricField.STATUS.ordinal()]);
            if (f[MetricField.REASON.ordinal()] != null) {
                reasons.add((String) f[MetricField.REASON.ordinal()]);
            }
        }
        assertThat(statuses).containsExactlyInAnyOrder(Arrays.stream(RowStatus.values()).map(RowStatus::code).toArray(String[]::new));
        assertThat(reasons).containsExactlyInAnyOrder(
                Arrays.stream(new InvalidReason[] {InvalidReason.NULL_LOGITS, InvalidReason.NULL_LABEL, InvalidReason.NULL_LOGIT,
                        InvalidReason.TOO_FEW_CLASSES, InvalidReason.NAN_LOGIT, InvalidReason.INF_LOGIT,
                        InvalidReason.LABEL_OUT_OF_RANGE, InvalidReason.PAD_INDEX_OUT_OF_RANGE, InvalidReason.MALFORMED_RECORD})
                        .map(InvalidReason::code).toArray(String[]::new));
    }

    /** The CPU engine standing in for the GPU gives the CPU kernel's answers: the whole check passes. */
    @Test
    void theCpuEngineAsTheGpuPasses() {
        GpuSelfCheck.Outcome o = GpuSelfCheck.run(SparkTestSession.get(), new CpuMetricsEngine(), RUN);
        assertThat(o.passed()).as(o.firstDifference()).isTrue();
        assertThat(o.rows()).isEqualTo(GpuSelfCheck.ROWS.size() * GpuSelfCheck.smoothings(RUN).size());
        assertThat(o.maxRelDiff()).isLessThanOrEqualTo(1e-15);
    }

    /** An engine whose kl is off by one part in a million: caught at the first valid row. */
    @Test
    void aPerturbedEngineIsCaught() {
        MetricsEngine wrong = engine("perturbed",
                (input, smoothing) -> new CpuMetricsEngine().withMetrics(input, smoothing).withColumn("kl", col("kl").multiply(1 + 1e-6)));
        GpuSelfCheck.Outcome o = GpuSelfCheck.run(SparkTestSession.get(), wrong, RUN);
        assertThat(o.passed()).isFalse();
        assertThat(o.firstDifference()).startsWith("kl of row 'valid' under seed ε=0.1: gpu ");
        assertThat(o.maxRelDiff()).isGreaterThan(1e-7);
    }

    @Test
    void anEngineThatCannotRunFailsTheCheck() {
        MetricsEngine broken = engine("broken", (input, smoothing) -> {
            throw new IllegalStateException("no CUDA device");
        });
        GpuSelfCheck.Outcome o = GpuSelfCheck.run(SparkTestSession.get(), broken, RUN);
        assertThat(o.passed()).isFalse();
        assertThat(o.firstDifference()).contains("could not be scored").contains("no CUDA device");
    }

    private static MetricsEngine engine(String name, java.util.function.BiFunction<AuditInput, Smoothing, Dataset<Row>> metrics) {
        return new MetricsEngine() {
            @Override
            public Dataset<Row> withMetrics(AuditInput input, Smoothing smoothing) {
                return metrics.apply(input, smoothing);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public ReadPath readPath() {
                return ReadPath.spark("a test's engine");
            }
        };
    }

    @Test
    void rapidsStopsAndAutoFallsBack() {
        MetricsEngine gpu = new CpuMetricsEngine();
        GpuSelfCheck.Outcome failed = new GpuSelfCheck.Outcome(10, false, 0.5, "kl of row 'valid' under seed ε=0.1: gpu 2.0, cpu 1.0");
        assertThatThrownBy(() -> MetricsEngines.afterSelfCheck(EngineChoice.RAPIDS, gpu, failed))
                .isInstanceOf(GpuSelfCheckFailure.class)
                .hasMessage("GPU self-check failed: the RAPIDS engine disagrees with the CPU kernel on its built-in batch"
                        + " (kl of row 'valid' under seed ε=0.1: gpu 2.0, cpu 1.0); run on the CPU engine with --engine cpu");
        MetricsEngines.Choice auto = MetricsEngines.afterSelfCheck(EngineChoice.AUTO, gpu, failed);
        assertThat(auto.engine()).isInstanceOf(CpuMetricsEngine.class).isNotSameAs(gpu);
        assertThat(auto.selfCheckJson()).isEqualTo(failed.toJson());
        GpuSelfCheck.Outcome passed = new GpuSelfCheck.Outcome(10, true, 1e-16, null);
        assertThat(MetricsEngines.afterSelfCheck(EngineChoice.RAPIDS, gpu, passed).engine()).isSameAs(gpu);
    }

    /** The command line reports a self-check failure as exit 1 and its one line, no stack trace. */
    @Test
    void theCommandLineSaysExitOneInOneLine() {
        GpuSelfCheckFailure failure = new GpuSelfCheckFailure(
                new GpuSelfCheck.Outcome(10, false, 0.5, "kl of row 'valid' under seed ε=0.1: gpu 2.0, cpu 1.0").failure());
        CliRun run = CliRun.on(() -> {
            throw failure;
        }, "run", "--input", "/nonexistent", "--preset", "seed", "--epsilon", "0.1", "--output", "/tmp/unused-selfcheck");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("smoothkl: error: " + failure.getMessage());
    }

    @Test
    void summaryShapes() {
        GpuSelfCheck.Outcome o = new GpuSelfCheck.Outcome(216, true, 0.0, null);
        assertThat(new ArrayList<>(o.toJson().keySet())).containsExactly("rows", "passed", "max_rel_diff", "first_difference");
        assertThat(new MetricsEngines.Choice(new CpuMetricsEngine(), null).selfCheckJson()).isEqualTo("not run (cpu engine)");
    }
}
