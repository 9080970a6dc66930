package org.smoothkl.gpu;

import ai.rapids.cudf.ColumnVector;
import com.nvidia.spark.RapidsUDF;
import org.smoothkl.sql.HiveMetricsUdf;

/**
 * {@link HiveMetricsUdf} that the RAPIDS Accelerator runs on the GPU too: the class to name in
 * {@code CREATE TEMPORARY FUNCTION} on a -Pgpu build with the RAPIDS jar. Its settings come from
 * {@code initialize} (constants); the batch is scored by {@link RegisteredColumnar#score}.
 */
public final class RapidsHiveMetricsUdf extends HiveMetricsUdf implements RapidsUDF {
    @Override
    public ColumnVector evaluateColumnar(int numRows, ColumnVector... args) {
        if (args.length != 4 && args.length != 5) {
            throw new IllegalArgumentException("expected 4 or 5 columns, got " + args.length);
        }
        return RegisteredColumnar.score(smoothing(), numRows, args[0], args[1]);
    }
}
