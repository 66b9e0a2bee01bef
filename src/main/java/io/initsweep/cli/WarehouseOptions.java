package io.initsweep.cli;

import io.initsweep.spark.SparkSessions;

import picocli.CommandLine.Option;

/**
 * Where a command's warehouse is and which Spark works on it: the same two options, with the same defaults, on
 * every command that touches a warehouse. The master's precedence is stated once, in {@code SparkSessions}.
 */
final class WarehouseOptions {
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "warehouse",
            description = "the warehouse: a local path or a Hadoop file system URI (default: ${DEFAULT-VALUE})")
    String out;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else "
            + SparkSessions.DEFAULT_MASTER + ")")
    String master;
}
