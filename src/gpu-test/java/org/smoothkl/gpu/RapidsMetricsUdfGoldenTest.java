package org.smoothkl.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.smoothkl.loss.MetricField.CLASSES;
import static org.smoothkl.loss.MetricField.CONFIDENCE;
import static org.smoothkl.loss.MetricField.CORRECT;
import static org.smoothkl.loss.MetricField.GAP;
import static org.smoothkl.loss.MetricField.GAP_OPT;
import static org.smoothkl.loss.MetricField.KL;
import static org.smoothkl.loss.MetricField.NLL;
import static org.smoothkl.loss.MetricField.PRED;
import static org.smoothkl.loss.MetricField.REASON;
import static org.smoothkl.loss.MetricField.SMOOTHED_CE;
import static org.smoothkl.loss.MetricField.STATUS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.smoothkl.GoldenRows;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricField;
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
 * each at its {@link MetricField}'s position, the struct of {@link MetricColumns#SCHEMA}.
 */
class RapidsMetricsUdfGoldenTest {
    private static final double TOL = 1e-12;

    static Stream<String> files() {
        return GoldenRows.FILES.stream();
    }

    /** The struct the engine declares for the UDF ({@link MetricColumns#SCHEMA}): the fields in order, with their kinds. */
    @Test
    void theSchemaIsTheMetricFieldsInOrder() {
        assertThat(MetricColumns.NAMES).containsExactly("status", "reason", "kl", "smoothed_ce", "nll", "gap", "gap_opt",
                "confidence", "pred", "correct", "classes");
        for (MetricField f : MetricField.values()) {
            StructField s = MetricColumns.SCHEMA.fields()[f.ordinal()];
            assertThat(s.name()).isEqualTo(f.code());
            assertThat(s.nullable()).as(f.code()).isEqualTo(f.nullable());
            assertThat(s.dataType()).as(f.code()).isEqualTo(switch (f.kind()) {
                case STRING -> DataTypes.StringType;
                case DOUBLE -> DataTypes.DoubleType;
                case INT -> DataTypes.IntegerType;
                case BOOLEAN -> DataTypes.BooleanType;
            });
        }
    }

    /** Each value of the row the UDF returns is of its field's kind, and null only where the field may be. */
    @Test
    void everyFieldHoldsAValueOfItsKind() {
        RapidsMetricsUdf udf = new RapidsMetricsUdf(Preset.SEED.with(0.1, null));
        for (Row r : List.of(udf.call(seq(1, 5, 3), 0L, null), udf.call(seq(1, 5, 3), 100000L, null),
                udf.call(seq(1, 2, 3), 3L, null))) {
            assertThat(r.size()).isEqualTo(MetricField.values().length);
            for (MetricField f : MetricField.values()) {
                Object v = r.get(f.ordinal());
                if (v == null) {
                    assertThat(f.nullable()).as(f.code() + " in " + r).isTrue();
                    continue;
                }
                Class<?> kind = switch (f.kind()) {
                    case STRING -> String.class;
                    case DOUBLE -> Double.class;
                    case INT -> Integer.class;
                    case BOOLEAN -> Boolean.class;
                };
                assertThat(v).as(f.code() + " in " + r).isInstanceOf(kind);
            }
        }
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
            check(failures, where, "status", r.getString(STATUS.ordinal()).equals(m.status(0).code()));
            if (g.expectedIgnored()) {
                ignored++;
                check(failures, where, "ignored", r.getString(STATUS.ordinal()).equals("ignored")
                        && r.getDouble(KL.ordinal()) == 0 && r.getDouble(SMOOTHED_CE.ordinal()) == 0
                        && r.getDouble(NLL.ordinal()) == 0 && !r.getBoolean(CORRECT.ordinal()));
            } else {
                valid++;
                check(failures, where, "valid", r.getString(STATUS.ordinal()).equals("valid") && r.isNullAt(REASON.ordinal()));
                for (MetricField f : List.of(KL, SMOOTHED_CE, NLL, GAP, GAP_OPT)) {
                    check(failures, where, f.code(), GoldenRows.close(r.getDouble(f.ordinal()), g.expectedDouble(f.code()), TOL));
                }
                check(failures, where, "pred", r.getInt(PRED.ordinal()) == g.expected().get("pred").asInt());
                check(failures, where, "correct", r.getBoolean(CORRECT.ordinal()) == g.expected().get("correct").asBoolean());
            }
            // Bit for bit the kernel's numbers: the UDF adds nothing and loses nothing.
            List<MetricField> numbers = List.of(KL, SMOOTHED_CE, NLL, GAP, GAP_OPT, CONFIDENCE, PRED, CORRECT, CLASSES);
            check(failures, where, "kernel", numbers.stream().map(f -> r.get(f.ordinal())).toList()
                    .equals(Arrays.asList(m.kl(0), m.smoothedCe(0), m.nll(0), m.gap(0), m.gapOpt(0),
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
        assertThat(ignored.getString(STATUS.ordinal())).isEqualTo(RowStatus.IGNORED.code());
        assertThat(ignored.getInt(PRED.ordinal())).isEqualTo(1);
        assertThat(ignored.getInt(CLASSES.ordinal())).isEqualTo(3);
    }

    private static void assertInvalid(Row r, String reason) {
        assertThat(r.getString(STATUS.ordinal())).isEqualTo("invalid");
        assertThat(r.getString(REASON.ordinal())).isEqualTo(reason);
        for (MetricField f : List.of(KL, SMOOTHED_CE, NLL, GAP, GAP_OPT, CONFIDENCE, PRED, CLASSES)) {
            assertThat(r.isNullAt(f.ordinal())).as(f.code()).isTrue();
        }
        assertThat(r.getBoolean(CORRECT.ordinal())).isFalse();
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
