package io.initsweep.spark;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;
import io.initsweep.model.LayerRole;
import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;
import io.initsweep.tiers.SparkTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.LayerStats;
import io.initsweep.train.Provenance;
import io.initsweep.train.RunStatus;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compaction: a sweep committed one cell at a time (one file per table and commit) is rewritten into one file per
 * table, with every row and every query result as before; repeating it changes nothing; a crash before or after its
 * commit point loses and duplicates nothing.
 */
@SparkTest
class TestCompaction {
    static final int CELLS = 6;
    /** The queries whose results compaction must not change: log reads, the catalog's raw tables and views. */
    static final List<String> QUERIES = List.of(
            "SELECT * FROM initsweep.runs ORDER BY cell_id",
            "SELECT * FROM initsweep.epochs ORDER BY cell_id, epoch",
            "SELECT * FROM initsweep.layers ORDER BY cell_id, phase, layer",
            "SELECT * FROM initsweep.cell_stats ORDER BY scheme",
            "SELECT * FROM initsweep.curves ORDER BY scheme, epoch",
            "SELECT scheme, count(*), sum(final_test_loss) FROM initsweep.runs GROUP BY scheme ORDER BY scheme");

    @TempDir
    static java.nio.file.Path catalog;
    @TempDir
    java.nio.file.Path dir;
    static SparkSession spark;
    static List<CellResult> results;

    @BeforeAll
    static void results() {
        System.setProperty("initsweep.compaction.grace-seconds", "0");
        Fixtures.Sweep sweep = Fixtures.sweep("""
                name: small
                seeds: 3
                grid: {scheme: [he_normal, xavier_normal]}
                model: {depth: 2, activation: relu, width: 8}
                training: {epochs: 2}
                data: {dataset: blobs, samples: 100}
                """);
        results = new ArrayList<>();
        for (Cell cell : sweep.cells()) {
            double loss = 0.1 + 0.01 * cell.seed() + (cell.coordinates().get("scheme").equals("he_normal") ? 0 : 0.2);
            List<EpochMetrics> epochs = List.of(new EpochMetrics(0, 0.7, 0.69, 0.5, 1.0),
                    new EpochMetrics(1, 0.5, 0.3, 0.6, 0.5), new EpochMetrics(2, 0.2, loss, 0.9, 0.1));
            List<LayerStats> layers = new ArrayList<>();
            for (int layer = 0; layer < 3; layer++) {
                layers.add(new LayerStats(layer, LayerStats.Phase.INIT, 8, 8, 0.0, 0.1, 0, cell.seed() + layer, 1.0,
                        layer < 2 ? 0.0 : null, null, 1e-3, 1e-4, 0.0, 0, null,
                        LayerStats.Placement.dense(layer < 2 ? LayerRole.HIDDEN : LayerRole.OUTPUT, null)));
            }
            results.add(new CellResult(cell, sweep.dataset(cell).identity(), RunStatus.OK, null, null, epochs, layers,
                    1.0, Instant.parse("2026-11-22T12:00:00Z").plusSeconds(cell.seed()), new Provenance("cpu",
                    "OPENBLAS", 1, "test", "1.0.0-M2.1", "17", "Linux", "host", "driver", "run-1")));
        }
        assertThat(results).hasSize(CELLS);
        spark = SparkSessions.createWithCatalog("local[2]", false, catalog.resolve("_catalog"));
    }

    @AfterAll
    static void restore() {
        System.clearProperty("initsweep.compaction.grace-seconds");
    }

    Warehouse warehouse;

    @BeforeEach
    void oneCommitPerCell() throws Exception {
        warehouse = Warehouse.open(spark, dir.resolve("warehouse").toString());
        try (SweepLock ignored = warehouse.lock("small", "run-1")) {
            for (int i = 0; i < CELLS; i++) {
                warehouse.commit("small", String.format("run-1-%05d", i), List.of(results.get(i)));
            }
        }
        Catalog.register(spark, warehouse);
    }

    private long files(Table<?> table) throws Exception {
        try (Stream<java.nio.file.Path> files = Files.list(dir.resolve("warehouse").resolve(table.name()))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count();
        }
    }

    /** Every query's rows, as text, and every table as initsweep reads it through the log. */
    private Map<String, List<String>> answers() throws Exception {
        Catalog.register(spark, warehouse); // refreshes the listings
        Map<String, List<String>> answers = new HashMap<>();
        for (String query : QUERIES) {
            answers.put(query, spark.sql(query).collectAsList().stream().map(Row::toString).toList());
        }
        for (Table<?> table : List.of(Tables.RUNS, Tables.EPOCHS, Tables.LAYERS)) {
            answers.put("log:" + table.name(), warehouse.read(table).collectAsList().stream().map(Row::toString)
                    .sorted().toList());
        }
        return answers;
    }

