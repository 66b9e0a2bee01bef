package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;
import io.initsweep.train.CellResult;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The result tables under one root ({@code --out}): {@code runs/}, {@code epochs/}, {@code layers/} and
 * {@code scheme_comparison/}, each a directory of Parquet files, and beside them what keeps them exact:
 * <ul>
 *   <li>{@code _commits/<sweep>/}: each sweep's commit log, which says which files hold its rows
 *       ({@link CommitLog}, {@link CommitManifest});</li>
 *   <li>{@code _staging/<sweep>/}: files of commits under way;</li>
 *   <li>{@code _sweeps/<sweep>.json}: the cells each sweep's latest spec asked for ({@link SweepRecords});</li>
 *   <li>{@code _locks/<sweep>.lock}: one writer per sweep ({@link SweepLock});</li>
 *   <li>{@code _sources/<sweep>/<source_id>.zip}: the model files of the source networks of transfer cells
 *       ({@link SourceFiles}).</li>
 * </ul>
 * This class puts the parts together: commits ({@link CommitWriter}, {@link RowRemoval}), reads
 * ({@link TableReader}), the adoption of warehouses written before the log ({@link Baseline}).
 */
public final class Warehouse {
    private final SparkSession spark;
    private final Path root;
    private final FileSystem fs;
    private final CommitLog commits;
    private final SweepRecords records;
    private final TableReader reader;
    private final CommitWriter writer;

    private Warehouse(SparkSession spark, Path root, FileSystem fs) {
        // The warehouse writes its own files; in a session whose SQL is read-only it does so from a session of
        // its own (the catalog is shared, the guard is not).
        this.spark = ReadOnlyGuard.writable(spark);
        this.root = root;
        this.fs = fs;
        this.commits = new CommitLog(fs, root);
        this.records = new SweepRecords(fs, root);
        this.reader = new TableReader(this.spark, fs, root, commits);
        this.writer = new CommitWriter(this.spark, fs, root, commits);
    }

