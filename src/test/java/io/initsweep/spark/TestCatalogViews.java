package io.initsweep.spark;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;
import io.initsweep.theory.CellTheory;
import io.initsweep.tiers.SparkTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;
import io.initsweep.model.LayerRole;
import io.initsweep.train.LayerStats;
import io.initsweep.train.Provenance;
import io.initsweep.train.RunStatus;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The catalog's views and the comparison table on a small table of hand-chosen results, checked against values
 * computed by hand.
 */
@SparkTest
class TestCatalogViews {
    @TempDir
    static Path dir;
    static SparkSession spark;

    /** he_normal: four ok seeds (final loss 0.10, 0.12, 0.15, 0.11) and one diverged; xavier_normal: five ok. */
    static final double[][] FINAL = {{0.10, 0.12, 0.15, 0.11, Double.NaN}, {0.30, 0.25, 0.40, 0.35, 0.28}};

    @BeforeAll
    static void warehouse() throws Exception {
        Fixtures.Sweep sweep = Fixtures.sweep("""
                name: hand
                seeds: 5
                grid: {scheme: [he_normal, xavier_normal]}
                model: {depth: 2, activation: relu, width: 8}
                training: {epochs: 2, target-loss: 0.2}
                data: {dataset: blobs, samples: 100}
                """);
        List<CellResult> results = new ArrayList<>();
        for (Cell cell : sweep.cells()) {
            int scheme = cell.coordinates().get("scheme").equals("he_normal") ? 0 : 1;
            double last = FINAL[scheme][(int) cell.seed()];
            List<EpochMetrics> epochs = new ArrayList<>(List.of(new EpochMetrics(0, 0.7, 0.69, 0.5, 1.0),
                    new EpochMetrics(1, 0.5, Double.isNaN(last) ? Double.NaN : 0.3, 0.6, 0.5)));
            List<LayerStats> layers = new ArrayList<>();
            for (int layer = 0; layer < 3; layer++) {
                layers.add(new LayerStats(layer, LayerStats.Phase.INIT, 8, 8, 0.0, 0.1, 0,
                        (cell.seed() + 1) * (layer + 1), 1.0, layer < 2 ? 0.0 : null, null, 1e-3, 1e-4 * (layer + 1),
                        0.0, 0, 0.5, LayerStats.Placement.dense(layer < 2 ? LayerRole.HIDDEN : LayerRole.OUTPUT,
                        null)));
            }
            // a row measured during training: the views of the initial network must not see it
            for (int epoch = 1; epoch <= 2; epoch++) { // two epochs' rows of one layer and phase
                layers.add(new LayerStats(0, LayerStats.Phase.TRAINING, 8, 8, 0.0, 0.1, 0, 1e6, 1e6, 0.0, null, 1e-3,
                        1e6, 0.0, epoch, 0.9, LayerStats.Placement.dense(LayerRole.HIDDEN, null)));
            }
            boolean diverged = Double.isNaN(last);
            if (!diverged) {
                epochs.add(new EpochMetrics(2, 0.2, last, 0.9, 0.1));
            }
            results.add(new CellResult(cell, sweep.dataset(cell).identity(),
                    diverged ? RunStatus.DIVERGED : RunStatus.OK, null, diverged ? 1 : null, epochs, layers, 1.0,
                    Instant.parse("2026-11-22T12:00:00Z"), new Provenance("cpu", "OPENBLAS", 1, "test", "1.0.0-M2.1",
                    "17", "Linux", "host", "driver", "run-1"), CellTheory.forCell(cell.settings(),
                    sweep.dataset(cell).features(), sweep.dataset(cell).outputs(), 2.0), null));
        }
        spark = SparkSessions.createWithCatalog("local[2,4]", false, dir.resolve("warehouse/_catalog"));
        Warehouse warehouse = Warehouse.open(spark, dir.resolve("warehouse").toString());
        try (SweepLock ignored = warehouse.lock("hand", "run-1")) {
            warehouse.commit("hand", "run-1-00000", results);
            Comparisons.refresh(warehouse, "hand", "run-1-comparison");
        }
        Catalog.register(spark, warehouse);
        Catalog.register(spark, warehouse); // idempotent
    }

