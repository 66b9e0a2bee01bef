package io.initsweep.spark;

import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;
import io.initsweep.train.CellResult;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Writes commits: stages a batch's rows with Spark, and the rewrites of the old files it replaces, then hands the
 * manifest to the {@link CommitLog}. Files are named {@code <sweep>~<commit>~<n>.<extension>} ('~' cannot occur in
 * a sweep name), which keeps them recognizable in a listing; what makes them part of a table is the log.
 */
final class CommitWriter {
    /** The tables a cell has rows in, in the order their files are moved: runs last. */
    private static final List<Table<?>> CELL_TABLES = List.of(Tables.EPOCHS, Tables.LAYERS, Tables.RUNS);

    private final SparkSession spark;
    private final FileSystem fs;
    private final Path root;
    private final CommitLog log;
    private final RowRemoval removal;
    /**
     * The Spark jobs of one commit (a few tiny jobs, whose cost is mostly scheduling latency) run at once. A pool
     * of our own: the common pool has a single thread on a 2-core machine.
     */
    private final ExecutorService jobs = Executors.newCachedThreadPool(new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "initsweep-commit-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    CommitWriter(SparkSession spark, FileSystem fs, Path root, CommitLog log) {
        this.spark = spark;
        this.fs = fs;
        this.root = root;
        this.log = log;
        this.removal = new RowRemoval(spark, fs, root);
    }

    /**
     * Commits finished cells to all their tables atomically; the earlier rows of {@code replaced} (cells retrained
     * on purpose) leave in the same commit. Call with the sweep's lock held.
     */
    CommitManifest commit(String sweep, String commitId, List<CellResult> results, Set<String> replaced)
            throws IOException {
        Path staging = log.staging(sweep, commitId);
        fs.mkdirs(staging);
        CommitLog.Snapshot live = replaced.isEmpty() ? null : log.snapshot(sweep);
        Map<Table<?>, CompletableFuture<List<FileStatus>>> fresh = new LinkedHashMap<>();
        Map<Table<?>, CompletableFuture<RowRemoval.Removal>> removals = new LinkedHashMap<>();
        fresh.put(Tables.EPOCHS, async(() -> stage(new Path(staging, Tables.EPOCHS.name()), Tables.EPOCHS, results,
                Tables::epochRows)));
        fresh.put(Tables.LAYERS, async(() -> stage(new Path(staging, Tables.LAYERS.name()), Tables.LAYERS, results,
                Tables::layerRows)));
        fresh.put(Tables.RUNS, async(() -> stage(new Path(staging, Tables.RUNS.name()), Tables.RUNS, results,
                List::of)));
        for (Table<?> table : CELL_TABLES) {
            removals.put(table, replaced.isEmpty() ? CompletableFuture.completedFuture(RowRemoval.Removal.NONE)
                    : async(() -> removal.stage(live, table, replaced, new Path(staging, table.name() + "-kept"))));
        }
        List<CommitManifest.TableChange> changes = new ArrayList<>();
        for (Table<?> table : CELL_TABLES) {
            String prefix = sweep + "~" + commitId + "~";
            int n = 0;
            List<CommitManifest.DataFile> added = new ArrayList<>();
            for (FileStatus file : join(fresh.get(table), commitId)) {
                added.add(dataFile(file, prefix + (n++), cellsWithRows(table, results)));
            }
            RowRemoval.Removal removed = join(removals.get(table), commitId);
            for (FileStatus file : removed.kept()) {
                added.add(dataFile(file, prefix + (n++), removed.keptCells()));
            }
            if (!added.isEmpty() || !removed.removed().isEmpty()) {
                changes.add(new CommitManifest.TableChange(table.name(), added, removed.removed()));
            }
        }
        CommitManifest manifest = new CommitManifest(CommitManifest.FORMAT, sweep, commitId,
                log.nextSequence(sweep), CommitManifest.Operation.CELLS, Instant.now().toString(),
                List.copyOf(new TreeSet<>(replaced)), changes);
        log.commit(manifest);
        return manifest;
    }

