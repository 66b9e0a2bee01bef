package io.initsweep.spark;

import io.initsweep.schema.Table;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Takes cells' rows out of a sweep's live files of one table, for a commit that replaces them (their new rows are
 * in the same commit, so a crash leaves either the old rows or the new ones, never neither and never both). Parquet
 * files cannot be edited: the files that hold any of the cells are rewritten, minus those cells, into one new file
 * staged with the commit, and the originals are removed by it. Which files hold a cell is read from the commit log
 * ({@link CommitManifest.DataFile#cells}), not from the data.
 */
final class RowRemoval {
    private final SparkSession spark;
    private final FileSystem fs;
    private final Path root;

    RowRemoval(SparkSession spark, FileSystem fs, Path root) {
        this.spark = spark;
        this.fs = fs;
        this.root = root;
    }

    /**
     * What removing the cells' rows from one table takes.
     *
     * @param removed   the live files that held any of the cells
     * @param kept      the staged file with their other rows, empty if they held no others
     * @param keptCells the cells of {@code kept}
     */
    record Removal(List<String> removed, List<org.apache.hadoop.fs.FileStatus> kept, List<String> keptCells) {
        static final Removal NONE = new Removal(List.of(), List.of(), List.of());

        Removal {
            removed = List.copyOf(removed);
            kept = List.copyOf(kept);
            keptCells = List.copyOf(keptCells);
        }
    }

    /**
     * Stages the rewrite of the table's live files that hold any of {@code cells}.
     *
     * @param staging where the rewritten file goes
     */
    Removal stage(CommitLog.Snapshot live, Table<?> table, Set<String> cells, Path staging) throws IOException {
        List<String> hit = new ArrayList<>();
        Set<String> keptCells = new TreeSet<>();
        for (CommitLog.LiveFile file : live.files(table)) {
            if (file.file().holdsAny(cells)) {
                hit.add(file.name());
                file.file().cells().stream().filter(c -> !cells.contains(c)).forEach(keptCells::add);
            }
        }
        if (hit.isEmpty()) {
            return Removal.NONE;
        }
        if (keptCells.isEmpty()) {
            return new Removal(hit, List.of(), List.of());
        }
        Path dir = new Path(root, table.name());
        String[] paths = hit.stream().map(name -> new Path(dir, name).toString()).toArray(String[]::new);
        spark.read().schema(table.schema()).parquet(paths)
                .where(functions.not(functions.col("cell_id").isin(cells.toArray())))
                .coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(staging.toString());
        return new Removal(hit, CommitWriter.dataFiles(fs, staging), List.copyOf(keptCells));
    }
}