    @Test
    void cellStatsMatchHandComputedValues() {
        Row he = spark.sql("SELECT * FROM initsweep.cell_stats WHERE scheme = 'he_normal'").first();
        assertThat(he.<Long>getAs("n_seeds")).isEqualTo(5);
        assertThat(he.<Long>getAs("n_ok")).isEqualTo(4);
        assertThat(he.<Long>getAs("n_diverged")).isEqualTo(1);
        assertThat(he.<Double>getAs("diverged_rate")).isCloseTo(0.2, within(1e-12));
        assertThat(he.<Double>getAs("final_test_loss_mean")).isCloseTo(0.12, within(1e-12));
        // sample std: sqrt((0.02² + 0 + 0.03² + 0.01²) / 3)
        assertThat(he.<Double>getAs("final_test_loss_std")).isCloseTo(Math.sqrt(0.0014 / 3), within(1e-12));
        assertThat(he.<Double>getAs("final_test_loss_cv")).isCloseTo(Math.sqrt(0.0014 / 3) / 0.12, within(1e-12));
        assertThat(he.<Double>getAs("final_test_loss_median")).isCloseTo(0.115, within(1e-12));
        assertThat(he.<Double>getAs("final_test_loss_min")).isEqualTo(0.10);
        assertThat(he.<Double>getAs("final_test_loss_max")).isEqualTo(0.15);
        assertThat(he.<Double>getAs("epochs_to_target_mean")).isEqualTo(2.0);
        assertThat(he.<Double>getAs("reached_rate")).isCloseTo(0.8, within(1e-12));

        Row xavier = spark.sql("SELECT * FROM initsweep.cell_stats WHERE scheme = 'xavier_normal'").first();
        assertThat(xavier.<Double>getAs("final_test_loss_mean")).isCloseTo(0.316, within(1e-12));
        assertThat(xavier.<Double>getAs("final_test_loss_median")).isCloseTo(0.30, within(1e-12));
        assertThat(xavier.<Double>getAs("final_test_loss_std")).isCloseTo(Math.sqrt(0.01412 / 4), within(1e-12));
        assertThat(xavier.<Double>getAs("reached_rate")).isEqualTo(0.0);
        assertThat(xavier.isNullAt(xavier.fieldIndex("epochs_to_target_mean"))).isTrue();
    }

    @Test
    void curvesLeaveOutTheDivergedEpoch() {
        List<Row> he = spark.sql("SELECT epoch, n_seeds, test_loss_mean, test_loss_std FROM initsweep.curves "
                + "WHERE scheme = 'he_normal' ORDER BY epoch").collectAsList();
        assertThat(he).extracting(r -> r.getInt(0)).containsExactly(0, 1, 2);
        assertThat(he).extracting(r -> r.getLong(1)).containsExactly(5L, 4L, 4L);
        assertThat(he.get(0).getDouble(2)).isCloseTo(0.69, within(1e-12));
        assertThat(he.get(2).getDouble(2)).isCloseTo(0.12, within(1e-12));
        assertThat(he.get(2).getDouble(3)).isCloseTo(Math.sqrt(0.0014 / 3), within(1e-12));
    }

    @Test
    void propagationAveragesOverSeeds() {
        Row layer0 = spark.sql("SELECT * FROM initsweep.propagation WHERE scheme = 'he_normal' AND layer = 0").first();
        assertThat(layer0.<Long>getAs("n_seeds")).isEqualTo(5);
        assertThat(layer0.<Double>getAs("activation_var_mean")).isCloseTo(3.0, within(1e-12)); // mean of 1..5
        assertThat(layer0.<Double>getAs("activation_var_log10_mean")).isCloseTo(Math.log10(120) / 5, within(1e-12));
        assertThat(layer0.<Double>getAs("dead_fraction_mean")).isEqualTo(0.0);
    }

    /**
     * theory_layers: init rows only, the gradient factor from consecutive layers (1e-4·1 / 1e-4·2 at layer 0), the
     * predictions of the runs row's theory: he_normal relu is σ_w² = 2, q_l = 2·E[x²] = 4 on every layer, ratio
     * (8/2)·2/2 at layer 0 and 1 beyond; the output layer has neither prediction nor gradient factor.
     */
    @Test
    void theoryLayersJoinMeasurementAndPredictionAtInit() {
        List<Row> rows = spark.sql("SELECT * FROM initsweep.theory_layers WHERE scheme = 'he_normal' AND seed = 0 "
                + "ORDER BY layer").collectAsList();
        assertThat(rows).hasSize(3);
        Row layer0 = rows.get(0);
        assertThat(layer0.<Double>getAs("grad_factor")).isCloseTo(0.5, within(1e-12));
        assertThat(layer0.<Double>getAs("predicted_q")).isCloseTo(4.0, within(1e-12));
        assertThat(layer0.<Double>getAs("log_q_ratio")).isCloseTo(Math.log(1 / 4.0), within(1e-12));
        // the prediction has the network's real shape (2 blob features into 8 units), the hand-made rows do not
        assertThat(layer0.<Double>getAs("predicted_grad_ratio")).isCloseTo(8.0 / 2, within(1e-12));
        assertThat(layer0.<Double>getAs("log_grad_ratio")).isCloseTo(Math.log(0.5 / 4), within(1e-12));
        assertThat(layer0.<Double>getAs("correlation")).isEqualTo(0.5);
        assertThat(layer0.<Double>getAs("sigma_w2")).isCloseTo(2.0, within(1e-12));
        assertThat(layer0.<String>getAs("theory_phase")).isEqualTo("critical");
        assertThat(rows.get(1).<Double>getAs("grad_factor")).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(rows.get(1).<Double>getAs("predicted_grad_ratio")).isCloseTo(1.0, within(1e-12));
        Row output = rows.get(2);
        assertThat(output.<Boolean>getAs("is_output")).isTrue();
        assertThat(output.isNullAt(output.fieldIndex("grad_factor"))).isTrue();
        assertThat(output.isNullAt(output.fieldIndex("predicted_q"))).isTrue();
        assertThat(spark.sql("SELECT count(*) FROM initsweep.theory_layers").first().getLong(0)).isEqualTo(30);
    }

