package io.initsweep.cli;

import picocli.CommandLine.Option;

/** The options of the commands that read a warehouse: where it is, and which Spark reads it. */
final class WarehouseOptions {
    @Option(names = "--out", paramLabel = "DIR", defaultValue = "warehouse",
            description = "the warehouse (default: ${DEFAULT-VALUE})")
    String out;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local)")
    String master;
}
