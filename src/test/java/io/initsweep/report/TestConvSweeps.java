package io.initsweep.report;

import io.initsweep.tiers.SparkTest;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * cnn cells and per-layer widths through everything a sweep does: the grid path on Spark (runs columns, convolution
 * rows with per-channel arrays in the layers table, the layer_channels view), resume with nothing to retrain,
 * bitwise replay from the runs row through the command line, and data-parallel training of a cnn through DL4J
 * Spark's MultiLayerNetwork wrapper, replayed bit for bit too.
 */
@SparkTest
class TestConvSweeps {
    @TempDir
    static Path dir;
    static Path warehouse;

    static final String SPEC = """
            name: conv
            seeds: 1
            grid:
              scheme: [he_normal, delta_orthogonal]
              activation: [relu, tanh]
            model: {architecture: cnn, depth: 3, channels: 4, downsample-every: 2}
            training: {epochs: 2, batch-size: 16, optimizer: adam, learning-rate: 0.01}
            data: {dataset: bars, samples: 120, size: 10}
            """;

    @BeforeAll
    static void sweep() throws Exception {
        warehouse = dir.resolve("warehouse");
        Path spec = Files.writeString(dir.resolve("conv.yaml"), SPEC);
        String[] result = TestReportAndNotebooks.cli("run", spec.toString(), "--out", warehouse.toString(),
                "--master", "local[2]");
        assertThat(result[0]).as(result[1] + result[2]).isEqualTo("0");
        assertThat(result[1]).contains("4 cells, 0 already done, 4 to train");
    }

    @Test
    void everyCnnCellTrainsWithItsSettingsTheoryJacobianAndPerChannelRows() {
        SparkSession spark = SparkSession.active();
        Dataset<Row> runs = spark.read().parquet(warehouse.resolve("runs").toString());
        assertThat(runs.count()).isEqualTo(4);
        assertThat(runs.where(col("status").notEqual("ok")).count()).isZero();
        assertThat(runs.where("architecture = 'cnn' AND channels = 4 AND kernel = 3 AND downsample_every = 2 "
                + "AND widths IS NULL AND block_depth IS NULL").count()).isEqualTo(4);
        for (Row row : runs.select("beta", "sigma_w2", "jacobian_msv", "theory_note", "scheme").collectAsList()) {
            assertThat(row.getDouble(0)).isCloseTo(3.0 / 4, within(1e-15));
            // he_normal: k²·C_in·2/(k²·C_in) = 2; delta_orthogonal of gain 1 on 4 → 4 channels: 1
            assertThat(row.getDouble(1)).as(row.toString())
                    .isCloseTo(row.getString(4).startsWith("he") ? 2.0 : 1.0, within(1e-12));
            assertThat(row.isNullAt(2)).as("Jacobian of %s", row.getString(4)).isFalse();
        }

        Dataset<Row> layers = spark.read().parquet(warehouse.resolve("layers").toString());
        // per cell and phase (init, final): 3 convolutions and the output layer
        assertThat(layers.count()).isEqualTo(4 * 2 * 4);
        assertThat(layers.where("kind = 'convolution' AND role = 'hidden' AND kernel = 3 AND size("
                + "channel_activation_var) = 4 AND size(channel_grad_weight_var) = 4").count()).isEqualTo(4 * 2 * 3);
        assertThat(layers.where("kind = 'convolution' AND layer = 2 AND stride = 2 AND out_height = 5").count())
                .isEqualTo(4 * 2);
        assertThat(layers.where("kind = 'dense' AND is_output AND layer = 3 AND kernel IS NULL "
                + "AND channel_activation_var IS NULL").count()).isEqualTo(4 * 2);
        Dataset<Row> withRuns = layers.join(runs.select("cell_id", "activation"), "cell_id");
        // rectifier cells measure dead channels, saturating ones saturation, each per channel
        assertThat(withRuns.where("kind = 'convolution' AND activation = 'relu' AND size(channel_dead_fraction) = 4 "
                + "AND channel_saturated_fraction IS NULL").count()).isEqualTo(2 * 2 * 3);
        assertThat(withRuns.where("kind = 'convolution' AND activation = 'tanh' AND channel_dead_fraction IS NULL "
                + "AND size(channel_saturated_fraction) = 4").count()).isEqualTo(2 * 2 * 3);

        // (read before the sql command: its catalog session replaces this one)
        Row layer = layers.where("kind = 'convolution' AND layer = 1 AND phase = 'final'").orderBy("cell_id")
                .select("cell_id", "channel_activation_var", "channel_grad_weight_var").first();
        // the layer_channels view unfolds those arrays: one row per convolution layer, phase and channel, each
        // holding the array's element at its channel (posexplode is 0-based, SQL arrays' [] too)
        // (one sql command: each starts the catalog)
        String picked = "cell_id = '" + layer.getString(0) + "' AND phase = 'final' AND layer = 1 AND channel = 3";
        String[] view = TestReportAndNotebooks.cli("sql", "--out", warehouse.toString(), "--format", "csv",
                "SELECT count(*) AS n, count(DISTINCT channel) AS channels, min(channel) AS lo, max(channel) AS hi, "
                        + "max(CASE WHEN " + picked + " THEN activation_var END) AS a, "
                        + "max(CASE WHEN " + picked + " THEN grad_weight_var END) AS g "
                        + "FROM initsweep.layer_channels WHERE sweep = 'conv'");
        assertThat(view[0]).as(view[2]).isEqualTo("0");
        List<String> lines = view[1].lines().toList();
        assertThat(lines.get(0)).isEqualTo("n,channels,lo,hi,a,g");
        String[] values = lines.get(1).split(",");
        assertThat(List.of(values).subList(0, 4)).containsExactly(Integer.toString(4 * 2 * 3 * 4), "4", "0", "3");
        // Double.toString round-trips: the view's value is the array's element, bit for bit
        assertThat(Double.parseDouble(values[4])).isEqualTo(layer.<Double>getList(1).get(3));
        assertThat(Double.parseDouble(values[5])).isEqualTo(layer.<Double>getList(2).get(3));
    }

