package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.spark.SparkSessions;
import io.initsweep.spark.Warehouse;
import io.initsweep.spark.WarehouseCheck;

import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code initsweep check [--repair]}: the warehouse's directories against its commit logs. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Compare the table directories with the sweeps' commit logs: files no commit wrote "
                + "(a copy, a foreign or truncated file), files a commit wrote that are missing or damaged, and "
                + "cells that appear twice.",
                "--repair moves the files no commit wrote to <warehouse>/_quarantine/<time>/<table>/ (nothing is "
                        + "deleted), under the locks of all sweeps.",
                "Exit codes: 0 nothing found (or all repaired); 5 problems remain; 2 a sweep is running "
                        + "(--repair) or the warehouse cannot be used."})
final class CheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @CommandLine.Mixin
    WarehouseOptions location;

    @Option(names = "--sweep", paramLabel = "NAME",
            description = "check only this sweep's files and cells (stray files are always listed)")
    String sweep;

    @Option(names = "--repair", description = "move the files no commit wrote to _quarantine/")
    boolean repair;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        SparkSession spark = SparkSessions.create(location.master != null ? location.master : "local[1]", 1, false);
        Warehouse warehouse = Warehouse.open(spark, location.out);
        WarehouseCheck.Report report;
        if (repair) {
            WarehouseCheck.Repair repaired = WarehouseCheck.repair(warehouse, sweep);
            repaired.moved().forEach(m -> out.println("moved " + m.from() + " to " + m.to()));
            report = repaired.after();
        } else {
            report = WarehouseCheck.check(warehouse, sweep);
        }
        for (WarehouseCheck.Finding finding : report.findings()) {
            out.printf("%-9s %s%n", finding.kind().name().toLowerCase(Locale.ROOT), finding.describe());
        }
        if (report.clean()) {
            out.println("ok: every file in " + report.warehouse() + "'s tables was written by a commit and is "
                    + "intact; every cell appears once");
            return ExitCode.OK;
        }
        long strays = report.findings().stream().filter(WarehouseCheck.Finding::repairable).count();
        out.println(report.findings().size() + " problems" + (strays > 0
                ? "; 'jobs/initsweep check --repair' moves the " + strays + " stray files to _quarantine/" : ""));
        return ExitCode.PROBLEMS_FOUND;
    }
}
