package org.smoothkl.output;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.SliceKey;
import org.smoothkl.audit.SliceSummary;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.spark.MetricColumns;
import org.smoothkl.input.AuditInput;
import org.smoothkl.input.TokenSequences;
import org.smoothkl.spark.Columns;

/** The Parquet parts of {@link AuditOutput}: quarantined rows, per-row metrics, histograms. */
final class AuditOutputs {
    private AuditOutputs() {
    }

    /**
     * Quarantined rows with the source's columns (the kept ones last) and their reason. When the aggregation found
     * none, an empty dataset with the same schema is written without reading the input again.
     */
    static void writeInvalid(AuditInput input, Dataset<Row> scored, AuditResult result, String path) {
        List<Column> columns = new ArrayList<>(input.sourceColumns().stream().map(Columns::quoted).toList());
        columns.add(col(MetricColumns.REASON));
        Dataset<Row> invalid = scored.select(columns.toArray(Column[]::new));
        if (result.overall().invalid() == 0) {
            invalid = scored.sparkSession().createDataFrame(List.of(), invalid.schema());
        } else {
            invalid = invalid.where(col(MetricColumns.STATUS).equalTo(RowStatus.INVALID.code()));
        }
        invalid.write().mode(SaveMode.ErrorIfExists).parquet(path);
    }

    /** Per-row metrics (--write-rows): slice columns, label, (token position,) the kept columns and every metric column. */
    static void writeRows(AuditInput input, Dataset<Row> scored, String path) {
        List<Column> columns = new ArrayList<>(input.groupBy().stream().map(Columns::quoted).toList());
        columns.add(Columns.quoted(input.labelColumn()).as(inputLabelName(input)));
        if (input.tokenSequences()) {
            columns.add(col(TokenSequences.TOKEN));
        }
        input.kept().forEach(k -> columns.add(Columns.quoted(k)));
        MetricColumns.NAMES.forEach(n -> columns.add(col(n)));
        scored.select(columns.toArray(Column[]::new)).write().mode(SaveMode.ErrorIfExists).parquet(path);
    }

    private static String inputLabelName(AuditInput input) {
        // A label parsed from text is written under the source column's name.
        return input.sourceColumns().get(input.groupBy().size());
    }

    /**
     * One row per slice and bin: slice columns, bin_lo, bin_hi, count. Underflow and overflow are
     * rows too (bin_lo = −∞ and bin_hi = +∞), so the counts add up to the valid rows.
     */
    static void writeHistograms(SparkSession spark, StructType sliceSchema, AuditResult result, String path) {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<SliceKey, SliceSummary> e : result.slices().entrySet()) {
            histogramRows(e.getKey(), e.getValue(), rows);
        }
        List<StructField> fields = new ArrayList<>(List.of(sliceSchema.fields()));
        fields.add(DataTypes.createStructField("bin_lo", DataTypes.DoubleType, false));
        fields.add(DataTypes.createStructField("bin_hi", DataTypes.DoubleType, false));
        fields.add(DataTypes.createStructField("count", DataTypes.LongType, false));
        spark.createDataFrame(rows, DataTypes.createStructType(fields)).coalesce(1)
                .write().mode(SaveMode.ErrorIfExists).parquet(path);
    }

    static void histogramRows(SliceKey key, SliceSummary s, List<Row> out) {
        for (SliceSummary.Bin bin : s.bins()) {
            List<Object> values = new ArrayList<>(key.values());
            values.add(bin.lo());
            values.add(bin.hi());
            values.add(bin.count());
            out.add(RowFactory.create(values.toArray()));
        }
    }
}
