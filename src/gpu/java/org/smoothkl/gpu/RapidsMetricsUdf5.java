package org.smoothkl.gpu;

import ai.rapids.cudf.ColumnVector;
import com.nvidia.spark.RapidsUDF;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF5;
import org.smoothkl.sql.MetricsUdf5;

/**
 * {@link MetricsUdf5} that the RAPIDS Accelerator runs on the GPU too ({@link RegisteredColumnar}):
 * the class to give registerJavaFunction on a -Pgpu build with the RAPIDS jar.
 */
public final class RapidsMetricsUdf5 extends MetricsUdf5
        implements UDF5<Object, Object, String, Object, Object, Row>, RapidsUDF, RegisteredColumnar.MetricsUdf4OrUdf5 {
    private static final long serialVersionUID = 1L;

    @Override
    public ColumnVector evaluateColumnar(int numRows, ColumnVector... args) {
        return RegisteredColumnar.evaluate(this, numRows, args);
    }
}
