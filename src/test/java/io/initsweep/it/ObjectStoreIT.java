package io.initsweep.it;

import io.initsweep.spark.S3Server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exactly-once guarantees on s3a://, against a real S3 API server (s3proxy, its own JVM) and the launcher's
 * S3A connector, each command in its own process as a user runs it. The server keeps each object as a file under
 * its bucket directory, which is where the tests read the committed rows and the commit log from.
 */
class ObjectStoreIT {
    static final String BUCKET = "sweeps";

    @TempDir
    static Path dir;
    static S3Server s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start(dir, BUCKET);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static Map<String, String> environment(String extraJavaOptions) {
        Map<String, String> environment = new HashMap<>();
        environment.put("INITSWEEP_JAVA_OPTS", s3.javaOptions() + " " + extraJavaOptions);
        return environment;
    }

    /** The warehouse's objects as files on the server's disk. */
    private static Path onDisk(String warehouse) {
        return s3.bucketDirectory(BUCKET).resolve(warehouse);
    }

    /** Heartbeat every second, stale after 5 s: the defaults (10 s, 90 s) scaled down so the test waits seconds. */
    private static final String FAST_LOCKS = "-Dinitsweep.lock.heartbeat-seconds=1 -Dinitsweep.lock.stale-seconds=5";

    @Test
    void aDriverKilledMidSweepOnS3IsResumedWithEveryCellOnceAndASecondRunIsRefusedPastTheStaleTime()
            throws Exception {
        // 40 cells of about 2 s; the first run on one core so that it is still training when it is killed (with
        // 20 epochs, a quiet machine finished it while the second run was being refused). A commit every 5 s: each
        // commit on S3 copies and deletes every file it moves.
        Path spec = Files.writeString(dir.resolve("killed.yaml"), Sweeps.FORTY_CELLS.formatted("killed")
                .replace("epochs: 12", "epochs: 40").replace("commit-seconds: 1", "commit-seconds: 5"));
        String out = "s3a://" + BUCKET + "/killed";
        Process driver = Scripts.start(environment(FAST_LOCKS), dir.resolve("killed.out"), dir.resolve("killed.err"),
                "jobs/initsweep", "run", spec.toString(), "--out", out, "--master", "local[1]");
        Map<String, String> beforeKill;
        try {
            Sweeps.awaitCommitted(onDisk("killed"), 3, driver, 300);
            Thread.sleep(7000); // past the stale time: the live run's claim, rewritten every second, still holds
            assertThat(driver.isAlive()).as("the first run still trains (make the sweep longer)").isTrue();
            Scripts.Result second = Scripts.run(environment(FAST_LOCKS), 300, "jobs/initsweep", "run",
                    spec.toString(), "--out", out);
            assertThat(second.code()).as(second.all()).isEqualTo(2);
            assertThat(second.err()).contains("sweep 'killed' is already running");
        } finally {
            driver.destroyForcibly(); // SIGKILL: no cleanup, its claim stays in the bucket
            assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        beforeKill = Sweeps.committedPerLog(onDisk("killed"));
        assertThat(beforeKill.size()).as("cells committed before the kill").isBetween(3, 39);

        // The dead run's claim goes stale and the rerun takes the sweep over.
        Scripts.Result rerun = Scripts.run(environment(FAST_LOCKS), 900, "jobs/initsweep", "run", spec.toString(),
                "--out", out);
        assertThat(rerun.code()).as(rerun.all()).isZero();
        assertThat(rerun.out()).contains("40 cells, " + beforeKill.size() + " already done");
        Map<String, String> after = Sweeps.committed(onDisk("killed")); // the directory itself: each cell once
        assertThat(after).hasSize(40);
        beforeKill.forEach((cell, runId) -> assertThat(after).as("cell %s kept its first run", cell)
                .containsEntry(cell, runId));
        try (var claims = Files.list(onDisk("killed").resolve("_locks/killed.claims"))) {
            assertThat(claims.filter(p -> !p.getFileName().toString().startsWith("."))).as("no claim left").isEmpty();
        }
    }

    @Test
    void twoSweepsAtOnceInOneWarehouseBothCompleteWithEveryCellOnce() throws Exception {
        // The same grid under two names: the same cell ids, each sweep's rows its own.
        Path alpha = Files.writeString(dir.resolve("alpha.yaml"), DriverKillIT.TWENTY_CELLS.formatted("alpha"));
        Path beta = Files.writeString(dir.resolve("beta.yaml"), DriverKillIT.TWENTY_CELLS.formatted("beta"));
        String out = "s3a://" + BUCKET + "/shared";
        Process first = Scripts.start(environment(FAST_LOCKS), dir.resolve("alpha.out"), dir.resolve("alpha.err"),
                "jobs/initsweep", "run", alpha.toString(), "--out", out);
        Process other = Scripts.start(environment(FAST_LOCKS), dir.resolve("beta.out"), dir.resolve("beta.err"),
                "jobs/initsweep", "run", beta.toString(), "--out", out);
        try {
            assertThat(first.waitFor(600, TimeUnit.SECONDS)).isTrue();
            assertThat(other.waitFor(600, TimeUnit.SECONDS)).isTrue();
        } finally {
            first.destroyForcibly();
            other.destroyForcibly();
        }
        assertThat(first.exitValue()).as(Files.readString(dir.resolve("alpha.err"))).isZero();
        assertThat(other.exitValue()).as(Files.readString(dir.resolve("beta.err"))).isZero();
        Map<String, String> cells = Sweeps.committed(onDisk("shared")); // throws on any duplicate
        assertThat(cells).hasSize(40);
        assertThat(cells.keySet().stream().map(c -> c.substring(0, c.indexOf('/'))).distinct())
                .containsExactlyInAnyOrder("alpha", "beta");
    }
}
