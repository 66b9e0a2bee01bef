package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.data.Dataset;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.grid.Cell;
import io.initsweep.grid.CellBatches;
import io.initsweep.grid.SourceCell;
import io.initsweep.spec.SweepSpec;
import io.initsweep.train.CellResult;
import io.initsweep.train.CellTrainerFactory;
import io.initsweep.train.RunStatus;
import io.initsweep.train.SourceModel;
import io.initsweep.train.SourceResult;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a sweep's cells on Spark and commits the results while it runs.
 *
 * <p>A task trains a list of cells ({@link CellBatches#tasks}): cells that may share a batch (plain MLPs of one shape
 * and dataset) in groups of at most {@code execution.cells-per-task}, which the trainer trains as one batched
 * computation where that gives each cell its own bits, and every other cell alone. (The default partitioning would
 * put many heavy cells on one core.) Tasks return one result per cell to the driver; a result handler hands each
 * to a committer thread, which commits them in batches at least every {@code commit-seconds}, so a crash loses at
 * most the cells of the last interval. Spark calls the handler once per task, also when a task ran more than once,
 * so each cell is committed once; a retried task trains all its cells again, which changes none of their bits. Cells already in
 * {@code runs} are skipped, which makes re-running a command a resume and extending a spec an incremental sweep.
 * Cells trained again on purpose ({@code --force}, {@code --retry-failed}) keep their old rows until the commit that
 * adds their new ones, which removes the old in the same atomic step. Everything is decided under the sweep's lock.
 */
public final class SweepRunner {
    private static final Logger log = LoggerFactory.getLogger(SweepRunner.class);
    private static final String JOB_GROUP = "initsweep-cells";
    private static final int MAX_BATCH = 1000;

    private final SparkSession spark;
    private final PrintWriter console;
    private final CellTrainerFactory trainers;
    private final DataParallelTraining dataParallel;
    /** Set by {@link #cancel}; the committer keeps cancelling the cells' jobs while it is set. */
    private final AtomicBoolean cancelled = new AtomicBoolean();

    /**
     * @param trainers     makes the trainer of each task; the command line passes DL4J's, tests their own
     * @param dataParallel trains the cells of a data-parallel sweep
     */
    public SweepRunner(SparkSession spark, PrintWriter console, CellTrainerFactory trainers,
                       DataParallelTraining dataParallel) {
        this.spark = spark;
        this.console = console;
        this.trainers = Objects.requireNonNull(trainers, "trainers is null");
        this.dataParallel = Objects.requireNonNull(dataParallel, "dataParallel is null");
    }

    /** Which cells that already have a row are trained again. */
    public enum Retrain {
        /** None: only cells without a row train (resume, incremental sweeps). */
        MISSING,
        /** Cells whose row says failed ({@code --retry-failed}). */
        FAILED,
        /** Every cell of the spec ({@code --force}). */
        ALL
    }

    /**
     * @param out          warehouse location
     * @param retrain      which cells with results train again; their old rows are replaced in the commit that
     *                     adds their new ones, so an interrupted run loses none
     * @param recordLayers whether to measure the layers table
     * @param specText     the spec as written, kept with the sweep's record
     * @param afterCommit  work on the tables once the cells are committed, under the sweep's lock
     */
    public record Options(String out, Retrain retrain, boolean recordLayers, String specText,
                          AfterCommit afterCommit) {
        public Options {
            Objects.requireNonNull(out, "out is null");
            Objects.requireNonNull(retrain, "retrain is null");
            Objects.requireNonNull(specText, "specText is null");
            Objects.requireNonNull(afterCommit, "afterCommit is null");
        }

        public static Options of(String out) {
            return new Options(out, Retrain.MISSING, true, "", (warehouse, runId) -> {
            });
        }
    }

    /** Work on the sweep's tables after its cells are committed, still under its lock (derived tables). */
    @FunctionalInterface
    public interface AfterCommit {
        void run(Warehouse warehouse, String runId) throws IOException;
    }

    /** What a run did. */
    public record Outcome(String runId, int cells, int alreadyDone, int trained, int ok, int diverged, int failed) {
    }

    /**
     * Stops a run from another thread (the command line's Ctrl-C handler): the cells' Spark jobs are cancelled,
     * the cells that finished are committed, the lock is released, and {@link #run} throws
     * {@link FailureKind#INTERRUPTED}.
     */
    public void cancel() {
        cancelled.set(true);
        spark.sparkContext().cancelJobGroup(JOB_GROUP);
    }

    /**
     * Trains the spec's cells that need it and commits them.
     *
     * @throws InitsweepException {@link FailureKind#BAD_ENVIRONMENT} if the warehouse cannot be written (nothing
     *                            is), {@link FailureKind#SWEEP_BUSY} if another run holds the sweep,
     *                            {@link FailureKind#INTERRUPTED} after {@link #cancel}
     */
    public Outcome run(SweepSpec spec, List<Cell> cells, Map<Long, ? extends TrainingData> datasets,
                       Options options)
            throws IOException {
        return run(spec, cells, datasets, SweepSources.Plan.NONE, options);
    }

    /**
     * Trains the spec's cells that need it and commits them; the source networks of the transfer cells to train
     * come first, each trained once and its model file committed before any cell that needs it trains
     * ({@link SourceFiles}). A source whose file was committed earlier (a resumed run) is not trained again.
     *
     * @param sources the sweep's source networks ({@link SweepSources#expand})
     * @throws InitsweepException {@link FailureKind#BAD_ENVIRONMENT} if the warehouse cannot be written (nothing
     *                            is), {@link FailureKind#SWEEP_BUSY} if another run holds the sweep,
     *                            {@link FailureKind#INTERRUPTED} after {@link #cancel}
     */
    public Outcome run(SweepSpec spec, List<Cell> cells, Map<Long, ? extends TrainingData> datasets,
                       SweepSources.Plan sources, Options options)
            throws IOException {
        Warehouse warehouse = Warehouse.openForWriting(spark, options.out());
        String runId = RunIds.next();
        long begin = System.nanoTime();
        try (SweepLock lock = warehouse.lock(spec.name(), runId)) {
            if (cancelled.get()) {
                throw interrupted();
            }
            warehouse.writeSweepRecord(new SweepRecord(spec.name(), runId, java.time.Instant.now().toString(),
                    spec.source(), options.specText(), cells.stream().map(Cell::cellId).toList()));
            // Read under the lock: what is done, and what is failed, cannot change until the run ends.
            Map<String, StoredRun> stored = warehouse.storedRuns(spec.name());
            log.debug("lock, recovery and resume check: {} ms", (System.nanoTime() - begin) / 1_000_000);
            Set<String> replaced = new HashSet<>();
            for (Cell cell : cells) {
                StoredRun run = stored.get(cell.cellId());
                if (run != null && (options.retrain() == Retrain.ALL
                        || (options.retrain() == Retrain.FAILED && run.failed()))) {
                    replaced.add(cell.cellId());
                }
            }
            if (options.retrain() == Retrain.ALL) {
                console.printf("--force: %d cells with results are trained again; each cell's old rows are "
                        + "replaced in the commit that adds its new ones%n", replaced.size());
            } else if (options.retrain() == Retrain.FAILED) {
                console.printf("--retry-failed: %d failed cells will be retrained%n", replaced.size());
            }
            List<Cell> todo = new ArrayList<>(cells.stream()
                    .filter(c -> !stored.containsKey(c.cellId()) || replaced.contains(c.cellId())).toList());
            int alreadyDone = cells.size() - todo.size();
            console.printf("sweep %s: %d cells, %d already done, %d to train (run %s, warehouse %s)%n",
                    spec.name(), cells.size(), alreadyDone, todo.size(), runId, warehouse.root());
            if (todo.isEmpty()) {
                options.afterCommit().run(warehouse, runId);
                return new Outcome(runId, cells.size(), alreadyDone, 0, 0, 0, 0);
            }
            long training = System.nanoTime();
            Outcome trained = train(spec, todo, datasets, sources, options, warehouse, lock, runId,
                    Set.copyOf(replaced));
            long after = System.nanoTime();
            options.afterCommit().run(warehouse, runId);
            // A sweep that completed compacts its small files once they are many (a long sweep commits thousands).
            // (-Dinitsweep.compaction.automatic=false leaves them, for measurements of the uncompacted layout.)
            if (Boolean.parseBoolean(System.getProperty("initsweep.compaction.automatic", "true"))) {
                lock.verify();
                Compaction.Result compacted = Compaction.compact(warehouse, spec.name(), runId + "-compact",
                        Compaction.AUTOMATIC_THRESHOLD);
                if (compacted.changed()) {
                    console.printf("compacted: %s%n", describe(compacted));
                }
            }
            log.debug("cells and commits: {} ms; after-commit work: {} ms", (after - training) / 1_000_000,
                    (System.nanoTime() - after) / 1_000_000);
            return new Outcome(runId, cells.size(), alreadyDone, trained.trained(), trained.ok(), trained.diverged(),
                    trained.failed());
        }
    }

    /** One line per compaction: {@code runs 120 -> 1 files, ...}. */
    public static String describe(Compaction.Result result) {
        return String.join(", ", result.tables().stream().filter(t -> t.filesAfter() != t.filesBefore())
                .map(t -> t.table() + " " + t.filesBefore() + " -> " + t.filesAfter() + " files").toList());
    }

    private static InitsweepException interrupted() {
        return new InitsweepException(FailureKind.INTERRUPTED,
                "interrupted: committed cells are kept; rerun the same command to resume");
    }

    private Outcome train(SweepSpec spec, List<Cell> todo, Map<Long, ? extends TrainingData> datasets,
                          SweepSources.Plan sources, Options options, Warehouse warehouse, SweepLock lock,
                          String runId, Set<String> replaced) throws IOException {
        Map<String, TrainingData> bySha = new HashMap<>();
        datasets.values().forEach(d -> bySha.put(d.identity().sha256(), d));
        if (sources.sourceData() != null) {
            bySha.putIfAbsent(sources.sourceData().identity().sha256(), sources.sourceData());
        }
        // Longest cells first: the last tasks of a sweep are then short, and no core idles at the end.
        todo.sort(Comparator.comparingDouble((Cell c) -> cost(c, bySha)).reversed());

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        if (spec.execution().dataParallel()) {
            return trainDataParallel(spec, todo, bySha, options, warehouse, lock, runId, replaced);
        }
        Map<String, Dataset> inMemory = new HashMap<>();
        bySha.forEach((sha, d) -> inMemory.put(sha, d.match(TrainingData.InMemory::rows, table -> {
            throw new IllegalStateException("a distributed table is trained data-parallel, not as grid cells: "
                    + table);
        })));
        Broadcast<Map<String, Dataset>> broadcast = jsc.broadcast(inMemory);
        Broadcast<Map<String, SourceModel>> models = null;
        try {
            // Sources first: the cells that need them train only once their files are committed.
            Map<String, SourceModel> files = new HashMap<>();
            Map<String, SourceResult> unusable = new HashMap<>();
            if (todo.stream().anyMatch(c -> c.source() != null)) {
                trainSources(spec, todo, sources, broadcast, warehouse, lock, runId, files, unusable);
                models = jsc.broadcast(files);
            }
            List<CellResult> dependents = new ArrayList<>();
            List<Cell> trainable = new ArrayList<>();
            for (Cell cell : todo) {
                SourceResult source = cell.source() == null ? null : unusable.get(cell.source().sourceId());
                if (source == null) {
                    trainable.add(cell);
                } else {
                    dependents.add(source.dependentFailure(cell, bySha.get(cell.datasetSha256()).identity(),
                            source.result().provenance()));
                }
            }
            CellTask task = new CellTask(broadcast, runId, spec.execution().coresPerCell(), options.recordLayers(),
                    trainers, models);
            Progress progress = new Progress(console, todo.size(), 2000);
            return committing(spec, warehouse, lock, runId, replaced, progress, committer -> {
                dependents.forEach(committer::offer);
                if (!trainable.isEmpty()) {
                    List<List<Cell>> tasks = tasks(trainable, spec.execution(), bySha);
                    log.debug("{} cells in {} tasks", trainable.size(), tasks.size());
                    JavaRDD<List<Cell>> rdd = jsc.parallelize(tasks, tasks.size());
                    ClassTag<ArrayList<CellResult>> tag = ClassTag$.MODULE$.apply(ArrayList.class);
                    spark.sparkContext().runJob(rdd.rdd(), task, new ResultHandler(committer), tag);
                }
            });
        } finally {
            broadcast.destroy();
            if (models != null) {
                models.destroy();
            }
        }
    }

    /**
     * Gets the model file of every source the cells to train need: a user's {@code from-model} file as read on the
     * driver; a trained source's from the warehouse if an earlier run committed it, else trained now (one task
     * each) and committed. A source that diverged or failed has no file: it goes to {@code unusable}, and the cells
     * that need it fail naming it.
     */
    private void trainSources(SweepSpec spec, List<Cell> todo, SweepSources.Plan plan,
                              Broadcast<Map<String, Dataset>> datasets, Warehouse warehouse, SweepLock lock,
                              String runId, Map<String, SourceModel> files, Map<String, SourceResult> unusable)
            throws IOException {
        SourceFiles store = new SourceFiles(warehouse, spec.name());
        if (plan.fromModel() != null) {
            // kept in the warehouse too, so replay needs nothing outside it
            lock.verify();
            files.put(plan.fromModel().sourceId(), store.commit(plan.fromModel().verified(), runId));
            return;
        }
        Set<String> needed = new HashSet<>();
        todo.stream().filter(c -> c.source() != null).forEach(c -> needed.add(c.source().sourceId()));
        List<SourceCell> toTrain = new ArrayList<>();
        for (SourceCell source : plan.toTrain()) {
            if (needed.contains(source.sourceId())) {
                store.read(source.sourceId()).ifPresentOrElse(file -> files.put(source.sourceId(), file),
                        () -> toTrain.add(source));
            }
        }
        if (needed.size() != files.size() + toTrain.size()) {
            throw new IllegalStateException("the cells need " + needed.size() + " source networks but the plan "
                    + "has " + (files.size() + toTrain.size()));
        }
        console.printf("%d source network%s: %d saved earlier, %d to train%n", needed.size(),
                needed.size() == 1 ? "" : "s", files.size(), toTrain.size());
        if (toTrain.isEmpty()) {
            return;
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SparkContext sc = spark.sparkContext();
        sc.setJobGroup(JOB_GROUP, "initsweep " + spec.name() + " sources", true);
        sc.setLocalProperty("spark.scheduler.pool", "cells");
        List<SourceResult> results;
        try {
            if (cancelled.get()) {
                throw interrupted();
            }
            results = jsc.parallelize(toTrain, toTrain.size())
                    .map(new SourceTask(datasets, runId, spec.execution().coresPerCell(), trainers)).collect();
        } catch (InitsweepException e) {
            throw e;
        } catch (RuntimeException e) {
            if (cancelled.get()) {
                throw interrupted();
            }
            throw new InitsweepException(FailureKind.RUNTIME, "the source networks' Spark job failed: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
        } finally {
            sc.setLocalProperty("spark.scheduler.pool", null);
            sc.clearJobGroup();
        }
        for (SourceResult result : results) {
            if (result.model() == null) {
                unusable.put(result.source().sourceId(), result);
                console.printf("source %s: %s%n", result.source().sourceId(), result.unusable());
            } else {
                // a run whose lock was broken while it trained must not commit beside the new holder
                lock.verify();
                SourceModel saved = store.commit(result.model(), runId);
                files.put(result.source().sourceId(), saved);
                console.printf("source %s (seed %d): trained in %.1f s, final test loss %.4f, saved %s%n",
                        result.source().sourceId(), result.source().ref().seed(), result.result().wallSeconds(),
                        result.result().finalTestLoss(), store.location(result.source().sourceId()));
            }
        }
    }

    /**
     * The cells of each task, the longest task first (by the cells' estimated multiply-adds), so that the last tasks
     * of a sweep are short and no core idles at the end.
     */
    private List<List<Cell>> tasks(List<Cell> todo, io.initsweep.spec.ExecutionSettings execution,
                                   Map<String, TrainingData> bySha) {
        int slots = Math.max(1, spark.sparkContext().defaultParallelism() / execution.coresPerCell());
        List<List<Cell>> tasks = new ArrayList<>(CellBatches.tasks(todo, execution.cellsPerTask(), slots));
        tasks.sort(Comparator.comparingDouble((List<Cell> task) -> task.stream().mapToDouble(c -> cost(c, bySha))
                .sum()).reversed());
        return tasks;
    }

    private static double cost(Cell cell, Map<String, TrainingData> bySha) {
        DatasetIdentity d = bySha.get(cell.datasetSha256()).identity();
        return cell.estimatedCost(d);
    }

    /**
     * Data-parallel cells: one after another on the driver, each trained across the cluster; committed as they
     * finish, like grid cells.
     */
    private Outcome trainDataParallel(SweepSpec spec, List<Cell> todo, Map<String, TrainingData> bySha,
                                      Options options, Warehouse warehouse, SweepLock lock, String runId,
                                      Set<String> replaced)
            throws IOException {
        return committing(spec, warehouse, lock, runId, replaced, new Progress(console, todo.size(), 0),
                committer -> {
            for (Cell cell : todo) {
                if (committer.failure() != null || cancelled.get()) {
                    break;
                }
                committer.offer(dataParallel.train(cell, bySha.get(cell.datasetSha256()), options.recordLayers(),
                        runId));
            }
        });
    }

    /** Training that hands each result to the committer as it arrives. */
    @FunctionalInterface
    private interface Training {
        void run(Committer committer);
    }

    /**
     * Runs the training under the sweep's Spark job group and scheduler pool while the committer thread commits
     * what it offers; a commit failure outranks the training's own failure, since it is what lost results.
     */
    private Outcome committing(SweepSpec spec, Warehouse warehouse, SweepLock lock, String runId,
                               Set<String> replaced,
                               Progress progress, Training training) throws IOException {
        Committer committer = new Committer(warehouse, lock, spec.name(), runId, replaced,
                spec.execution().commitSeconds(), progress);
        Thread committerThread = new Thread(committer, "initsweep-committer");
        committerThread.start();
        SparkContext sc = spark.sparkContext();
        sc.setJobGroup(JOB_GROUP, "initsweep " + spec.name(), true);
        sc.setLocalProperty("spark.scheduler.pool", "cells");
        // Exception, not RuntimeException: Spark throws its (checked) SparkException from Scala without declaring it.
        Exception trainingFailure = null;
        try {
            if (!cancelled.get()) {
                training.run(committer);
            }
        } catch (Exception e) {
            trainingFailure = e;
        } finally {
            sc.setLocalProperty("spark.scheduler.pool", null);
            sc.clearJobGroup();
            committer.finish();
            join(committerThread);
        }
        if (committer.failure() != null) {
            IOException failure = new IOException("committing results failed", committer.failure());
            if (trainingFailure != null) {
                failure.addSuppressed(trainingFailure);
            }
            throw failure;
        }
        if (cancelled.get()) {
            // What failed in training is the cancellation itself; what finished was committed above.
            InitsweepException interrupted = interrupted();
            if (trainingFailure != null) {
                interrupted.addSuppressed(trainingFailure);
            }
            throw interrupted;
        }
        if (trainingFailure instanceof InitsweepException own) {
            throw own;
        }
        if (trainingFailure instanceof SparkException) {
            // A task failed every attempt or the cluster went away: the cells committed so far stay, a rerun
            // resumes. (A cell's own exception never gets here: it is a failed row.)
            throw new InitsweepException(FailureKind.RUNTIME, "the cells' Spark job failed: "
                    + trainingFailure.getMessage().lines().findFirst().orElse(""), trainingFailure);
        }
        if (trainingFailure instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (trainingFailure != null) {
            throw new InitsweepException(FailureKind.INTERNAL, "training failed: " + trainingFailure,
                    trainingFailure);
        }
        return committer.outcome(runId);
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Called by Spark on the driver once per finished partition (one task's cells), exactly once even with retried
     * or speculative tasks.
     */
    private static final class ResultHandler extends AbstractFunction2<Object, ArrayList<CellResult>, BoxedUnit>
            implements java.io.Serializable {
        private final transient Committer committer;

        ResultHandler(Committer committer) {
            this.committer = committer;
        }

        @Override
        public BoxedUnit apply(Object partition, ArrayList<CellResult> results) {
            results.forEach(committer::offer);
            return BoxedUnit.UNIT;
        }
    }

    /** Batches results and commits them from its own thread, so Spark's scheduler thread never blocks on I/O. */
    private final class Committer implements Runnable {
        private final LinkedBlockingQueue<CellResult> queue = new LinkedBlockingQueue<>();
        private final Warehouse warehouse;
        private final SweepLock lock;
        private final String sweep;
        private final String runId;
        private final Set<String> replaced;
        private final long intervalNanos;
        private final Progress progress;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean finished;
        private int sequence;
        private int ok;
        private int diverged;
        private int failed;

        Committer(Warehouse warehouse, SweepLock lock, String sweep, String runId, Set<String> replaced,
                  int commitSeconds, Progress progress) {
            this.warehouse = warehouse;
            this.lock = lock;
            this.sweep = sweep;
            this.runId = runId;
            this.replaced = replaced;
            this.intervalNanos = TimeUnit.SECONDS.toNanos(commitSeconds);
            this.progress = progress;
        }

        void offer(CellResult result) {
            progress.completed(result);
            queue.add(result);
        }

        void finish() {
            finished = true;
        }

        Throwable failure() {
            return failure.get();
        }

        @Override
        public void run() {
            spark.sparkContext().setLocalProperty("spark.scheduler.pool", "commits");
            List<CellResult> batch = new ArrayList<>();
            long oldest = 0;
            try {
                while (true) {
                    CellResult next = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (cancelled.get() && !finished) {
                        // Again and again: a job submitted just after cancel() would otherwise run to its end.
                        spark.sparkContext().cancelJobGroup(JOB_GROUP);
                    }
                    if (next != null) {
                        if (batch.isEmpty()) {
                            oldest = System.nanoTime();
                        }
                        batch.add(next);
                        queue.drainTo(batch, MAX_BATCH - batch.size());
                    }
                    boolean last = finished && queue.isEmpty();
                    if (!batch.isEmpty() && (last || batch.size() >= MAX_BATCH
                            || System.nanoTime() - oldest >= intervalNanos)) {
                        commit(batch);
                        batch = new ArrayList<>();
                    }
                    if (last) {
                        return;
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
                log.error("Committing results failed; cancelling the sweep.", e);
                spark.sparkContext().cancelJobGroup(JOB_GROUP);
            }
        }

        private void commit(List<CellResult> batch) throws IOException {
            String commitId = runId + "-" + String.format("%05d", sequence++);
            long start = System.nanoTime();
            Set<String> replacing = new HashSet<>();
            batch.forEach(r -> {
                if (replaced.contains(r.cell().cellId())) {
                    replacing.add(r.cell().cellId());
                }
            });
            // A run whose lock was broken while it stalled must not commit beside the new holder.
            lock.verify();
            CommitManifest manifest = warehouse.commit(sweep, commitId, batch, replacing);
            if (log.isDebugEnabled()) {
                log.debug("committed {} cells ({} replacing earlier rows) in {} ms: {} files added, {} removed",
                        batch.size(), replacing.size(), (System.nanoTime() - start) / 1_000_000,
                        manifest.tables().stream().mapToInt(t -> t.added().size()).sum(),
                        manifest.tables().stream().mapToInt(t -> t.removed().size()).sum());
            }
            for (CellResult r : batch) {
                if (r.status() == RunStatus.OK) {
                    ok++;
                } else if (r.status() == RunStatus.DIVERGED) {
                    diverged++;
                } else {
                    failed++;
                }
            }
        }

        Outcome outcome(String run) {
            return new Outcome(run, 0, 0, ok + diverged + failed, ok, diverged, failed);
        }
    }
}
