package io.initsweep.spark;

import io.initsweep.schema.Tables;
import io.initsweep.tiers.SparkTest;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A warehouse on a real S3 API (s3proxy in its own JVM) through Hadoop's S3A connector and the AWS SDK that this
 * build ships: a sweep writes, resumes and reads on s3a://, its lock is an election of claims that exactly one of
 * many contenders wins, and the lock's heartbeat (content rewrites, not setTimes) keeps it fresh there.
 */
@SparkTest
class TestS3Warehouse {
    static final String SPEC = """
            name: %s
            seeds: 2
            grid: {scheme: [he_normal, xavier_normal], depth: [1, 2]}
            model: {activation: relu, width: 8}
            training: {epochs: 2, batch-size: 32}
            data: {dataset: blobs, samples: 120}
            execution: {commit-seconds: 1}
            """;

    @TempDir
    static java.nio.file.Path dir;
    static S3Server s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start(dir, "results");
        s3.installInThisJvm();
        SparkSession spark = SparkSessions.create("local[2]", 1, false);
        s3.hadoopSettings().forEach(spark.sparkContext().hadoopConfiguration()::set);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.uninstallFromThisJvm();
            s3.close();
        }
    }

    private static FileSystem fs(String uri) throws Exception {
        return new Path(uri).getFileSystem(SparkSession.active().sparkContext().hadoopConfiguration());
    }

    @Test
    void aSweepWritesResumesAndReadsOnS3() throws Exception {
        java.nio.file.Path spec = Files.writeString(dir.resolve("ons3.yaml"), SPEC.formatted("ons3"));
        String out = "s3a://results/warehouse";
        TestSweepIntegration.Cli first = TestSweepIntegration.Cli.run("run", spec.toString(), "--out", out,
                "--master=local[2]");
        assertThat(first.code()).as(first.output()).isZero();
        assertThat(first.out()).contains("8 cells, 0 already done, 8 to train");
        TestSweepIntegration.Cli again = TestSweepIntegration.Cli.run("run", spec.toString(), "--out", out,
                "--master=local[2]");
        assertThat(again.code()).as(again.output()).isZero();
        assertThat(again.out()).contains("8 cells, 8 already done, 0 to train");

        Warehouse warehouse = Warehouse.open(SparkSession.active(), out);
        List<Row> runs = warehouse.read(Tables.RUNS, "ons3").select("cell_id").collectAsList();
        assertThat(runs).hasSize(8);
        assertThat(runs.stream().map(r -> r.getString(0)).distinct()).hasSize(8);
        assertThat(warehouse.read(Tables.EPOCHS, "ons3").count()).as("epochs 0..2 of 8 cells").isEqualTo(24);
        // The objects really are in the S3 server's bucket, and the lock is gone after the run.
        assertThat(s3.bucketDirectory("results").resolve("warehouse/_commits/ons3")).isDirectory();
        assertThat(warehouse.lockHolder("ons3")).isNull();
        assertThat(WarehouseCheck.check(warehouse, null).clean()).isTrue();
    }

    @Test
    void ofManyContendersForAnS3LockExactlyOneWinsEveryRound() throws Exception {
        FileSystem fs = fs("s3a://results/");
        Path locks = new Path("s3a://results/race/_locks");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 5; round++) {
                String sweep = "race" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<SweepLock>> contenders = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    String runId = "run-" + round + "-" + c;
                    contenders.add(pool.submit(() -> {
                        go.await();
                        try {
                            return SweepLock.acquire(fs, locks, sweep, runId);
                        } catch (SweepLock.HeldException e) {
                            return null;
                        }
                    }));
                }
                go.countDown();
                List<SweepLock> winners = new ArrayList<>();
                for (Future<SweepLock> contender : contenders) {
                    SweepLock lock = contender.get();
                    if (lock != null) {
                        winners.add(lock);
                    }
                }
                assertThat(winners).as("winners of round %d", round).hasSize(1);
                assertThat(winners.get(0).protocol()).isEqualTo(SweepLock.Protocol.CLAIMS);
                assertThat(SweepLock.holder(fs, locks, sweep)).isNotNull();
                winners.get(0).close();
                assertThat(SweepLock.holder(fs, locks, sweep)).isNull();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theHeartbeatRewritesTheClaimOnS3SoALiveRunNeverLooksStale() throws Exception {
        FileSystem fs = fs("s3a://results/");
        Path locks = new Path("s3a://results/beat/_locks");
        System.setProperty("initsweep.lock.heartbeat-seconds", "1");
        System.setProperty("initsweep.lock.stale-seconds", "3");
        try (SweepLock lock = SweepLock.acquire(fs, locks, "beat", "alive")) {
            Path claims = SweepLock.claimsDirectory(locks, "beat");
            Set<Long> modified = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                for (FileStatus status : fs.listStatus(claims)) {
                    modified.add(status.getModificationTime());
                }
                assertThat(SweepLock.holder(fs, locks, "beat").stale()).as("after %d s", i).isNull();
                Thread.sleep(1000);
            }
            assertThat(modified).as("modification times seen: the claim is rewritten").hasSizeGreaterThan(2);
            // Past the stale threshold a live holder is still refused to another run.
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                    () -> SweepLock.acquire(fs, locks, "beat", "second")))
                    .isInstanceOf(SweepLock.HeldException.class).hasMessageContaining("run alive");
            lock.verify();
        } finally {
            System.clearProperty("initsweep.lock.heartbeat-seconds");
            System.clearProperty("initsweep.lock.stale-seconds");
        }
        assertThat(SweepLock.holder(fs, locks, "beat")).isNull();
    }

    /**
     * A claim replaced again and again (as a heartbeat does, here every 10 ms: far more often than a heartbeat) is still read: S3A
     * refuses a read whose object changed between its HEAD and its GET, and the reader tries again instead of
     * failing a status check or another run's acquire. CI hit the race once with a 1 s heartbeat.
     */
    @Test
    void aClaimRewrittenWhileReadIsReadAgainNotAnError() throws Exception {
        FileSystem fs = fs("s3a://results/");
        Path locks = new Path("s3a://results/churn/_locks");
        try (SweepLock lock = SweepLock.acquire(fs, locks, "churn", "busy")) {
            FileStatus[] claims = fs.listStatus(SweepLock.claimsDirectory(locks, "churn"));
            assertThat(claims).hasSize(1);
            Path claim = claims[0].getPath();
            byte[] content;
            try (InputStream in = fs.open(claim)) {
                content = in.readAllBytes();
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger rewrites = new AtomicInteger();
            Thread writer = new Thread(() -> {
                while (!stop.get()) {
                    // A comment line changes the object's bytes (a new ETag) and not the claim's properties.
                    try (FSDataOutputStream out = fs.create(claim, true)) {
                        out.write(content);
                        out.write(("# rewrite " + rewrites.incrementAndGet() + "\n").getBytes(
                                StandardCharsets.ISO_8859_1));
                        Thread.sleep(10);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            writer.start();
            int reads = 0;
            try {
                long until = System.nanoTime() + 4_000_000_000L;
                while (System.nanoTime() < until) {
                    SweepLock.Holder holder = SweepLock.holder(fs, locks, "churn");
                    assertThat(holder).as("read %d", reads).isNotNull();
                    assertThat(holder.runId()).isEqualTo("busy");
                    reads++;
                }
            } finally {
                stop.set(true);
                writer.join();
            }
            assertThat(rewrites.get()).as("rewrites during the reads").isGreaterThan(20);
            assertThat(reads).isGreaterThan(20);
        }
    }
}
