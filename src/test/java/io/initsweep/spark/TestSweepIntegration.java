package io.initsweep.spark;

import io.initsweep.cli.Main;
import io.initsweep.common.ExitCode;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.schema.Tables;
import io.initsweep.tiers.SparkTest;
import io.initsweep.train.CellTrainerFactory;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/** A small sweep on local[2] through the CLI's own code path ({@link Main#execute}). */
@SparkTest
class TestSweepIntegration {
    static final String SPEC = """
            name: it
            seeds: 2
            grid:
              scheme: [zero, he_normal, {normal: {std: 10}}]
              depth: [1, 3]
              activation: [relu]
            model: {width: 12}
            training: {epochs: 3, batch-size: 32, learning-rate: 0.5, target-loss: 0.6}
            data: {dataset: blobs, samples: 160}
            """;

    @TempDir
    Path dir;

    @Test
    void runWritesOneRowPerCellAndResumesWithoutDuplicates() throws Exception {
        Path spec = write("it.yaml", SPEC);
        Path out = dir.resolve("warehouse");
        Cli first = Cli.run("run", spec.toString(), "--out", out.toString(), "--master", "local[2,4]");
        assertThat(first.code).as(first.output()).isEqualTo(ExitCode.OK);
        assertThat(first.out).contains("12 cells, 0 already done, 12 to train").contains("[12/12]")
                .contains("final test loss");

        SparkSession spark = SparkSession.active();
        Dataset<Row> runs = spark.read().parquet(out.resolve("runs").toString());
        assertThat(runs.count()).isEqualTo(12);
        assertThat(runs.select("cell_id").distinct().count()).isEqualTo(12);
        assertThat(Arrays.stream(runs.schema().fields()).map(f -> f.name() + ":" + f.dataType()).toList())
                .containsExactlyElementsOf(Arrays.stream(Tables.RUNS.schema().fields())
                        .map(f -> f.name() + ":" + f.dataType()).toList());
        assertThat(runs.where(col("status").equalTo("failed")).count()).isZero();
        assertThat(runs.select("executor_id").distinct().collectAsList()).extracting(r -> r.getString(0))
                .containsExactly("driver");
        assertThat(runs.where(col("native_threads").notEqual(1)).count()).isZero();
        // Huge weights blow up in some seeds: those cells are results with status diverged, not errors.
        Dataset<Row> diverged = runs.where(col("status").equalTo("diverged"));
        assertThat(diverged.count()).isPositive();
        assertThat(diverged.where(col("scheme").notEqual("normal(std=10)")
                .or(col("final_test_loss").isNotNull()).or(col("diverged_epoch").isNull())).count()).isZero();

        Dataset<Row> epochs = spark.read().parquet(out.resolve("epochs").toString());
        List<Row> perCell = epochs.join(runs.where(col("status").equalTo("ok")).select("cell_id"), "cell_id")
                .groupBy("cell_id").count().collectAsList();
        assertThat(perCell).isNotEmpty().allSatisfy(r -> assertThat(r.getLong(1)).isEqualTo(3 + 1));
        assertThat(epochs.where(col("epoch").equalTo(0)).count()).isEqualTo(12);
        List<Row> divergedEpochs = epochs.join(diverged.select("cell_id", "diverged_epoch"), "cell_id")
                .groupBy("cell_id").agg(org.apache.spark.sql.functions.count("*"),
                        org.apache.spark.sql.functions.first("diverged_epoch")).collectAsList();
        assertThat(divergedEpochs).allSatisfy(r -> assertThat(r.getLong(1)).isEqualTo(r.getInt(2) + 1L));
        assertThat(fieldNames(epochs)).containsExactlyElementsOf(fieldNames(Tables.EPOCHS.schema().fields()));

        Dataset<Row> layers = spark.read().parquet(out.resolve("layers").toString());
        assertThat(layers.where(col("phase").equalTo("init")).count())
                .isEqualTo(2 * 3 * (2 + 4)); // seeds × schemes × (depth 1: 2 layers + depth 3: 4 layers)

        Cli again = Cli.run("run", spec.toString(), "--out", out.toString(), "--master", "local[2,4]");
        assertThat(again.code).isEqualTo(ExitCode.OK);
        assertThat(again.out).contains("12 cells, 12 already done, 0 to train");
        assertThat(spark.read().parquet(out.resolve("runs").toString()).count()).isEqualTo(12);
    }

