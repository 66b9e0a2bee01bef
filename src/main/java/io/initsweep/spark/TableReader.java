package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads tables as the commit logs define them: only the files a commit of a sweep added and none removed. A file
 * that no commit wrote (a copy made by hand, a stray download, a truncated upload) is not read, so it can neither
 * count a cell twice nor break the read; {@link WarehouseCheck} names such files.
 */
final class TableReader {
    private static final Logger log = LoggerFactory.getLogger(TableReader.class);

    private final SparkSession spark;
    private final FileSystem fs;
    private final Path root;
    private final CommitLog commits;

    TableReader(SparkSession spark, FileSystem fs, Path root, CommitLog commits) {
        this.spark = spark;
        this.fs = fs;
        this.root = root;
        this.commits = commits;
    }

    /** The rows of the live files of the given sweeps, or an empty frame with the table's schema. */
    Dataset<Row> read(Table<?> table, Collection<String> sweeps) throws IOException {
        // List the directory before reading the logs: a file a concurrent commit moves in is then either in the
        // listing and in the log, or still in staging, where its location is looked up.
        Map<String, FileStatus> listing = commits.listTable(table.name());
        List<String> paths = new ArrayList<>();
        for (String sweep : sweeps) {
            for (CommitLog.LiveFile file : commits.snapshot(sweep).files(table)) {
                Path location = file.location(root, listing, fs);
                if (location == null) {
                    log.warn("{}/{} of sweep {} is missing: written by commit {}, no longer in the warehouse.",
                            table.name(), file.name(), sweep, file.commit());
                    continue;
                }
                FileStatus listed = listing.get(file.name());
                if (listed != null && listed.getLen() != file.file().bytes()) {
                    throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, table.name() + "/" + file.name()
                            + " in " + root + " is damaged: it has " + listed.getLen() + " bytes, commit "
                            + file.commit() + " wrote " + file.file().bytes() + " (jobs/initsweep check lists the "
                            + "warehouse's problems)");
                }
                paths.add(location.toString());
            }
        }
        if (paths.isEmpty()) {
            return spark.createDataFrame(List.of(), table.schema());
        }
        return Tables.withSettingDefaults(table, spark.read().schema(table.schema())
                .parquet(paths.toArray(String[]::new)));
    }
}
