package io.initsweep.spark;

import io.initsweep.common.ExitCode;
import io.initsweep.tiers.SparkTest;

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

/** Data-parallel cells (dl4j-spark 1.0.0-M2 with the rest of DL4J at 1.0.0-M2.1) against grid cells. */
@SparkTest
class TestDataParallel {
    @TempDir
    Path dir;

    static final String SPEC = """
            name: %s
            seeds: 1
            grid: {scheme: [he_normal]}
            model: {depth: 2, width: 32, activation: relu}
            training: {epochs: 12, batch-size: 32, optimizer: sgd, learning-rate: 0.1}
            data: {dataset: blobs, samples: 600, classes: 3, features: 4, separation: 4}
            %s
            """;

    @BeforeAll
    static void spark() {
        SparkSessions.create("local[2,4]", 1, false);
    }

    private TestSweepIntegration.Cli run(String name, String execution, Path out) throws Exception {
        Path spec = Files.writeString(dir.resolve(name + ".yaml"), SPEC.formatted(name, execution));
        return TestSweepIntegration.Cli.run("run", spec.toString(), "--out", out.toString(), "--master=local[2,4]");
    }

    @Test
    void aDataParallelCellReachesTheTestLossOfTheSameCellTrainedAsOneTask() throws Exception {
        Path out = dir.resolve("wh");
        TestSweepIntegration.Cli grid = run("grid", "", out);
        assertThat(grid.code()).as(grid.output()).isZero();
        TestSweepIntegration.Cli parallel = run("parallel",
                "execution: {mode: data-parallel, workers: 2, averaging-frequency: 2, batch-size-per-worker: 16}", out);
        assertThat(parallel.code()).as(parallel.output()).isZero();

        List<Row> rows = SparkSession.active().read().parquet(out.resolve("runs").toString())
                .select("sweep", "execution", "workers", "averaging_frequency", "batch_size_per_worker",
                        "initial_test_loss", "final_test_loss", "final_test_accuracy", "executor_id", "status")
                .orderBy("sweep").collectAsList();
        Row g = rows.get(0);
        Row p = rows.get(1);
        assertThat(g.getString(1)).isEqualTo("grid");
        assertThat(g.isNullAt(2)).isTrue();
        assertThat(p.getString(1)).isEqualTo("data-parallel");
        assertThat(p.getInt(2)).isEqualTo(2);
        assertThat(p.getInt(3)).isEqualTo(2);
        assertThat(p.getInt(4)).isEqualTo(16);
        assertThat(p.getString(9)).isEqualTo("ok");
        // Same network, data and initial weights; parameter averaging (2 workers, averaging every 2 minibatches of
        // 16) takes different steps than one sequential SGD (minibatches of 32), so the two must agree on the
        // outcome, not on the trajectory: both learn (from ~1.5 to under half of it) and, on well-separated data
        // where both converge, end within 0.05 of each other (measured: 0.069 and 0.076).
        double gridLoss = g.getDouble(6);
        double parallelLoss = p.getDouble(6);
        assertThat(gridLoss).isLessThan(g.getDouble(5) / 2);
        assertThat(parallelLoss).isLessThan(p.getDouble(5) / 2);
        assertThat(Math.abs(gridLoss - parallelLoss)).isLessThan(0.05);
        assertThat(p.getDouble(7)).isGreaterThan(0.8);

        // The same data-parallel cell retrained: bit for bit, at the same workers and threads.
        String cellId = SparkSession.active().read().parquet(out.resolve("runs").toString())
                .where(col("sweep").equalTo("parallel")).select("cell_id").first().getString(0);
        TestSweepIntegration.Cli replay = TestSweepIntegration.Cli.run("replay", cellId, "--out", out.toString());
        assertThat(replay.code()).as(replay.output()).isEqualTo(ExitCode.OK);
        assertThat(replay.out()).contains("bitwise identical: all 13 epochs");
    }

    @Test
    void aParquetTableIsTrainedOnWhereItLivesAndReplaysBitForBit() throws Exception {
        // Three well-separated clusters in 5 features, labels as text, written as 4 part files.
        SparkSession spark = SparkSession.active();
        Path table = dir.resolve("table");
        spark.range(0, 900, 1, 4).selectExpr(
                        "array(cast(id % 3 as double) * 4 + randn(11), cast(id % 3 as double) * -3 + randn(12), "
                                + "randn(13), randn(14) + 10, cast(id % 3 as double) + randn(15) * 0.5) as features",
                        "concat('class-', cast(id % 3 as string)) as kind")
                .write().parquet(table.toString());
        Path out = dir.resolve("parquet-wh");
        Path spec = Files.writeString(dir.resolve("table.yaml"), """
                name: table
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {depth: 2, width: 32, activation: relu}
                training: {epochs: 6, batch-size: 32, optimizer: sgd, learning-rate: 0.1}
                data: {dataset: parquet, path: %s, vector-column: features, label: kind, test-fraction: 0.2}
                execution: {mode: data-parallel, workers: 2, averaging-frequency: 2, batch-size-per-worker: 16}
                """.formatted(table));
        TestSweepIntegration.Cli run = TestSweepIntegration.Cli.run("run", spec.toString(), "--out", out.toString(),
                "--master=local[2,4]");
        assertThat(run.code()).as(run.output()).isZero();
        assertThat(run.out()).contains("5 features, 3 outputs, distributed");

        Row row = spark.read().parquet(out.resolve("runs").toString()).select("status", "features", "outputs",
                "train_rows", "test_rows", "initial_test_loss", "final_test_loss", "final_test_accuracy",
                "cell_id").first();
        assertThat(row.getString(0)).isEqualTo("ok");
        assertThat(row.getInt(1)).isEqualTo(5);
        assertThat(row.getInt(2)).isEqualTo(3);
        // randomSplit with a 0.2 test fraction: about 180 of 900 rows, every row in exactly one split.
        assertThat(row.getInt(3) + row.getInt(4)).isEqualTo(900);
        assertThat(row.getInt(4)).isBetween(140, 220);
        assertThat(row.getDouble(6)).isLessThan(row.getDouble(5) / 2);
        assertThat(row.getDouble(7)).isGreaterThan(0.9);

        TestSweepIntegration.Cli replay = TestSweepIntegration.Cli.run("replay", row.getString(8), "--out",
                out.toString());
        assertThat(replay.code()).as(replay.output()).isEqualTo(ExitCode.OK);
        assertThat(replay.out()).contains("bitwise identical: all 7 epochs");

        // A column the table lacks is named, with the table, before anything trains.
        Path bad = Files.writeString(dir.resolve("bad-table.yaml"), Files.readString(spec)
                .replace("label: kind", "label: klass"));
        TestSweepIntegration.Cli refused = TestSweepIntegration.Cli.run("run", bad.toString(), "--out",
                dir.resolve("bad-table-wh").toString(), "--master=local[2,4]");
        assertThat(refused.code()).isEqualTo(ExitCode.USAGE);
        assertThat(refused.err()).contains(table.toString()).contains("klass").contains("no such column");
        assertThat(dir.resolve("bad-table-wh").resolve("runs")).doesNotExist();
    }

    @Test
    void dataParallelSettingsAreRefusedInGridMode() throws Exception {
        TestSweepIntegration.Cli result = run("bad", "execution: {workers: 2}", dir.resolve("bad-wh"));
        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("workers only applies to execution.mode data-parallel");
    }
}
