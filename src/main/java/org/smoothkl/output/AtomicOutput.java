package org.smoothkl.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.smoothkl.audit.AuditInputException;

/**
 * An output directory that appears whole or not at all, written by one run at a time.
 *
 * <p>{@link #begin} first claims the output ({@link OutputClaim}: the file {@code .DIR.lock}
 * beside it; a run that finds a live claim stops with exit 2). Holding the claim, it clears what
 * killed runs left beside {@code DIR}, then creates a hidden temporary sibling
 * ({@code .DIR.tmp-UUID}) where everything is written. {@link #commit()} writes {@code _SUCCESS}
 * last and renames the temporary directory into place; that rename is the commit point. With
 * overwrite, the old directory is first moved aside ({@code .DIR.old-UUID}) and deleted after
 * the rename. {@link #close()} deletes an uncommitted temporary directory and releases the claim.
 *
 * <p>A run killed anywhere leaves {@code DIR} either absent or complete with {@code _SUCCESS}.
 * The next run against the same output rolls an interrupted commit back: a run killed before its
 * rename did not happen, so its temporary directory is deleted and, if it had moved an old
 * {@code DIR} aside, that old result is put back. On HDFS and local disks a directory rename is
 * atomic; on object stores it is not (src/site/markdown/outputs.md, "Atomic commit").
 */
public final class AtomicOutput implements AutoCloseable {
    public static final String SUCCESS = "_SUCCESS";
    /**
     * Test hook: {@code -Dsmoothkl.test.haltAt=POINT} halts the JVM (no shutdown hooks, like a
     * kill -9) when the commit reaches POINT, one of {@link #HALT_POINTS}.
     */
    public static final String HALT_PROPERTY = "smoothkl.test.haltAt";
    public static final java.util.List<String> HALT_POINTS =
            java.util.List.of("claimed", "before-rename", "old-moved-aside", "renamed");
    static final int HALT_EXIT = 137;

    private final FileSystem fs;
    private final Path target;
    private final Path temp;
    private final boolean overwrite;
    private final OutputClaim claim;
    private boolean committed;

    private AtomicOutput(FileSystem fs, Path target, Path temp, boolean overwrite, OutputClaim claim) {
        this.fs = fs;
        this.target = target;
        this.temp = temp;
        this.overwrite = overwrite;
        this.claim = claim;
    }

    /**
     * Claims {@code output}, refuses it if it exists unless {@code overwrite}, and creates the
     * temporary directory. Exit 2 (an {@link AuditInputException}) when another run holds it.
     */
    public static AtomicOutput begin(Configuration conf, String output, boolean overwrite) {
        try {
            Path path = new Path(output);
            FileSystem fs = path.getFileSystem(conf);
            Path target = fs.makeQualified(path);
            Path parent = target.getParent();
            if (parent == null) {
                throw new AuditInputException("output " + output + " must not be a file system root");
            }
            fs.mkdirs(parent);
            OutputClaim claim = OutputClaim.acquire(fs, target);
            try {
                rollBackInterruptedCommits(fs, target);
                if (fs.exists(target) && !overwrite) {
                    throw new AuditInputException("output " + output + " already exists; give --overwrite to replace it");
                }
                Path temp = sibling(target, tempPrefix(target) + UUID.randomUUID());
                if (!fs.mkdirs(temp)) {
                    throw new AuditInputException("cannot create " + temp + " beside the output");
                }
                haltAt("claimed");
                return new AtomicOutput(fs, target, temp, overwrite, claim);
            } catch (Throwable e) { // an Error too: the claim must not outlive this run
                claim.close();
                throw e;
            }
        } catch (IOException e) {
            throw new AuditInputException("cannot prepare output " + output + ": " + e.getMessage(), e);
        }
    }

    /**
     * What runs killed before their commit point left beside {@code target}: their temporary
     * directories are deleted; an old result one of them had moved aside is put back when
     * {@code target} is missing. Only called while holding the claim, so no live run owns these.
     * Names match exactly ({@code .DIR.tmp-} or {@code .DIR.old-} and one UUID): a prefix alone
     * would match other outputs' directories and claims ({@code .DIR.tmp-1.tmp-UUID}, {@code .DIR.old-a.lock}).
     */
    static void rollBackInterruptedCommits(FileSystem fs, Path target) throws IOException {
        for (FileStatus s : fs.listStatus(target.getParent())) {
            String name = s.getPath().getName();
            if (OutputClaim.named(name, tempPrefix(target))) {
                fs.delete(s.getPath(), true);
            } else if (OutputClaim.named(name, oldPrefix(target))) {
                if (!fs.exists(target)) {
                    fs.rename(s.getPath(), target);
                } else {
                    fs.delete(s.getPath(), true);
                }
            }
        }
    }

    /**
     * The path named {@code name} beside {@code target}. Built from a path of its own, not parsed
     * from the name: a name with a ':' (run-2026-12-01T10:00) is a name, not a URI scheme.
     */
    static Path sibling(Path target, String name) {
        return new Path(target.getParent(), new Path(null, null, name));
    }

    private static String tempPrefix(Path target) {
        return "." + target.getName() + ".tmp-";
    }

    private static String oldPrefix(Path target) {
        return "." + target.getName() + ".old-";
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
            haltAt("before-rename");
            claim.verify();
            Path old = null;
            if (fs.exists(target)) {
                if (!overwrite) {
                    throw new AuditInputException("output " + target + " appeared while this run was writing; it was left as is");
                }
                old = sibling(target, oldPrefix(target) + UUID.randomUUID());
                if (!fs.rename(target, old)) {
                    throw new IOException("cannot move the old " + target + " aside");
                }
                haltAt("old-moved-aside");
            }
            if (!fs.rename(temp, target)) {
                throw new IOException("cannot rename " + temp + " to " + target);
            }
            committed = true;
            haltAt("renamed");
            if (old != null) {
                fs.delete(old, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (!committed) {
                fs.delete(temp, true);
            }
        } catch (IOException e) {
            // The next run against this output deletes it (rollBackInterruptedCommits).
        } finally {
            claim.close();
        }
    }

    private static void haltAt(String point) {
        if (point.equals(System.getProperty(HALT_PROPERTY))) {
            System.err.println("smoothkl: test hook: halting at " + point);
            System.err.flush();
            Runtime.getRuntime().halt(HALT_EXIT);
        }
    }
}
