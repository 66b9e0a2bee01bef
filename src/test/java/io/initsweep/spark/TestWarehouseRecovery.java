package io.initsweep.spark;

import io.initsweep.Fixtures;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.grid.Cell;
import io.initsweep.schema.Tables;
import io.initsweep.tiers.SparkTest;
import io.initsweep.train.CellResult;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The commit protocol when the driver dies at each step of a commit. */
@SparkTest
class TestWarehouseRecovery {
    @TempDir
    java.nio.file.Path dir;
    static List<CellResult> results;
    static SparkSession spark;

    @BeforeAll
    static void results() {
        spark = SparkSessions.create("local[2]", 1, false);
        Fixtures.Sweep sweep = Fixtures.sweep("""
                name: crash
                seeds: 2
                grid: {scheme: [he_normal]}
                model: {depth: 1, activation: relu, width: 4}
                training: {epochs: 1}
                data: {dataset: blobs, samples: 60}
                """);
        results = new ArrayList<>();
        for (Cell cell : sweep.cells()) {
            CellResult r = new Dl4jCellTrainer(1, true).train(cell, sweep.dataset(cell));
            results.add(r.withProvenance(r.provenance().withTask("driver", "r1")));
        }
    }

    private long rows(Warehouse warehouse, io.initsweep.schema.Table<?> table) throws Exception {
        return warehouse.read(table).count();
    }

    @Test
    void aCommitInterruptedAfterItsManifestIsFinishedByTheNextRun() throws Exception {
        Warehouse warehouse = Warehouse.open(spark, dir.toString());
        try (SweepLock ignored = warehouse.lock("crash", "r1")) {
            warehouse.commit("crash", "r1-00000", results);
        }
        // Simulate a driver killed between the manifest and the moves: put one runs file back into staging.
        FileSystem fs = warehouse.fileSystem();
        Path runsFile = fs.listStatus(warehouse.tablePath(Tables.RUNS))[0].getPath();
        Path staging = new Path(warehouse.root(), "_staging/crash/r1-00001");
        fs.mkdirs(new Path(staging, "runs"));
        Path stagedRuns = new Path(staging, "runs/part-00000.snappy.parquet");
        assertThat(fs.rename(runsFile, stagedRuns)).isTrue();
        Path manifest = new Path(staging, "_READY");
        try (var out = fs.create(manifest)) {
            out.writeBytes("add\t" + stagedRuns + "\t" + runsFile + "\n");
        }
        assertThat(rows(warehouse, Tables.RUNS)).isZero();
        try (SweepLock ignored = warehouse.lock("crash", "r2")) {
            assertThat(rows(warehouse, Tables.RUNS)).isEqualTo(2);
            assertThat(rows(warehouse, Tables.EPOCHS)).isEqualTo(4);
        }
        assertThat(fs.exists(staging)).isFalse();
    }

    @Test
    void stagingWithoutAManifestIsDiscarded() throws Exception {
        Warehouse warehouse = Warehouse.open(spark, dir.toString());
        FileSystem fs = warehouse.fileSystem();
        Path staging = new Path(warehouse.root(), "_staging/crash/r1-00007/runs");
        fs.mkdirs(staging);
        Files.writeString(java.nio.file.Path.of(staging.toUri()).resolve("part-0.parquet"), "half written");
        try (SweepLock ignored = warehouse.lock("crash", "r2")) {
            assertThat(fs.exists(new Path(warehouse.root(), "_staging/crash/r1-00007"))).isFalse();
            assertThat(rows(warehouse, Tables.RUNS)).isZero();
        }
    }

    @Test
    void aLockOfADeadProcessIsBrokenALiveOneIsNot() throws Exception {
        Warehouse warehouse = Warehouse.open(spark, dir.toString());
        FileSystem fs = warehouse.fileSystem();
        Path locks = new Path(warehouse.root(), "_locks");
        fs.mkdirs(locks);
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        try (var out = fs.create(new Path(locks, "crash.lock"))) {
            out.writeBytes("run_id=r0\nhost=" + SweepLock.hostName() + "\npid=" + dead.pid() + "\nstarted=x\n");
        }
        try (SweepLock lock = warehouse.lock("crash", "r3")) {
            assertThat(warehouse.lockHolder("crash").runId()).isEqualTo("r3");
            assertThatThrownBy(() -> warehouse.lock("crash", "r4")).isInstanceOf(SweepLock.HeldException.class)
                    .hasMessageContaining("sweep 'crash' is already running: run r3");
        }
        assertThat(warehouse.lockHolder("crash")).isNull();
    }
}
