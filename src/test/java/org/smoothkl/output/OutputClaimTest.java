package org.smoothkl.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.audit.AuditInputException;

/** The rule for claims (no Spark): live claims refuse, stale ones are taken over. */
class OutputClaimTest {
    @TempDir
    Path tmp;

    private org.apache.hadoop.fs.Path target() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        return fs.makeQualified(new org.apache.hadoop.fs.Path(tmp.resolve("out").toString()));
    }

    private Path lockFile() {
        return tmp.resolve(".out.lock");
    }

    private OutputClaim claim() throws IOException {
        return OutputClaim.acquire(FileSystem.getLocal(new Configuration()), target());
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

    @Test
    void anUnreadableClaimIsLiveUntilItIsOld() throws IOException {
        Files.writeString(lockFile(), "");
        assertThatThrownBy(this::claim).hasMessageContaining("is taken");
        Files.setLastModifiedTime(lockFile(), FileTime.from(Instant.now().minus(OutputClaim.STALE_AFTER).minusSeconds(60)));
        claim().close();
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
