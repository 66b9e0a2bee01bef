package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.report.TextTable;
import io.initsweep.spark.Compaction;
import io.initsweep.spark.SparkSessions;
import io.initsweep.spark.Warehouse;

import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code initsweep compact [--sweep NAME]}: rewrite a sweep's small files into a few large ones. */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = {"Rewrite each sweep's many small Parquet files (one per table and commit) into a few large "
                + "ones, in one atomic commit per sweep, under the sweep's lock: the same rows, fewer files to open. "
                + "A sweep that completes does this itself once a table has more than "
                + Compaction.AUTOMATIC_THRESHOLD + " files. Safe to interrupt and to repeat.",
                "Exit codes: 0 done (or nothing to do); 2 a run of the sweep holds its lock, or no such sweep."})
final class CompactCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @CommandLine.Mixin
    WarehouseOptions location;

    @Option(names = "--sweep", paramLabel = "NAME", description = "only this sweep (default: every sweep)")
    String sweep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        SparkSession spark = SparkSessions.create(location.master, 1, false);
        Warehouse warehouse = Warehouse.openForWriting(spark, location.out);
        List<String> sweeps = warehouse.sweeps();
        if (sweep != null && !sweeps.contains(sweep)) {
            throw new InitsweepException(FailureKind.NOT_FOUND, "no sweep named '" + sweep + "' has run in "
                    + warehouse.root());
        }
        List<List<String>> rows = new ArrayList<>();
        for (String name : sweep != null ? List.of(sweep) : sweeps) {
            Compaction.Result result = warehouse.compact(name);
            for (Compaction.TableResult t : result.tables()) {
                rows.add(List.of(name, t.table(), Integer.toString(t.filesBefore()), Integer.toString(t.filesAfter()),
                        mib(t.bytesBefore()), mib(t.bytesAfter()), result.changed() && t.rows() >= 0
                                ? "compacted" : "left as it is"));
            }
        }
        out.print(TextTable.render(List.of("sweep", "table", "files before", "files after", "MiB before",
                "MiB after", ""), rows));
        return ExitCode.OK;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f", bytes / 1048576.0);
    }
}
