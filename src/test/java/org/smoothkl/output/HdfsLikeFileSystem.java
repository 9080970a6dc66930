package org.smoothkl.output;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the scheme {@value #SCHEME}, renaming as HDFS does: atomically, never over
 * an existing file (the local file system replaces it) and false for a missing source (the local
 * one tries to copy it). Claims on it take the non-local path.
 */
public class HdfsLikeFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "hdfslike";
    private static final URI ROOT = URI.create(SCHEME + ":///");

    /** This file system, initialised (each test its own instance, outside Hadoop's cache). */
    HdfsLikeFileSystem started() throws IOException {
        initialize(ROOT, new Configuration());
        return this;
    }

    @Override
    public URI getUri() {
        return ROOT;
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        synchronized (HdfsLikeFileSystem.class) { // one NameNode: renames are atomic
            return exists(src) && !exists(dst) && super.rename(src, dst);
        }
    }
}
