package io.initsweep.spark;

import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Compares a warehouse's table directories with its sweeps' commit logs. What it finds:
 * <ul>
 *   <li>stray files: in a table's directory, but no commit wrote them (a copy made by hand, a foreign or truncated
 *       file) or a commit removed them. initsweep's own reads skip them; SQL over the catalog's tables sees them
 *       (the catalog's views count each cell once). {@link #repair} moves them to {@code _quarantine/};</li>
 *   <li>live files that are missing or damaged (their length is not what their commit wrote);</li>
 *   <li>cells with more than one runs row among a sweep's live files.</li>
 * </ul>
 */
public final class WarehouseCheck {
    static final String QUARANTINE = "_quarantine";

    private WarehouseCheck() {
    }

    /**
     * A problem of the warehouse.
     *
     * @param kind   what is wrong
     * @param table  the table
     * @param file   the file's name in the table's directory; for a duplicate, the files that hold the cell
     * @param sweep  the sweep concerned, null for a stray file
     * @param detail what else is known, in words
     */
    public record Finding(Kind kind, String table, String file, String sweep, String detail) {
        public Finding {
            Objects.requireNonNull(kind, "kind is null");
            Objects.requireNonNull(table, "table is null");
            Objects.requireNonNull(file, "file is null");
            Objects.requireNonNull(detail, "detail is null");
        }

        /** What went wrong. */
        public enum Kind {
            /** A file no commit wrote, or one a commit removed. */
            STRAY,
            /** A live file that is not there. */
            MISSING,
            /** A live file whose length is not what its commit wrote. */
            DAMAGED,
            /** A cell with more than one runs row among its sweep's live files. */
            DUPLICATE
        }

        /** Whether {@link #repair} fixes it (moving the file to quarantine). */
        public boolean repairable() {
            return kind == Kind.STRAY;
        }

        /** One line: the file (or cell) and what is wrong with it. */
        public String describe() {
            return switch (kind) {
                case STRAY -> table + "/" + file + " is not part of any commit: " + detail;
                case MISSING -> table + "/" + file + " of sweep " + sweep + " is missing: " + detail;
                case DAMAGED -> table + "/" + file + " of sweep " + sweep + " is damaged: " + detail;
                case DUPLICATE -> detail + " (" + table + "/" + file + ")";
            };
        }
    }

    /** What {@link #check} found. */
    public record Report(String warehouse, List<Finding> findings) {
        public Report {
            Objects.requireNonNull(warehouse, "warehouse is null");
            findings = List.copyOf(findings);
        }

        public boolean clean() {
            return findings.isEmpty();
        }
    }

    /** A file {@link #repair} moved, as paths relative to the warehouse. */
    public record Moved(String from, String to) {
    }

    /** What {@link #repair} did, and what remains. */
    public record Repair(List<Moved> moved, Report after) {
        public Repair {
            moved = List.copyOf(moved);
            Objects.requireNonNull(after, "after is null");
        }
    }

    /**
     * The problems visible from file listings and the logs alone, without reading any data: quick enough for every
     * command to run before it starts, to warn.
     */
    public static List<Finding> scan(Warehouse warehouse) throws IOException {
        return scan(warehouse, null);
    }

    private static List<Finding> scan(Warehouse warehouse, String onlySweep) throws IOException {
        CommitLog commits = warehouse.commits();
        // Listings before logs: a file a commit is moving in is then in the log too, or still in staging.
        Map<String, Map<String, FileStatus>> listings = new HashMap<>();
        for (Table<?> table : Tables.catalog()) {
            listings.put(table.name(), commits.listTable(table.name()));
        }
        Map<String, Map<String, CommitLog.LiveFile>> live = new HashMap<>();
        Map<String, Map<String, String>> liveSweep = new HashMap<>();
        Map<String, Map<String, String>> removed = new HashMap<>();
        List<Finding> findings = new ArrayList<>();
        for (String sweep : warehouse.sweepsWithRows()) {
            CommitLog.Snapshot snapshot = commits.snapshot(sweep);
            snapshot.tables().forEach((table, files) -> files.forEach(file -> {
                live.computeIfAbsent(table, t -> new HashMap<>()).put(file.name(), file);
                liveSweep.computeIfAbsent(table, t -> new HashMap<>()).put(file.name(), sweep);
            }));
            snapshot.removedBy().forEach((table, files) -> files.forEach((name, commit) ->
                    removed.computeIfAbsent(table, t -> new HashMap<>()).put(name, "commit " + commit + " of sweep "
                            + sweep)));
        }
        for (Table<?> table : Tables.catalog()) {
            Map<String, FileStatus> listing = listings.get(table.name());
            Map<String, CommitLog.LiveFile> liveFiles = live.getOrDefault(table.name(), Map.of());
            for (FileStatus status : listing.values()) {
                String name = status.getPath().getName();
                CommitLog.LiveFile file = liveFiles.get(name);
                if (file == null) {
                    String by = removed.getOrDefault(table.name(), Map.of()).get(name);
                    findings.add(new Finding(Finding.Kind.STRAY, table.name(), name, null, status.getLen()
                            + " bytes, " + (by != null ? "removed by " + by + " (a crash interrupted the commit, or "
                            + "the file was put back)" : "written by no commit (a copy, or not initsweep's)")));
                }
            }
            for (CommitLog.LiveFile file : liveFiles.values()) {
                String sweep = liveSweep.get(table.name()).get(file.name());
                if (onlySweep != null && !onlySweep.equals(sweep)) {
                    continue;
                }
                FileStatus listed = listing.get(file.name());
                Path location = file.location(warehouse.root(), listing, warehouse.fileSystem());
                if (location == null) {
                    findings.add(new Finding(Finding.Kind.MISSING, table.name(), file.name(), sweep,
                            "written by commit " + file.commit() + ", no longer in the warehouse"));
                } else if (listed != null && listed.getLen() != file.file().bytes()) {
                    findings.add(new Finding(Finding.Kind.DAMAGED, table.name(), file.name(), sweep,
                            listed.getLen() + " bytes, commit " + file.commit() + " wrote " + file.file().bytes()));
                }
            }
        }
        findings.sort(Comparator.comparing(Finding::kind).thenComparing(Finding::table).thenComparing(Finding::file));
        return findings;
    }

    /**
     * Everything {@link #scan} finds, with what the stray files hold (readable? rows of cells already counted?),
     * and the cells that appear twice among a sweep's live files.
     *
     * @param sweep only this sweep's live files; null for all (stray files belong to no sweep and are always listed)
     */
    public static Report check(Warehouse warehouse, String sweep) throws IOException {
        List<Finding> scanned = scan(warehouse, sweep);
        List<Finding> findings = new ArrayList<>();
        Set<String> damagedSweeps = new HashSet<>();
        for (Finding finding : scanned) {
            if (finding.kind() == Finding.Kind.STRAY) {
                finding = new Finding(finding.kind(), finding.table(), finding.file(), null,
                        finding.detail() + "; " + contents(warehouse, finding));
            } else if (finding.kind() == Finding.Kind.DAMAGED) {
                damagedSweeps.add(finding.sweep());
            }
            findings.add(finding);
        }
        List<String> sweeps = sweep != null ? List.of(sweep) : warehouse.sweepsWithRows();
        for (String name : sweeps) {
            if (!damagedSweeps.contains(name)) {
                findings.addAll(duplicates(warehouse, name));
            }
        }
        return new Report(warehouse.root().toString(), findings);
    }

    /** What a stray file holds: whether it is readable, and whether its cells are already in the table. */
    private static String contents(Warehouse warehouse, Finding stray) throws IOException {
        Path path = new Path(warehouse.tablePath(table(stray.table())), stray.file());
        long rows;
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path,
                warehouse.fileSystem().getConf()))) {
            rows = reader.getRecordCount();
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            return "not a readable Parquet file (" + message + ")";
        }
        Table<?> table = table(stray.table());
        if (!Arrays.asList(table.schema().fieldNames()).contains("cell_id")) {
            return rows + " rows";
        }
        Set<String> counted = new HashSet<>();
        for (String sweep : warehouse.sweepsWithRows()) {
            CommitLog.Snapshot snapshot = warehouse.commits().snapshot(sweep);
            if (!snapshot.legacy()) {
                snapshot.cells(table).forEach(c -> counted.add(sweep + "/" + c));
            }
        }
        long repeated = 0;
        long cells = 0;
        try {
            for (Row row : warehouse.spark().read().schema(table.schema()).parquet(path.toString())
                    .select("sweep", "cell_id").distinct().collectAsList()) {
                cells++;
                if (counted.contains(row.getString(0) + "/" + row.getString(1))) {
                    repeated++;
                }
            }
        } catch (RuntimeException e) {
            return rows + " rows, unreadable (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                    + ")";
        }
        return rows + " rows of " + cells + " cells, " + (repeated == cells && cells > 0 ? "all" : repeated)
                + " of them already in the table's live files" + (repeated > 0 ? ": SQL over the table counts them "
                + "twice" : "");
    }

    /** Cells of a sweep with more than one runs row among its live files. */
    private static List<Finding> duplicates(Warehouse warehouse, String sweep) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (Row row : warehouse.read(Tables.RUNS, sweep)
                .withColumn("file", functions.input_file_name())
                .groupBy("cell_id").agg(functions.count("*").as("n"),
                        functions.sort_array(functions.collect_set("file")).as("files"))
                .where(functions.col("n").gt(1)).orderBy("cell_id").collectAsList()) {
            List<String> files = row.<String>getList(2).stream()
                    .map(f -> new Path(java.net.URI.create(f)).getName()).toList();
            findings.add(new Finding(Finding.Kind.DUPLICATE, Tables.RUNS.name(), String.join(", ", files), sweep,
                    "cell " + row.getString(0) + " of sweep " + sweep + " has " + row.getLong(1) + " runs rows"));
        }
        return findings;
    }

    /**
     * Moves every stray file into {@code _quarantine/<time>/<table>/}, nothing deleted, under the locks of all
     * the warehouse's sweeps (taking them finishes interrupted commits first, and no commit can move a file in
     * while the listing is compared with the logs).
     *
     * @throws SweepLock.HeldException if a sweep is running
     */
    public static Repair repair(Warehouse warehouse, String sweep) throws IOException {
        String runId = "repair-" + RunIds.next();
        List<SweepLock> locks = new ArrayList<>();
        List<Moved> moved = new ArrayList<>();
        try {
            for (String name : warehouse.sweepsWithRows()) {
                locks.add(warehouse.lock(name, runId));
            }
            String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                    .format(ZonedDateTime.now(ZoneOffset.UTC));
            Path quarantine = new Path(new Path(warehouse.root(), QUARANTINE), stamp);
            for (Finding finding : scan(warehouse, sweep)) {
                if (!finding.repairable()) {
                    continue;
                }
                Path from = new Path(warehouse.tablePath(table(finding.table())), finding.file());
                Path to = new Path(new Path(quarantine, finding.table()), finding.file());
                warehouse.fileSystem().mkdirs(to.getParent());
                if (!warehouse.fileSystem().rename(from, to)) {
                    throw new IOException("could not move " + from + " to " + to);
                }
                CommitLog commits = warehouse.commits();
                moved.add(new Moved(commits.relative(from), commits.relative(to)));
            }
        } finally {
            for (SweepLock lock : locks) {
                lock.close();
            }
        }
        return new Repair(moved, check(warehouse, sweep));
    }

    private static Table<?> table(String name) {
        return Tables.catalog().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no table " + name));
    }
}