    @Test
    void schemeComparisonIsStoredAndQueryable() {
        List<Row> rows = spark.sql("SELECT scheme_a, scheme_b, n_a, n_b, diverged_a, p_value, rank_biserial, "
                + "significant, context FROM initsweep.scheme_comparison").collectAsList();
        assertThat(rows).hasSize(1);
        Row row = rows.get(0);
        assertThat(row.getString(0)).isEqualTo("he_normal");
        assertThat(row.getInt(2)).isEqualTo(4);
        assertThat(row.getInt(4)).isEqualTo(1);
        assertThat(row.getDouble(5)).isCloseTo(2.0 / 126, within(1e-12));
        assertThat(row.getDouble(6)).isEqualTo(1.0);
        assertThat(row.getBoolean(7)).isTrue();
        assertThat(row.getString(8)).isEqualTo("(all cells)");
    }

    @Test
    void tablesAndViewsAreRegistered() {
        List<String> names = spark.sql("SHOW TABLES IN initsweep").collectAsList().stream()
                .map(r -> r.getString(1)).sorted().toList();
        assertThat(names).containsExactly("cell_stats", "curves", "epochs", "layer_channels", "layers",
                "propagation", "runs",
                "scheme_comparison", "theory_layers", "unique_epochs", "unique_layers", "unique_runs");
        assertThat(spark.table("initsweep.runs").count()).isEqualTo(10);
        // the deduplicating views keep every distinct row: a training-phase row shares its layer and phase with
        // nothing, and must not be folded into another (they once keyed layers on phase and layer alone)
        for (String table : java.util.List.of("runs", "epochs", "layers")) {
            assertThat(spark.table("initsweep.unique_" + table).count()).as(table)
                    .isEqualTo(spark.table("initsweep." + table).count());
        }
    }
    /**
     * Registering again leaves views made from the same definitions alone (most of what a command's start costs),
     * and makes them again when one is missing or their fingerprint differs (a new initsweep, a dead process).
     */
    @Test
    void viewsAreMadeAgainOnlyWhenMissingOrTheirDefinitionsChanged() throws Exception {
        Warehouse warehouse = Warehouse.open(spark, dir.resolve("warehouse").toString());
        var catalog = spark.sharedState().externalCatalog();
        String fingerprint = Catalog.viewsFingerprint(spark);
        assertThat(fingerprint).hasSize(64);
        long made = catalog.getTable(Catalog.DATABASE, "cell_stats").createTime();
        Thread.sleep(1100); // the metastore keeps creation times in seconds

        Catalog.register(spark, warehouse);
        assertThat(catalog.getTable(Catalog.DATABASE, "cell_stats").createTime()).as("left alone").isEqualTo(made);

        ReadOnlyGuard.writable(spark).sql("DROP VIEW " + Catalog.DATABASE + ".curves");
        Catalog.register(spark, warehouse);
        assertThat(spark.sql("SELECT count(*) FROM initsweep.curves").first().getLong(0)).isPositive();

        ReadOnlyGuard.writable(spark).sql("ALTER DATABASE " + Catalog.DATABASE + " SET DBPROPERTIES ('"
                + Catalog.VIEWS_FINGERPRINT + "' = 'from an older initsweep')");
        Catalog.register(spark, warehouse);
        assertThat(catalog.getTable(Catalog.DATABASE, "cell_stats").createTime()).as("made again").isGreaterThan(made);
        assertThat(Catalog.viewsFingerprint(spark)).isEqualTo(fingerprint);
        assertThat(spark.sql("SELECT n_seeds FROM initsweep.cell_stats WHERE scheme = 'he_normal'").first()
                .getLong(0)).isEqualTo(5);
    }
}
