package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.data.DataException;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.dataparallel.DataParallelTrainer;
import io.initsweep.dl4j.Nd4jRuntime;
import io.initsweep.dl4j.SourceNetwork;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.report.CellOutcome;
import io.initsweep.spark.Comparisons;
import io.initsweep.report.Summary;
import io.initsweep.spark.Resources;
import io.initsweep.spark.SparkSessions;
import io.initsweep.spark.StoredRun;
import io.initsweep.spark.SweepDatasets;
import io.initsweep.spark.SweepRunner;
import io.initsweep.spark.SweepSources;
import io.initsweep.spark.TrainingData;
import io.initsweep.spark.Warehouse;
import io.initsweep.spark.WarehouseCheck;
import io.initsweep.spec.SpecError;
import io.initsweep.spec.SpecException;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;
import io.initsweep.train.CellTrainerFactory;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/** {@code initsweep run SPEC}: train every missing cell of a spec and commit the tables. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Train every cell of a sweep spec that has no result yet, and write the tables.",
                "Exit codes: 0 every cell has a row; 3 some cells failed; 2 bad spec, data, usage or warehouse "
                        + "(nothing written); 1 run-time failure (rerun to resume); 130 interrupted (Ctrl-C; "
                        + "rerun to resume)."})
final class RunCommand implements Callable<Integer> {
    private final CellTrainerFactory trainers;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Parameters(index = "0", paramLabel = "SPEC", description = "the sweep spec (YAML), e.g. conf/sweeps/quickstart.yaml")
    Path spec;

    @CommandLine.Mixin
    WarehouseOptions location;

    @Option(names = "--max-cells", paramLabel = "N", defaultValue = "" + Grid.DEFAULT_MAX_CELLS,
            description = "refuse a grid of more cells than this before building it (default: ${DEFAULT-VALUE})")
    long maxCells;

    @Option(names = "--force", description = "retrain cells that already have results; each cell's old rows are "
            + "replaced in the commit that adds its new ones")
    boolean force;

    @Option(names = "--retry-failed", description = "retrain cells whose earlier run failed, replacing their rows")
    boolean retryFailed;

    @Option(names = "--ui", description = "serve the Spark web UI of a local run on 127.0.0.1:4040")
    boolean ui;

    @Option(names = "--no-layers", description = "skip the per-layer statistics (layers table)")
    boolean noLayers;

    /** @param trainers what trains the cells on the executors (the composition root passes DL4J's) */
    RunCommand(CellTrainerFactory trainers) {
        this.trainers = Objects.requireNonNull(trainers, "trainers is null");
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (force && retryFailed) {
            throw new InitsweepException(FailureKind.BAD_USAGE, "--force and --retry-failed cannot be combined: "
                    + "--force retrains every cell of the spec, the failed ones included");
        }
        SweepSpec sweep;
        try {
            sweep = SpecParser.parse(spec);
        } catch (SpecException e) {
            return specErrors(e, err);
        }
        String problem = nativeThreadProblem(sweep);
        if (problem != null) {
            err.println("error: " + problem);
            return ExitCode.USAGE;
        }
        Grid.check(sweep, maxCells);
        SparkSession spark = SparkSessions.create(location.master, sweep.execution().coresPerCell(), ui);
        if (!SparkSessions.isLocal(spark.sparkContext().master())) {
            Map<String, String> conf = new HashMap<>();
            for (scala.Tuple2<String, String> entry : spark.sparkContext().getConf().getAll()) {
                conf.put(entry._1(), entry._2());
            }
            List<String> problems = Resources.problems(conf);
            if (!problems.isEmpty()) {
                problems.forEach(p -> err.println("error: " + p));
                return ExitCode.USAGE;
            }
        }
        // The warehouse before the data: a location that cannot be written is refused before any work.
        Warehouse warehouse = Warehouse.openForWriting(spark, out());
        Warnings.print(WarehouseCheck.scan(warehouse), out(), err);
        stopIfInterrupted();
        Map<Long, TrainingData> datasets;
        List<Cell> cells;
        SweepSources.Plan sources;
        try {
            datasets = SweepDatasets.load(spark, sweep);
            SweepSources.Expanded expanded = SweepSources.expand(spark, sweep, datasets);
            cells = expanded.cells();
            sources = expanded.plan();
            if (sources.fromModel() != null) {
                // a user's network that is not a model, or does not fit a cell, is refused before anything trains
                Map<String, DatasetIdentity> bySha = new HashMap<>();
                datasets.values().forEach(d -> bySha.put(d.identity().sha256(), d.identity()));
                SourceNetwork.checkFromModel(sources.fromModel(), cells, bySha);
            }
        } catch (SpecException e) {
            return specErrors(e, err);
        } catch (DataException e) {
            err.println("error: " + e.getMessage() + " (" + sweep.source() + ": data)");
            return ExitCode.USAGE;
        }
        datasets.values().forEach(d -> out.println("dataset: " + d));

        stopIfInterrupted();

        SweepRunner runner = new SweepRunner(spark, out, trainers,
                new DataParallelTrainer(JavaSparkContext.fromSparkContext(spark.sparkContext())));
        String specText = java.nio.file.Files.readString(spec);
        SweepRunner.Retrain retrain = force ? SweepRunner.Retrain.ALL
                : retryFailed ? SweepRunner.Retrain.FAILED : SweepRunner.Retrain.MISSING;
        SweepRunner.Outcome outcome = Interrupts.stoppable(runner::cancel, () -> runner.run(sweep, cells, datasets, sources,
                new SweepRunner.Options(out(), retrain, !noLayers, specText,
                        (w, runId) -> Comparisons.refresh(w, sweep.name(), runId + "-comparison"))));
        List<CellOutcome> outcomes = outcomes(warehouse.storedRuns(sweep.name()), cells);
        out.println();
        out.print(Summary.render(Summary.lines(outcomes), sweep.hasTargetLoss()));
        long failed = outcomes.stream().filter(o -> "failed".equals(o.status())).count();
        long missing = outcomes.stream().filter(o -> o.status() == null).count();
        long diverged = outcomes.stream().filter(o -> "diverged".equals(o.status())).count();
        out.printf("%n%d cells (%d trained now, %d earlier): %d ok, %d diverged, %d failed%s. Tables: %s%n",
                cells.size(), outcome.trained(), outcome.alreadyDone(), cells.size() - failed - missing - diverged,
                diverged, failed, missing > 0 ? ", " + missing + " missing" : "", warehouse.root());
        if (missing > 0) {
            err.println("error: " + missing + " cells have no result; rerun to resume");
            return ExitCode.RUNTIME_FAILURE;
        }
        return failed > 0 ? ExitCode.FAILED_CELLS : ExitCode.OK;
    }

    /** Prints every problem of a refused spec, one line each, and gives the usage exit code. */
    static int specErrors(SpecException e, PrintWriter err) {
        for (SpecError error : e.errors()) {
            err.println("error: " + error);
        }
        return ExitCode.USAGE;
    }

    private String out() {
        return location.out;
    }

    /**
     * In local mode cells run inside this JVM, whose native thread count was fixed when it started: refuse to run
     * with a count that does not match the cells' cores (one cell took ~30 s instead of ~1.7 s that way).
     */
    private String nativeThreadProblem(SweepSpec sweep) {
        String effective = SparkSessions.master(location.master);
        if (!SparkSessions.isLocal(effective)) {
            return null;
        }
        int cores = sweep.execution().coresPerCell();
        if (SparkSessions.localCores(effective) < cores) {
            return "cores-per-cell is " + cores + " (" + sweep.source() + ": execution.cores-per-cell) but master "
                    + effective + " has only " + SparkSessions.localCores(effective) + " cores";
        }
        Integer threads = Nd4jRuntime.environmentThreads();
        if (threads == null || threads != cores) {
            return "cells train with " + cores + " native thread(s) (" + sweep.source()
                    + ": execution.cores-per-cell) but this JVM was started with OMP_NUM_THREADS="
                    + (threads == null ? "(unset)" : threads) + "; ND4J reads it once at start-up. Run it as "
                    + "OMP_NUM_THREADS=" + cores + " jobs/initsweep run ... (the launcher sets 1 by default).";
        }
        return null;
    }

    private static void stopIfInterrupted() {
        if (Interrupts.requested()) {
            throw new InitsweepException(FailureKind.INTERRUPTED, "interrupted before the sweep started");
        }
    }

    private static List<CellOutcome> outcomes(Map<String, StoredRun> stored, List<Cell> cells) {
        List<CellOutcome> outcomes = new ArrayList<>();
        for (Cell cell : cells) {
            StoredRun run = stored.get(cell.cellId());
            outcomes.add(run == null ? new CellOutcome(cell, null, null, null, null)
                    : new CellOutcome(cell, run.status(), run.finalTestLoss(), run.finalTestAccuracy(),
                    run.epochsToTarget()));
        }
        return outcomes;
    }
}
