package io.initsweep.cli;

import io.initsweep.spark.Catalog;
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
        SparkSession spark = SparkSessions.createWithCatalog(master, false, catalogDirectory(out));
        Warehouse warehouse = Warehouse.open(spark, out);
        Warnings.print(WarehouseCheck.scan(warehouse), out, err);
        Catalog.register(spark, warehouse);
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