    /**
     * Cells grouped into tasks (here 2 tasks of 6 cells, trained as batches, diverging cells among them) get the
     * very bits they get one per task on the per-cell path: every epoch, every layer statistic, every outcome.
     */
    @Test
    void cellsTrainedTogetherInTasksGetTheBitsTheyGetOnePerTask() throws Exception {
        Path alone = dir.resolve("alone");
        Path grouped = dir.resolve("grouped");
        Cli one = Cli.run("run", write("alone.yaml", SPEC + "execution: {cells-per-task: 1}\n").toString(), "--out",
                alone.toString(), "--master", "local[2,4]");
        assertThat(one.code).as(one.output()).isEqualTo(ExitCode.OK);
        Cli together = Cli.run("run", write("grouped.yaml", SPEC).toString(), "--out", grouped.toString(),
                "--master", "local[2,4]");
        assertThat(together.code).as(together.output()).isEqualTo(ExitCode.OK);
        assertThat(together.out).contains("[12/12]");

        SparkSession spark = SparkSession.active();
        Dataset<Row> aloneRuns = spark.read().parquet(alone.resolve("runs").toString());
        Dataset<Row> groupedRuns = spark.read().parquet(grouped.resolve("runs").toString());
        assertThat(aloneRuns.select("batch_cells").distinct().collectAsList()).extracting(r -> r.getInt(0))
                .containsExactly(1);
        // 2 keys (depth 1 and 3) of 6 cells each, 2 task slots: two tasks of 6 cells, each one batch
        assertThat(groupedRuns.select("batch_cells").distinct().collectAsList()).extracting(r -> r.getInt(0))
                .containsExactly(6);
        // A cell that diverges in a batch is masked and recorded at its epoch (its epochs rows stop there); the cells
        // it shared the batch with (same depth) train all 3 epochs.
        List<Row> diverged = groupedRuns.where(col("status").equalTo("diverged"))
                .select("cell_id", "depth", "diverged_epoch").collectAsList();
        assertThat(diverged).isNotEmpty();
        Dataset<Row> groupedEpochs = spark.read().parquet(grouped.resolve("epochs").toString());
        for (Row cell : diverged) {
            assertThat(groupedEpochs.where(col("cell_id").equalTo(cell.getString(0))).count())
                    .isEqualTo(cell.getInt(2) + 1L);
            assertThat(groupedRuns.where(col("depth").equalTo(cell.getInt(1)).and(col("status").equalTo("ok"))
                    .and(col("epochs_run").equalTo(3))).count()).as("depth %d", cell.getInt(1)).isPositive();
        }

        List<String> outcome = List.of("cell_id", "status", "diverged_epoch", "epochs_run", "initial_test_loss",
                "final_train_loss", "final_test_loss", "final_test_accuracy", "best_test_loss", "epochs_to_target",
                "act_var_ratio", "grad_var_ratio", "q_star", "chi1", "jacobian_msv", "jacobian_max_sv",
                "native_threads");
        assertThat(rows(groupedRuns, outcome)).isEqualTo(rows(aloneRuns, outcome)).hasSize(12);
        for (String table : List.of("epochs", "layers")) {
            Dataset<Row> a = spark.read().parquet(alone.resolve(table).toString()).drop("run_id");
            Dataset<Row> g = spark.read().parquet(grouped.resolve(table).toString()).drop("run_id");
            List<String> columns = fieldNames(a);
            assertThat(rows(g, columns)).as(table).isEqualTo(rows(a, columns)).isNotEmpty();
        }
    }

    /** Rows as text (doubles with their exact bits), sorted: equal lists mean bitwise-equal values. */
    private static List<String> rows(Dataset<Row> frame, List<String> columns) {
        return frame.select(columns.stream().map(org.apache.spark.sql.functions::col)
                        .toArray(org.apache.spark.sql.Column[]::new)).collectAsList().stream()
                .map(r -> {
                    StringBuilder text = new StringBuilder();
                    for (int i = 0; i < r.size(); i++) {
                        Object v = r.get(i);
                        text.append(v instanceof Double d ? Long.toHexString(Double.doubleToRawLongBits(d))
                                : String.valueOf(v)).append('|');
                    }
                    return text.toString();
                }).sorted().toList();
    }

    @Test
    void aBadSpecExitsWithTwoAndWritesNothing() throws Exception {
        Path spec = write("bad.yaml", SPEC.replace("depth: [1, 3]", "depth: [1, 0]"));
        Path out = dir.resolve("untouched");
        Cli result = Cli.run("run", spec.toString(), "--out", out.toString(), "--master", "local[2,4]");
        assertThat(result.code).isEqualTo(ExitCode.USAGE);
        assertThat(result.err).contains("error: depth must be >= 1, got 0 (" + spec + ": grid.depth[1], line 5)");
        assertThat(out).doesNotExist();
    }

    @Test
    void unknownOptionsAreUsageErrors() {
        Cli result = Cli.run("run", "x.yaml", "--frobnicate");
        assertThat(result.code).isEqualTo(ExitCode.USAGE);
        assertThat(result.err).contains("Unknown option: '--frobnicate'");
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    static List<String> fieldNames(Dataset<Row> frame) {
        return fieldNames(frame.schema().fields());
    }

    static List<String> fieldNames(StructField[] fields) {
        return Arrays.stream(fields).map(StructField::name).toList();
    }

    /** One CLI invocation's exit code and output. */
    record Cli(int code, String out, String err) {
        static Cli run(String... args) {
            return run(Dl4jCellTrainer.FACTORY, args);
        }

        /** The CLI with trainers of the test's choosing (e.g. {@link FaultyTrainers}). */
        static Cli run(CellTrainerFactory trainers, String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), trainers, args);
            return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }

        String output() {
            return out + "\n--- stderr ---\n" + err;
        }
    }
}
