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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Residual and normalized cells through everything a sweep does: the grid path on Spark (rows, layers table,
 * resume with nothing to retrain), bitwise replay from the runs row, data-parallel training through DL4J Spark's
 * ComputationGraph wrapper, the propagation view and the report's residual-stream chart in a headless browser.
 */
@SparkTest
class TestResidualSweeps {
    @TempDir
    static Path dir;
    static Path warehouse;

    static final String SPEC = """
            name: res
            seeds: 1
            grid:
              scheme: [he_normal, fixup, rezero]
              normalization: [none, batch, layer]
            model: {architecture: residual, depth: 4, block-depth: 2, width: 8, activation: relu}
            training: {epochs: 3, batch-size: 32, learning-rate: 0.05}
            data: {dataset: blobs, samples: 160}
            """;

    @BeforeAll
    static void sweep() throws Exception {
        warehouse = dir.resolve("warehouse");
        Path spec = Files.writeString(dir.resolve("res.yaml"), SPEC);
        String[] result = TestReportAndNotebooks.cli("run", spec.toString(), "--out", warehouse.toString(),
                "--master", "local[2,4]");
        assertThat(result[0]).as(result[1] + result[2]).isEqualTo("0");
        assertThat(result[1]).contains("9 cells, 0 already done, 9 to train");
    }

    @Test
    void everyCellTrainsAndTheLayersTableSaysEachRowsKindAndBlock() {
        SparkSession spark = SparkSession.active();
        Dataset<Row> runs = spark.read().parquet(warehouse.resolve("runs").toString());
        assertThat(runs.count()).isEqualTo(9);
        assertThat(runs.where(col("status").notEqual("ok")).count()).isZero();
        assertThat(runs.where(col("architecture").notEqual("residual").or(col("block_depth").notEqual(2))
                .or(col("branch_scale").notEqual("1"))).count()).isZero();
        assertThat(runs.where(col("scheme").equalTo("fixup(gain=auto)")).count()).isEqualTo(3);

        Dataset<Row> layers = spark.read().parquet(warehouse.resolve("layers").toString())
                .join(runs.select("cell_id", "scheme", "normalization"), "cell_id").where(col("phase").equalTo("init"));
        // per cell: 1 stem + 4×2 branch layers + output = 10 dense; 4 blocks; 4×2 + 1 norms when normalized
        assertThat(count(layers, "kind = 'dense'")).isEqualTo(9 * 10);
        assertThat(count(layers, "kind = 'residual_add'")).isEqualTo(9 * 4);
        assertThat(count(layers, "kind = 'normalization'")).isEqualTo(6 * 9);
        assertThat(count(layers, "kind = 'normalization' AND normalization = 'batch' AND norm_statistics = "
                + "'probe_batch' AND norm_running_var_mean IS NOT NULL")).isEqualTo(3 * 9);
        assertThat(count(layers, "kind = 'normalization' AND normalization = 'layer' AND norm_statistics = "
                + "'per_example' AND norm_running_var_mean IS NULL")).isEqualTo(3 * 9);
        assertThat(count(layers, "kind = 'dense' AND role = 'branch_last' AND block IS NOT NULL")).isEqualTo(9 * 4);
        assertThat(count(layers, "is_output AND kind = 'dense' AND layer = 9 AND role = 'output'")).isEqualTo(9);
        // fixup and rezero: every block is the identity at init
        assertThat(count(layers, "kind = 'residual_add' AND scheme <> 'he_normal' AND branch_var <> 0")).isZero();
        // plain He branches add about as much as the stream carries (2 in expectation; 8 units scatter widely)
        assertThat(layers.where("kind = 'residual_add' AND scheme = 'he_normal' AND normalization = 'none'")
                .agg(org.apache.spark.sql.functions.avg("branch_ratio")).first().getDouble(0)).isBetween(0.4, 2.5);
    }

    private static long count(Dataset<Row> rows, String condition) {
        return rows.where(condition).count();
    }

