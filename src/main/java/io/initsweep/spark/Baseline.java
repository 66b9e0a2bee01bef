package io.initsweep.spark;

import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Adopts the files of a sweep written before the commit log (files only, named {@code <sweep>~<commit>~<n>.<ext>},
 * no manifests kept) into its log, as one {@link CommitManifest.Operation#BASELINE} entry, so the sweep resumes
 * with nothing to retrain and every later commit knows which files hold which cells. Runs under the sweep's lock,
 * on the first run of the sweep that finds no log.
 */
final class Baseline {
    static final String COMMIT = "baseline";
    private static final Logger log = LoggerFactory.getLogger(Baseline.class);

    private Baseline() {
    }

    /** @return whether anything was adopted */
    static boolean adopt(SparkSession spark, CommitLog commits, String sweep) throws IOException {
        if (commits.exists(sweep)) {
            return false;
        }
        List<CommitManifest.TableChange> changes = new ArrayList<>();
        int adopted = 0;
        for (Table<?> table : Tables.catalog()) {
            List<FileStatus> files = commits.legacyFiles(table, sweep);
            if (files.isEmpty()) {
                continue;
            }
            boolean perCell = Arrays.asList(table.schema().fieldNames()).contains("cell_id");
            Map<String, Set<String>> cells = perCell ? cellsByFile(spark, table, files) : Map.of();
            List<CommitManifest.DataFile> added = new ArrayList<>();
            for (FileStatus file : files) {
                String name = file.getPath().getName();
                Set<String> ofFile = cells.get(name);
                if (perCell && ofFile == null) {
                    // Unreadable or empty: that version never wrote such a file. Left out of the log, it is what
                    // `check` calls a stray file.
                    log.warn("Not adopting {}: it has no readable rows.", file.getPath());
                    continue;
                }
                added.add(new CommitManifest.DataFile(name, null, file.getLen(),
                        perCell ? List.copyOf(ofFile) : List.of()));
            }
            adopted += added.size();
            if (!added.isEmpty()) {
                changes.add(new CommitManifest.TableChange(table.name(), added, List.of()));
            }
        }
        if (changes.isEmpty()) {
            return false;
        }
        // Written like any manifest, but with nothing staged: the files are already in place.
        commits.publish(new CommitManifest(CommitManifest.FORMAT, sweep, COMMIT, commits.nextSequence(sweep),
                CommitManifest.Operation.BASELINE, Instant.now().toString(), List.of(), changes));
        log.info("Adopted {} files of sweep {} written before the commit log.", adopted, sweep);
        return true;
    }

    /** Which cells each file holds, read once; unreadable files are skipped rather than failing the run. */
    private static Map<String, Set<String>> cellsByFile(SparkSession spark, Table<?> table, List<FileStatus> files) {
        SparkSession reading = spark.newSession();
        reading.conf().set("spark.sql.files.ignoreCorruptFiles", "true");
        String[] paths = files.stream().map(f -> f.getPath().toString()).toArray(String[]::new);
        Map<String, Set<String>> cells = new HashMap<>();
        for (Row row : reading.read().schema(table.schema()).parquet(paths)
                .select(functions.input_file_name(), functions.col("cell_id")).distinct().collectAsList()) {
            String name = new Path(URI.create(row.getString(0))).getName();
            cells.computeIfAbsent(name, n -> new TreeSet<>()).add(row.getString(1));
        }
        return cells;
    }
}
