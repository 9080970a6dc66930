package org.smoothkl.output;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.smoothkl.audit.AuditInputException;

/**
 * An exclusive claim on an output directory {@code DIR}: the file {@code .DIR.lock} beside it,
 * holding who claimed it: {@code id host pid pid-start started}. It is written whole to a
 * temporary file ({@code .DIR.lock.new-UUID}) and then published under the lock's name by an
 * operation that fails if the lock exists (a hard link on a local disk, a rename on HDFS; both
 * atomic), so no run ever sees a half-written claim. A second run that finds a live claim stops
 * with exit 2 ("output ... is taken").
 *
 * <p>A claim is <b>stale</b>, and the next run takes it over, when its owner is dead: on the
 * same host, the recorded process (pid and start time) no longer runs; on another host, the
 * owner stopped its heartbeat (it touches the file every {@link #HEARTBEAT}) for more than
 * {@link #STALE_AFTER}. A claim that does not decode (empty, cut short or garbled: a full disk, a
 * crash) is stale at once. Taking over renames the stale file to a unique name first, so of two runs
 * racing for one stale claim only one wins. Before its final rename the owner checks that the
 * claim is still its own.
 */
final class OutputClaim implements AutoCloseable {
    static final Duration HEARTBEAT = Duration.ofSeconds(30);
    static final Duration STALE_AFTER = Duration.ofMinutes(10);
    /** {@code .DIR.lock.new-UUID}: a claim being written (no ".tmp-" or ".old-", which name outputs' directories). */
    static final String TEMP_INFIX = ".new-";

    private final FileSystem fs;
    private final Path lock;
    private final Owner me;
    private final ScheduledExecutorService heartbeat;

