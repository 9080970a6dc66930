package org.smoothkl.input;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A small .npy/.npz writer for the tests (format version 1.0, as numpy.save writes it): float16/32/64
 * and int32/64, either byte order, C or Fortran order. Used where python3 with numpy is missing,
 * and to make arrays numpy would not write by accident.
 */
final class NpyWriter {
    private NpyWriter() {
    }

    /** An array: values in C (row-major) order, its dtype ("f2", "f4", "f8", "i4", "i8"), shape. */
    record Array(double[] values, String type, long[] shape) {
    }

    static byte[] npy(Array a, boolean bigEndian, boolean fortranOrder) {
        String descr = (bigEndian ? ">" : "<") + a.type();
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < a.shape().length; i++) {
            shape.append(i == 0 ? "" : ", ").append(a.shape()[i]);
        }
        shape.append(a.shape().length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortranOrder ? "True" : "False")
                + ", 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        int size = Integer.parseInt(a.type().substring(1));
        ByteBuffer data = ByteBuffer.allocate(a.values().length * size)
                .order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int n = a.values().length;
        for (int idx = 0; idx < n; idx++) {
            double v = a.values()[fortranOrder && a.shape().length == 2 ? cOrderIndex(idx, a.shape()) : idx];
            switch (a.type()) {
                case "f2" -> data.putShort(half((float) v));
                case "f4" -> data.putFloat((float) v);
                case "f8" -> data.putDouble(v);
                case "i4" -> data.putInt((int) v);
                case "i8" -> data.putLong((long) v);
                default -> throw new IllegalArgumentException(a.type());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >>> 8);
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data.array());
        return out.toByteArray();
    }

    /** Column-major position idx of a [rows, cols] array → its row-major index. */
    private static int cOrderIndex(int idx, long[] shape) {
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        int r = idx % rows;
        int c = idx / rows;
        return r * cols + c;
    }

    /** float → IEEE half, for values a half holds exactly (the tests use such values). */
    static short half(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return (short) 0x7e00;
        }
        if (f == 0) {
            return (short) sign;
        }
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mantissa = bits & 0x7fffff;
        if (exp <= 0 || exp >= 31 || (mantissa & 0x1fff) != 0) {
            throw new IllegalArgumentException(f + " is not exactly a normal float16");
        }
        return (short) (sign | exp << 10 | mantissa >>> 13);
    }

    /** An .npz: a zip of NAME.npy entries (stored, as numpy.savez writes them). */
    static void npz(Path file, Map<String, byte[]> arrays) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : arrays.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
    }
}