    /**
     * Replaces the sweep's rows of a derived table (one computed from the others, such as scheme_comparison) in one
     * atomic commit. Call with the sweep's lock held.
     */
    <T> void replace(String sweep, String commitId, Table<T> table, List<T> sources) throws IOException {
        Path staging = log.staging(sweep, commitId);
        fs.mkdirs(staging);
        List<String> removed = log.snapshot(sweep).files(table).stream().map(CommitLog.LiveFile::name).toList();
        List<CommitManifest.DataFile> added = new ArrayList<>();
        if (!sources.isEmpty()) {
            Path out = new Path(staging, table.name());
            write(table, sources.stream().map(table::toRow).toList(), out);
            int n = 0;
            for (FileStatus file : dataFiles(fs, out)) {
                added.add(dataFile(file, sweep + "~" + commitId + "~" + (n++), List.of()));
            }
        }
        if (added.isEmpty() && removed.isEmpty()) {
            fs.delete(staging, true);
            return;
        }
        log.commit(new CommitManifest(CommitManifest.FORMAT, sweep, commitId, log.nextSequence(sweep),
                CommitManifest.Operation.DERIVED, Instant.now().toString(), List.of(),
                List.of(new CommitManifest.TableChange(table.name(), added, removed))));
    }

    private <R> List<FileStatus> stage(Path out, Table<R> table, List<CellResult> results,
                                       Function<CellResult, List<R>> rowsOf) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (CellResult result : results) {
            rowsOf.apply(result).forEach(source -> rows.add(table.toRow(source)));
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        write(table, rows, out);
        return dataFiles(fs, out);
    }

    private void write(Table<?> table, List<Row> rows, Path out) {
        spark.createDataFrame(rows, table.schema()).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                .parquet(out.toString());
    }

    /** The cells with rows in a table: every cell has a runs row; epochs and layers only if it recorded any. */
    private static List<String> cellsWithRows(Table<?> table, List<CellResult> results) {
        return results.stream().filter(r -> table == Tables.RUNS
                        || (table == Tables.EPOCHS ? !r.epochs().isEmpty() : !r.layers().isEmpty()))
                .map(r -> r.cell().cellId()).distinct().toList();
    }

    private CommitManifest.DataFile dataFile(FileStatus staged, String baseName, List<String> cells) {
        String name = staged.getPath().getName();
        return new CommitManifest.DataFile(baseName + name.substring(name.indexOf('.')),
                log.relative(staged.getPath()), staged.getLen(), cells);
    }

    /** The data files Spark wrote into a directory (not its _SUCCESS marker or checksum files). */
    static List<FileStatus> dataFiles(FileSystem fs, Path dir) throws IOException {
        List<FileStatus> files = new ArrayList<>();
        for (FileStatus file : fs.listStatus(dir)) {
            String name = file.getPath().getName();
            if (file.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                files.add(file);
            }
        }
        return files;
    }

    /** Runs a commit's Spark job on the pool, in the caller's scheduler pool and outside any job group. */
    private <T> CompletableFuture<T> async(IoSupplier<T> job) {
        SparkContext sc = spark.sparkContext();
        String pool = sc.getLocalProperty("spark.scheduler.pool");
        return CompletableFuture.supplyAsync(() -> {
            // Spark's local properties are inherited by new threads: a pool thread may carry the job group of
            // the cells, which Ctrl-C cancels; a commit must not be cancelled with them.
            sc.clearJobGroup();
            sc.setLocalProperty("spark.scheduler.pool", pool);
            try {
                return job.get();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, jobs);
    }

    private static <T> T join(CompletableFuture<T> future, String commitId) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while staging commit " + commitId, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw new IOException("staging commit " + commitId + " failed: " + cause.getMessage(), cause);
        }
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws IOException;
    }
}
