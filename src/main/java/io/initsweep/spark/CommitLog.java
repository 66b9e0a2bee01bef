package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The commit log of each sweep: its {@link CommitManifest}s under {@code _commits/<sweep>/}, the protocol that
 * makes a commit atomic across the tables, and the recovery of commits a crash interrupted.
 *
 * <p>A commit:
 * <ol>
 *   <li>writes its new files under {@code _staging/<sweep>/<commit>/};</li>
 *   <li>writes its manifest under a temporary name and renames it to {@code <sequence>-<commit>.json}: the commit
 *       point;</li>
 *   <li>moves the staged files into the tables ({@code runs} last: a cell counts as done once its runs row is
 *       there), deletes the files it removes, and deletes its staging directory.</li>
 * </ol>
 * A staging directory without a manifest is a commit that never happened: recovery deletes it. A staging directory
 * with one is a commit whose moves were interrupted: recovery applies the manifest again (every step is skipped if
 * it already happened) and then deletes it. Recovery runs under the sweep's lock, before anything else.
 *
 * <p>Readers never need the lock: a file a manifest added is read from its table, or from staging while the moves
 * of its commit are still under way ({@link LiveFile#location}).
 */
final class CommitLog {
    private static final Logger log = LoggerFactory.getLogger(CommitLog.class);
    static final String COMMITS = "_commits";
    static final String STAGING = "_staging";
    /** The manifest of the commit protocol before the log: tab-separated lines in the staging directory. */
    private static final String LEGACY_MANIFEST = "_READY";

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final FileSystem fs;
    private final Path root;

    CommitLog(FileSystem fs, Path root) {
        this.fs = fs;
        this.root = root;
    }

    Path directory(String sweep) {
        return new Path(new Path(root, COMMITS), sweep);
    }

    Path staging(String sweep, String commit) {
        return new Path(stagingRoot(sweep), commit);
    }

    private Path stagingRoot(String sweep) {
        return new Path(new Path(root, STAGING), sweep);
    }

    /** A path relative to the warehouse root, as manifests record it (the warehouse can move as a whole). */
    String relative(Path path) {
        String base = root.toUri().getPath().replaceAll("/+$", "");
        String full = path.toUri().getPath();
        if (!full.startsWith(base + "/")) {
            throw new IllegalArgumentException(path + " is not inside the warehouse " + root);
        }
        return full.substring(base.length() + 1);
    }

    Path resolve(String relative) {
        return new Path(root, relative);
    }

    /**
     * The data files in a table's directory by name: what a reader of the directory sees (Spark skips names
     * starting with '_' or '.').
     */
    Map<String, FileStatus> listTable(String table) throws IOException {
        Path dir = new Path(root, table);
        Map<String, FileStatus> files = new java.util.TreeMap<>();
        if (fs.exists(dir)) {
            for (FileStatus status : fs.listStatus(dir)) {
                String name = status.getPath().getName();
                if (status.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                    files.put(name, status);
                }
            }
        }
        return files;
    }

    /** Whether the sweep has a log (a warehouse written before the log has files but none). */
    boolean exists(String sweep) throws IOException {
        return !manifestFiles(sweep).isEmpty();
    }

    /** Sweeps that have a log. */
    List<String> sweeps() throws IOException {
        Path dir = new Path(root, COMMITS);
        List<String> names = new ArrayList<>();
        if (fs.exists(dir)) {
            for (FileStatus status : fs.listStatus(dir)) {
                if (status.isDirectory() && !status.getPath().getName().startsWith(".")) {
                    names.add(status.getPath().getName());
                }
            }
        }
        names.sort(null);
        return names;
    }

    /** The sweep's manifests in log order. */
    List<CommitManifest> manifests(String sweep) throws IOException {
        List<CommitManifest> manifests = new ArrayList<>();
        for (Path file : manifestFiles(sweep)) {
            manifests.add(read(file));
        }
        manifests.sort(Comparator.comparingLong(CommitManifest::sequence));
        return manifests;
    }

    private List<Path> manifestFiles(String sweep) throws IOException {
        Path dir = directory(sweep);
        List<Path> files = new ArrayList<>();
        if (fs.exists(dir)) {
            for (FileStatus status : fs.listStatus(dir, p -> p.getName().endsWith(".json")
                    && !p.getName().startsWith("."))) {
                files.add(status.getPath());
            }
        }
        return files;
    }

    private CommitManifest read(Path file) throws IOException {
        CommitManifest manifest;
        try (InputStream in = fs.open(file)) {
            manifest = JSON.readValue(in, CommitManifest.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException("the commit manifest " + file + " is not readable: " + e.getOriginalMessage(), e);
        }
        if (manifest.format() > CommitManifest.FORMAT) {
            throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, "the commit manifest " + file
                    + " has format " + manifest.format() + ", written by a newer initsweep (this one reads format "
                    + CommitManifest.FORMAT + "); use that version with this warehouse");
        }
        return manifest;
    }

    /** The sequence number the sweep's next commit gets. Call with the sweep's lock held. */
    long nextSequence(String sweep) throws IOException {
        long last = 0;
        for (Path file : manifestFiles(sweep)) {
            String name = file.getName();
            int dash = name.indexOf('-');
            try {
                last = Math.max(last, Long.parseLong(dash < 0 ? name.replace(".json", "") : name.substring(0, dash)));
            } catch (NumberFormatException e) {
                last = Math.max(last, read(file).sequence());
            }
        }
        return last + 1;
    }

    /**
     * Makes a commit: writes its manifest (the commit point), applies it and deletes its staging. Call with the
     * sweep's lock held, after staging the files the manifest adds.
     */
    void commit(CommitManifest manifest) throws IOException {
        publish(manifest);
        apply(manifest);
        fs.delete(staging(manifest.sweep(), manifest.commit()), true);
    }

    /** Writes the manifest aside and renames it into the log, so the log never holds half a manifest. */
    void publish(CommitManifest manifest) throws IOException {
        Path dir = directory(manifest.sweep());
        fs.mkdirs(dir);
        String name = String.format("%010d-%s.json", manifest.sequence(), manifest.commit());
        Path temporary = new Path(dir, "." + name + ".tmp");
        try (FSDataOutputStream out = fs.create(temporary, true)) {
            out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            out.hsync();
        }
        Path target = new Path(dir, name);
        if (fs.exists(target) || !fs.rename(temporary, target)) {
            fs.delete(temporary, false);
            throw new IOException("could not commit " + manifest.commit() + ": " + target
                    + " exists or the rename failed");
        }
    }

    /**
     * Moves a manifest's staged files into the tables, then deletes the files it removes. Each step is skipped
     * if it already happened, so applying a manifest again after a crash is safe.
     */
    void apply(CommitManifest manifest) throws IOException {
        apply(manifest, 0);
    }

    /**
     * As {@link #apply(CommitManifest)}, waiting {@code graceMillis} between moving the new files in and deleting
     * the removed ones, so that a reader that listed the table just before can still open what it listed.
     */
    void apply(CommitManifest manifest, long graceMillis) throws IOException {
        for (CommitManifest.TableChange change : inMoveOrder(manifest.tables())) {
            Path table = new Path(root, change.table());
            for (CommitManifest.DataFile file : change.added()) {
                if (file.staged() == null) {
                    continue;
                }
                Path from = resolve(file.staged());
                Path to = new Path(table, file.name());
                if (fs.exists(from)) {
                    fs.mkdirs(table);
                    if (fs.exists(to)) {
                        fs.delete(to, false); // a half-finished earlier replay
                    }
                    if (!fs.rename(from, to)) {
                        throw new IOException("could not move " + from + " to " + to);
                    }
                }
            }
        }
        if (graceMillis > 0 && manifest.tables().stream().anyMatch(c -> !c.removed().isEmpty())) {
            try {
                Thread.sleep(graceMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted before deleting the files commit "
                        + manifest.commit() + " removed (the next run of the sweep deletes them)");
            }
        }
        for (CommitManifest.TableChange change : inMoveOrder(manifest.tables())) {
            for (String removed : change.removed()) {
                fs.delete(new Path(new Path(root, change.table()), removed), false);
            }
        }
    }

    /** runs last: a cell counts as done once its runs row is there, so its other rows land before it. */
    private static List<CommitManifest.TableChange> inMoveOrder(List<CommitManifest.TableChange> changes) {
        List<CommitManifest.TableChange> ordered = new ArrayList<>(changes);
        ordered.sort(Comparator.comparing(c -> c.table().equals(Tables.RUNS.name())));
        return ordered;
    }

    /**
     * Finishes the commits of the sweep a crash interrupted after their manifest and discards the staging of those
     * it interrupted before. Call with the sweep's lock held.
     */
    void recover(String sweep) throws IOException {
        Path staging = stagingRoot(sweep);
        if (!fs.exists(staging)) {
            return;
        }
        Map<String, CommitManifest> byCommit = new HashMap<>();
        for (CommitManifest manifest : manifests(sweep)) {
            byCommit.put(manifest.commit(), manifest);
        }
        for (FileStatus commit : fs.listStatus(staging)) {
            String name = commit.getPath().getName();
            CommitManifest manifest = byCommit.get(name);
            Path legacy = new Path(commit.getPath(), LEGACY_MANIFEST);
            if (manifest != null) {
                log.info("Finishing commit {} left by an interrupted run.", name);
                apply(manifest);
            } else if (fs.exists(legacy)) {
                log.info("Finishing commit {} left by an interrupted run of an earlier initsweep.", name);
                applyLegacy(legacy);
            } else {
                log.info("Discarding uncommitted staging {}.", name);
            }
            fs.delete(commit.getPath(), true);
        }
    }

    /**
     * Replays a manifest of the protocol before the log (lines {@code add<TAB>from<TAB>to} and
     * {@code delete<TAB>path}), so a warehouse whose driver died in the middle of a commit of an earlier version
     * still resumes. The files it moves are then adopted with the rest (see {@link Baseline}).
     */
    private void applyLegacy(Path manifest) throws IOException {
        List<String[]> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(manifest),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    lines.add(line.split("\t"));
                }
            }
        }
        for (String[] parts : lines) {
            if (parts[0].equals("add") && parts.length == 3) {
                Path from = new Path(parts[1]);
                Path to = new Path(parts[2]);
                if (fs.exists(from)) {
                    fs.mkdirs(to.getParent());
                    fs.delete(to, false);
                    if (!fs.rename(from, to)) {
                        throw new IOException("could not move " + from + " to " + to);
                    }
                }
            } else if (parts[0].equals("delete") && parts.length == 2) {
                fs.delete(new Path(parts[1]), false);
            }
        }
    }

    /**
     * The sweep's live files: added by a manifest and removed by none. A sweep without a log (a warehouse written
     * before it) has the files named after it, {@code <sweep>~<commit>~<n>.<extension>}, as the files of that
     * version were, until its next run adopts them ({@link Baseline}).
     */
    Snapshot snapshot(String sweep) throws IOException {
        List<CommitManifest> manifests = manifests(sweep);
        if (manifests.isEmpty()) {
            return legacySnapshot(sweep);
        }
        Map<String, Map<String, LiveFile>> live = new LinkedHashMap<>();
        Map<String, Map<String, String>> removedBy = new HashMap<>();
        for (CommitManifest manifest : manifests) {
            for (CommitManifest.TableChange change : manifest.tables()) {
                Map<String, LiveFile> files = live.computeIfAbsent(change.table(), t -> new LinkedHashMap<>());
                for (CommitManifest.DataFile file : change.added()) {
                    files.put(file.name(), new LiveFile(change.table(), file, manifest.commit()));
                }
                for (String removed : change.removed()) {
                    files.remove(removed);
                    removedBy.computeIfAbsent(change.table(), t -> new HashMap<>()).put(removed, manifest.commit());
                }
            }
        }
        Map<String, List<LiveFile>> tables = new LinkedHashMap<>();
        live.forEach((table, files) -> tables.put(table, List.copyOf(files.values())));
        return new Snapshot(sweep, false, tables, removedBy);
    }

    private Snapshot legacySnapshot(String sweep) throws IOException {
        Map<String, List<LiveFile>> tables = new LinkedHashMap<>();
        for (Table<?> table : Tables.catalog()) {
            List<LiveFile> files = new ArrayList<>();
            for (FileStatus status : legacyFiles(table, sweep)) {
                String name = status.getPath().getName();
                files.add(new LiveFile(table.name(), new CommitManifest.DataFile(name, null, status.getLen(),
                        List.of()), null));
            }
            tables.put(table.name(), List.copyOf(files));
        }
        return new Snapshot(sweep, true, tables, Map.of());
    }

    /**
     * A sweep's files as the version before the log named them. The pattern is exact, so a copy made by hand
     * ({@code ... (1).parquet}, {@code ....bak}) is not taken for one.
     */
    List<FileStatus> legacyFiles(Table<?> table, String sweep) throws IOException {
        Path dir = new Path(root, table.name());
        if (!fs.exists(dir)) {
            return List.of();
        }
        Pattern name = legacyName(sweep);
        List<FileStatus> files = new ArrayList<>();
        for (FileStatus status : fs.listStatus(dir, p -> name.matcher(p.getName()).matches())) {
            if (status.isFile()) {
                files.add(status);
            }
        }
        return files;
    }

    static Pattern legacyName(String sweep) {
        return Pattern.compile(Pattern.quote(sweep) + "~[A-Za-z0-9_-]+~\\d+(\\.[A-Za-z0-9]+)+");
    }

    /**
     * One sweep's live files.
     *
     * @param legacy    whether the sweep has no log yet: the files are those named after it, cells unknown
     * @param tables    live files by table name
     * @param removedBy files a commit removed, by table and name, with that commit: if one is still in its
     *                  directory, a crash interrupted the commit (the next run deletes it) or it was put back
     */
    record Snapshot(String sweep, boolean legacy, Map<String, List<LiveFile>> tables,
                    Map<String, Map<String, String>> removedBy) {
        List<LiveFile> files(Table<?> table) {
            return tables.getOrDefault(table.name(), List.of());
        }

        /** The cells of the sweep's live files of a table. */
        java.util.Set<String> cells(Table<?> table) {
            java.util.Set<String> cells = new TreeSet<>();
            files(table).forEach(f -> cells.addAll(f.file().cells()));
            return cells;
        }
    }

    /**
     * A live file.
     *
     * @param commit the commit that added it; null for a file of a sweep without a log
     */
    record LiveFile(String table, CommitManifest.DataFile file, String commit) {
        String name() {
            return file.name();
        }

        /**
         * Where to read it: in its table, or still in staging while its commit's moves are under way (a reader
         * without the lock can see the manifest before the move); null if it is in neither place.
         */
        Path location(Path root, Map<String, FileStatus> listing, FileSystem fs) throws IOException {
            FileStatus inTable = listing.get(file.name());
            if (inTable != null) {
                return inTable.getPath();
            }
            if (file.staged() != null) {
                Path staged = new Path(root, file.staged());
                if (fs.exists(staged)) {
                    return staged;
                }
                // Moved in after the listing was taken (on S3 a move is a copy, then a delete of the source: the
                // copy is in place before the staged file goes). Without this look, a reader could find a commit's
                // epochs file neither listed nor staged and skip it, then read its runs file from staging, and count
                // a cell without its epochs.
                Path moved = new Path(new Path(root, table), file.name());
                if (fs.exists(moved)) {
                    return moved;
                }
            }
            return null;
        }
    }
}
