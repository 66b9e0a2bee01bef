package io.initsweep.cli;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.spark.Catalog;
import io.initsweep.spark.ThriftServer;
import io.initsweep.spark.SparkSessions;
import io.initsweep.spark.Warehouse;
import io.initsweep.spark.WarehouseCheck;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;

/** Opens a warehouse with its catalog, for the commands that query it. */
final class Warehouses {
    private Warehouses() {
    }

    /**
     * A Spark session with the warehouse's catalog registered (idempotently) and current; files that no commit
     * wrote are named on {@code err} (the session's SQL sees them, its views do not count them).
     */
    static SparkSession withCatalog(String out, String master, PrintWriter err) throws IOException {
        return withCatalog(out, master, err, java.util.Map.of());
    }

    /** As {@link #withCatalog(String, String, PrintWriter)}, the session built with more settings. */
    static SparkSession withCatalog(String out, String master, PrintWriter err, java.util.Map<String, String> settings)
            throws IOException {
        Path catalog = catalogDirectory(out);
        SparkSession spark = SparkSessions.createWithCatalog(master, false, catalog, settings);
        Warehouse warehouse = Warehouse.open(spark, out);
        Warnings.print(WarehouseCheck.scan(warehouse), out, err);
        try {
            Catalog.register(spark, warehouse);
        } catch (RuntimeException e) {
            if (Catalog.embeddedMetastore(spark).isPresent() && Catalog.heldByAnotherProcess(e)) {
                throw new InitsweepException(FailureKind.BAD_ENVIRONMENT, "the catalog " + catalog.resolve(
                        "metastore_db") + " is in use by another process (its embedded Derby metastore admits one "
                        + "process at a time: an open sql session, a notebook, a server). "
                        + ThriftServer.running(catalog).map(url -> "A server of this catalog runs: query it over "
                        + "JDBC, e.g. beeline -u " + url + ".")
                        .orElse("Close that process, or serve the catalog to any number of clients with "
                        + "'jobs/initsweep serve --out " + out + "' and query it over JDBC."), e);
            }
            throw e;
        }
        return spark;
    }

    /**
     * Where the embedded metastore lives: {@code <warehouse>/_catalog} for a local warehouse; for a remote one
     * (hdfs://, s3a://), a local directory named after it under ~/.initsweep, unless a metastore is configured.
     */
    static Path catalogDirectory(String out) {
        URI uri = URI.create(out.replace(" ", "%20"));
        if (uri.getScheme() == null || uri.getScheme().equals("file")) {
            Path local = uri.getScheme() == null ? Path.of(out) : Path.of(uri);
            return local.toAbsolutePath().normalize().resolve("_catalog");
        }
        String name = out.replaceAll("[^A-Za-z0-9._-]+", "_");
        return Path.of(System.getProperty("user.home"), ".initsweep", "catalogs", name);
    }
}
