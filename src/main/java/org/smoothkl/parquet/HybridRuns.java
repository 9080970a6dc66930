package org.smoothkl.parquet;

import java.nio.ByteBuffer;

/**
 * Parquet's RLE / bit-packed hybrid encoding (levels and dictionary ids), decoded from a buffer
 * positioned at its first run header. Runs: a varint header, then either one value repeated
 * ({@code header >>> 1} times, in ⌈width/8⌉ little-endian bytes) or ({@code header >>> 1}) groups
 * of 8 values bit-packed least significant bit first.
 */
final class HybridRuns {
    private HybridRuns() {
    }

    /** Decodes {@code n} values of {@code width} bits into {@code out[0, n)}. */
    static void decode(ByteBuffer in, int width, int n, int[] out) {
        int i = 0;
        int mask = width == 32 ? -1 : (1 << width) - 1;
        while (i < n) {
            int header = varint(in);
            if ((header & 1) == 0) {
                int run = Math.min(header >>> 1, n - i);
                java.util.Arrays.fill(out, i, i + run, runValue(in, width));
                i += run;
            } else {
                int values = (header >>> 1) * 8;
                long bits = 0;
                int held = 0;
                for (int k = 0; k < values; k++) {
                    while (held < width) {
                        bits |= (long) (in.get() & 0xff) << held;
                        held += 8;
                    }
                    if (i < n) {
                        out[i++] = (int) bits & mask;
                    }
                    bits >>>= width;
                    held -= width;
                }
            }
        }
    }

    /**
     * Repetition levels of width 1 (a list column): the positions of the zeros, where rows start,
     * into {@code starts}; returns how many. Bit-packed groups are read a byte (8 levels) at a time.
     */
    static int zeros(ByteBuffer in, int n, int[] starts) {
        int i = 0;
        int count = 0;
        while (i < n) {
            int header = varint(in);
            if ((header & 1) == 0) {
                int run = Math.min(header >>> 1, n - i);
                if ((in.get() & 1) == 0) {
                    for (int j = 0; j < run; j++) {
                        starts[count++] = i + j;
                    }
                }
                i += run;
            } else {
                for (int g = header >>> 1; g > 0; g--) {
                    int zeroBits = ~in.get() & 0xff;
                    while (zeroBits != 0) {
                        int at = i + Integer.numberOfTrailingZeros(zeroBits);
                        if (at < n) {
                            starts[count++] = at;
                        }
                        zeroBits &= zeroBits - 1;
                    }
                    i += 8;
                }
            }
        }
        return count;
    }

    /** Whether all {@code n} values equal {@code value}; reads {@code in}'s runs (a duplicate of the caller's buffer). */
    static boolean allEqual(ByteBuffer in, int width, int n, int value) {
        int i = 0;
        int mask = (1 << width) - 1;
        while (i < n) {
            int header = varint(in);
            if ((header & 1) == 0) {
                if (runValue(in, width) != value) {
                    return false;
                }
                i += header >>> 1;
            } else {
                int values = (header >>> 1) * 8;
                long bits = 0;
                int held = 0;
                for (int k = 0; k < values; k++, i++) {
                    while (held < width) {
                        bits |= (long) (in.get() & 0xff) << held;
                        held += 8;
                    }
                    if (i < n && ((int) bits & mask) != value) {
                        return false;
                    }
                    bits >>>= width;
                    held -= width;
                }
            }
        }
        return true;
    }

    private static int runValue(ByteBuffer in, int width) {
        int value = 0;
        for (int b = 0, bytes = (width + 7) / 8; b < bytes; b++) {
            value |= (in.get() & 0xff) << (8 * b);
        }
        return value;
    }

    private static int varint(ByteBuffer in) {
        int value = 0;
        int shift = 0;
        int b;
        do {
            b = in.get() & 0xff;
            value |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return value;
    }
}
