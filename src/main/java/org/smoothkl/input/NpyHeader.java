package org.smoothkl.input;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a NumPy .npy array, parsed here before any byte reaches ND4J (which transposes
 * Fortran-order arrays silently and kills the JVM on big-endian ones: src/site/markdown/inputs.md).
 *
 * <pre>
 *   "\x93NUMPY" major minor  header_len (uint16 LE for v1, uint32 LE for v2/v3)
 *   header: a Python dict literal, e.g. {'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 5), }
 *   then the data: prod(shape) items of descr's size
 * </pre>
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape, int dataOffset) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Parses the header at the start of {@code npy}; the message of the exception says what is wrong. */
    static NpyHeader parse(byte[] npy, int length) {
        if (length < 10) {
            throw new IllegalArgumentException("not a .npy array (" + length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (npy[i] != MAGIC[i]) {
                throw new IllegalArgumentException("not a .npy array (no \\x93NUMPY magic)");
            }
        }
        int major = npy[6] & 0xff;
        long headerLength;
        int start;
        if (major == 1) {
            headerLength = (npy[8] & 0xff) | (npy[9] & 0xff) << 8;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (length < 12) {
                throw new IllegalArgumentException("truncated .npy header");
            }
            headerLength = (npy[8] & 0xffL) | (npy[9] & 0xffL) << 8 | (npy[10] & 0xffL) << 16 | (npy[11] & 0xffL) << 24;
            start = 12;
        } else {
            throw new IllegalArgumentException(".npy format version " + major + " is not supported (1, 2, 3 are)");
        }
        if (start + headerLength > length) {
            throw new IllegalArgumentException("truncated .npy header");
        }
        String dict = new String(npy, start, (int) headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(dict);
        Matcher f = FORTRAN.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IllegalArgumentException("unreadable .npy header " + dict.strip()
                    + " (a structured dtype, or not written by numpy?)");
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                dims.add(Long.parseLong(part.strip()));
            }
        }
        return new NpyHeader(d.group(1), f.group(1).equals("True"), dims.stream().mapToLong(Long::longValue).toArray(),
                (int) (start + headerLength));
    }

    /** Little-endian (or byte-order-free) data: '&lt;', '|', or '=' (numpy writes '&lt;' on little-endian machines). */
    boolean bigEndian() {
        return descr.startsWith(">") || descr.startsWith("!");
    }

    /** The type without its byte order, e.g. "f4", "i8". */
    String type() {
        char c = descr.isEmpty() ? ' ' : descr.charAt(0);
        return c == '<' || c == '>' || c == '|' || c == '=' || c == '!' ? descr.substring(1) : descr;
    }

    int itemSize() {
        return Integer.parseInt(type().substring(1));
    }

    long items() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    String shapeText() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }
}
