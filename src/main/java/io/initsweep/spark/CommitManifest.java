package io.initsweep.spark;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One commit of a sweep: the files it added to each table and the files it removed. Manifests are written once, as
 * JSON, to the sweep's commit log ({@code _commits/<sweep>/<sequence>-<commit>.json}) and never changed; writing
 * one is a commit's commit point. A table's live files are those that some manifest of the sweep added and none
 * removed, so the log alone says which files hold the sweep's results, whatever else lies in the directory.
 *
 * @param format      {@link #FORMAT}; a log written by a newer initsweep is refused, not misread
 * @param sweep       the sweep
 * @param commit      unique per sweep, e.g. {@code <run id>-00003}; its staging is {@code _staging/<sweep>/<commit>/}
 * @param sequence    position in the sweep's log (1, 2, ...), assigned under the sweep's lock
 * @param operation   what the commit did
 * @param committedAt when the manifest was written (ISO-8601)
 * @param replaced    cells whose earlier rows this commit removed ({@code --force}, {@code --retry-failed})
 * @param tables      per table, in the order the files are moved: {@code runs} last
 */
public record CommitManifest(int format, String sweep, String commit, long sequence, Operation operation,
                             String committedAt, List<String> replaced, List<TableChange> tables) {
    /** The format this code writes and reads. */
    public static final int FORMAT = 1;

    public CommitManifest {
        Objects.requireNonNull(sweep, "sweep is null");
        Objects.requireNonNull(commit, "commit is null");
        Objects.requireNonNull(operation, "operation is null");
        Objects.requireNonNull(committedAt, "committedAt is null");
        replaced = List.copyOf(replaced);
        tables = List.copyOf(tables);
    }

    /** What a commit did. */
    public enum Operation {
        /** Cells' results: new cells, or cells whose earlier rows it replaces in the same commit. */
        @JsonProperty("cells") CELLS,
        /** A derived table (scheme_comparison) recomputed: the sweep's old files replaced by new ones. */
        @JsonProperty("derived") DERIVED,
        /** Files written before the commit log existed, adopted in place on the first run that found them. */
        @JsonProperty("baseline") BASELINE,
        /** A sweep's small files rewritten into a few large ones, the same rows ({@link Compaction}). */
        @JsonProperty("compact") COMPACT
    }

    /**
     * What a commit changed in one table.
     *
     * @param table   the table's name
     * @param added   files moved into the table
     * @param removed names of files deleted from the table
     */
    public record TableChange(String table, List<DataFile> added, List<String> removed) {
        public TableChange {
            Objects.requireNonNull(table, "table is null");
            added = List.copyOf(added);
            removed = List.copyOf(removed);
        }
    }

    /**
     * A file a commit added.
     *
     * @param name   its name in the table's directory
     * @param staged where it was written before the commit, relative to the warehouse root; null for a file
     *               adopted in place (baseline)
     * @param bytes  its length, to recognize a file damaged or overwritten since
     * @param cells  the cells it holds rows of (empty for tables without cells, such as scheme_comparison): which
     *               files a replacement must rewrite is known without reading them
     */
    public record DataFile(String name, String staged, long bytes, List<String> cells) {
        public DataFile {
            Objects.requireNonNull(name, "name is null");
            cells = List.copyOf(cells);
        }

        boolean holdsAny(Set<String> cellIds) {
            return cells.stream().anyMatch(cellIds::contains);
        }
    }
}
