package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.spark.ThriftServer;

import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code initsweep serve}: Spark's Thrift JDBC/ODBC server on the warehouse's catalog. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the warehouse's catalog over JDBC/ODBC (Spark's Thrift server, the HiveServer2 "
                + "protocol) to any number of clients at once: beeline, DBeaver, BI tools, notebooks. Queries see "
                + "the tables as sweeps commit to them; statements that would change initsweep's results are refused.",
                "Runs until Ctrl-C. Exit codes: 0 stopped; 2 the port is taken or the catalog is held by another "
                        + "process."})
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @CommandLine.Mixin
    WarehouseOptions location;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default: "
            + "${DEFAULT-VALUE}, this machine only; 0.0.0.0 serves every interface, with no authentication)")
    String host;

    @Option(names = "--port", defaultValue = "10000", description = "TCP port (default: ${DEFAULT-VALUE}, "
            + "HiveServer2's)")
    int port;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        SparkSession spark = Warehouses.withCatalog(location.out, location.master, command.commandLine().getErr(),
                ThriftServer.settings(host, port));
        CountDownLatch stopped = new CountDownLatch(1);
        try (ThriftServer server = ThriftServer.start(spark, host, port,
                io.initsweep.spark.Catalog.embeddedMetastore(spark).isPresent()
                        ? Warehouses.catalogDirectory(location.out) : null)) {
            out.println("serving the catalog of " + location.out + " at " + server.jdbcUrl());
            out.println("  beeline -u " + server.jdbcUrl() + " -e 'SELECT * FROM initsweep.cell_stats'");
            out.println("Ctrl-C stops the server.");
            out.flush();
            Interrupts.stoppable(stopped::countDown, () -> {
                stopped.await();
                return null;
            });
        }
        out.println("server stopped");
        return ExitCode.OK;
    }
}
