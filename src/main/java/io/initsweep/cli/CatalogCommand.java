package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.spark.Catalog;

import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code initsweep catalog}: (re)register a warehouse in the SQL catalog and say how to reach it. */
@Command(name = "catalog", mixinStandardHelpOptions = true,
        description = {"Register the warehouse's tables and views in the persistent SQL catalog (idempotent; "
                + "sql and report do it too), and print how notebooks and spark-sql reach it."})
final class CatalogCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @CommandLine.Mixin
    WarehouseOptions location;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        SparkSession spark = Warehouses.withCatalog(location.out, location.master, command.commandLine().getErr());
        for (Catalog.Entry entry : Catalog.listing(spark)) {
            out.printf("%-12s %-18s %s%n", entry.view() ? "view" : "table", entry.name(),
                    entry.view() ? "" : entry.rows() + " rows");
        }
        Catalog.embeddedMetastore(spark).ifPresent(url -> {
            out.println();
            out.println("Embedded metastore: " + url);
            out.println("PySpark / spark-sql: enableHiveSupport() with");
            out.println("  spark.hadoop.javax.jdo.option.ConnectionURL=" + url);
            out.println("(one process at a time: embedded Derby allows a single connection)");
        });
        return ExitCode.OK;
    }
}
