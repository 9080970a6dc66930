package org.smoothkl.input;

import java.io.IOException;
import java.util.OptionalInt;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;

/**
 * Sizes the vectorized Parquet reader's batches by K, read from the first file's footer: about
 * 2²⁰ logits per batch. Spark's default of 4096 rows is ≈48 MB per task at K=1000 (1024 rows
 * was 25–33 % faster there: the performance page) and 4 GB at K=262144, more than an executor has.
 */
final class ReaderBatchSize {
    static final long TARGET_VALUES = 1L << 20;
    static final int MIN_ROWS = 16;
    static final int MAX_ROWS = 4096;

    private ReaderBatchSize() {
    }

    /** Rows per batch for {@code logitsColumn} of the Parquet input; empty when it cannot tell. */
    static OptionalInt rowsFor(Configuration conf, String input, String logitsColumn) {
        try {
            Path first = firstDataFile(conf, new Path(input));
            if (first == null) {
                return OptionalInt.empty();
            }
            long rows = 0;
            long values = 0;
            try (ParquetFileReader reader = ParquetFileReader.open(conf, first)) {
                for (BlockMetaData block : reader.getRowGroups()) {
                    rows += block.getRowCount();
                    for (ColumnChunkMetaData c : block.getColumns()) {
                        if (c.getPath().toArray().length > 0 && c.getPath().toArray()[0].equals(logitsColumn)) {
                            values += c.getValueCount();
                        }
                    }
                }
            }
            if (rows == 0 || values == 0) {
                return OptionalInt.empty();
            }
            long perRow = Math.max(1, values / rows);
            return OptionalInt.of((int) Math.max(MIN_ROWS, Math.min(MAX_ROWS, TARGET_VALUES / perRow)));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty(); // the reader will report a broken file itself, naming it
        }
    }

    private static Path firstDataFile(Configuration conf, Path input) throws IOException {
        FileSystem fs = input.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(input);
        if (matches == null) {
            return null;
        }
        for (FileStatus m : matches) {
            if (m.isFile()) {
                return m.getPath();
            }
            var files = fs.listFiles(m.getPath(), true);
            while (files.hasNext()) {
                Path p = files.next().getPath();
                String name = p.getName();
                if (!name.startsWith("_") && !name.startsWith(".") && name.endsWith(".parquet")) {
                    return p;
                }
            }
        }
        return null;
    }
}
