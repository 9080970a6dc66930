package org.smoothkl.parquet;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.filter2.compat.FilterCompat;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;

/**
 * One top-level {@code array<float>} or {@code array<double>} column of a Parquet file split,
 * its pages read one at a time ({@link PageStream}; SNAPPY decompressed by {@link ArraySnappyCodecs},
 * other codecs by parquet-java's) and decoded straight into Spark's column vectors, a batch of rows
 * at a time. The row groups are those Spark's reader takes for the split (parquet-java's footer
 * of the split's range: midpoint in range, no filter), so the rows line up with its batches.
 * Encrypted files are Spark's reader's.
 *
 * <p>Handles data pages v1 and v2, PLAIN, dictionary and BYTE_STREAM_SPLIT values (the last
 * beyond Spark 4.0's own vectorized reader, which refuses it), every null (a null list, an
 * empty list, a null element) and rows spanning pages. A page whose definition levels are all
 * at the maximum (no null, no empty list: the usual logits) takes the fast way: its repetition
 * levels give the row starts directly and its values are copied in one call. Anything else the
 * file holds ({@link Opened#unsupported}) is for Spark's reader.
 */
final class LogitsColumnReader implements Closeable {
    private static final Set<Encoding> HANDLED = Set.of(
            Encoding.PLAIN, Encoding.RLE, Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY, Encoding.BYTE_STREAM_SPLIT);

    private final ParquetFileReader file;
    private final ArraySnappyCodecs codecs;
    private final ColumnDescriptor column;
    private final boolean floats;
    /** Definition levels: from {@code listDefined} the list is not null, from {@code elementDefined} an element is there. */
    private final int listDefined;
    private final int elementDefined;
    private final int maxDefinition;
    private final int definitionWidth;

    /** The split's row groups, the next at {@code nextRowGroup}, and this column's pages in them. */
    private final List<BlockMetaData> rowGroups;
    private int nextRowGroup;
    private final PageStream pages;
    private boolean inRowGroup;
    private long rowGroupRows;
    private long rowGroupRowsSeen;
    private float[] dictionaryFloats;
    private double[] dictionaryDoubles;

    /** The page: {@code entries} levels, the next at {@code pos}. */
    private int entries;
    private int pos;
    /** All levels at the maximum: row starts in {@code starts[nextStart, startCount)}. */
    private boolean allPresent;
    private int[] starts = new int[0];
    private int startCount;
    private int nextStart;
    private int[] repetition = new int[0];
    private int[] definition = new int[0];
    /** The page's values: PLAIN bytes from {@code plainAt}, or dictionary ids from {@code idAt}. */
    private ByteBuffer plain;
    private int plainAt;
    private boolean dictionaryIds;
    private int[] ids = new int[0];
    private int idAt;
    private byte[] scratch = new byte[0];
    private byte[] unsplit = new byte[0];

    /** The batch being filled: row r starts at element {@code rowOffsets[r]}. */
    private int[] rowOffsets = new int[0];
    private boolean[] nullRows = new boolean[0];
    private int rows;
    private int children;
    private boolean closed;

    private LogitsColumnReader(ParquetFileReader file, PageStream pages, ArraySnappyCodecs codecs, ColumnDescriptor column,
                               boolean floats, ListShape shape) {
        this.file = file;
        this.pages = pages;
        this.rowGroups = file.getRowGroups();
        this.codecs = codecs;
        this.column = column;
        this.floats = floats;
        this.listDefined = shape.listDefined();
        this.elementDefined = shape.listDefined() + 1;
        this.maxDefinition = column.getMaxDefinitionLevel();
        this.definitionWidth = BytesUtils.getWidthFromMaxInt(maxDefinition);
    }

    /** What the reader needs to know of the column's Parquet type. */
    private record ListShape(String[] path, int listDefined, int maxDefinition) {
    }

