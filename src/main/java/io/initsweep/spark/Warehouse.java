package io.initsweep.spark;

import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;
import io.initsweep.train.CellResult;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The result tables under one root ({@code --out}): {@code runs/}, {@code epochs/} and {@code layers/}, each a
 * directory of Parquet files that Spark reads as one table.
 *
 * <p>Commits are atomic across the three tables, so a cell is either in all of them or in none, whatever crashes:
 * <ol>
 *   <li>Spark writes the batch's rows into {@code _staging/<sweep>/<commit>/<table>/};</li>
 *   <li>a manifest listing every file to move (and, for {@code --force}, to delete) is written under a temporary
 *       name and renamed to {@code _READY}: the commit point;</li>
 *   <li>the files are moved into the tables ({@code runs} last) and the staging directory removed.</li>
 * </ol>
 * A crash before step 2 leaves only staging files, deleted by the next run of the sweep; a crash after it is
 * finished by the next run, which replays the manifest (every step is idempotent). Readers never see staging
 * files: Spark skips paths starting with {@code _}. Files are named {@code <sweep>~<commit>~<n>.<ext>} so a sweep's
 * files are found by prefix ('~' cannot occur in a sweep name).
 */
public final class Warehouse {
    private static final Logger log = LoggerFactory.getLogger(Warehouse.class);
    private static final String READY = "_READY";

    private final SparkSession spark;
    private final Path root;
    private final FileSystem fs;

    private Warehouse(SparkSession spark, Path root, FileSystem fs) {
        this.spark = spark;
        this.root = root;
        this.fs = fs;
    }

    /** @param location a local path or any Hadoop file system URI */
    public static Warehouse open(SparkSession spark, String location) throws IOException {
        Path root = qualify(location, spark);
        FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
        return new Warehouse(spark, fs.makeQualified(root), fs);
    }

