package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.report.TextTable;
import io.initsweep.spark.SparkSessions;
import io.initsweep.spark.SweepLock;
import io.initsweep.spark.SweepStatus;
import io.initsweep.spark.Warehouse;
import io.initsweep.spark.WarehouseCheck;

import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code initsweep status}: how far each sweep of a warehouse is, from its tables and its lock. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Cells total, done, ok, diverged, failed and missing per sweep, its last activity, and "
                + "whether a run holds it now. 'total' is the cells of the spec the latest run was given."})
final class StatusCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @CommandLine.Mixin
    WarehouseOptions location;

    @Option(names = "--sweep", paramLabel = "NAME", description = "only this sweep")
    String sweep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        SparkSession spark = SparkSessions.create(location.master, 1, false);
        Warehouse warehouse = Warehouse.open(spark, location.out);
        Warnings.print(WarehouseCheck.scan(warehouse), location.out, err);
        List<List<String>> rows = new ArrayList<>();
        for (SweepStatus.State s : SweepStatus.of(warehouse, sweep)) {
            rows.add(List.of(s.sweep(), Integer.toString(s.total()), Integer.toString(s.done()),
                    Integer.toString(s.ok()), Integer.toString(s.diverged()), Integer.toString(s.failed()),
                    Integer.toString(s.missing()), Long.toString(s.other()),
                    s.lastActivity() == null ? "-" : s.lastActivity().toString(), state(s.holder())));
        }
        out.print(TextTable.render(List.of("sweep", "total", "done", "ok", "diverged", "failed", "missing",
                "other", "last activity", "state"), rows));
        out.println("(other: rows of cells that the latest spec no longer has)");
        return ExitCode.OK;
    }

    private static String state(SweepLock.Holder holder) {
        return holder == null ? "idle"
                : holder.stale() != null ? "interrupted (stale lock: " + holder.stale() + ")"
                : "running: run " + holder.runId() + " on " + holder.host() + ", heartbeat "
                + holder.heartbeatAgeSeconds() + " s ago";
    }
}