    /**
     * Opens the split {@code [start, start + length)} of {@code path} for {@code columnName};
     * {@link Opened#unsupported} says why not when the file is not for this reader.
     */
    static Opened open(Configuration conf, Path path, long start, long length, String columnName, boolean floats)
            throws IOException {
        ArraySnappyCodecs codecs = new ArraySnappyCodecs(conf);
        HadoopInputFile input = HadoopInputFile.fromPath(path, conf);
        ParquetFileReader file = ParquetFileReader.open(input,
                HadoopReadOptions.builder(conf, path).withRange(start, start + length)
                        .withRecordFilter(FilterCompat.NOOP).withCodecFactory(codecs).build());
        try {
            ParquetMetadata footer = file.getFooter();
            if (footer.getFileMetaData().getEncryptionType() != FileMetaData.EncryptionType.UNENCRYPTED) {
                return refused(file, codecs, "an encrypted file");
            }
            MessageType schema = footer.getFileMetaData().getSchema();
            Object shape = shape(schema, columnName, floats);
            if (shape instanceof String reason) {
                return refused(file, codecs, reason);
            }
            ListShape list = (ListShape) shape;
            ColumnDescriptor column = schema.getColumnDescription(list.path());
            if (column.getMaxRepetitionLevel() != 1 || column.getMaxDefinitionLevel() != list.maxDefinition()) {
                return refused(file, codecs, columnName + " is nested in another list or struct");
            }
            for (BlockMetaData block : footer.getBlocks()) {
                ColumnChunkMetaData chunk = chunkOf(block, column);
                for (Encoding e : chunk == null ? Set.<Encoding>of() : chunk.getEncodings()) {
                    if (!HANDLED.contains(e)) {
                        return refused(file, codecs, "encoding " + e + " in " + columnName);
                    }
                }
            }
            return new Opened(new LogitsColumnReader(file, new PageStream(input.newStream()), codecs, column, floats, list), null);
        } catch (IOException | RuntimeException e) {
            file.close();
            codecs.release();
            throw e;
        }
    }

    private static Opened refused(ParquetFileReader file, ArraySnappyCodecs codecs, String reason) throws IOException {
        file.close();
        codecs.release();
        return new Opened(null, reason);
    }

    /** A reader, or why the file is not for one. */
    record Opened(LogitsColumnReader reader, String unsupported) {
    }

    /** The column's list shape, or a String saying why it is not one this reader decodes. */
    private static Object shape(MessageType schema, String name, boolean floats) {
        if (!schema.containsField(name)) {
            return "no column " + name + " in the file (another case, or a later schema)";
        }
        Type field = schema.getType(name);
        if (field.isPrimitive() || field.isRepetition(Type.Repetition.REPEATED)
                || !(field.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation)) {
            return name + " is not a Parquet LIST";
        }
        GroupType list = field.asGroupType();
        if (list.getFieldCount() != 1 || !list.getType(0).isRepetition(Type.Repetition.REPEATED)) {
            return name + " is not a standard Parquet LIST";
        }
        Type repeated = list.getType(0);
        Type element;
        String[] path;
        boolean optionalElement;
        if (repeated.isPrimitive()) { // two-level list: the repeated field is the element
            element = repeated;
            path = new String[] {name, repeated.getName()};
            optionalElement = false;
        } else {
            GroupType group = repeated.asGroupType();
            // Parquet's backward-compatibility rules: such a group is itself the element (a struct)
            if (group.getFieldCount() != 1 || group.getName().equals("array") || group.getName().equals(name + "_tuple")) {
                return name + "'s elements are structs";
            }
            element = group.getType(0);
            if (!element.isPrimitive() || element.isRepetition(Type.Repetition.REPEATED)) {
                return name + "'s elements are not numbers";
            }
            path = new String[] {name, group.getName(), element.getName()};
            optionalElement = element.isRepetition(Type.Repetition.OPTIONAL);
        }
        PrimitiveTypeName want = floats ? PrimitiveTypeName.FLOAT : PrimitiveTypeName.DOUBLE;
        PrimitiveTypeName has = element.asPrimitiveType().getPrimitiveTypeName();
        if (has != want || element.getLogicalTypeAnnotation() != null) {
            return name + "'s elements are " + has + " in the file, read as " + want;
        }
        int listDefined = field.isRepetition(Type.Repetition.OPTIONAL) ? 1 : 0;
        return new ListShape(path, listDefined, listDefined + 1 + (optionalElement ? 1 : 0));
    }

    /**
     * Reads the split's next {@code wanted} rows into {@code out} (reset first): returns how many
     * it read, fewer only at the split's end.
     */
    int read(WritableColumnVector out, int wanted) throws IOException {
        out.reset();
        WritableColumnVector elements = out.arrayData();
        if (rowOffsets.length < wanted) {
            rowOffsets = new int[wanted];
            nullRows = new boolean[wanted];
        }
        rows = 0;
        children = 0;
        while (true) {
            if (pos == entries && !nextPage()) {
                break;
            }
            if (allPresent ? fillAllPresent(elements, wanted) : fillWithLevels(elements, wanted)) {
                break;
            }
        }
        for (int r = 0; r < rows; r++) {
            if (nullRows[r]) {
                out.putNull(r);
            } else {
                out.putArray(r, rowOffsets[r], (r + 1 < rows ? rowOffsets[r + 1] : children) - rowOffsets[r]);
            }
        }
        return rows;
    }