    private OutputClaim(FileSystem fs, Path lock, Owner me) {
        this.fs = fs;
        this.lock = lock;
        this.me = me;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "smoothkl-output-claim");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::touch, HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(), TimeUnit.SECONDS);
    }

    static Path lockOf(Path target) {
        return AtomicOutput.sibling(target, "." + target.getName() + ".lock");
    }

    /** Claims {@code target} (qualified) or throws an {@link AuditInputException} saying who holds it. */
    static OutputClaim acquire(FileSystem fs, Path target) throws IOException {
        // the local disk without Hadoop's .crc companions: a claim's names may hold a ':' (the
        // output's), which Hadoop cannot join into a checksum file's name
        if (fs instanceof org.apache.hadoop.fs.LocalFileSystem local) {
            fs = local.getRaw();
        }
        Path lock = lockOf(target);
        Owner me = Owner.current();
        for (int attempt = 0; attempt < 5; attempt++) {
            if (createNew(fs, lock, me.encode())) {
                deleteLeftovers(fs, lock);
                return new OutputClaim(fs, lock, me);
            }
            Optional<Owner> holder = read(fs, lock);
            long modified;
            try {
                modified = fs.getFileStatus(lock).getModificationTime();
            } catch (java.io.FileNotFoundException released) {
                continue;
            }
            // Claims are published whole, so one that does not decode is damaged, not being written: stale.
            if (holder.isPresent() && !holder.get().isStale(modified)) {
                throw new AuditInputException("output " + target + " is taken: another run "
                        + holder.get().describe() + " holds " + lock
                        + "; wait for it to finish, or delete that file if the run is gone");
            }
            Path moved = AtomicOutput.sibling(lock, lock.getName() + ".stale-" + me.id);
            if (moveAside(fs, lock, moved)) {
                try {
                    Optional<Owner> was = read(fs, moved);
                    if (!was.map(Owner::id).equals(holder.map(Owner::id))) {
                        // Another run took the stale claim over between our read and our rename: give it
                        // back (unless a third has claimed meanwhile; then the second's commit is refused).
                        publish(fs, moved, lock);
                        throw new AuditInputException("output " + target + " is taken: another run "
                                + was.map(Owner::describe).orElse("") + " holds " + lock);
                    }
                } finally {
                    fs.delete(moved, false);
                }
            }
        }
        throw new AuditInputException("output " + target + " is taken: could not claim " + lock + " (it keeps changing)");
    }

    /** Throws if the claim is no longer this run's (taken over as stale): the result must not be committed. */
    void verify() {
        Optional<Owner> holder;
        try {
            holder = read(fs, lock);
        } catch (IOException e) {
            holder = Optional.empty();
        }
        if (holder.isEmpty() || !holder.get().id.equals(me.id)) {
            throw new AuditInputException("lost the claim on the output (" + lock + ") while writing: another run "
                    + holder.map(Owner::describe).orElse("") + " took it over; this result was not committed");
        }
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            Optional<Owner> holder = read(fs, lock);
            if (holder.isPresent() && holder.get().id.equals(me.id)) {
                fs.delete(lock, false);
            }
        } catch (IOException e) {
            // The claim goes stale once this process is gone; the next run takes it over.
        }
    }

    private void touch() {
        try {
            fs.setTimes(lock, System.currentTimeMillis(), -1);
        } catch (IOException | RuntimeException e) {
            // verify() decides at commit time whether the claim is still ours.
        }
    }

    /** Writes {@code content} beside {@code lock}, then publishes it as {@code lock} unless that exists. */
    private static boolean createNew(FileSystem fs, Path lock, String content) throws IOException {
        Path temp = AtomicOutput.sibling(lock, lock.getName() + TEMP_INFIX + UUID.randomUUID());
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        try {
            if (isLocal(fs)) { // java.nio: Hadoop's local file system would add a .crc file beside it
                Files.write(local(fs, temp), bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } else {
                try (OutputStream out = fs.create(temp, false)) {
                    out.write(bytes);
                }
            }
            return publish(fs, temp, lock);
        } finally {
            fs.delete(temp, false);
        }
    }

    /**
     * Claims that runs killed between writing and publishing them left beside {@code lock}. A
     * racer's temp lives for milliseconds, so one older than {@link #STALE_AFTER} is no live run's.
     */
    private static void deleteLeftovers(FileSystem fs, Path lock) {
        long before = System.currentTimeMillis() - STALE_AFTER.toMillis();
        try {
            for (FileStatus s : fs.listStatus(lock.getParent())) {
                if (named(s.getPath().getName(), lock.getName() + TEMP_INFIX) && s.getModificationTime() < before) {
                    fs.delete(s.getPath(), false);
                }
            }
        } catch (IOException e) {
            // Harmless: the next claim tries again.
        }
    }

    /**
     * Whether {@code name} is {@code prefix} and one canonical UUID, nothing more: a name made
     * here. (The fixed-length suffix makes it the name of one output only.)
     */
    static boolean named(String name, String prefix) {
        if (!name.startsWith(prefix)) {
            return false;
        }
        String rest = name.substring(prefix.length());
        try {
            return UUID.fromString(rest).toString().equals(rest);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Renames {@code from} to the unused name {@code to}; false if {@code from} is gone (taken meanwhile). */
    private static boolean moveAside(FileSystem fs, Path from, Path to) throws IOException {
        try {
            if (isLocal(fs)) { // Hadoop's local rename falls back to copying when rename(2) fails
                Files.move(local(fs, from), local(fs, to), StandardCopyOption.ATOMIC_MOVE);
                return true;
            }
            return fs.rename(from, to);
        } catch (NoSuchFileException | java.io.FileNotFoundException gone) {
            return false;
        }
    }

    /**
     * Gives the file {@code from} the name {@code lock} unless {@code lock} exists, atomically:
     * link(2) on a local disk (Hadoop's local rename would replace the lock); elsewhere a rename,
     * which on HDFS fails when the destination exists. {@code from} may remain (the caller deletes it).
     */
    private static boolean publish(FileSystem fs, Path from, Path lock) throws IOException {
        if (isLocal(fs)) {
            try {
                Files.createLink(local(fs, lock), local(fs, from));
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        return fs.rename(from, lock);
    }

    private static boolean isLocal(FileSystem fs) {
        return "file".equals(fs.getUri().getScheme());
    }

    private static java.nio.file.Path local(FileSystem fs, Path p) {
        return Paths.get(fs.makeQualified(p).toUri());
    }

    private static Optional<Owner> read(FileSystem fs, Path lock) throws IOException {
        try (InputStream in = fs.open(lock)) {
            return Owner.decode(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (java.io.FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Who holds a claim. */
    record Owner(String id, String host, long pid, long pidStart, String started) {
        static Owner current() {
            ProcessHandle self = ProcessHandle.current();
            return new Owner(UUID.randomUUID().toString(), hostName(), self.pid(), startOf(self),
                    Instant.now().toString());
        }

        String encode() {
            return id + " " + host + " " + pid + " " + pidStart + " " + started + "\n";
        }

        /** Empty unless {@code text} is a whole {@link #encode}d claim (cut short: no final newline). */
        static Optional<Owner> decode(String text) {
            if (!text.endsWith("\n")) {
                return Optional.empty();
            }
            String[] f = text.substring(0, text.length() - 1).split(" ", -1);
            if (f.length != 5 || f[0].isEmpty() || f[1].isEmpty()) {
                return Optional.empty();
            }
            try {
                Instant.parse(f[4]);
                return Optional.of(new Owner(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), f[4]));
            } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
                return Optional.empty();
            }
        }

        String describe() {
            return "(host " + host + ", pid " + pid + ", started " + started + ")";
        }

        boolean isStale(long modifiedMillis) {
            if (host.equals(hostName())) {
                return ProcessHandle.of(pid).map(p -> startOf(p) != pidStart).orElse(true);
            }
            return System.currentTimeMillis() - modifiedMillis > STALE_AFTER.toMillis();
        }

        private static long startOf(ProcessHandle p) {
            return p.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        }

        private static String hostName() {
            try {
                return InetAddress.getLocalHost().getHostName().replace(' ', '_');
            } catch (IOException e) {
                return "unknown-host";
            }
        }
    }
}
