package org.smoothkl.parquet;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * parquet-java's codecs, but SNAPPY pages decompressed by snappy-java from the page's bytes where
 * they lie ({@link PageStream}'s array) into one reused array: parquet-java's Hadoop-stream path
 * copies each page into a direct buffer, decompresses into another and copies that into a new
 * array. Reusing the output is safe for {@link LogitsColumnReader} only, which is done with a
 * page (its values copied out) before it reads the next; other codecs are parquet-java's own.
 */
final class ArraySnappyCodecs implements CompressionCodecFactory {
    private final CodecFactory others;
    private final SnappyPages snappy = new SnappyPages();

    ArraySnappyCodecs(Configuration conf) {
        this.others = new CodecFactory(conf, 0);
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return others.getCompressor(codec);
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return codec == CompressionCodecName.SNAPPY ? snappy : others.getDecompressor(codec);
    }

    @Override
    public void release() {
        others.release();
    }

    private static final class SnappyPages implements BytesInputDecompressor {
        private byte[] out = new byte[0];

        @Override
        public BytesInput decompress(BytesInput page, int uncompressedSize) throws IOException {
            // a view of the page where it lies (toByteBuffer of some BytesInput kinds copies into a new array)
            int length = Math.toIntExact(page.size());
            ByteBuffer in = page.toInputStream().slice(length);
            byte[] array;
            int offset;
            if (in.hasArray()) {
                array = in.array();
                offset = in.arrayOffset() + in.position();
            } else {
                array = new byte[length];
                in.duplicate().get(array);
                offset = 0;
            }
            if (out.length < uncompressedSize) {
                out = new byte[uncompressedSize];
            }
            int n = Snappy.uncompress(array, offset, length, out, 0);
            if (n != uncompressedSize) {
                throw new IOException("a SNAPPY page decompressed to " + n + " bytes, its header says " + uncompressedSize);
            }
            return BytesInput.from(out, 0, n);
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            ByteBuffer in = input.duplicate();
            in.limit(in.position() + compressedSize);
            byte[] src = new byte[compressedSize];
            in.get(src);
            byte[] dst = new byte[uncompressedSize];
            Snappy.uncompress(src, 0, compressedSize, dst, 0);
            output.put(dst);
        }

        @Override
        public void release() {
            out = new byte[0];
        }
    }
}
