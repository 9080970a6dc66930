package org.smoothkl.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.smoothkl.audit.AuditInputException;

/**
 * An output directory that appears whole or not at all. Everything is written under a hidden
 * temporary sibling ({@code .NAME.tmp-UUID}); {@link #commit()} writes {@code _SUCCESS} last and
 * renames the temporary directory into place. A run that fails before the commit leaves no
 * {@code DIR} (close() deletes the temporary one). With overwrite, the old directory is moved
 * aside first and deleted after the rename. On HDFS and local disks a directory rename is atomic;
 * on object stores it is not (see README).
 */
public final class AtomicOutput implements AutoCloseable {
    public static final String SUCCESS = "_SUCCESS";

    private final FileSystem fs;
    private final Path target;
    private final Path temp;
    private final boolean overwrite;
    private boolean committed;

    private AtomicOutput(FileSystem fs, Path target, Path temp, boolean overwrite) {
        this.fs = fs;
        this.target = target;
        this.temp = temp;
        this.overwrite = overwrite;
    }

    /** Refuses an existing {@code output} unless {@code overwrite}; creates the temporary directory. */
    public static AtomicOutput begin(Configuration conf, String output, boolean overwrite) {
        try {
            Path path = new Path(output);
            FileSystem fs = path.getFileSystem(conf);
            Path target = fs.makeQualified(path);
            if (fs.exists(target) && !overwrite) {
                throw new AuditInputException("output " + output + " already exists; give --overwrite to replace it");
            }
            Path parent = target.getParent();
            if (parent == null) {
                throw new AuditInputException("output " + output + " must not be a file system root");
            }
            fs.mkdirs(parent);
            Path temp = new Path(parent, "." + target.getName() + ".tmp-" + UUID.randomUUID());
            if (!fs.mkdirs(temp)) {
                throw new AuditInputException("cannot create " + temp + " beside the output");
            }
            return new AtomicOutput(fs, target, temp, overwrite);
        } catch (IOException e) {
            throw new AuditInputException("cannot prepare output " + output + ": " + e.getMessage(), e);
        }
    }

    /** Where Spark and the report write before the commit. */
    public String path(String relative) {
        return new Path(temp, relative).toString();
    }

    public void writeText(String relative, String content) {
        try (OutputStream out = fs.create(new Path(temp, relative), true)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + relative + " under " + temp, e);
        }
    }

    /** Marks the result complete and moves it into place. */
    public void commit() {
        try {
            writeText(SUCCESS, "");
            Path old = null;
            if (fs.exists(target)) {
                if (!overwrite) {
                    throw new AuditInputException("output " + target + " appeared while this run was writing; it was left as is");
                }
                old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
                if (!fs.rename(target, old)) {
                    throw new IOException("cannot move the old " + target + " aside");
                }
            }
            if (!fs.rename(temp, target)) {
                throw new IOException("cannot rename " + temp + " to " + target);
            }
            committed = true;
            if (old != null) {
                fs.delete(old, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (!committed) {
            try {
                fs.delete(temp, true);
            } catch (IOException e) {
                // Nothing more to do: the temporary directory is hidden and never read as a result.
            }
        }
    }
}