    @Test
    void aCnnCellReplaysBitForBitAndASecondRunTrainsNothing() throws Exception {
        String cellId = SparkSession.active().read().parquet(warehouse.resolve("runs").toString())
                .where("scheme = 'delta_orthogonal(gain=1)' AND activation = 'tanh'").select("cell_id").first()
                .getString(0);
        String[] replay = TestReportAndNotebooks.cli("replay", cellId, "--out", warehouse.toString(),
                "--master", "local[2]");
        assertThat(replay[0]).as(replay[1] + replay[2]).isEqualTo("0");
        assertThat(replay[1]).contains("bitwise identical: all 3 epochs");
        String[] again = TestReportAndNotebooks.cli("run", dir.resolve("conv.yaml").toString(), "--out",
                warehouse.toString(), "--master", "local[2]");
        assertThat(again[0]).isEqualTo("0");
        assertThat(again[1]).contains("4 cells, 4 already done, 0 to train");
    }

    @Test
    void aCnnCellTrainsDataParallelThroughSparkDl4jMultiLayerAndReplays() throws Exception {
        Path out = dir.resolve("data-parallel");
        Path spec = Files.writeString(dir.resolve("dp.yaml"), """
                name: conv-dp
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {architecture: cnn, depth: 2, channels: 4, activation: relu}
                training: {epochs: 3, batch-size: 16, optimizer: adam, learning-rate: 0.01}
                data: {dataset: bars, samples: 120, size: 10}
                execution: {mode: data-parallel, workers: 2, averaging-frequency: 2, batch-size-per-worker: 8}
                """);
        String[] run = TestReportAndNotebooks.cli("run", spec.toString(), "--out", out.toString(),
                "--master", "local[2,4]");
        assertThat(run[0]).as(run[1] + run[2]).isEqualTo("0");
        Row row = SparkSession.active().read().parquet(out.resolve("runs").toString())
                .select("cell_id", "status", "execution", "architecture", "initial_test_loss", "final_test_loss")
                .first();
        assertThat(row.getString(1)).isEqualTo("ok");
        assertThat(row.getString(2)).isEqualTo("data-parallel");
        assertThat(row.getString(3)).isEqualTo("cnn");
        assertThat(row.getDouble(5)).isLessThan(row.getDouble(4));
        String[] replay = TestReportAndNotebooks.cli("replay", row.getString(0), "--out", out.toString(),
                "--master", "local[2,4]");
        assertThat(replay[0]).as(replay[1] + replay[2]).isEqualTo("0");
        assertThat(replay[1]).contains("bitwise identical: all 4 epochs");
    }

    @Test
    void perLayerWidthsNarrowAnMlpAreStoredWithBetaAndReplay() throws Exception {
        Path out = dir.resolve("widths");
        Path spec = Files.writeString(dir.resolve("widths.yaml"), """
                name: widths
                seeds: 1
                grid:
                  scheme: [he_normal]
                  widths: [[32, 16, 8], [8, 16, 32]]
                model: {depth: 3, activation: relu}
                training: {epochs: 2, batch-size: 16}
                data: {dataset: blobs, samples: 120}
                """);
        String[] run = TestReportAndNotebooks.cli("run", spec.toString(), "--out", out.toString(),
                "--master", "local[2]");
        assertThat(run[0]).as(run[1] + run[2]).isEqualTo("0");
        Dataset<Row> runs = SparkSession.active().read().parquet(out.resolve("runs").toString());
        List<Row> rows = runs.select("widths", "beta", "grid_point", "cell_id", "status").orderBy("widths")
                .collectAsList();
        assertThat(rows).extracting(r -> r.getString(0)).containsExactly("32,16,8", "8,16,32");
        assertThat(rows.get(0).getDouble(1)).isCloseTo(1.0 / 32 + 1.0 / 16 + 1.0 / 8, within(1e-15));
        assertThat(rows.get(0).getString(2)).isEqualTo("scheme=he_normal widths=32,16,8");
        assertThat(rows).extracting(r -> r.getString(4)).containsOnly("ok");
        List<Row> fans = SparkSession.active().read().parquet(out.resolve("layers").toString())
                .where(col("cell_id").equalTo(rows.get(0).getString(3)).and(col("phase").equalTo("init")))
                .orderBy("layer").select("fan_in", "fan_out").collectAsList();
        assertThat(fans).extracting(r -> r.getInt(0) + "x" + r.getInt(1)).containsExactly("2x32", "32x16", "16x8",
                "8x3");
        String[] replay = TestReportAndNotebooks.cli("replay", rows.get(0).getString(3), "--out", out.toString(),
                "--master", "local[2]");
        assertThat(replay[0]).as(replay[1] + replay[2]).isEqualTo("0");
        assertThat(replay[1]).contains("bitwise identical: all 3 epochs");
    }
}
