package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.report.Catalog;

import org.apache.spark.sql.Row;
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
        for (Row row : spark.sql("SHOW TABLES IN " + Catalog.DATABASE).collectAsList()) {
            String name = row.getString(1);
            boolean view = row.getBoolean(2) || Catalog.VIEWS.contains(name);
            long rows = view ? -1 : spark.table(Catalog.DATABASE + "." + name).count();
            out.printf("%-12s %-18s %s%n", view ? "view" : "table", Catalog.DATABASE + "." + name,
                    view ? "" : rows + " rows");
        }
        String url = spark.sparkContext().getConf().get("spark.hadoop.javax.jdo.option.ConnectionURL", null);
        if (url != null) {
            out.println();
            out.println("Embedded metastore: " + url);
            out.println("PySpark / spark-sql: enableHiveSupport() with");
            out.println("  spark.hadoop.javax.jdo.option.ConnectionURL=" + url);
            out.println("(one process at a time: embedded Derby allows a single connection)");
        }
        return ExitCode.OK;
    }
}