    static Path qualify(String location, SparkSession spark) {
        URI uri = URI.create(location.replace(" ", "%20"));
        if (uri.getScheme() == null) {
            return new Path(java.nio.file.Path.of(location).toAbsolutePath().normalize().toUri());
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

    /** Takes the sweep's lock, then finishes or discards commits a crashed run left behind. */
    public SweepLock lock(String sweep, String runId) throws IOException {
        SweepLock lock = SweepLock.acquire(fs, new Path(root, "_locks"), sweep, runId);
        try {
            recover(sweep);
            return lock;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Replays committed manifests and deletes uncommitted staging of a sweep. Call with the lock held. */
    void recover(String sweep) throws IOException {
        Path staging = stagingRoot(sweep);
        if (!fs.exists(staging)) {
            return;
        }
        for (FileStatus commit : fs.listStatus(staging)) {
            Path manifest = new Path(commit.getPath(), READY);
            if (fs.exists(manifest)) {
                log.info("Finishing commit {} left by an interrupted run.", commit.getPath().getName());
                apply(readManifest(manifest));
            } else {
                log.info("Discarding uncommitted staging {}.", commit.getPath().getName());
            }
            fs.delete(commit.getPath(), true);
        }
    }

    /** Records which cells a sweep's spec asks for, atomically (written aside, then renamed over). */
    public void writeSweepRecord(SweepRecord record) throws IOException {
        Path dir = new Path(root, "_sweeps");
        fs.mkdirs(dir);
        Path temporary = new Path(dir, "." + record.sweep() + ".json." + record.runId());
        try (FSDataOutputStream out = fs.create(temporary, true)) {
            out.write(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(record));
        }
        Path target = new Path(dir, record.sweep() + ".json");
        fs.delete(target, false);
        if (!fs.rename(temporary, target)) {
            throw new IOException("could not write " + target);
        }
    }

    /** The sweep's record, or null if it never ran here. */
    public SweepRecord readSweepRecord(String sweep) throws IOException {
        Path file = new Path(new Path(root, "_sweeps"), sweep + ".json");
        if (!fs.exists(file)) {
            return null;
        }
        try (java.io.InputStream in = fs.open(file)) {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(in, SweepRecord.class);
        }
    }

    /** Names of the sweeps that ran here. */
    public List<String> sweeps() throws IOException {
        Path dir = new Path(root, "_sweeps");
        List<String> names = new ArrayList<>();
        if (fs.exists(dir)) {
            for (FileStatus status : fs.listStatus(dir, p -> p.getName().endsWith(".json")
                    && !p.getName().startsWith("."))) {
                String name = status.getPath().getName();
                names.add(name.substring(0, name.length() - ".json".length()));
            }
        }
        java.util.Collections.sort(names);
        return names;
    }

    /** Who holds a sweep's lock now, or null: a live run. */
    public SweepLock.Holder lockHolder(String sweep) throws IOException {
        return SweepLock.holder(fs, new Path(root, "_locks"), sweep);
    }

    /** Every table's rows, or an empty frame with the table's schema if nothing was written yet. */
    public Dataset<Row> read(Table<?> table) throws IOException {
        Path path = tablePath(table);
        if (!fs.exists(path) || fs.listStatus(path, p -> !p.getName().startsWith("_")
                && !p.getName().startsWith(".")).length == 0) {
            return spark.createDataFrame(List.of(), table.schema());
        }
        return spark.read().schema(table.schema()).parquet(path.toString());
    }

    /** Cell ids of a sweep already in {@code runs}. */
    public Set<String> completedCells(String sweep) throws IOException {
        Set<String> ids = new HashSet<>();
        for (Row row : read(Tables.RUNS).where(functions.col("sweep").equalTo(sweep)).select("cell_id")
                .collectAsList()) {
            ids.add(row.getString(0));
        }
        return ids;
    }

    /**
     * Commits finished cells to all three tables atomically.
     *
     * @param commitId unique per commit, e.g. the run id and a sequence number
     */
    public void commit(String sweep, String commitId, List<CellResult> results) throws IOException {
        Path staging = new Path(stagingRoot(sweep), commitId);
        // The three tables are staged by three Spark jobs at once: each is a tiny job whose cost is mostly
        // scheduling latency, and a commit that waits for them one after the other holds up the end of a sweep.
        java.util.concurrent.CompletableFuture<List<String[]>> epochs = stageAsync(staging, Tables.EPOCHS, results,
                Tables::epochRows, sweep, commitId);
        java.util.concurrent.CompletableFuture<List<String[]>> layers = stageAsync(staging, Tables.LAYERS, results,
                Tables::layerRows, sweep, commitId);
        java.util.concurrent.CompletableFuture<List<String[]>> runs = stageAsync(staging, Tables.RUNS, results,
                List::of, sweep, commitId);
        List<String[]> moves = new ArrayList<>();
        try {
            // runs last: a cell counts as done once its runs row is there, so its other rows must land before it.
            moves.addAll(epochs.get());
            moves.addAll(layers.get());
            moves.addAll(runs.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while staging commit " + commitId, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("staging commit " + commitId + " failed", e.getCause());
        }
        List<String> manifest = new ArrayList<>();
        moves.forEach(m -> manifest.add("add\t" + m[0] + "\t" + m[1]));
        publish(staging, manifest);
    }

    private <R> java.util.concurrent.CompletableFuture<List<String[]>> stageAsync(
            Path staging, Table<R> table, List<CellResult> results, Function<CellResult, List<R>> rowsOf,
            String sweep, String commitId) {
        String pool = spark.sparkContext().getLocalProperty("spark.scheduler.pool");
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            spark.sparkContext().setLocalProperty("spark.scheduler.pool", pool);
            try {
                return stage(staging, table, results, rowsOf, sweep, commitId);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * Replaces a sweep's rows of a derived table (one computed from the others, such as scheme_comparison) in one
     * atomic commit. Call with the sweep's lock held.
     */
    public <T> void replace(String sweep, String commitId, Table<T> table, List<T> sources) throws IOException {
        Path staging = new Path(stagingRoot(sweep), commitId);
        List<String> manifest = new ArrayList<>();
        for (Path old : sweepFiles(table, sweep)) {
            manifest.add("delete\t" + old);
        }
        if (!sources.isEmpty()) {
            List<Row> rows = sources.stream().map(table::toRow).toList();
            Path out = new Path(staging, table.name());
            spark.createDataFrame(rows, table.schema()).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                    .parquet(out.toString());
            for (String[] move : moves(out, tablePath(table), sweep, commitId)) {
                manifest.add("add\t" + move[0] + "\t" + move[1]);
            }
        }
        if (!manifest.isEmpty()) {
            publish(staging, manifest);
        }
    }

    /**
     * Removes every row of the given cells from all tables, in one atomic commit ({@code --force}).
     *
     * @return the number of runs rows removed
     */
    public long remove(String sweep, String commitId, Set<String> cellIds) throws IOException {
        Path staging = new Path(stagingRoot(sweep), commitId);
        Dataset<Row> targets = spark.createDataFrame(cellIds.stream().map(org.apache.spark.sql.RowFactory::create)
                .toList(), new org.apache.spark.sql.types.StructType().add("cell_id", "string"));
        List<String> manifest = new ArrayList<>();
        long removed = 0;
        for (Table<?> table : Tables.all()) {
            List<Path> files = sweepFiles(table, sweep);
            if (files.isEmpty()) {
                continue;
            }
            Dataset<Row> rows = spark.read().schema(table.schema())
                    .parquet(files.stream().map(Path::toString).toArray(String[]::new))
                    .withColumn("_file", functions.input_file_name());
            Dataset<Row> hit = rows.join(functions.broadcast(targets), "cell_id");
            List<String> touched = hit.select("_file").distinct().as(org.apache.spark.sql.Encoders.STRING())
                    .collectAsList();
            if (touched.isEmpty()) {
                continue;
            }
            if (table == Tables.RUNS) {
                removed = hit.count();
            }
            org.apache.spark.sql.Column[] columns = java.util.Arrays.stream(table.schema().fieldNames())
                    .map(functions::col).toArray(org.apache.spark.sql.Column[]::new);
            Dataset<Row> kept = rows.where(functions.col("_file").isin(touched.toArray()))
                    .join(functions.broadcast(targets), rows.col("cell_id").equalTo(targets.col("cell_id")),
                            "left_anti")
                    .select(columns);
            Path out = new Path(staging, table.name());
            kept.coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(out.toString());
            for (String[] move : moves(out, tablePath(table), sweep, commitId)) {
                manifest.add("add\t" + move[0] + "\t" + move[1]);
            }
            touched.forEach(f -> manifest.add("delete\t" + new Path(URI.create(f))));
        }
        if (!manifest.isEmpty()) {
            publish(staging, manifest);
        }
        return removed;
    }

    private <R> List<String[]> stage(Path staging, Table<R> table, List<CellResult> results,
                                     Function<CellResult, List<R>> rowsOf, String sweep, String commitId)
            throws IOException {
        List<Row> rows = new ArrayList<>();
        for (CellResult result : results) {
            rowsOf.apply(result).forEach(source -> rows.add(table.toRow(source)));
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        Path out = new Path(staging, table.name());
        spark.createDataFrame(rows, table.schema()).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                .parquet(out.toString());
        return moves(out, tablePath(table), sweep, commitId);
    }

    private List<String[]> moves(Path staged, Path tableDir, String sweep, String commitId) throws IOException {
        List<String[]> moves = new ArrayList<>();
        int n = 0;
        for (FileStatus file : fs.listStatus(staged)) {
            String name = file.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            String extension = name.substring(name.indexOf('.'));
            moves.add(new String[] {file.getPath().toString(),
                    new Path(tableDir, sweep + "~" + commitId + "~" + (n++) + extension).toString()});
        }
        return moves;
    }

    private void publish(Path staging, List<String> manifest) throws IOException {
        Path temporary = new Path(staging, "_READY.tmp");
        try (FSDataOutputStream out = fs.create(temporary, true)) {
            out.write((String.join("\n", manifest) + "\n").getBytes(StandardCharsets.UTF_8));
            out.hsync();
        }
        if (!fs.rename(temporary, new Path(staging, READY))) {
            throw new IOException("could not commit " + staging + ": rename of the manifest failed");
        }
        apply(manifest);
        fs.delete(staging, true);
    }

    /** Moves and deletes of a manifest; each step is skipped if it already happened, so replays are safe. */
    private void apply(List<String> manifest) throws IOException {
        for (String line : manifest) {
            String[] parts = line.split("\t");
            if (parts[0].equals("add")) {
                Path from = new Path(parts[1]);
                Path to = new Path(parts[2]);
                if (fs.exists(from)) {
                    fs.mkdirs(to.getParent());
                    if (fs.exists(to)) {
                        fs.delete(to, false); // a half-finished earlier replay
                    }
                    if (!fs.rename(from, to)) {
                        throw new IOException("could not move " + from + " to " + to);
                    }
                }
            } else if (parts[0].equals("delete")) {
                fs.delete(new Path(parts[1]), false);
            }
        }
    }

    private List<String> readManifest(Path manifest) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(manifest),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    private List<Path> sweepFiles(Table<?> table, String sweep) throws IOException {
        Path dir = tablePath(table);
        if (!fs.exists(dir)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        for (FileStatus status : fs.listStatus(dir, p -> p.getName().startsWith(sweep + "~"))) {
            files.add(status.getPath());
        }
        return files;
    }

    private Path stagingRoot(String sweep) {
        return new Path(new Path(root, "_staging"), sweep);
    }
}