    /** Whether the split has no more rows. */
    boolean exhausted() throws IOException {
        while (pos == entries) {
            if (!nextPage()) {
                return true;
            }
        }
        return false;
    }

    /** A page without nulls: rows open at its row starts, all its values go in one copy. True when the batch is full. */
    private boolean fillAllPresent(WritableColumnVector elements, int wanted) {
        int open = Math.min(wanted - rows, startCount - nextStart);
        int end = nextStart + open < startCount ? starts[nextStart + open] : entries;
        if (rows == 0 && end > pos && (open == 0 || starts[nextStart] != pos)) {
            throw corrupt("a list continues where a row should start");
        }
        elements.reserve(children + end - pos);
        for (int j = 0; j < open; j++) {
            rowOffsets[rows + j] = children + starts[nextStart + j] - pos;
            nullRows[rows + j] = false;
        }
        copyValues(elements, children, end - pos);
        children += end - pos;
        rows += open;
        rowGroupRowsSeen += open;
        nextStart += open;
        pos = end;
        return pos < entries;
    }

    /** A page with nulls or empty lists, level by level. True when the batch is full. */
    private boolean fillWithLevels(WritableColumnVector elements, int wanted) {
        elements.reserve(children + entries - pos);
        for (; pos < entries; pos++) {
            int d = definition[pos];
            if (repetition[pos] == 0) {
                if (rows == wanted) {
                    return true;
                }
                rowOffsets[rows] = children;
                nullRows[rows] = d < listDefined;
                rows++;
                rowGroupRowsSeen++;
            } else if (rows == 0) {
                throw corrupt("a list continues where a row should start");
            }
            if (d >= elementDefined) {
                if (d == maxDefinition) {
                    copyValues(elements, children, 1);
                } else {
                    elements.putNull(children);
                }
                children++;
            }
        }
        return false;
    }

    private void copyValues(WritableColumnVector elements, int at, int count) {
        if (count == 0) {
            return;
        }
        if (dictionaryIds) {
            if (floats) {
                for (int i = 0; i < count; i++) {
                    elements.putFloat(at + i, dictionaryFloats[ids[idAt + i]]);
                }
            } else {
                for (int i = 0; i < count; i++) {
                    elements.putDouble(at + i, dictionaryDoubles[ids[idAt + i]]);
                }
            }
            idAt += count;
            return;
        }
        int bytes = count * (floats ? 4 : 8);
        byte[] array;
        int offset;
        if (plain.hasArray()) {
            array = plain.array();
            offset = plain.arrayOffset() + plainAt;
        } else {
            if (scratch.length < bytes) {
                scratch = new byte[bytes];
            }
            plain.get(plainAt, scratch, 0, bytes);
            array = scratch;
            offset = 0;
        }
        if (floats) {
            elements.putFloatsLittleEndian(at, count, array, offset);
        } else {
            elements.putDoublesLittleEndian(at, count, array, offset);
        }
        plainAt += bytes;
    }

    /** Loads the next data page, moving to the next row group when one ends; false at the split's end. */
    private boolean nextPage() throws IOException {
        while (true) {
            if (inRowGroup) {
                DataPage page = pages.next();
                if (page != null) {
                    load(page);
                    return true;
                }
                if (rowGroupRowsSeen != rowGroupRows) {
                    throw corrupt("the row group has " + rowGroupRows + " rows, its " + column + " " + rowGroupRowsSeen);
                }
            }
            if (nextRowGroup == rowGroups.size()) {
                inRowGroup = false;
                return false;
            }
            BlockMetaData rowGroup = rowGroups.get(nextRowGroup++);
            ColumnChunkMetaData chunk = chunkOf(rowGroup, column);
            if (chunk == null) {
                throw corrupt("a row group without the column");
            }
            rowGroupRows = rowGroup.getRowCount();
            rowGroupRowsSeen = 0;
            inRowGroup = true;
            loadDictionary(pages.start(chunk, codecs.getDecompressor(chunk.getCodec())));
        }
    }

    /** The row group's chunk of {@code column}, or null when it has none. */
    private static ColumnChunkMetaData chunkOf(BlockMetaData rowGroup, ColumnDescriptor column) {
        ColumnPath path = ColumnPath.get(column.getPath());
        for (ColumnChunkMetaData chunk : rowGroup.getColumns()) {
            if (chunk.getPath().equals(path)) {
                return chunk;
            }
        }
        return null;
    }

    private void loadDictionary(DictionaryPage page) throws IOException {
        dictionaryFloats = null;
        dictionaryDoubles = null;
        if (page == null) {
            return;
        }
        ByteBuffer b = page.getBytes().toByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
        int n = page.getDictionarySize();
        if (floats) {
            dictionaryFloats = new float[n];
            b.asFloatBuffer().get(dictionaryFloats);
        } else {
            dictionaryDoubles = new double[n];
            b.asDoubleBuffer().get(dictionaryDoubles);
        }
    }

