package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.report.TextTable;
import io.initsweep.schema.Tables;
import io.initsweep.spark.SparkSessions;
import io.initsweep.spark.SweepLock;
import io.initsweep.spark.SweepRecord;
import io.initsweep.spark.Warehouse;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        List<String> sweeps = sweep != null ? List.of(sweep) : warehouse.sweeps();
        if (sweeps.isEmpty()) {
            err.println("error: no sweep has run in " + warehouse.root());
            return ExitCode.USAGE;
        }
        Map<String, Map<String, String>> statuses = new HashMap<>();
        Map<String, String> lastActivity = new HashMap<>();
        for (Row row : warehouse.read(Tables.RUNS).where(functions.col("sweep").isin(sweeps.toArray()))
                .select("sweep", "cell_id", "status", "finished_at").collectAsList()) {
            statuses.computeIfAbsent(row.getString(0), k -> new HashMap<>()).put(row.getString(1), row.getString(2));
            String finished = row.getTimestamp(3).toInstant().toString();
            lastActivity.merge(row.getString(0), finished, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
        List<List<String>> rows = new ArrayList<>();
        for (String name : sweeps) {
            SweepRecord record = warehouse.readSweepRecord(name);
            if (record == null) {
                err.println("error: no sweep named '" + name + "' has run in " + warehouse.root());
                return ExitCode.USAGE;
            }
            Map<String, String> done = statuses.getOrDefault(name, Map.of());
            Set<String> expected = new HashSet<>(record.cellIds());
            int ok = 0;
            int diverged = 0;
            int failed = 0;
            int present = 0;
            for (String id : expected) {
                String status = done.get(id);
                if (status == null) {
                    continue;
                }
                present++;
                switch (status) {
                    case "ok" -> ok++;
                    case "diverged" -> diverged++;
                    default -> failed++;
                }
            }
            long other = done.keySet().stream().filter(id -> !expected.contains(id)).count();
            SweepLock.Holder holder = warehouse.lockHolder(name);
            String state = holder == null ? "idle"
                    : holder.stale() != null ? "interrupted (stale lock: " + holder.stale() + ")"
                    : "running: run " + holder.runId() + " on " + holder.host() + ", heartbeat "
                    + holder.heartbeatAgeSeconds() + " s ago";
            rows.add(List.of(name, Integer.toString(expected.size()), Integer.toString(present), Integer.toString(ok),
                    Integer.toString(diverged), Integer.toString(failed),
                    Integer.toString(expected.size() - present), Long.toString(other),
                    lastActivity.getOrDefault(name, "-"), state));
        }
        out.print(TextTable.render(List.of("sweep", "total", "done", "ok", "diverged", "failed", "missing",
                "other", "last activity", "state"), rows));
        out.println("(other: rows of cells that the latest spec no longer has)");
        return ExitCode.OK;
    }
}
