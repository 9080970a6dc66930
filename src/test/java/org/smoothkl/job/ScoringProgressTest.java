package org.smoothkl.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.SparkTestSession;

/**
 * The scoring progress counts the audit's own scans only: a scan another thread runs in the same
 * session meanwhile (a notebook's other cell) adds nothing, and the thread's marker is restored.
 */
class ScoringProgressTest {
    private static final SparkSession SPARK = SparkTestSession.get();

    @Test
    void countsOnlyTheRowsItsOwnThreadsJobsRead(@TempDir Path tmp) throws Exception {
        String other = tmp.resolve("other").toString();
        String own = tmp.resolve("own").toString();
        SPARK.range(700).write().parquet(other);
        SPARK.range(300).write().parquet(own);
        // the other cell's thread exists before the audit starts (a thread made later inherits its marker)
        CountDownLatch go = new CountDownLatch(1);
        Thread notebookCell = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            SPARK.read().parquet(other).foreach(row -> { });
        });
        notebookCell.start();
        try (ScoringProgress progress = ScoringProgress.start(SPARK.sparkContext())) {
            go.countDown();
            notebookCell.join();
            SPARK.read().parquet(own).foreach(row -> { });
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (progress.rowsRead() < 300 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // the listener bus delivers in order: the other thread's earlier tasks are in by now
            assertThat(progress.rowsRead()).isEqualTo(300);
        }
        assertThat(SPARK.sparkContext().getLocalProperty(ScoringProgress.RUN_PROPERTY)).isNull();
    }
}
