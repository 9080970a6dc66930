package org.smoothkl.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.smoothkl.GoldenRows;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.spark.MetricColumns;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The UDF's CPU body (what Spark runs without a GPU, and the plugin in explainOnly mode) on every
 * golden row: the golden values to 1e-12·max(1, |x|), and the row kernel's values bit for bit,
 * in the struct layout of {@link MetricColumns}.
 */
class RapidsMetricsUdfGoldenTest {
    private static final double TOL = 1e-12;

    static Stream<String> files() {
        return GoldenRows.FILES.stream();
    }

    @Test
    void structFieldsAreTheMetricColumnsInOrder() {
        assertThat(RapidsMetricsUdf.FIELDS).isEqualTo(MetricColumns.NAMES);
    }

    @ParameterizedTest
    @MethodSource("files")
    void callMatchesTheGoldenRowsAndTheKernel(String file) {
        List<String> failures = new ArrayList<>();
        List<GoldenRows.Row> golden = GoldenRows.load(file);
        int valid = 0;
        int ignored = 0;
        for (GoldenRows.Row g : golden) {
            Row r = new RapidsMetricsUdf(g.smoothing()).call(seq(g.logits()), g.label(), null);
            MetricsBatch m = new MetricsBatch();
            RowKernels.create(g.smoothing()).compute(LogitBatch.of(new double[][] {g.logits()}, new long[] {g.label()}), m);
            String where = g.id() + " " + g.tags();
            check(failures, where, "status", r.getString(0).equals(m.status(0).code()));
            if (g.expectedIgnored()) {
                ignored++;
                check(failures, where, "ignored", r.getString(0).equals("ignored") && r.getDouble(2) == 0
                        && r.getDouble(3) == 0 && r.getDouble(4) == 0 && !r.getBoolean(9));
            } else {
                valid++;
                check(failures, where, "valid", r.getString(0).equals("valid") && r.isNullAt(1));
                check(failures, where, "kl", GoldenRows.close(r.getDouble(2), g.expectedDouble("kl"), TOL));
                check(failures, where, "smoothed_ce", GoldenRows.close(r.getDouble(3), g.expectedDouble("smoothed_ce"), TOL));
                check(failures, where, "nll", GoldenRows.close(r.getDouble(4), g.expectedDouble("nll"), TOL));
                check(failures, where, "gap", GoldenRows.close(r.getDouble(5), g.expectedDouble("gap"), TOL));
                check(failures, where, "gap_opt", GoldenRows.close(r.getDouble(6), g.expectedDouble("gap_opt"), TOL));
                check(failures, where, "pred", r.getInt(8) == g.expected().get("pred").asInt());
                check(failures, where, "correct", r.getBoolean(9) == g.expected().get("correct").asBoolean());
            }
            // Bit for bit the kernel's numbers: the UDF adds nothing and loses nothing.
            check(failures, where, "kernel", Arrays.asList(r.get(2), r.get(3), r.get(4), r.get(5), r.get(6), r.get(7), r.get(8),
                    r.get(9), r.get(10)).equals(Arrays.asList(m.kl(0), m.smoothedCe(0), m.nll(0), m.gap(0), m.gapOpt(0),
                    m.confidence(0), m.pred(0), m.correct(0), g.logits().length)));
        }
        assertThat(failures).as(file).isEmpty();
        assertThat(valid + ignored).isEqualTo(golden.size()).isPositive();
    }

    @Test
    void readerSideProblemsComeFirstInTheCpuEnginesOrder() {
        RapidsMetricsUdf udf = new RapidsMetricsUdf(Preset.SEED.with(0.1, null));
        Seq<Object> withNull = CollectionConverters.asScala(Arrays.<Object>asList(1.0f, null, 3.0f)).toSeq();
        assertInvalid(udf.call(seq(1, 2), 0L, "malformed_record"), "malformed_record");
        assertInvalid(udf.call(null, null, null), "null_logits");
        assertInvalid(udf.call(seq(1, 2), null, null), "null_label");
        assertInvalid(udf.call(withNull, null, null), "null_label");
        assertInvalid(udf.call(withNull, 0L, null), "null_logit");
        assertInvalid(udf.call(seq(Double.NaN), 0L, null), "too_few_classes");
        assertInvalid(udf.call(seq(1, Double.POSITIVE_INFINITY, Double.NaN), 0L, null), "inf_logit");
        assertInvalid(udf.call(seq(1, Double.NaN, Double.NEGATIVE_INFINITY), 100000L, null), "nan_logit");
        assertInvalid(udf.call(seq(1, 2, 3), 3L, null), "label_out_of_range");
        assertInvalid(new RapidsMetricsUdf(Preset.ONMT.with(0.1, 7L)).call(seq(1, 2, 3), 0L, null), "pad_index_out_of_range");
        Row ignored = udf.call(seq(1, 5, 3), 100000L, null);
        assertThat(ignored.getString(0)).isEqualTo(RowStatus.IGNORED.code());
        assertThat(ignored.getInt(8)).isEqualTo(1);
        assertThat(ignored.getInt(10)).isEqualTo(3);
    }

    private static void assertInvalid(Row r, String reason) {
        assertThat(r.getString(0)).isEqualTo("invalid");
        assertThat(r.getString(1)).isEqualTo(reason);
        for (int i = 2; i <= 8; i++) {
            assertThat(r.isNullAt(i)).as(MetricColumns.NAMES.get(i)).isTrue();
        }
        assertThat(r.getBoolean(9)).isFalse();
        assertThat(r.isNullAt(10)).isTrue();
    }

    private static Seq<Object> seq(double... values) {
        List<Object> boxed = new ArrayList<>();
        for (double v : values) {
            boxed.add(v);
        }
        return CollectionConverters.asScala(boxed).toSeq();
    }

    private static void check(List<String> failures, String where, String what, boolean ok) {
        if (!ok) {
            failures.add(where + ": " + what);
        }
    }
}
