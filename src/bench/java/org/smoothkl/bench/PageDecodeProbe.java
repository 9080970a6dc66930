package org.smoothkl.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;

/**
 * A measurement for issue 18's part 1, not a reader: how fast parquet-java's page reading
 * (decompression included) plus a decoder dedicated to the logits column's shape (repetition
 * levels of bit width 1, definition levels all at the maximum, PLAIN float values) turns a Parquet
 * file's {@code logits} into doubles and row starts, on one thread. With {@code generic} the levels
 * go through parquet-java's RunLengthBitPackingHybridDecoder instead. Prints per file and round
 * the GB/s of float32 values and where the time went. Refuses files it does not handle (nulls,
 * data page v2, another encoding) with an exception: it is a probe.
 * <pre>
 *   SMOOTHKL_BENCH_CLASS=org.smoothkl.bench.PageDecodeProbe submit/bench [generic] FILE.parquet ...
 * </pre>
 */
public final class PageDecodeProbe {
    private static boolean fast = true;

    private PageDecodeProbe() {
    }

    static int varint(ByteBuffer b) {
        int v = 0, shift = 0, x;
        do { x = b.get() & 0xff; v |= (x & 0x7f) << shift; shift += 7; } while ((x & 0x80) != 0);
        return v;
    }

    /** Bit width 1 repetition levels: positions of the zeros (row starts) into starts; returns their count. */
    static int rowStarts(ByteBuffer b, int n, int[] starts) {
        int i = 0, count = 0;
        while (i < n) {
            int h = varint(b);
            if ((h & 1) == 0) {
                int run = h >>> 1;
                int v = b.get() & 0xff;
                if (v == 0) { for (int j = 0; j < run && i + j < n; j++) starts[count++] = i + j; }
                i += run;
            } else {
                int groups = h >>> 1;
                int nb = groups; // bit width 1: one byte per group of 8
                for (int g = 0; g < nb; g++) {
                    int byt = ~b.get() & 0xff;
                    while (byt != 0) {
                        int bit = Integer.numberOfTrailingZeros(byt);
                        if (i + bit < n) starts[count++] = i + bit;
                        byt &= byt - 1;
                    }
                    i += 8;
                }
            }
        }
        return count;
    }

    /** Whether every definition level is maxDef (RLE runs of it; bit-packed runs checked value by value). */
    static boolean allMax(ByteBuffer b, int n, int bits, int maxDef) {
        int i = 0;
        while (i < n) {
            int h = varint(b);
            if ((h & 1) == 0) {
                int run = h >>> 1;
                int v = 0;
                for (int k = 0; k < (bits + 7) / 8; k++) v |= (b.get() & 0xff) << (8 * k);
                if (v != maxDef) return false;
                i += run;
            } else {
                int groups = h >>> 1;
                long acc = 0; int have = 0; int mask = (1 << bits) - 1;
                for (int k = 0; k < groups * 8; k++) {
                    while (have < bits) { acc |= (long) (b.get() & 0xff) << have; have += 8; }
                    if (i + k < n && (acc & mask) != maxDef) return false;
                    acc >>>= bits; have -= bits;
                }
                i += groups * 8;
            }
        }
        return true;
    }

    public static void main(String[] argv) throws Exception {
        java.util.List<String> files = new java.util.ArrayList<>(java.util.List.of(argv));
        fast = !files.remove("generic");
        String[] args = files.toArray(String[]::new);
        Configuration conf = new Configuration();
        for (int round = 0; round < 4; round++) {
            for (String f : args) {
                long t0 = System.nanoTime();
                long values = 0, rows = 0;
                double sum = 0;
                long tRead = 0, tLevels = 0, tValues = 0;
                try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(f), conf))) {
                    MessageType schema = r.getFooter().getFileMetaData().getSchema();
                    MessageType proj = new MessageType(schema.getName(), schema.getType("logits"));
                    r.setRequestedSchema(proj);
                    ColumnDescriptor cd = proj.getColumns().get(0);
                    int repBits = BytesUtils.getWidthFromMaxInt(cd.getMaxRepetitionLevel());
                    int defBits = BytesUtils.getWidthFromMaxInt(cd.getMaxDefinitionLevel());
                    int maxDef = cd.getMaxDefinitionLevel();
                    double[] out = new double[1 << 20];
                    int[] starts = new int[1 << 20];
                    PageReadStore rg;
                    long a = System.nanoTime();
                    while ((rg = r.readNextRowGroup()) != null) {
                        PageReader pr = rg.getPageReader(cd);
                        DataPage p;
                        while ((p = pr.readPage()) != null) {
                            if (!(p instanceof DataPageV1 v1) || v1.getValueEncoding() != org.apache.parquet.column.Encoding.PLAIN) {
                                throw new IllegalStateException(f + ": only PLAIN v1 data pages, got " + p);
                            }
                            ByteBuffer bb = v1.getBytes().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                            long b = System.nanoTime();
                            tRead += b - a;
                            int n = v1.getValueCount();
                            int pos = bb.position();
                            int repLen = bb.getInt(pos);
                            ByteBuffer rep = bb.duplicate(); rep.position(pos + 4); rep.limit(pos + 4 + repLen);
                            pos += 4 + repLen;
                            int defLen = bb.getInt(pos);
                            ByteBuffer def = bb.duplicate(); def.position(pos + 4); def.limit(pos + 4 + defLen);
                            pos += 4 + defLen;
                            int present;
                            if (fast) {
                                rows += rowStarts(rep.slice().order(ByteOrder.LITTLE_ENDIAN), n, starts);
                                present = allMax(def.slice(), n, defBits, maxDef) ? n : -1;
                                if (present < 0) throw new IllegalStateException("nulls: not handled by the scratch decoder");
                            } else {
                                RunLengthBitPackingHybridDecoder rd = new RunLengthBitPackingHybridDecoder(repBits, ByteBufferInputStream.wrap(rep.slice()));
                                RunLengthBitPackingHybridDecoder dd = new RunLengthBitPackingHybridDecoder(defBits, ByteBufferInputStream.wrap(def.slice()));
                                present = 0;
                                for (int i = 0; i < n; i++) {
                                    if (rd.readInt() == 0) rows++;
                                    if (dd.readInt() == maxDef) present++;
                                }
                            }
                            long c = System.nanoTime();
                            tLevels += c - b;
                            if (out.length < present) out = new double[present];
                            for (int i = 0; i < present; i++) {
                                out[i] = bb.getFloat(pos + 4 * i);
                            }
                            for (int i = 0; i < present; i += 64) sum += out[i];
                            values += present;
                            a = System.nanoTime();
                            tValues += a - c;
                        }
                    }
                }
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(java.util.Locale.ROOT, "%s: %d values %d rows %.3f s = %.3f GB/s float32 per core (page read+decompress %.3f s, levels %.3f s, values %.3f s) [%s]%n",
                        f, values, rows, s, values * 4 / s / 1e9, tRead / 1e9, tLevels / 1e9, tValues / 1e9, sum != 0);
            }
        }
    }
}
