package org.smoothkl.output;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.smoothkl.audit.AuditInputException;

/**
 * Files of a finished output directory (one with {@code _SUCCESS}), on any Hadoop file system:
 * a baseline's summary.json, and report.html when {@code report} renders it again.
 */
public final class OutputFiles {
    private OutputFiles() {
    }

    /** The text of {@code dir/name}; exit 2 when {@code dir} is not a finished smoothkl output. */
    public static String readFinished(Configuration conf, String dir, String name) {
        try {
            Path root = new Path(dir);
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(new Path(root, AtomicOutput.SUCCESS))) {
                throw new AuditInputException(dir + " is not a finished smoothkl output (no " + AtomicOutput.SUCCESS + ")");
            }
            try (InputStream in = fs.open(new Path(root, name))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (FileNotFoundException e) {
            throw new AuditInputException(dir + " has no " + name, e);
        } catch (IOException e) {
            throw new AuditInputException("cannot read " + dir + "/" + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces {@code dir/name} with {@code content}: written beside it under a hidden name, then
     * renamed into place (on HDFS, where a rename does not replace, the old file is deleted just before).
     */
    public static void replace(Configuration conf, String dir, String name, String content) {
        try {
            Path root = new Path(dir);
            FileSystem fs = root.getFileSystem(conf);
            Path target = new Path(root, name);
            Path temp = new Path(root, "." + name + ".tmp-" + UUID.randomUUID());
            try (OutputStream out = fs.create(temp, false)) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
            if (!fs.rename(temp, target)) {
                fs.delete(target, false);
                if (!fs.rename(temp, target)) {
                    fs.delete(temp, false);
                    throw new IOException("cannot rename " + temp + " to " + target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir + "/" + name, e);
        }
    }
}
