package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.dataparallel.DataParallelTrainer;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.dl4j.Nd4jRuntime;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.report.TextTable;
import io.initsweep.spark.SparkSessions;
import io.initsweep.spark.StoredCell;
import io.initsweep.spark.SweepDatasets;
import io.initsweep.spark.TrainingData;
import io.initsweep.spark.Warehouse;
import io.initsweep.spec.CellSettings;
import io.initsweep.train.CellResult;
import io.initsweep.train.SourceModel;
import io.initsweep.train.EpochMetrics;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
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
                        + "2 unknown cell, or its data changed since it trained; 1 a run-time failure."})
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
        SparkSession spark = SparkSessions.create(location.master, 1, false);
        StoredCell stored = StoredCell.find(Warehouse.open(spark, location.out), cellId, sweep);
        if (!"ok".equals(stored.status()) && !"diverged".equals(stored.status())) {
            out.println("note: the stored run " + stored.status() + ": " + stored.error());
        }
        CellSettings settings = stored.settings();
        TrainingData data = SweepDatasets.load(spark, stored.dataset(), List.of(stored.dataSeed()),
                settings.dataParallel()).get(stored.dataSeed());
        DatasetIdentity dataset = data.identity();
        Cell cell = Grid.cell(stored.sweep(), stored.seed(), settings, stored.coordinates(), dataset,
                stored.source());
        // a transfer cell trains from the very file it trained from: read from the warehouse, hash checked
        SourceModel source = stored.source() == null ? null
                : stored.sourceModel(Warehouse.open(spark, location.out));
        if (!dataset.sha256().equals(stored.datasetSha256())) {
            throw new InitsweepException(FailureKind.BAD_DATA, "the data of cell " + cellId + " changed since it "
                    + "trained: its fingerprint is now " + dataset.sha256() + ", recorded " + stored.datasetSha256()
                    + " (" + stored.dataset().label() + ")");
        }
        if (!cell.cellId().equals(cellId)) {
            throw new InitsweepException(FailureKind.INTERNAL, "the recorded settings of cell " + cellId
                    + " rebuild cell " + cell.cellId() + ": " + settings.canonical());
        }

        Integer threads = Nd4jRuntime.environmentThreads();
        int cores = threads == null ? stored.nativeThreads() : threads;
        out.printf("replaying cell %s of sweep %s: %s seed %d (recorded on %s, %s, %d native threads, run %s)%n",
                cellId, stored.sweep(), cell.pointLabel(), cell.seed(), stored.host(), stored.backend(),
                stored.nativeThreads(), stored.runId());
        if (stored.batchCells() != null && stored.batchCells() > 1) {
            out.printf("note: the cell trained in a batch of %d cells (one batched computation, runs.batch_cells); "
                    + "replay trains it alone, on the per-cell path, whose bits a batched cell gets by construction "
                    + "at one native thread%n", stored.batchCells());
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        CellResult replayed = settings.dataParallel()
                ? new DataParallelTrainer(jsc).train(cell, data, false, "replay")
                : data.match(memory -> source == null ? new Dl4jCellTrainer(cores, false).train(cell, memory.rows())
                        : new Dl4jCellTrainer(cores, false).train(cell, memory.rows(), source), table -> {
                    throw new IllegalStateException("a distributed table is trained data-parallel: " + table);
                });
        String backend = replayed.provenance().backend();
        int nativeThreads = replayed.provenance().nativeThreads();
        if (!backend.equals(stored.backend()) || nativeThreads != stored.nativeThreads()) {
            out.printf("note: replayed on %s with %d native threads, recorded on %s with %d: bitwise equality is "
                    + "only expected for the same backend and thread count%n", backend, nativeThreads,
                    stored.backend(), stored.nativeThreads());
        }
        return compare(stored.epochs(), replayed.epochs(), out);
    }

    private static int compare(List<EpochMetrics> stored, List<EpochMetrics> replayed, PrintWriter out) {
        List<List<String>> table = new ArrayList<>();
        int identical = 0;
        int epochs = Math.max(stored.size(), replayed.size());
        int firstDifferent = -1;
        double maxTest = 0;
        double maxTrain = 0;
        for (int i = 0; i < epochs; i++) {
            EpochMetrics s = i < stored.size() ? stored.get(i) : null;
            EpochMetrics r = i < replayed.size() ? replayed.get(i) : null;
            boolean same = s != null && r != null && bits(s.trainLoss()) == bits(r.trainLoss())
                    && bits(s.testLoss()) == bits(r.testLoss())
                    && bits(s.testAccuracy()) == bits(r.testAccuracy())
                    && bits(s.gradNorm()) == bits(r.gradNorm());
            if (same) {
                identical++;
            } else if (firstDifferent < 0) {
                firstDifferent = i;
            }
            if (s != null && r != null) {
                maxTest = Math.max(maxTest, Math.abs(s.testLoss() - r.testLoss()));
                maxTrain = Math.max(maxTrain, Math.abs(s.trainLoss() - r.trainLoss()));
            }
            table.add(List.of(Integer.toString(i), s == null ? "-" : fmt(s.testLoss()),
                    r == null ? "-" : fmt(r.testLoss()), s == null ? "-" : fmt(s.trainLoss()),
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
