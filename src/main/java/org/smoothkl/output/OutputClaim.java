package org.smoothkl.output;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.smoothkl.audit.AuditInputException;

/**
 * An exclusive claim on an output directory {@code DIR}: the file {@code .DIR.lock} beside it,
 * created only if it does not exist (O_EXCL on a local disk, the NameNode's create on HDFS; both
 * atomic), holding who claimed it: {@code id host pid pid-start started}. A second run that finds
 * a live claim stops with exit 2 ("output ... is taken").
 *
 * <p>A claim is <b>stale</b>, and the next run takes it over, when its owner is dead: on the
 * same host, the recorded process (pid and start time) no longer runs; on another host, the
 * owner stopped its heartbeat (it touches the file every {@link #HEARTBEAT}) for more than
 * {@link #STALE_AFTER}. Taking over renames the stale file to a unique name first, so of two runs
 * racing for one stale claim only one wins. Before its final rename the owner checks that the
 * claim is still its own.
 */
final class OutputClaim implements AutoCloseable {
    static final Duration HEARTBEAT = Duration.ofSeconds(30);
    static final Duration STALE_AFTER = Duration.ofMinutes(10);

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
        return new Path(target.getParent(), "." + target.getName() + ".lock");
    }

    /** Claims {@code target} (qualified) or throws an {@link AuditInputException} saying who holds it. */
    static OutputClaim acquire(FileSystem fs, Path target) throws IOException {
        Path lock = lockOf(target);
        Owner me = Owner.current();
        for (int attempt = 0; attempt < 5; attempt++) {
            if (createNew(fs, lock, me.encode())) {
                return new OutputClaim(fs, lock, me);
            }
            Optional<Owner> holder = read(fs, lock);
            long modified;
            try {
                modified = fs.getFileStatus(lock).getModificationTime();
            } catch (java.io.FileNotFoundException released) {
                continue;
            }
            boolean stale = holder.map(h -> h.isStale(modified))
                    .orElse(System.currentTimeMillis() - modified > STALE_AFTER.toMillis());
            if (!stale) {
                throw new AuditInputException("output " + target + " is taken: another run "
                        + holder.map(Owner::describe).orElse("(just starting)") + " holds " + lock
                        + "; wait for it to finish, or delete that file if the run is gone");
            }
            Path moved = new Path(lock.getParent(), lock.getName() + ".stale-" + me.id);
            if (fs.rename(lock, moved)) {
                Optional<Owner> was = read(fs, moved);
                if (!was.map(Owner::id).equals(holder.map(Owner::id))) {
                    // Another run took the stale claim over between our read and our rename: give it back.
                    fs.rename(moved, lock);
                    throw new AuditInputException("output " + target + " is taken: another run "
                            + was.map(Owner::describe).orElse("") + " holds " + lock);
                }
                fs.delete(moved, false);
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

    private static boolean createNew(FileSystem fs, Path lock, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if ("file".equals(fs.getScheme())) { // O_CREAT|O_EXCL; Hadoop's local create checks, then creates
            try {
                Files.write(Paths.get(fs.makeQualified(lock).toUri()), bytes, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        try (OutputStream out = fs.create(lock, false)) {
            out.write(bytes);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        }
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

        static Optional<Owner> decode(String text) {
            String[] f = text.strip().split(" ");
            if (f.length != 5) {
                return Optional.empty(); // being written, or not ours: treated as live
            }
            try {
                return Optional.of(new Owner(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), f[4]));
            } catch (NumberFormatException e) {
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
