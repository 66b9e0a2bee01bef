package io.initsweep.spark;

import io.initsweep.Fixtures;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.grid.Cell;
import io.initsweep.schema.Tables;
import io.initsweep.tiers.SparkTest;
import io.initsweep.train.CellResult;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The commit protocol and its log, and the driver dying at each step of a commit. */
@SparkTest
class TestWarehouseRecovery {
    @TempDir
    java.nio.file.Path dir;
    static List<CellResult> results;
    static SparkSession spark;

    @BeforeAll
    static void results() {
        spark = SparkSessions.create("local[2,4]", 1, false);
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

    private static List<CellResult> ofRun(String runId) {
        return results.stream().map(r -> r.withProvenance(r.provenance().withTask("driver", runId))).toList();
    }

    private static JsonNode lastManifest(Warehouse warehouse, String sweep) throws Exception {
        try (var files = Files.list(java.nio.file.Path.of(warehouse.root().toUri()).resolve("_commits/" + sweep))) {
            java.nio.file.Path last = files.sorted().reduce((a, b) -> b).orElseThrow();
            return new ObjectMapper().readTree(last.toFile());
        }
    }

    @Test
    void everyCommitIsATypedManifestInTheSweepsLog() throws Exception {
        Warehouse warehouse = Warehouse.open(spark, dir.toString());
        try (SweepLock ignored = warehouse.lock("crash", "r1")) {
            warehouse.commit("crash", "r1-00000", results);
        }
        JsonNode manifest = lastManifest(warehouse, "crash");
        assertThat(manifest.get("format").asInt()).isEqualTo(1);
        assertThat(manifest.get("commit").asText()).isEqualTo("r1-00000");
        assertThat(manifest.get("sequence").asLong()).isEqualTo(1);
        assertThat(manifest.get("operation").asText()).isEqualTo("cells");
        List<String> tables = new ArrayList<>();
        manifest.get("tables").forEach(t -> tables.add(t.get("table").asText()));
        assertThat(tables).containsExactly("epochs", "layers", "runs"); // the order of the moves: runs last
        JsonNode runs = manifest.get("tables").get(2).get("added").get(0);
        java.nio.file.Path file = java.nio.file.Path.of(warehouse.root().toUri()).resolve("runs")
                .resolve(runs.get("name").asText());
        assertThat(runs.get("bytes").asLong()).isEqualTo(Files.size(file));
        List<String> cells = new ArrayList<>();
        runs.get("cells").forEach(c -> cells.add(c.asText()));
        assertThat(cells).containsExactlyInAnyOrderElementsOf(results.stream().map(r -> r.cell().cellId()).toList());
        assertThat(runs.get("staged").asText()).startsWith("_staging/crash/r1-00000/runs/");
    }

    @Test
    void aCommitInterruptedAfterItsManifestIsFinishedByTheNextRun() throws Exception {
        Warehouse warehouse = Warehouse.open(spark, dir.toString());
        try (SweepLock ignored = warehouse.lock("crash", "r1")) {
            warehouse.commit("crash", "r1-00000", results);
        }
        // A driver killed between the manifest and the moves: the runs file is still where it was staged.
        JsonNode runs = lastManifest(warehouse, "crash").get("tables").get(2).get("added").get(0);
        FileSystem fs = warehouse.fileSystem();
        Path staged = new Path(warehouse.root(), runs.get("staged").asText());
        fs.mkdirs(staged.getParent());
        assertThat(fs.rename(new Path(warehouse.tablePath(Tables.RUNS), runs.get("name").asText()), staged)).isTrue();
        // Readers without the lock see the commit whole: the file is read from staging.
        assertThat(rows(warehouse, Tables.RUNS)).isEqualTo(2);
        try (SweepLock ignored = warehouse.lock("crash", "r2")) {
            assertThat(fs.listStatus(warehouse.tablePath(Tables.RUNS))).hasSize(1);
            assertThat(rows(warehouse, Tables.RUNS)).isEqualTo(2);
            assertThat(rows(warehouse, Tables.EPOCHS)).isEqualTo(4);
        }
        assertThat(fs.exists(new Path(warehouse.root(), "_staging/crash/r1-00000"))).isFalse();
    }

    @Test
    void aReplacingCommitInterruptedAfterItsManifestLosesAndDuplicatesNothing() throws Exception {
        Warehouse warehouse = Warehouse.open(spark, dir.toString());
        java.nio.file.Path root = java.nio.file.Path.of(warehouse.root().toUri());
        java.nio.file.Path aside = dir.resolve("aside");
        Set<String> cells = results.stream().map(r -> r.cell().cellId()).collect(java.util.stream.Collectors.toSet());
        try (SweepLock ignored = warehouse.lock("crash", "r1")) {
            warehouse.commit("crash", "r1-00000", ofRun("r1"));
        }
        copyTree(root.resolve("runs"), aside.resolve("runs"));
        copyTree(root.resolve("epochs"), aside.resolve("epochs"));
        try (SweepLock ignored = warehouse.lock("crash", "r2")) {
            warehouse.commit("crash", "r2-00000", ofRun("r2"), cells); // --force: replaces both cells' rows
        }
        JsonNode manifest = lastManifest(warehouse, "crash");
        assertThat(manifest.get("replaced")).hasSize(2);
        for (JsonNode table : manifest.get("tables")) {
            if (!table.get("table").asText().equals("layers")) {
                assertThat(table.get("removed")).as(table.toString()).hasSize(1);
                assertThat(table.get("added")).as(table.toString()).hasSize(1);
            }
        }
        assertThat(rows(warehouse, Tables.RUNS)).isEqualTo(2);
        assertThat(warehouse.read(Tables.RUNS).where("run_id = 'r2'").count()).isEqualTo(2);

        // The same commit interrupted after its manifest: old files still there, new ones still staged.
        for (String table : List.of("runs", "epochs")) {
            for (JsonNode change : manifest.get("tables")) {
                if (change.get("table").asText().equals(table)) {
                    JsonNode added = change.get("added").get(0);
                    java.nio.file.Path staged = root.resolve(added.get("staged").asText());
                    Files.createDirectories(staged.getParent());
                    Files.move(root.resolve(table).resolve(added.get("name").asText()), staged);
                }
            }
            copyTree(aside.resolve(table), root.resolve(table));
        }
        assertThat(rows(warehouse, Tables.RUNS)).as("read from the log: the new rows, once").isEqualTo(2);
        assertThat(warehouse.read(Tables.RUNS).where("run_id = 'r2'").count()).isEqualTo(2);
        assertThat(warehouse.read(Tables.EPOCHS).count()).isEqualTo(4);
        try (SweepLock ignored = warehouse.lock("crash", "r3")) {
            assertThat(warehouse.read(Tables.RUNS).where("run_id = 'r2'").count()).isEqualTo(2);
        }
        // Finished: the directories hold the new files only.
        assertThat(spark.read().parquet(root.resolve("runs").toString()).count()).isEqualTo(2);
        assertThat(spark.read().parquet(root.resolve("epochs").toString()).where("run_id = 'r1'").count()).isZero();
        assertThat(spark.read().parquet(root.resolve("epochs").toString()).count()).isEqualTo(4);
    }

    @Test
    void aCommitOfTheProtocolBeforeTheLogInterruptedAfterItsManifestIsFinished() throws Exception {
        Warehouse warehouse = Warehouse.open(spark, dir.toString());
        try (SweepLock ignored = warehouse.lock("crash", "r1")) {
            warehouse.commit("crash", "r1-00000", results);
        }
        FileSystem fs = warehouse.fileSystem();
        // That version's manifest: tab-separated lines in the staging directory, absolute paths.
        Path runsFile = fs.listStatus(warehouse.tablePath(Tables.RUNS))[0].getPath();
        Path staging = new Path(warehouse.root(), "_staging/crash/r0-00001");
        fs.mkdirs(new Path(staging, "runs"));
        Path stagedRuns = new Path(staging, "runs/part-00000.snappy.parquet");
        assertThat(fs.rename(runsFile, stagedRuns)).isTrue();
        try (var out = fs.create(new Path(staging, "_READY"))) {
            out.writeBytes("add\t" + stagedRuns + "\t" + runsFile + "\n");
        }
        try (SweepLock ignored = warehouse.lock("crash", "r2")) {
            assertThat(rows(warehouse, Tables.RUNS)).isEqualTo(2);
            assertThat(rows(warehouse, Tables.EPOCHS)).isEqualTo(4);
        }
        assertThat(fs.exists(staging)).isFalse();
    }

    private static void copyTree(java.nio.file.Path from, java.nio.file.Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (java.nio.file.Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
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
