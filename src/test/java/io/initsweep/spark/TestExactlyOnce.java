package io.initsweep.spark;

import io.initsweep.common.ExitCode;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.tiers.SparkTest;
import io.initsweep.train.CellTrainerFactory;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/** Resume, incremental sweeps, retries, failed cells, --force and concurrency: every cell exactly once. */
@SparkTest
class TestExactlyOnce {
    @TempDir
    Path dir;

    static final String SPEC = """
            name: %s
            seeds: %s
            grid: {scheme: [he_normal, zero], depth: [1, 2]}
            model: {activation: relu, width: 8}
            training: {epochs: 2, batch-size: 32}
            data: {dataset: blobs, samples: 120}
            execution: {commit-seconds: 1}
            """;

    @BeforeAll
    static void spark() {
        SparkSessions.create("local[2,4]", 1, false);
    }

    private Path spec(String name, String seeds) throws Exception {
        return Files.writeString(dir.resolve(name + "-" + seeds.replaceAll("\\W", "") + ".yaml"),
                SPEC.formatted(name, seeds));
    }

    private TestSweepIntegration.Cli run(Path spec, Path out, String... extra) {
        return run(Dl4jCellTrainer.FACTORY, spec, out, extra);
    }

    private TestSweepIntegration.Cli run(CellTrainerFactory trainers, Path spec, Path out, String... extra) {
        String[] args = new String[5 + extra.length];
        args[0] = "run";
        args[1] = spec.toString();
        args[2] = "--out";
        args[3] = out.toString();
        args[4] = "--master=local[2,4]";
        System.arraycopy(extra, 0, args, 5, extra.length);
        return TestSweepIntegration.Cli.run(trainers, args);
    }

    private static Dataset<Row> runs(Path out) {
        return SparkSession.active().read().parquet(out.resolve("runs").toString());
    }

    private static Map<String, String> runIds(Path out) {
        Map<String, String> ids = new HashMap<>();
        runs(out).select("cell_id", "run_id").collectAsList().forEach(r -> ids.put(r.getString(0), r.getString(1)));
        return ids;
    }

    @Test
    void extendingASpecByTwoSeedsTrainsOnlyTheNewCellsAndForceReplacesWithoutDuplicates() throws Exception {
        Path out = dir.resolve("wh");
        assertThat(run(spec("grow", "2"), out).code()).isZero();
        Map<String, String> first = runIds(out);
        assertThat(first).hasSize(8);

        TestSweepIntegration.Cli extended = run(spec("grow", "4"), out);
        assertThat(extended.code()).as(extended.output()).isZero();
        assertThat(extended.out()).contains("16 cells, 8 already done, 8 to train");
        Map<String, String> second = runIds(out);
        assertThat(second).hasSize(16);
        assertThat(runs(out).count()).isEqualTo(16);
        first.forEach((cell, runId) -> assertThat(second).containsEntry(cell, runId));

        TestSweepIntegration.Cli again = run(spec("grow", "4"), out);
        assertThat(again.out()).contains("16 cells, 16 already done, 0 to train");

        TestSweepIntegration.Cli forced = run(spec("grow", "4"), out, "--force");
        assertThat(forced.code()).as(forced.output()).isZero();
        assertThat(forced.out()).contains("--force: 16 cells with results are trained again")
                .contains("16 cells, 0 already done, 16 to train");
        Map<String, String> third = runIds(out);
        assertThat(runs(out).count()).isEqualTo(16);
        assertThat(third).hasSize(16);
        third.forEach((cell, runId) -> assertThat(runId).isNotEqualTo(second.get(cell)));
        // epochs and layers rows were replaced with their cells, not added
        Dataset<Row> epochs = SparkSession.active().read().parquet(out.resolve("epochs").toString());
        assertThat(epochs.count()).isEqualTo(16 * 3);
        assertThat(epochs.select("run_id").distinct().count()).isEqualTo(1);
    }