    /**
     * Opens a warehouse to read it (it need not exist yet).
     *
     * @param location a local path or any Hadoop file system URI
     * @throws InitsweepException {@link FailureKind#BAD_ENVIRONMENT} if the location names a regular file, an
     *                            unknown host or a file system that cannot be reached
     */
    public static Warehouse open(SparkSession spark, String location) {
        Path root;
        FileSystem fs;
        try {
            root = qualify(location, spark);
            fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            root = fs.makeQualified(root);
        } catch (IOException | RuntimeException e) {
            throw unusable(location, e);
        }
        FileStatus status;
        try {
            status = fs.getFileStatus(root);
        } catch (FileNotFoundException e) {
            status = null;
        } catch (IOException | RuntimeException e) {
            throw unusable(location, e);
        }
        if (status != null && !status.isDirectory()) {
            throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, "the warehouse " + location
                    + " is a regular file; --out names the directory that holds (or will hold) the tables");
        }
        return new Warehouse(spark, root, fs);
    }

    /**
     * Opens a warehouse to write it: as {@link #open}, and it must be writable, checked by creating and deleting a
     * file in it, before anything else is written.
     */
    public static Warehouse openForWriting(SparkSession spark, String location) {
        Warehouse warehouse = open(spark, location);
        FileSystem fs = warehouse.fs;
        Path probe = new Path(warehouse.root, ".initsweep-probe-" + UUID.randomUUID());
        try {
            // What the probe creates is removed again: nothing is written before the command has checked its
            // input, and a refused command leaves no empty warehouse behind.
            List<Path> created = new java.util.ArrayList<>();
            for (Path dir = warehouse.root; dir != null && !fs.exists(dir); dir = dir.getParent()) {
                created.add(dir);
            }
            if (!fs.mkdirs(warehouse.root)) {
                throw new IOException("could not create the directory");
            }
            fs.create(probe, false).close();
            fs.delete(probe, false);
            for (Path dir : created) {
                try {
                    fs.delete(dir, false); // not recursive: a directory someone else filled meanwhile stays
                } catch (IOException ignored) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, "cannot write the warehouse " + location
                    + ": " + reason(e), e);
        }
        return warehouse;
    }

    private static InitsweepException unusable(String location, Throwable e) {
        return new InitsweepException(FailureKind.BAD_ENVIRONMENT, "cannot use the warehouse " + location + ": "
                + reason(e), e);
    }

    /** The most telling cause of a file system failure, in a few words. */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof java.nio.file.AccessDeniedException
                    || t instanceof org.apache.hadoop.security.AccessControlException) {
                return "permission denied (" + firstLine(t) + ")";
            }
            if (t instanceof java.net.ConnectException) {
                return "cannot connect (" + firstLine(t) + ")";
            }
        }
        Throwable last = e;
        while (last.getCause() != null && last.getCause() != last) {
            last = last.getCause();
        }
        return firstLine(last);
    }

    private static String firstLine(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName()
                : message.lines().findFirst().orElse(message);
    }

    static Path qualify(String location, SparkSession spark) {
        URI uri = URI.create(location.replace(" ", "%20"));
        if (uri.getScheme() == null) {
            // An existing directory's URI ends in '/': without it, the warehouse reads the same whether it exists.
            String local = java.nio.file.Path.of(location).toAbsolutePath().normalize().toUri().toString();
            return new Path(URI.create(local.length() > "file:///".length() && local.endsWith("/")
                    ? local.substring(0, local.length() - 1) : local));
        }
        return new Path(location);
    }

    public Path root() {
        return root;
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Path tablePath(Table<?> table) {
        return new Path(root, table.name());
    }

    CommitLog commits() {
        return commits;
    }

    SparkSession spark() {
        return spark;
    }

    /**
     * Takes the sweep's lock, then finishes or discards the commits a crashed run left behind and adopts the files
     * of a sweep written before the commit log.
     */
    public SweepLock lock(String sweep, String runId) throws IOException {
        SweepLock lock = SweepLock.acquire(fs, new Path(root, "_locks"), sweep, runId);
        try {
            commits.recover(sweep);
            Baseline.adopt(spark, commits, sweep);
            return lock;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Who holds a sweep's lock now, or null: a live run. */
    public SweepLock.Holder lockHolder(String sweep) throws IOException {
        return SweepLock.holder(fs, new Path(root, "_locks"), sweep);
    }

    /** Records which cells a sweep's spec asks for. Call with the sweep's lock held. */
    public void writeSweepRecord(SweepRecord record) throws IOException {
        records.write(record);
    }

    /** The sweep's record, or null if it never ran here. */
    public SweepRecord readSweepRecord(String sweep) throws IOException {
        return records.read(sweep);
    }

    /** Names of the sweeps that ran here. */
    public List<String> sweeps() throws IOException {
        return records.sweeps();
    }

    /** Every sweep with rows here: those with a commit log and those written before it (a record only). */
    List<String> sweepsWithRows() throws IOException {
        Set<String> names = new TreeSet<>(records.sweeps());
        names.addAll(commits.sweeps());
        return List.copyOf(names);
    }

    /**
     * Every sweep's rows of a table, from the files their commit logs name (a file no commit wrote is not read), or
     * an empty frame with the table's schema.
     */
    public Dataset<Row> read(Table<?> table) throws IOException {
        return reader.read(table, sweepsWithRows());
    }

    /** One sweep's rows of a table. */
    public Dataset<Row> read(Table<?> table, String sweep) throws IOException {
        return reader.read(table, List.of(sweep));
    }

    /** The sweep's cells that have a runs row, by cell id. */
    public Map<String, StoredRun> storedRuns(String sweep) throws IOException {
        return storedRuns(List.of(sweep)).getOrDefault(sweep, Map.of());
    }

    /** The runs rows of several sweeps: sweep -> cell id -> row. */
    public Map<String, Map<String, StoredRun>> storedRuns(Collection<String> sweeps) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return collectRuns(sweeps);
            } catch (RuntimeException e) {
                // Without the lock, a commit of a running sweep may move or delete a file between our look at the
                // log and the read (--force replaces a file at every commit): read again from the log as it is
                // now, after a pause that lets the commit finish.
                if (attempt == 5 || !notFound(e)) {
                    throw e;
                }
                pause(200L * attempt);
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the runs table", e);
        }
    }

    private Map<String, Map<String, StoredRun>> collectRuns(Collection<String> sweeps) throws IOException {
        Map<String, Map<String, StoredRun>> runs = new HashMap<>();
        for (Row row : reader.read(Tables.RUNS, sweeps)
                .select("sweep", "cell_id", "status", "final_test_loss", "final_test_accuracy", "epochs_to_target",
                        "finished_at")
                .where(functions.col("sweep").isin(sweeps.toArray())).collectAsList()) {
            StoredRun run = new StoredRun(row.getString(1), row.getString(2), (Double) row.get(3),
                    (Double) row.get(4), (Integer) row.get(5), row.getTimestamp(6).toInstant());
            runs.computeIfAbsent(row.getString(0), s -> new HashMap<>()).put(run.cellId(), run);
        }
        return runs;
    }

    private static boolean notFound(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FileNotFoundException || String.valueOf(t.getMessage()).contains("does not exist")) {
                return true;
            }
        }
        return false;
    }

    /** Commits finished cells to all three tables atomically. Call with the sweep's lock held. */
    public void commit(String sweep, String commitId, List<CellResult> results) throws IOException {
        commit(sweep, commitId, results, Set.of());
    }

    /**
     * Commits finished cells, replacing the earlier rows of {@code replaced} in the same atomic commit: a crash
     * leaves each such cell with its old rows or its new ones. Call with the sweep's lock held.
     *
     * @param commitId unique per commit, e.g. the run id and a sequence number
     */
    public CommitManifest commit(String sweep, String commitId, List<CellResult> results, Set<String> replaced)
            throws IOException {
        return writer.commit(sweep, commitId, results, replaced);
    }

    /**
     * Compacts a sweep's tables under its lock: every table with more files than its rows need is rewritten into a
     * few large files in one atomic commit ({@link Compaction}). Idempotent: a compacted sweep is left as it is.
     *
     * @throws SweepLock.HeldException if a run of the sweep holds its lock
     */
    public Compaction.Result compact(String sweep) throws IOException {
        String runId = "compact-" + RunIds.next();
        try (SweepLock lock = lock(sweep, runId)) {
            lock.verify();
            return Compaction.compact(this, sweep, runId, 1);
        }
    }

    /**
     * Replaces a sweep's rows of a derived table (one computed from the others, such as scheme_comparison) in one
     * atomic commit. Call with the sweep's lock held.
     */
    public <T> void replace(String sweep, String commitId, Table<T> table, List<T> sources) throws IOException {
        writer.replace(sweep, commitId, table, sources);
    }
}
