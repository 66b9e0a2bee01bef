package io.initsweep.spark;

import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rewrites a sweep's many small files into a few large ones. A sweep commits every few seconds, one file per table
 * each time, so a long sweep leaves thousands of small Parquet files per table, and every resume check and query
 * opens them all. Compaction is a commit like any other ({@link CommitManifest.Operation#COMPACT}): the new files
 * are staged, one manifest adds them and removes the old ones (the commit point), then the new files are moved in
 * and the old ones deleted. So it is atomic, it survives kill -9 at any step (recovery finishes or discards it, as it
 * does for cells), and it runs under the sweep's lock, beside runs of other sweeps.
 *
 * <p>Each cell's rows of a table land in exactly one new file (rows are distributed by cell id), so the manifest
 * still says which files hold which cells, and a later {@code --force} rewrites only the files of its cells.
 *
 * <p>The old files are deleted a grace period after the new ones are in place ({@code initsweep.compaction.grace-seconds},
 * default {@link #GRACE_SECONDS}): a query that listed the table just before can still open them. initsweep's own
 * reads follow the log and never see both; SQL over the directory sees both for that moment, and the unique_* views
 * count each cell once.
 */
public final class Compaction {
    private static final Logger log = LoggerFactory.getLogger(Compaction.class);
    /** About this many bytes per compacted file: large enough that a table is a few files, small enough to split. */
    static final long TARGET_BYTES = 128L << 20;
    /** Files a table may have before a completed sweep compacts itself. */
    public static final int AUTOMATIC_THRESHOLD = 16;
    static final long GRACE_SECONDS = 10;
    /** The per-cell tables, in the order a commit moves them: runs last. */
    private static final List<Table<?>> TABLES = List.of(Tables.EPOCHS, Tables.LAYERS, Tables.RUNS);

    private Compaction() {
    }

    /**
     * What compaction did to one table.
     *
     * @param table        the table
     * @param filesBefore  the sweep's live files before
     * @param filesAfter   after
     * @param bytesBefore  their total size before
     * @param bytesAfter   after
     * @param rows         rows in the files rewritten (unchanged by definition; checked on the staged files)
     */
    public record TableResult(String table, int filesBefore, int filesAfter, long bytesBefore, long bytesAfter,
                              long rows) {
    }

    /** What compaction did to a sweep: its tables, and the commit, or null when there was nothing to do. */
    public record Result(String sweep, String commit, List<TableResult> tables) {
        public Result {
            Objects.requireNonNull(sweep, "sweep is null");
            tables = List.copyOf(tables);
        }

        public boolean changed() {
            return commit != null;
        }
    }

    /**
     * Compacts every per-cell table of the sweep that has more than {@code threshold} live files, or more files
     * than its rows need. Call with the sweep's lock held.
     *
     * @param threshold compact a table only if it has more live files than this (1 for "any table it can shrink")
     */
    static Result compact(Warehouse warehouse, String sweep, String commitId, int threshold) throws IOException {
        Plan plan = prepare(warehouse, sweep, commitId, threshold);
        if (plan.manifest() == null) {
            return plan.result();
        }
        CommitLog commits = warehouse.commits();
        commits.publish(plan.manifest());
        commits.apply(plan.manifest(), graceMillis());
        warehouse.fileSystem().delete(commits.staging(sweep, commitId), true);
        log.info("Compacted sweep {}: {}", sweep, plan.result().tables());
        return plan.result();
    }

    /** A staged compaction: its manifest (null if there is nothing to compact) and what it does. */
    record Plan(CommitManifest manifest, Result result) {
    }

    /** Stages the new files and builds the manifest, without committing it. Call with the sweep's lock held. */
    static Plan prepare(Warehouse warehouse, String sweep, String commitId, int threshold) throws IOException {
        CommitLog commits = warehouse.commits();
        SparkSession spark = warehouse.spark();
        FileSystem fs = warehouse.fileSystem();
        CommitLog.Snapshot snapshot = commits.snapshot(sweep);
        if (snapshot.legacy()) {
            return new Plan(null, new Result(sweep, null, List.of()));
        }
        Path staging = commits.staging(sweep, commitId);
        Map<String, FileStatus> listing;
        List<CommitManifest.TableChange> changes = new ArrayList<>();
        List<TableResult> results = new ArrayList<>();
        for (Table<?> table : TABLES) {
            List<CommitLog.LiveFile> files = snapshot.files(table);
            long bytes = files.stream().mapToLong(f -> f.file().bytes()).sum();
            int outputs = (int) Math.max(1, (bytes + TARGET_BYTES - 1) / TARGET_BYTES);
            if (files.size() <= Math.max(threshold, outputs)) {
                results.add(new TableResult(table.name(), files.size(), files.size(), bytes, bytes, -1));
                continue;
            }
            listing = commits.listTable(table.name());
            List<String> paths = new ArrayList<>();
            for (CommitLog.LiveFile file : files) {
                Path location = file.location(warehouse.root(), listing, fs);
                if (location == null) {
                    throw new IOException(table.name() + "/" + file.name() + " of sweep " + sweep + " is missing; "
                            + "compaction needs every live file (jobs/initsweep check lists the problems)");
                }
                paths.add(location.toString());
            }
            Path out = new Path(staging, table.name());
            spark.read().schema(table.schema()).parquet(paths.toArray(String[]::new))
                    .repartition(outputs, functions.col("cell_id"))
                    .sortWithinPartitions("cell_id")
                    .write().mode(SaveMode.ErrorIfExists).parquet(out.toString());
            // Which cells each new file holds, and that no row was lost or doubled on the way.
            Map<String, Set<String>> cells = new HashMap<>();
            long rowsIn = 0;
            for (Row row : spark.read().schema(table.schema()).parquet(out.toString())
                    .groupBy(functions.input_file_name(), functions.col("cell_id")).count().collectAsList()) {
                String name = new Path(URI.create(row.getString(0))).getName();
                cells.computeIfAbsent(name, n -> new TreeSet<>()).add(row.getString(1));
                rowsIn += row.getLong(2);
            }
            long rowsBefore = spark.read().schema(table.schema()).parquet(paths.toArray(String[]::new)).count();
            if (rowsIn != rowsBefore) {
                throw new IOException("compacting " + table.name() + " of sweep " + sweep + " gave " + rowsIn
                        + " rows from " + rowsBefore + "; nothing was changed");
            }
            List<CommitManifest.DataFile> added = new ArrayList<>();
            long bytesAfter = 0;
            int n = 0;
            for (FileStatus file : CommitWriter.dataFiles(fs, out)) {
                Set<String> ofFile = cells.get(file.getPath().getName());
                if (ofFile == null) {
                    continue; // an empty partition's file: no rows, not worth a place in the table
                }
                String name = file.getPath().getName();
                added.add(new CommitManifest.DataFile(sweep + "~" + commitId + "~" + (n++)
                        + name.substring(name.indexOf('.')), commits.relative(file.getPath()), file.getLen(),
                        List.copyOf(ofFile)));
                bytesAfter += file.getLen();
            }
            changes.add(new CommitManifest.TableChange(table.name(), added,
                    files.stream().map(CommitLog.LiveFile::name).toList()));
            results.add(new TableResult(table.name(), files.size(), added.size(), bytes, bytesAfter, rowsIn));
        }
        if (changes.isEmpty()) {
            fs.delete(staging, true);
            return new Plan(null, new Result(sweep, null, results));
        }
        return new Plan(new CommitManifest(CommitManifest.FORMAT, sweep, commitId, commits.nextSequence(sweep),
                CommitManifest.Operation.COMPACT, Instant.now().toString(), List.of(), changes),
                new Result(sweep, commitId, results));
    }

    static long graceMillis() {
        return 1000L * Long.getLong("initsweep.compaction.grace-seconds", GRACE_SECONDS);
    }
}
