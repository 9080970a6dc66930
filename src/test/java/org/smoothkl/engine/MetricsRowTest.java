package org.smoothkl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.smoothkl.loss.LogitBatch;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.MetricsBatch;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.ScalarKernel;
import org.smoothkl.spark.MetricColumns;

/**
 * The CPU engine writes each metric at its {@link MetricField}'s position with its schema type (a
 * value in another slot reads back wrong, or not at all: the row's slots are typed).
 */
class MetricsRowTest {

    @Test
    void everyFieldIsWrittenAtItsPosition() {
        LogitBatch in = LogitBatch.of(new double[][] {{1, 5, 3}, {1, 2, 3}}, new long[] {1, 3});
        MetricsBatch m = new MetricsBatch();
        new ScalarKernel(Preset.SEED.with(0.1, null)).compute(in, m);
        CpuMetricsEngine.MetricsRow metricsRow = new CpuMetricsEngine.MetricsRow(false, null);

        Map<MetricField, Object> valid = new EnumMap<>(MetricField.class);
        valid.put(MetricField.STATUS, UTF8String.fromString("valid"));
        valid.put(MetricField.REASON, null);
        valid.put(MetricField.KL, m.kl(0));
        valid.put(MetricField.SMOOTHED_CE, m.smoothedCe(0));
        valid.put(MetricField.NLL, m.nll(0));
        valid.put(MetricField.GAP, m.gap(0));
        valid.put(MetricField.GAP_OPT, m.gapOpt(0));
        valid.put(MetricField.CONFIDENCE, m.confidence(0));
        valid.put(MetricField.PRED, 1);
        valid.put(MetricField.CORRECT, true);
        valid.put(MetricField.CLASSES, 3);
        assertThat(values(metricsRow.fill(m, 0, 3))).isEqualTo(valid);

        Map<MetricField, Object> invalid = new EnumMap<>(MetricField.class);
        for (MetricField f : MetricField.values()) {
            invalid.put(f, null);
        }
        invalid.put(MetricField.STATUS, UTF8String.fromString("invalid"));
        invalid.put(MetricField.REASON, UTF8String.fromString("label_out_of_range"));
        invalid.put(MetricField.CORRECT, false);
        assertThat(values(metricsRow.fill(m, 1, 3))).isEqualTo(invalid);
    }

    /** The row's values by field, each read with its schema type. */
    private static Map<MetricField, Object> values(InternalRow row) {
        Map<MetricField, Object> out = new EnumMap<>(MetricField.class);
        Arrays.stream(MetricField.values()).forEach(f -> out.put(f, row.isNullAt(f.ordinal()) ? null
                : row.get(f.ordinal(), MetricColumns.SCHEMA.fields()[f.ordinal()].dataType())));
        return out;
    }
}
