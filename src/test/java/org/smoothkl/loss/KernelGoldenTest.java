package org.smoothkl.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.smoothkl.GoldenRows;

/** Every golden row through each double kernel (scalar and Vector API), to 1e-12·max(1,|expected|) as the golden README asks. */
class KernelGoldenTest {
    private static final double TOL = 1e-12;

    static Stream<Arguments> filesAndKernels() {
        return GoldenRows.FILES.stream().flatMap(f -> Stream.of(Arguments.of(f, "scalar"), Arguments.of(f, "vector")));
    }

    static RowKernel kernel(String name, Smoothing smoothing) {
        return name.equals("scalar") ? new ScalarKernel(smoothing) : new VectorKernel(smoothing);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("filesAndKernels")
    void everyGoldenRowMatches(String file, String kernelName) {
        List<GoldenRows.Row> rows = GoldenRows.load(file);
        assertThat(rows).isNotEmpty();
        List<String> failures = new ArrayList<>();
        int valid = 0;
        int ignored = 0;
        for (GoldenRows.Row row : rows) {
            MetricsBatch out = new MetricsBatch();
            kernel(kernelName, row.smoothing()).compute(LogitBatch.of(new double[][] {row.logits()}, new long[] {row.label()}), out);
            if (row.expectedIgnored()) {
                ignored++;
                check(failures, row, "status", out.status(0) == RowStatus.IGNORED);
                check(failures, row, "zero losses", out.kl(0) == 0 && out.smoothedCe(0) == 0 && out.nll(0) == 0);
                check(failures, row, "correct=false", !out.correct(0));
                if (row.expected().has("gap")) { // seed-bug rows carry no expected gap
                    check(failures, row, "gap", GoldenRows.close(out.gap(0), row.expectedDouble("gap"), TOL));
                    check(failures, row, "pred", out.pred(0) == row.expected().get("pred").asInt());
                }
                continue;
            }
            valid++;
            check(failures, row, "status " + out.status(0) + " " + out.reason(0), out.status(0) == RowStatus.VALID);
            for (String f : List.of("kl", "smoothed_ce", "nll", "gap", "gap_opt")) {
                double got = switch (f) {
                    case "kl" -> out.kl(0);
                    case "smoothed_ce" -> out.smoothedCe(0);
                    case "nll" -> out.nll(0);
                    case "gap" -> out.gap(0);
                    default -> out.gapOpt(0);
                };
                double exp = row.expectedDouble(f);
                check(failures, row, f + " got " + got + " expected " + exp, GoldenRows.close(got, exp, TOL));
            }
            check(failures, row, "pred", out.pred(0) == row.expected().get("pred").asInt());
            check(failures, row, "correct", out.correct(0) == row.expected().get("correct").asBoolean());
            // confidence = max softmax = exp(lp_pred); at the label it is exp(−nll)
            if (out.pred(0) == row.label()) {
                check(failures, row, "confidence", GoldenRows.close(out.confidence(0), Math.exp(-row.expectedDouble("nll")), TOL));
            }
            check(failures, row, "confidence in (0, 1]", out.confidence(0) > 0 && out.confidence(0) <= 1);
            // H(q) from the convention: smoothed_ce − kl = H(q) holds for the golden rows too.
            double hq = row.smoothing().convention().targetEntropy(row.classes(), row.eps());
            check(failures, row, "entropy_q", GoldenRows.close(hq, row.expectedDouble("entropy_q"), TOL));
        }
        assertThat(failures).as(file).isEmpty();
        assertThat(valid + ignored).isEqualTo(rows.size());
    }

    private static void check(List<String> failures, GoldenRows.Row row, String what, boolean ok) {
        if (!ok) {
            failures.add(row.id() + " " + row.tags() + ": " + what);
        }
    }
}
