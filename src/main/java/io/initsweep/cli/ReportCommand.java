package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.report.HtmlReport;
import io.initsweep.spark.Catalog;

import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code initsweep report}: a self-contained HTML report of one sweep. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write a self-contained HTML report of a sweep (opens from disk, no network needed).")
final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @CommandLine.Mixin
    WarehouseOptions location;

    @Option(names = "--sweep", paramLabel = "NAME",
            description = "the sweep (default: the one that finished last)")
    String sweep;

    @Option(names = "--to", paramLabel = "FILE.html", description = "output file (default: report-<sweep>.html)")
    Path to;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        if (to != null && Files.isDirectory(to)) {
            throw new InitsweepException(FailureKind.BAD_USAGE, "--to " + to + " is a directory; give the report's "
                    + "file name, e.g. --to " + to.resolve("report.html"));
        }
        SparkSession spark = Warehouses.withCatalog(location.out, location.master, command.commandLine().getErr());
        String name = sweep != null ? sweep : Catalog.latestSweep(spark).orElseThrow(() -> new InitsweepException(
                FailureKind.NOT_FOUND, "the warehouse " + location.out + " has no results yet"));
        String html = HtmlReport.render(Catalog.query(spark), name);
        Path file = to != null ? to : Path.of("report-" + name + ".html");
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, html, StandardCharsets.UTF_8);
        out.println("report of sweep " + name + ": " + file.toAbsolutePath());
        return ExitCode.OK;
    }
}