    @Test
    void compactionLeavesOneFilePerTableAndEveryQueryResultAsItWas() throws Exception {
        assertThat(files(Tables.RUNS)).isEqualTo(CELLS);
        assertThat(files(Tables.EPOCHS)).isEqualTo(CELLS);
        Map<String, List<String>> before = answers();
        assertThat(before.get(QUERIES.get(0))).hasSize(CELLS);
        assertThat(before.get(QUERIES.get(1))).hasSize(CELLS * 3);

        Compaction.Result result = warehouse.compact("small");
        assertThat(result.changed()).isTrue();
        assertThat(result.tables()).extracting(Compaction.TableResult::filesBefore).containsOnly(CELLS);
        assertThat(result.tables()).extracting(Compaction.TableResult::filesAfter).containsOnly(1);
        for (Table<?> table : List.of(Tables.RUNS, Tables.EPOCHS, Tables.LAYERS)) {
            assertThat(files(table)).as(table.name()).isEqualTo(1);
        }
        assertThat(answers()).isEqualTo(before);
        assertThat(WarehouseCheck.check(warehouse, null).clean()).isTrue();

        // Idempotent: nothing left to compact, nothing committed.
        int manifests = warehouse.commits().manifests("small").size();
        assertThat(warehouse.compact("small").changed()).isFalse();
        assertThat(warehouse.commits().manifests("small")).hasSize(manifests);

        // The compacted file still says which cells it holds: --force of two cells rewrites it without them.
        String first = results.get(0).cell().cellId();
        try (SweepLock ignored = warehouse.lock("small", "run-2")) {
            warehouse.commit("small", "run-2-00000", List.of(results.get(0)), java.util.Set.of(first));
        }
        assertThat(warehouse.read(Tables.RUNS).count()).isEqualTo(CELLS);
        assertThat(warehouse.read(Tables.EPOCHS).count()).isEqualTo(CELLS * 3);
    }

    @Test
    void aCrashBeforeOrAfterTheCommitPointLosesAndDuplicatesNothing() throws Exception {
        Map<String, List<String>> before = answers();
        CommitLog commits = warehouse.commits();

        // Killed while staging: the staged files are discarded by the next lock, the old files stay.
        try (SweepLock ignored = warehouse.lock("small", "crash-1")) {
            assertThat(Compaction.prepare(warehouse, "small", "crash-1-compact", 1).manifest()).isNotNull();
        }
        assertThat(dir.resolve("warehouse/_staging/small/crash-1-compact")).isDirectory();
        try (SweepLock ignored = warehouse.lock("small", "after-1")) {
            assertThat(dir.resolve("warehouse/_staging/small/crash-1-compact")).doesNotExist();
        }
        assertThat(files(Tables.RUNS)).isEqualTo(CELLS);
        assertThat(answers()).isEqualTo(before);

        // Killed after its manifest, in the middle of its moves (epochs moved, nothing else): readers see the old
        // or the new files of each table, never both, and the next lock finishes the commit.
        try (SweepLock ignored = warehouse.lock("small", "crash-2")) {
            Compaction.Plan plan = Compaction.prepare(warehouse, "small", "crash-2-compact", 1);
            commits.publish(plan.manifest());
            CommitManifest.TableChange epochs = plan.manifest().tables().stream()
                    .filter(t -> t.table().equals("epochs")).findFirst().orElseThrow();
            CommitManifest.DataFile moved = epochs.added().get(0);
            warehouse.fileSystem().rename(commits.resolve(moved.staged()),
                    new Path(warehouse.tablePath(Tables.EPOCHS), moved.name()));
        }
        assertThat(warehouse.read(Tables.EPOCHS).count()).isEqualTo(CELLS * 3);
        assertThat(warehouse.read(Tables.RUNS).count()).isEqualTo(CELLS);
        try (SweepLock ignored = warehouse.lock("small", "after-2")) {
            assertThat(dir.resolve("warehouse/_staging/small/crash-2-compact")).doesNotExist();
        }
        for (Table<?> table : List.of(Tables.RUNS, Tables.EPOCHS, Tables.LAYERS)) {
            assertThat(files(table)).as(table.name()).isEqualTo(1);
        }
        assertThat(answers()).isEqualTo(before);
        assertThat(WarehouseCheck.check(warehouse, null).clean()).isTrue();
    }
}
