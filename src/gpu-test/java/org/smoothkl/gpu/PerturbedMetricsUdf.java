package org.smoothkl.gpu;

import ai.rapids.cudf.ColumnVector;
import com.nvidia.spark.RapidsUDF;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF3;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.Smoothing;
import scala.collection.Seq;

/**
 * A deliberately wrong metrics UDF for the self-check's tests: {@link RapidsMetricsUdf} with kl
 * one part in a million too large on every row that has one. Only its CPU body is wrong, the
 * body explainOnly runs (the tests' mode); its GPU body is the real one's.
 */
public final class PerturbedMetricsUdf implements UDF3<Seq<?>, Long, String, Row>, RapidsUDF {
    private static final long serialVersionUID = 1L;
    private final RapidsMetricsUdf real;

    public PerturbedMetricsUdf(Smoothing smoothing) {
        this.real = new RapidsMetricsUdf(smoothing);
    }

    @Override
    public Row call(Seq<?> logits, Long label, String inputError) {
        Row r = real.call(logits, label, inputError);
        Object[] fields = new Object[r.size()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = r.get(i);
        }
        int kl = MetricField.KL.ordinal();
        if (fields[kl] != null) {
            fields[kl] = (Double) fields[kl] * (1 + 1e-6);
        }
        return RowFactory.create(fields);
    }

    @Override
    public ColumnVector evaluateColumnar(int numRows, ColumnVector... args) {
        return real.evaluateColumnar(numRows, args);
    }
}
