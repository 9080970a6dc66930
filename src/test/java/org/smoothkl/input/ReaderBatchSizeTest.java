package org.smoothkl.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.SparkTestSession;

/** The Parquet reader's batch rows follow K: ≈2²⁰ logits per batch, between 16 and 4096 rows. */
class ReaderBatchSizeTest {
    @TempDir
    Path tmp;

    private OptionalInt rowsAt(int k) {
        Path p = tmp.resolve("k" + k);
        SparkTestSession.get().sql("SELECT 1 AS label, transform(sequence(1, " + k + "), j -> CAST(j AS FLOAT)) AS logits "
                + "FROM range(20)").coalesce(1).write().parquet(p.toString());
        return ReaderBatchSize.rowsFor(SparkTestSession.get().sparkContext().hadoopConfiguration(), p.toString(), "logits");
    }

    @Test
    void batchRowsShrinkAsKGrows() {
        assertThat(rowsAt(10)).hasValue(4096);
        assertThat(rowsAt(1000)).hasValue((int) (ReaderBatchSize.TARGET_VALUES / 1000));
        assertThat(rowsAt(200_000)).hasValue(16);
    }

    @Test
    void unknownWhenThereIsNoParquetFile() {
        assertThat(ReaderBatchSize.rowsFor(SparkTestSession.get().sparkContext().hadoopConfiguration(),
                tmp.resolve("none").toString(), "logits")).isEmpty();
    }
}