    @Test
    void aResidualCellReplaysBitForBitAndASecondRunTrainsNothing() throws Exception {
        for (String normalization : List.of("batch", "layer")) {
            String cellId = SparkSession.active().read().parquet(warehouse.resolve("runs").toString())
                    .where(col("scheme").equalTo("fixup(gain=auto)").and(col("normalization").equalTo(normalization)))
                    .select("cell_id").first().getString(0);
            String[] replay = TestReportAndNotebooks.cli("replay", cellId, "--out", warehouse.toString(),
                    "--master", "local[2,4]");
            assertThat(replay[0]).as(replay[1] + replay[2]).isEqualTo("0");
            assertThat(replay[1]).contains("bitwise identical: all 4 epochs");
        }
        Path spec = dir.resolve("res.yaml");
        String[] again = TestReportAndNotebooks.cli("run", spec.toString(), "--out", warehouse.toString(),
                "--master", "local[2,4]");
        assertThat(again[0]).isEqualTo("0");
        assertThat(again[1]).contains("9 cells, 9 already done, 0 to train");
    }

    @Test
    void aResidualCellTrainsDataParallelThroughSparkComputationGraphAndReplays() throws Exception {
        Path out = dir.resolve("data-parallel");
        Path spec = Files.writeString(dir.resolve("dp.yaml"), """
                name: res-dp
                seeds: 1
                grid: {scheme: [fixup]}
                model: {architecture: residual, depth: 3, width: 8, activation: relu, normalization: batch}
                training: {epochs: 4, batch-size: 32, learning-rate: 0.05}
                data: {dataset: blobs, samples: 160}
                execution: {mode: data-parallel, workers: 2, averaging-frequency: 2, batch-size-per-worker: 16}
                """);
        String[] run = TestReportAndNotebooks.cli("run", spec.toString(), "--out", out.toString(),
                "--master", "local[2,4]");
        assertThat(run[0]).as(run[1] + run[2]).isEqualTo("0");
        Row row = SparkSession.active().read().parquet(out.resolve("runs").toString())
                .select("cell_id", "status", "execution", "initial_test_loss", "final_test_loss").first();
        assertThat(row.getString(1)).isEqualTo("ok");
        assertThat(row.getString(2)).isEqualTo("data-parallel");
        assertThat(row.getDouble(4)).isLessThan(0.8 * row.getDouble(3));
        String[] replay = TestReportAndNotebooks.cli("replay", row.getString(0), "--out", out.toString(),
                "--master", "local[2,4]");
        assertThat(replay[0]).as(replay[1] + replay[2]).isEqualTo("0");
        assertThat(replay[1]).contains("bitwise identical: all 5 epochs");
    }

    @Test
    void thePropagationViewAndTheReportShowTheResidualStream() throws Exception {
        TestReportAndNotebooks.cli("catalog", "--out", warehouse.toString(), "--master", "local[2,4]");
        SparkSession spark = SparkSession.active();
        List<Row> stream = spark.sql("SELECT block, stream_var_mean FROM initsweep.propagation WHERE sweep = 'res' "
                + "AND scheme = 'he_normal' AND normalization = 'none' AND kind = 'residual_add' ORDER BY block")
                .collectAsList();
        assertThat(stream).extracting(r -> r.getInt(0)).containsExactly(0, 1, 2, 3);
        assertThat(stream.get(3).getDouble(1)).isGreaterThan(stream.get(0).getDouble(1));

        Path html = dir.resolve("report.html");
        String[] result = TestReportAndNotebooks.cli("report", "--out", warehouse.toString(), "--sweep", "res", "--to",
                html.toString(), "--master", "local[2,4]");
        assertThat(result[0]).as(result[2]).isEqualTo("0");
        String chromium = TestReportAndNotebooks.chromium();
        String dom = TestReportAndNotebooks.browser(chromium, "--dump-dom", html);
        Matcher errors = Pattern.compile("<pre id=\"errors\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertThat(errors.find()).isTrue();
        assertThat(errors.group(1)).as("errors on the page").isEmpty();
        // one propagation panel per normalization, each drawing the stream of all three schemes
        for (String panel : List.of("residual, relu, depth 4", "residual + batch norm, relu, depth 4",
                "residual + layer norm, relu, depth 4")) {
            Matcher chart = Pattern.compile("data-title=\"" + Pattern.quote(panel) + "\"[^>]*data-rendered=\"(\\d+)\"")
                    .matcher(dom);
            assertThat(chart.find()).as(panel).isTrue();
            assertThat(chart.group(1)).as(panel).isEqualTo("3");
        }
        assertThat(dom).contains("residual stream variance");
    }
}
