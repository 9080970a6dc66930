package org.smoothkl.parquet;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputDecompressor;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.SeekableInputStream;

/**
 * One column's pages, column chunk after column chunk, read from the file a page at a time into
 * one reused array: parquet-java's {@code ParquetFileReader} reads a whole column chunk (up to a
 * row group's size) into new buffers first, zeroed by the JVM and faulted in by the OS for every
 * row group. A page (its bytes, and the decompressed bytes SNAPPY gives, {@link ArraySnappyCodecs})
 * is valid until the next {@link #next}: {@link LogitsColumnReader} is done with a page before it
 * asks for the next, and takes a dictionary page's values out at once. Index pages are skipped;
 * page CRCs are not checked (parquet-java's default).
 */
final class PageStream implements Closeable {
    private static final int HEADER_BUFFER = 8192;
    private final SeekableInputStream in;
    /** {@code in} from the chunk's start, buffered for the page headers' byte-sized reads (a remote stream may not buffer). */
    private InputStream chunk;
    private byte[] page = new byte[0];
    private BytesInputDecompressor decompressor;
    private String column;
    /** The chunk's values, and those of its data pages read so far. */
    private long chunkValues;
    private long valuesRead;
    /** A header read while looking for the dictionary page, not yet returned. */
    private PageHeader pending;

    PageStream(SeekableInputStream in) {
        this.in = in;
    }

    /** Starts reading {@code columnChunk}; returns its dictionary page, or null when it has none. */
    DictionaryPage start(ColumnChunkMetaData columnChunk, BytesInputDecompressor chunkDecompressor) throws IOException {
        decompressor = chunkDecompressor;
        column = columnChunk.getPath().toDotString();
        chunkValues = columnChunk.getValueCount();
        valuesRead = 0;
        pending = null;
        if (chunkValues == 0) {
            return null;
        }
        in.seek(columnChunk.getStartingPos());
        this.chunk = new BufferedInputStream(in, HEADER_BUFFER);
        PageHeader first = Util.readPageHeader(this.chunk);
        if (first.getType() != PageType.DICTIONARY_PAGE) {
            pending = first;
            return null;
        }
        BytesInput bytes = decompress(first, BytesInput.from(read(first.getCompressed_page_size()), 0,
                first.getCompressed_page_size()), first.getUncompressed_page_size());
        return new DictionaryPage(bytes, first.getUncompressed_page_size(), first.getDictionary_page_header().getNum_values(),
                encoding(first.getDictionary_page_header().getEncoding()));
    }

    /** The chunk's next data page, or null after its last. */
    DataPage next() throws IOException {
        while (valuesRead < chunkValues) {
            PageHeader header = pending != null ? pending : Util.readPageHeader(chunk);
            pending = null;
            int size = header.getCompressed_page_size();
            byte[] bytes = read(size);
            if (header.getType() == PageType.DATA_PAGE) {
                DataPageHeader h = header.getData_page_header();
                valuesRead += h.getNum_values();
                return new DataPageV1(decompress(header, BytesInput.from(bytes, 0, size), header.getUncompressed_page_size()),
                        h.getNum_values(), header.getUncompressed_page_size(), null, encoding(h.getRepetition_level_encoding()),
                        encoding(h.getDefinition_level_encoding()), encoding(h.getEncoding()));
            }
            if (header.getType() == PageType.DATA_PAGE_V2) {
                DataPageHeaderV2 h = header.getData_page_header_v2();
                valuesRead += h.getNum_values();
                int levels = h.getRepetition_levels_byte_length() + h.getDefinition_levels_byte_length();
                if (levels > size) {
                    throw corrupt("a data page v2's levels are longer than the page");
                }
                BytesInput data = BytesInput.from(bytes, levels, size - levels);
                if (!h.isSetIs_compressed() || h.isIs_compressed()) {
                    data = decompress(header, data, header.getUncompressed_page_size() - levels);
                }
                return DataPageV2.uncompressed(h.getNum_rows(), h.getNum_nulls(), h.getNum_values(),
                        BytesInput.from(bytes, 0, h.getRepetition_levels_byte_length()),
                        BytesInput.from(bytes, h.getRepetition_levels_byte_length(), h.getDefinition_levels_byte_length()),
                        encoding(h.getEncoding()), data, null);
            }
            if (header.getType() == PageType.DICTIONARY_PAGE) {
                throw corrupt("a second dictionary page");
            }
            // an index page: nothing for the values
        }
        return null;
    }

    /** The next {@code size} bytes of the file, in the reused array. */
    private byte[] read(int size) throws IOException {
        if (size < 0) {
            throw corrupt("a page of " + size + " bytes");
        }
        if (page.length < size) {
            page = new byte[Math.max(size, page.length + page.length / 2)];
        }
        if (chunk.readNBytes(page, 0, size) != size) {
            throw corrupt("the file ends inside a page");
        }
        return page;
    }

    private BytesInput decompress(PageHeader header, BytesInput bytes, int uncompressedSize) throws IOException {
        if (uncompressedSize < 0) {
            throw corrupt("a " + header.getType() + " page of " + uncompressedSize + " bytes");
        }
        return decompressor.decompress(bytes, uncompressedSize);
    }

    private static Encoding encoding(org.apache.parquet.format.Encoding e) {
        return Encoding.valueOf(e.name());
    }

    private IllegalStateException corrupt(String what) {
        return new IllegalStateException("Parquet column " + column + ": " + what);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