    @Test
    void aTaskThatFailsItsFirstAttemptIsRetriedAndItsCellAppearsOnce() throws Exception {
        Path out = dir.resolve("wh");
        Path spec = spec("retry", "2");
        // learn the cell ids, then rerun with one of them failing its first attempt
        assertThat(run(spec, out).code()).isZero();
        String victim = runs(out).orderBy("cell_id").first().getString(runs(out).schema().fieldIndex("cell_id"));
        List<Row> firstLosses = runs(out).select("cell_id", "final_test_loss", "final_train_loss")
                .orderBy("cell_id").collectAsList();
        AtomicInteger failedAttempts = new AtomicInteger();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    failedAttempts.incrementAndGet();
                }
            }
        };
        SparkSession.active().sparkContext().addSparkListener(listener);
        try {
            TestSweepIntegration.Cli result = run(FaultyTrainers.failingFirstAttempt(victim), spec, out, "--force");
            assertThat(result.code()).as(result.output()).isZero();
        } finally {
            SparkSession.active().sparkContext().removeSparkListener(listener);
        }
        assertThat(failedAttempts.get()).isGreaterThanOrEqualTo(1);
        // The victim's task trained 4 cells as one batch (depth 1 or 2, two schemes, two seeds) and died after the
        // batch was trained (FaultyTrainers: mid-task, no result returned): the retry trained them all again, and
        // each is committed once, with the bits of its first run.
        assertThat(runs(out).where(col("batch_cells").equalTo(4)).count()).isEqualTo(8);
        assertThat(runs(out).count()).isEqualTo(8);
        assertThat(runs(out).select("cell_id", "final_test_loss", "final_train_loss").orderBy("cell_id")
                .collectAsList()).isEqualTo(firstLosses);
        assertThat(runs(out).where(col("cell_id").equalTo(victim)).count()).isEqualTo(1);
        assertThat(runs(out).where(col("cell_id").equalTo(victim)).select("status").first().getString(0))
                .isEqualTo("ok");
    }

    @Test
    void aCellWhoseTrainingThrowsBecomesAFailedRowAndTheSweepGoesOn() throws Exception {
        Path out = dir.resolve("wh");
        Path spec = spec("faulty", "2");
        assertThat(run(spec, out, "--no-layers").code()).isZero();
        String victim = runs(out).orderBy("cell_id").select("cell_id").first().getString(0);

        TestSweepIntegration.Cli result = run(FaultyTrainers.failingTraining(victim), spec, out, "--force");
        assertThat(result.code()).as(result.output()).isEqualTo(ExitCode.FAILED_CELLS);
        assertThat(result.out()).contains("7 ok, 0 diverged, 1 failed");
        Row failed = runs(out).where(col("cell_id").equalTo(victim)).select("status", "error").first();
        assertThat(failed.getString(0)).isEqualTo("failed");
        assertThat(failed.getString(1)).contains("injected training failure of cell " + victim);
        assertThat(runs(out).where(col("status").equalTo("ok")).count()).isEqualTo(7);

        TestSweepIntegration.Cli status = TestSweepIntegration.Cli.run("status", "--out", out.toString());
        assertThat(status.out()).containsPattern("faulty +8 +8 +7 +0 +1 +0 +0");

        TestSweepIntegration.Cli retried = run(spec, out, "--retry-failed");
        assertThat(retried.code()).as(retried.output()).isZero();
        assertThat(retried.out()).contains("--retry-failed: 1 failed cells will be retrained")
                .contains("8 cells, 7 already done, 1 to train");
        assertThat(runs(out).count()).isEqualTo(8);
        assertThat(runs(out).where(col("status").equalTo("ok")).count()).isEqualTo(8);
    }

    @Test
    void aForcedRunThatFailsMidwayKeepsEveryCellOnce() throws Exception {
        Path out = dir.resolve("wh");
        Path spec = spec("midway", "2");
        assertThat(run(spec, out).code()).isZero();
        Map<String, String> before = runIds(out);
        String victim = before.keySet().stream().sorted().findFirst().orElseThrow();

        // Every attempt of one cell dies: Spark gives up and the run fails, with other cells trained or not.
        TestSweepIntegration.Cli failed = run(FaultyTrainers.failingEveryAttempt(victim), spec, out, "--force");
        assertThat(failed.code()).as(failed.output()).isEqualTo(ExitCode.RUNTIME_FAILURE);
        Map<String, String> after = runIds(out);
        assertThat(runs(out).count()).as("one runs row per cell").isEqualTo(8);
        assertThat(after).as("no cell lost").containsOnlyKeys(before.keySet());
        assertThat(after).as("the cell that never trained again keeps its row").containsEntry(victim,
                before.get(victim));
        // Each cell's epochs are those of the run its runs row names, once.
        Dataset<Row> epochs = SparkSession.active().read().parquet(out.resolve("epochs").toString());
        assertThat(epochs.count()).isEqualTo(8 * 3);
        for (Row row : epochs.groupBy("cell_id").agg(org.apache.spark.sql.functions.collect_set("run_id"))
                .collectAsList()) {
            assertThat(row.<String>getList(1)).containsExactly(after.get(row.getString(0)));
        }

        TestSweepIntegration.Cli again = run(spec, out, "--force");
        assertThat(again.code()).as(again.output()).isZero();
        assertThat(runs(out).count()).isEqualTo(8);
        assertThat(runIds(out).get(victim)).isNotEqualTo(before.get(victim));
    }

    @Test
    void aRetryOfAFailedCellThatFailsAgainKeepsItsFailedRow() throws Exception {
        Path out = dir.resolve("wh");
        Path spec = spec("retryagain", "2");
        assertThat(run(spec, out, "--no-layers").code()).isZero();
        String victim = runs(out).orderBy("cell_id").select("cell_id").first().getString(0);
        assertThat(run(FaultyTrainers.failingTraining(victim), spec, out, "--force", "--no-layers").code())
                .isEqualTo(ExitCode.FAILED_CELLS);

        TestSweepIntegration.Cli retried = run(FaultyTrainers.failingEveryAttempt(victim), spec, out,
                "--retry-failed", "--no-layers");
        assertThat(retried.code()).as(retried.output()).isEqualTo(ExitCode.RUNTIME_FAILURE);
        assertThat(retried.out()).contains("--retry-failed: 1 failed cells will be retrained");
        Row kept = runs(out).where(col("cell_id").equalTo(victim)).select("status", "error").first();
        assertThat(kept.getString(0)).isEqualTo("failed");
        assertThat(kept.getString(1)).contains("injected training failure of cell " + victim);
        assertThat(runs(out).count()).isEqualTo(8);
    }

    @Test
    void forceAndRetryFailedTogetherAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path out = dir.resolve("untouched");
        TestSweepIntegration.Cli refused = run(spec("both", "1"), out, "--force", "--retry-failed");
        assertThat(refused.code()).isEqualTo(ExitCode.USAGE);
        assertThat(refused.err().strip()).isEqualTo("error: --force and --retry-failed cannot be combined: --force "
                + "retrains every cell of the spec, the failed ones included");
        assertThat(out).doesNotExist();
    }

    @Test
    void twoSweepsWriteTheSameWarehouseAtOnceAndTheSameSweepTwiceIsRefused() throws Exception {
        Path out = dir.resolve("wh");
        Path a = spec("alpha", "3");
        Path b = spec("beta", "3");
        CompletableFuture<TestSweepIntegration.Cli> first = CompletableFuture.supplyAsync(() -> run(a, out));
        CompletableFuture<TestSweepIntegration.Cli> second = CompletableFuture.supplyAsync(() -> run(b, out));
        assertThat(first.get().code()).as(first.get().output()).isZero();
        assertThat(second.get().code()).as(second.get().output()).isZero();
        assertThat(runs(out).where(col("sweep").equalTo("alpha")).count()).isEqualTo(12);
        assertThat(runs(out).where(col("sweep").equalTo("beta")).count()).isEqualTo(12);
        assertThat(runs(out).select("sweep", "cell_id").distinct().count()).isEqualTo(24);

        // The same sweep while a run of it holds the lock: refused with who holds it, nothing written.
        Warehouse warehouse = Warehouse.open(SparkSession.active(), out.toString());
        try (SweepLock held = warehouse.lock("alpha", "someone-else")) {
            TestSweepIntegration.Cli refused = run(spec("alpha", "4"), out);
            assertThat(refused.code()).isEqualTo(ExitCode.USAGE);
            assertThat(refused.err()).contains("sweep 'alpha' is already running: run someone-else");
        }
        assertThat(runs(out).where(col("sweep").equalTo("alpha")).count()).isEqualTo(12);
    }

    @Test
    void replayReportsABitwiseMatch() throws Exception {
        Path out = dir.resolve("wh");
        assertThat(run(spec("replay", "1"), out).code()).isZero();
        List<Row> cells = runs(out).where(col("scheme").equalTo("he_normal").and(col("depth").equalTo(2)))
                .select("cell_id").collectAsList();
        TestSweepIntegration.Cli replay = TestSweepIntegration.Cli.run("replay", cells.get(0).getString(0),
                "--out", out.toString());
        assertThat(replay.code()).as(replay.output()).isZero();
        assertThat(replay.out()).contains("bitwise identical: all 3 epochs")
                // trained in a batch (2 tasks of 2 cells on 2 slots); replayed alone on the per-cell path
                .contains("note: the cell trained in a batch of 2 cells");
        TestSweepIntegration.Cli unknown = TestSweepIntegration.Cli.run("replay", "0123456789abcdef", "--out",
                out.toString());
        assertThat(unknown.code()).isEqualTo(ExitCode.USAGE);
    }
}
