package org.smoothkl.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.smoothkl.audit.AuditInputException;

/**
 * The rule for claims (no Spark): live claims refuse, stale ones are taken over; a claim that
 * does not decode is stale at once. On the local disk and on {@link HdfsLikeFileSystem} (the
 * rename path that HDFS takes).
 */
class OutputClaimTest {
    private static final String LOCAL = "file";
    private static final String HDFS_LIKE = HdfsLikeFileSystem.SCHEME;

    @TempDir
    Path tmp;

    private static FileSystem fs(String scheme) throws IOException {
        return scheme.equals(LOCAL) ? FileSystem.getLocal(new Configuration()) : new HdfsLikeFileSystem().started();
    }

    private org.apache.hadoop.fs.Path target(String scheme) throws IOException {
        return fs(scheme).makeQualified(new org.apache.hadoop.fs.Path(scheme + "://" + tmp.resolve("out")));
    }

    private Path lockFile() {
        return tmp.resolve(".out.lock");
    }

    private OutputClaim claim() throws IOException {
        return claim(LOCAL);
    }

    private OutputClaim claim(String scheme) throws IOException {
        return OutputClaim.acquire(fs(scheme), target(scheme));
    }

    /** What lies beside the output: the claim, and anything a claim left (temps, stale copies). */
    private List<String> beside() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".out.")).sorted().toList();
        }
    }

    private static String host() throws IOException {
        return InetAddress.getLocalHost().getHostName().replace(' ', '_');
    }

    @Test
    void aLiveClaimRefusesASecondAndIsReleasedOnClose() throws IOException {
        try (OutputClaim first = claim()) {
            assertThat(lockFile()).exists();
            assertThatThrownBy(this::claim).isInstanceOf(AuditInputException.class)
                    .hasMessageContaining("is taken: another run (host ").hasMessageContaining("pid " + ProcessHandle.current().pid());
            first.verify();
        }
        assertThat(lockFile()).doesNotExist();
        claim().close();
    }

    @Test
    void aClaimOfADeadProcessOnThisHostIsTakenOver() throws IOException {
        Files.writeString(lockFile(), "dead-run " + host() + " 999999999 123 2026-01-01T00:00:00Z\n");
        try (OutputClaim c = claim()) {
            c.verify();
            assertThat(Files.readString(lockFile())).doesNotContain("dead-run");
        }
    }

    @Test
    void aClaimOfALiveProcessStartedAtAnotherTimeIsStale() throws IOException {
        // The pid exists, but it is a different process than the one that claimed (pid reused).
        Files.writeString(lockFile(), "old-run " + host() + " " + ProcessHandle.current().pid() + " 1 2026-01-01T00:00:00Z\n");
        claim().close();
    }

    @Test
    void aClaimFromAnotherHostIsLiveUntilItsHeartbeatStops() throws IOException {
        Files.writeString(lockFile(), "remote-run some-other-host 42 1 2026-01-01T00:00:00Z\n");
        assertThatThrownBy(this::claim).hasMessageContaining("host some-other-host, pid 42");
        Files.setLastModifiedTime(lockFile(), FileTime.from(Instant.now().minus(OutputClaim.STALE_AFTER).minusSeconds(60)));
        claim().close();
    }

    /** Claims that do not decode, as a full disk, a crash or another writer leave them. */
    static Stream<Arguments> damagedClaims() throws IOException {
        String live = OutputClaim.Owner.current().encode(); // whole, it is this (live) process's claim
        List<Arguments> shapes = new ArrayList<>();
        shapes.add(Arguments.of("empty", new byte[0]));
        shapes.add(Arguments.of("a newline", "\n".getBytes(StandardCharsets.UTF_8)));
        java.util.SortedSet<Integer> cuts = new java.util.TreeSet<>(List.of(1, live.length() - 3, live.length() - 2));
        for (int i = live.indexOf(' '); i >= 0; i = live.indexOf(' ', i + 1)) { // around each field boundary
            cuts.addAll(List.of(i - 1, i, i + 1, i + 3));
        }
        for (int n : cuts) {
            shapes.add(Arguments.of("cut at " + n, live.substring(0, n).getBytes(StandardCharsets.UTF_8)));
            shapes.add(Arguments.of("cut at " + n + ", newline", (live.substring(0, n) + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        shapes.add(Arguments.of("no final newline", live.strip().getBytes(StandardCharsets.UTF_8)));
        shapes.add(Arguments.of("an extra field", live.replace("\n", " x\n").getBytes(StandardCharsets.UTF_8)));
        shapes.add(Arguments.of("a bad pid", ("id " + host() + " p1d 1 2026-01-01T00:00:00Z\n").getBytes(StandardCharsets.UTF_8)));
        shapes.add(Arguments.of("a bad start", ("id " + host() + " 1 1 yesterday\n").getBytes(StandardCharsets.UTF_8)));
        shapes.add(Arguments.of("another host, cut", "remote-run some-other-host 42\n".getBytes(StandardCharsets.UTF_8)));
        Random random = new Random(13);
        for (int i = 0; i < 5; i++) {
            byte[] bytes = new byte[1 + random.nextInt(120)];
            random.nextBytes(bytes);
            bytes[bytes.length - 1] = (byte) (i % 2 == 0 ? '\n' : bytes[bytes.length - 1]);
            shapes.add(Arguments.of("random bytes " + i, bytes));
        }
        return Stream.of(LOCAL, HDFS_LIKE).flatMap(scheme -> shapes.stream()
                .map(a -> Arguments.of(scheme, a.get()[0], a.get()[1])));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("damagedClaims")
    void aClaimThatDoesNotDecodeIsStaleAtOnce(String scheme, String shape, byte[] content) throws IOException {
        Files.write(lockFile(), content); // just written: were it decodable, it would be live
        try (OutputClaim c = claim(scheme)) {
            c.verify();
            assertThat(beside()).containsExactly(".out.lock");
        }
        assertThat(beside()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {LOCAL, HDFS_LIKE})
    void aWholeClaimOfThisLiveProcessIsRefused(String scheme) throws IOException {
        Files.writeString(lockFile(), OutputClaim.Owner.current().encode());
        assertThatThrownBy(() -> claim(scheme)).isInstanceOf(AuditInputException.class)
                .hasMessageContaining("is taken").hasMessageContaining("pid " + ProcessHandle.current().pid());
        assertThat(beside()).as("the refused claim's temporary file is gone").containsExactly(".out.lock");
    }

    static Stream<Arguments> staleClaims() throws IOException {
        List<String> stale = List.of("", "garbage\n", "dead-run " + host() + " 999999999 123 2026-01-01T00:00:00Z\n");
        return Stream.of(LOCAL, HDFS_LIKE).flatMap(scheme -> stale.stream().map(s -> Arguments.of(scheme, s)));
    }

    @ParameterizedTest(name = "{0}: \"{1}\"")
    @MethodSource("staleClaims")
    void ofTwoRunsRacingForAStaleClaimExactlyOneWins(String scheme, String stale) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 15; round++) {
                Files.writeString(lockFile(), stale);
                CyclicBarrier start = new CyclicBarrier(2);
                Callable<OutputClaim> racer = () -> {
                    start.await();
                    try {
                        return claim(scheme);
                    } catch (AuditInputException taken) {
                        assertThat(taken).hasMessageContaining("is taken");
                        return null;
                    }
                };
                List<OutputClaim> winners = new ArrayList<>();
                for (Future<OutputClaim> f : pool.invokeAll(List.of(racer, racer))) {
                    if (f.get() != null) {
                        winners.add(f.get());
                    }
                }
                assertThat(winners).as("round " + round).hasSize(1);
                winners.get(0).verify();
                winners.get(0).close();
                assertThat(beside()).as("round " + round).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {LOCAL, HDFS_LIKE})
    void aClaimLeftUnpublishedByAKilledRunIsDeletedOnceOld(String scheme) throws IOException {
        String old = ".out.lock" + OutputClaim.TEMP_INFIX + UUID.randomUUID();
        String fresh = ".out.lock" + OutputClaim.TEMP_INFIX + UUID.randomUUID(); // perhaps a racer's, about to publish
        String notOurs = ".out.lock" + OutputClaim.TEMP_INFIX + UUID.randomUUID() + "-x";
        for (String name : List.of(old, fresh, notOurs)) {
            Files.writeString(tmp.resolve(name), "someone\n");
        }
        FileTime longAgo = FileTime.from(Instant.now().minus(OutputClaim.STALE_AFTER).minusSeconds(60));
        Files.setLastModifiedTime(tmp.resolve(old), longAgo);
        Files.setLastModifiedTime(tmp.resolve(notOurs), longAgo);
        claim(scheme).close();
        assertThat(beside()).containsExactlyInAnyOrder(fresh, notOurs);
    }

    /** A disk that fills up after a few bytes of a file. */
    static final class FullDisk extends HdfsLikeFileSystem {
        @Override
        public FSDataOutputStream create(org.apache.hadoop.fs.Path f, boolean overwrite, int bufferSize, short replication,
                                         long blockSize, Progressable progress) throws IOException {
            return new FSDataOutputStream(new FilterOutputStream(super.create(f, overwrite, bufferSize, replication, blockSize, progress)) {
                private int room = 10;

                @Override
                public void write(int b) throws IOException {
                    if (room-- == 0) {
                        throw new IOException("No space left on device");
                    }
                    super.write(b);
                }
            }, null);
        }
    }

    /** Runs out of memory creating an output's temporary directory. */
    public static final class OutOfMemoryOnMkdirs extends HdfsLikeFileSystem {
        @Override
        public boolean mkdirs(org.apache.hadoop.fs.Path f) throws IOException {
            if (f.getName().contains(".tmp-")) {
                throw new OutOfMemoryError("test");
            }
            return super.mkdirs(f);
        }
    }

    @Test
    void anErrorWhileBeginningAnOutputReleasesItsClaim() throws IOException {
        Configuration conf = new Configuration();
        conf.set("fs." + HDFS_LIKE + ".impl", OutOfMemoryOnMkdirs.class.getName());
        conf.setBoolean("fs." + HDFS_LIKE + ".impl.disable.cache", true);
        assertThatThrownBy(() -> AtomicOutput.begin(conf, target(HDFS_LIKE).toString(), false))
                .isInstanceOf(OutOfMemoryError.class);
        assertThat(beside()).isEmpty();
    }

    @Test
    void aClaimThatCannotBeWrittenLeavesNothing() throws IOException {
        FileSystem full = new FullDisk().started();
        assertThatThrownBy(() -> OutputClaim.acquire(full, target(HDFS_LIKE))).hasMessageContaining("No space left");
        assertThat(beside()).as("no lock (the next run is not blocked), no half-written claim").isEmpty();
        claim(HDFS_LIKE).close();
    }

    @Test
    void aTakenOverClaimIsNotCommitted() throws IOException {
        try (OutputClaim c = claim()) {
            Files.writeString(lockFile(), "intruder " + host() + " 1 1 2026-01-01T00:00:00Z\n");
            assertThatThrownBy(c::verify).isInstanceOf(AuditInputException.class).hasMessageContaining("lost the claim");
        }
        assertThat(lockFile()).as("close() leaves another run's claim alone").exists();
    }
}
