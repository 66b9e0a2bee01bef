package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.data.DataException;
import io.initsweep.data.DatasetSpec;
import io.initsweep.dataparallel.DataParallelTrainer;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.dl4j.Nd4jRuntime;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.report.TextTable;
import io.initsweep.schema.RunRows;
import io.initsweep.schema.Tables;
import io.initsweep.spark.SparkSessions;
import io.initsweep.spark.SweepDatasets;
import io.initsweep.spark.TrainingData;
import io.initsweep.spark.Warehouse;
import io.initsweep.spec.CellSettings;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code initsweep replay CELL_ID}: retrains one cell here from what its runs row recorded, and compares the
 * per-epoch numbers with the stored ones, bit for bit. The row is the whole provenance: settings, seeds, dataset
 * and its fingerprint; a reconstruction that does not reproduce the recorded cell id is refused.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Retrain one stored cell locally from its recorded settings and compare every epoch's "
                + "losses, accuracy and gradient norm with the stored ones.",
                "Exit codes: 0 bitwise identical; 4 the numbers differ (the report says how far); "
                        + "2 unknown cell; 1 the cell could not be rebuilt."})
final class ReplayCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Parameters(index = "0", paramLabel = "CELL_ID", description = "a runs.cell_id")
    String cellId;

    @CommandLine.Mixin
    WarehouseOptions location;

    @Option(names = "--sweep", paramLabel = "NAME", description = "the sweep, if the cell is in several")
    String sweep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        SparkSession spark = SparkSessions.create(location.master, 1, false);
        Warehouse warehouse = Warehouse.open(spark, location.out);
        var rows = warehouse.read(Tables.RUNS).where(functions.col("cell_id").equalTo(cellId));
        if (sweep != null) {
            rows = rows.where(functions.col("sweep").equalTo(sweep));
        }
        List<Row> found = rows.collectAsList();
        if (found.isEmpty()) {
            err.println("error: no cell " + cellId + (sweep == null ? "" : " in sweep " + sweep) + " in "
                    + warehouse.root());
            return ExitCode.USAGE;
        }
        Row run = found.get(0);
        String sweepName = run.getAs("sweep");
        if (!"ok".equals(run.getAs("status")) && !"diverged".equals(run.getAs("status"))) {
            out.println("note: the stored run " + run.getAs("status") + ": " + run.getAs("error"));
        }

        CellSettings settings = RunRows.settings(run);
        DatasetSpec datasetSpec = DatasetSpec.parse(run.getAs("dataset"));
        long dataSeed = run.<Long>getAs("data_seed");
        TrainingData data;
        try {
            data = SweepDatasets.load(spark, datasetSpec, List.of(dataSeed), settings.dataParallel()).get(dataSeed);
        } catch (DataException e) {
            err.println("error: cannot load the cell's dataset: " + e.getMessage());
            return ExitCode.RUNTIME_FAILURE;
        }
        var dataset = data.identity();
        Cell cell = Grid.cell(sweepName, run.<Long>getAs("seed"), settings, RunRows.coordinates(run.getAs("grid_point")),
                dataset);
        if (!cell.cellId().equals(cellId)) {
            err.println("error: the recorded settings rebuild cell " + cell.cellId() + ", not " + cellId
                    + (dataset.sha256().equals(run.getAs("dataset_sha256")) ? ""
                    : "; the dataset changed: its fingerprint is now " + dataset.sha256() + ", recorded "
                    + run.getAs("dataset_sha256")));
            return ExitCode.RUNTIME_FAILURE;
        }

        int recordedThreads = run.<Integer>getAs("native_threads");
        Integer threads = Nd4jRuntime.environmentThreads();
        int cores = threads == null ? recordedThreads : threads;
        out.printf("replaying cell %s of sweep %s: %s seed %d (recorded on %s, %s, %d native threads, run %s)%n",
                cellId, sweepName, cell.pointLabel(), cell.seed(), run.getAs("host"), run.getAs("backend"),
                recordedThreads, run.getAs("run_id"));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        CellResult replayed = settings.dataParallel()
                ? new DataParallelTrainer(jsc).train(cell, data, false, "replay")
                : data.match(memory -> new Dl4jCellTrainer(cores, false).train(cell, memory.rows()), table -> {
                    throw new IllegalStateException("a distributed table is trained data-parallel: " + table);
                });
        String backend = replayed.provenance().backend();
        int nativeThreads = replayed.provenance().nativeThreads();
        if (!backend.equals(run.getAs("backend")) || nativeThreads != recordedThreads) {
            out.printf("note: replayed on %s with %d native threads, recorded on %s with %d: bitwise equality is "
                    + "only expected for the same backend and thread count%n", backend, nativeThreads,
                    run.getAs("backend"), recordedThreads);
        }

        List<Row> stored = warehouse.read(Tables.EPOCHS).where(functions.col("sweep").equalTo(sweepName)
                .and(functions.col("cell_id").equalTo(cellId))).orderBy("epoch").collectAsList();
        return compare(stored, replayed.epochs(), out);
    }

    private static int compare(List<Row> stored, List<EpochMetrics> replayed, PrintWriter out) {
        List<List<String>> table = new ArrayList<>();
        int identical = 0;
        double maxTest = 0;
        double maxTrain = 0;
        int firstDifferent = -1;
        int epochs = Math.max(stored.size(), replayed.size());
        for (int i = 0; i < epochs; i++) {
            Row s = i < stored.size() ? stored.get(i) : null;
            EpochMetrics r = i < replayed.size() ? replayed.get(i) : null;
            boolean same = s != null && r != null && bits(s.getAs("train_loss")) == bits(r.trainLoss())
                    && bits(s.getAs("test_loss")) == bits(r.testLoss())
                    && bits((Double) s.getAs("test_accuracy")) == bits(r.testAccuracy())
                    && bits(s.getAs("grad_norm")) == bits(r.gradNorm());
            if (same) {
                identical++;
            } else if (firstDifferent < 0) {
                firstDifferent = i;
            }
            if (s != null && r != null) {
                maxTest = Math.max(maxTest, Math.abs(s.<Double>getAs("test_loss") - r.testLoss()));
                maxTrain = Math.max(maxTrain, Math.abs(s.<Double>getAs("train_loss") - r.trainLoss()));
            }
            table.add(List.of(Integer.toString(i), s == null ? "-" : fmt(s.getAs("test_loss")),
                    r == null ? "-" : fmt(r.testLoss()), s == null ? "-" : fmt(s.getAs("train_loss")),
                    r == null ? "-" : fmt(r.trainLoss()), same ? "=" : "≠"));
        }
        out.print(TextTable.render(List.of("epoch", "stored test loss", "replayed", "stored train loss", "replayed",
                "bits"), table));
        if (identical == epochs) {
            out.printf("bitwise identical: all %d epochs (train loss, test loss, test accuracy, gradient norm)%n",
                    epochs);
            return ExitCode.OK;
        }
        out.printf("different: %d of %d epochs identical, first difference at epoch %d; max |Δ test loss| = %s, "
                + "max |Δ train loss| = %s%n", identical, epochs, firstDifferent, fmt(maxTest), fmt(maxTrain));
        return ExitCode.REPLAY_MISMATCH;
    }

    private static long bits(Double value) {
        return value == null ? Long.MIN_VALUE : Double.doubleToRawLongBits(value);
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.10g", value);
    }
}