    private void load(DataPage page) throws IOException {
        ByteBuffer repetitionLevels;
        ByteBuffer definitionLevels;
        ByteBuffer values;
        Encoding encoding;
        if (page instanceof DataPageV1 v1) {
            if (v1.getRlEncoding() != Encoding.RLE || v1.getDlEncoding() != Encoding.RLE) {
                throw corrupt("levels encoded " + v1.getRlEncoding() + "/" + v1.getDlEncoding());
            }
            ByteBuffer all = v1.getBytes().toByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
            int repetitionLength = all.getInt(0);
            repetitionLevels = part(all, 4, repetitionLength);
            int at = 4 + repetitionLength;
            int definitionLength = all.getInt(at);
            definitionLevels = part(all, at + 4, definitionLength);
            at += 4 + definitionLength;
            values = part(all, at, all.limit() - at);
            encoding = v1.getValueEncoding();
        } else {
            DataPageV2 v2 = (DataPageV2) page;
            if (v2.isCompressed()) {
                throw corrupt("a data page v2 still compressed");
            }
            repetitionLevels = v2.getRepetitionLevels().toByteBuffer().slice();
            definitionLevels = v2.getDefinitionLevels().toByteBuffer().slice();
            values = v2.getData().toByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
            encoding = v2.getDataEncoding();
        }
        entries = page.getValueCount();
        pos = 0;
        int present;
        allPresent = HybridRuns.allEqual(definitionLevels.duplicate(), definitionWidth, entries, maxDefinition);
        if (allPresent) {
            if (starts.length < entries) {
                starts = new int[entries];
            }
            startCount = HybridRuns.zeros(repetitionLevels, entries, starts);
            nextStart = 0;
            present = entries;
        } else {
            if (repetition.length < entries) {
                repetition = new int[entries];
                definition = new int[entries];
            }
            HybridRuns.decode(repetitionLevels, 1, entries, repetition);
            HybridRuns.decode(definitionLevels, definitionWidth, entries, definition);
            present = 0;
            for (int i = 0; i < entries; i++) {
                if (definition[i] == maxDefinition) {
                    present++;
                }
            }
        }
        if (encoding == Encoding.PLAIN) {
            dictionaryIds = false;
            plain = values;
            plainAt = 0;
            if (values.remaining() < (long) present * (floats ? 4 : 8)) {
                throw corrupt("a page holds fewer values than its levels say");
            }
        } else if (encoding == Encoding.PLAIN_DICTIONARY || encoding == Encoding.RLE_DICTIONARY) {
            if (dictionaryFloats == null && dictionaryDoubles == null) {
                throw corrupt("dictionary ids without a dictionary page");
            }
            dictionaryIds = true;
            if (ids.length < present) {
                ids = new int[present];
            }
            if (present > 0) {
                HybridRuns.decode(values, values.get() & 0xff, present, ids);
            }
            idAt = 0;
            int size = floats ? dictionaryFloats.length : dictionaryDoubles.length;
            for (int i = 0; i < present; i++) {
                if (ids[i] < 0 || ids[i] >= size) {
                    throw corrupt("dictionary id " + ids[i] + " past the dictionary's " + size);
                }
            }
        } else if (encoding == Encoding.BYTE_STREAM_SPLIT) {
            plain = unsplit(values, present);
            plainAt = 0;
            dictionaryIds = false;
        } else {
            throw corrupt("values encoded " + encoding);
        }
    }

    /** BYTE_STREAM_SPLIT values (byte b of every value, then byte b + 1 …) back to PLAIN's order. */
    private ByteBuffer unsplit(ByteBuffer split, int values) {
        int width = floats ? 4 : 8;
        if (split.remaining() < values * width) {
            throw corrupt("a page holds fewer values than its levels say");
        }
        if (unsplit.length < values * width) {
            unsplit = new byte[values * width];
        }
        for (int b = 0; b < width; b++) {
            for (int i = 0, from = b * values; i < values; i++) {
                unsplit[i * width + b] = split.get(from + i);
            }
        }
        return ByteBuffer.wrap(unsplit, 0, values * width).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer part(ByteBuffer all, int from, int length) {
        ByteBuffer b = all.duplicate();
        b.position(from);
        b.limit(from + length);
        return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private IllegalStateException corrupt(String what) {
        return new IllegalStateException("Parquet column " + String.join(".", column.getPath()) + ": " + what);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            try (PageStream p = pages; ParquetFileReader f = file) {
                codecs.release();
            }
        }
    }
}
