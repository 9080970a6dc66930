package org.smoothkl.input;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The input as the engines see it. {@code logitsColumn} holds array&lt;float|double&gt; and
 * {@code labelColumn} an integral type, possibly derived from text columns of the source;
 * {@code inputErrorColumn} (may be null) names a string column with the reader's own reason a
 * row is bad. {@code sourceColumns} are the columns as the source had them, which quarantined
 * rows are written with; they end with {@code kept}, the --keep columns not written already,
 * which rows/ carries too. {@code tokenSequences}: each row of the frame is one token of a
 * sequence of the source ({@link TokenSequences}).
 */
public record AuditInput(Dataset<Row> frame, String logitsColumn, String labelColumn, String inputErrorColumn,
                         List<String> groupBy, List<String> sourceColumns, List<String> kept, boolean tokenSequences) {
}
