package io.initsweep.spark;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;
import io.initsweep.tiers.SparkTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.Provenance;
import io.initsweep.train.RunStatus;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Spark's Thrift JDBC server on a warehouse's catalog: two Hive JDBC clients query cell_stats at the same time while
 * a sweep commits, each sees the cells arrive (never fewer than before) up to all of them, and neither can change
 * the results.
 */
@SparkTest
class TestThriftServer {
    static final int CELLS = 8;

    @TempDir
    Path dir;

    @Test
    void twoJdbcClientsQueryCellStatsWhileASweepCommits() throws Exception {
        Fixtures.Sweep sweep = Fixtures.sweep("""
                name: live
                seeds: 4
                grid: {scheme: [he_normal, xavier_normal]}
                model: {depth: 1, activation: relu, width: 4}
                training: {epochs: 1}
                data: {dataset: blobs, samples: 60}
                """);
        List<CellResult> results = new ArrayList<>();
        for (Cell cell : sweep.cells()) {
            results.add(new CellResult(cell, sweep.dataset(cell).identity(), RunStatus.OK, null, null,
                    List.of(new EpochMetrics(0, 0.7, 0.69, 0.5, 1.0), new EpochMetrics(1, 0.5, 0.3 + cell.seed() / 100.0,
                            0.6, 0.5)), List.of(), 1.0, Instant.parse("2026-11-22T12:00:00Z"),
                    new Provenance("cpu", "OPENBLAS", 1, "test", "1.0.0-M2.1", "17", "Linux", "host", "driver",
                            "run-1")));
        }
        assertThat(results).hasSize(CELLS);
        Path catalog = dir.resolve("warehouse/_catalog");
        int port = freePort();
        SparkSession spark = SparkSessions.createWithCatalog("local[2]", false, catalog,
                ThriftServer.settings("127.0.0.1", port));
        Warehouse warehouse = Warehouse.open(spark, dir.resolve("warehouse").toString());
        SweepLock lock = warehouse.lock("live", "run-1");
        warehouse.commit("live", "run-1-00000", results.subList(0, 1));
        Catalog.register(spark, warehouse);
        try (ThriftServer server = ThriftServer.start(spark, "127.0.0.1", port, catalog)) {
            assertThat(ThriftServer.running(catalog)).contains(server.jdbcUrl());
            Class.forName("org.apache.hive.jdbc.HiveDriver");
            // The sweep commits one cell at a time while the clients query.
            CompletableFuture<Void> committing = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 1; i < CELLS; i++) {
                        Thread.sleep(700);
                        warehouse.commit("live", String.format("run-1-%05d", i), results.subList(i, i + 1));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<List<Long>> first = CompletableFuture.supplyAsync(() -> poll(server.jdbcUrl()));
            CompletableFuture<List<Long>> second = CompletableFuture.supplyAsync(() -> poll(server.jdbcUrl()));
            committing.get(300, TimeUnit.SECONDS);
            for (List<Long> seen : List.of(first.get(300, TimeUnit.SECONDS), second.get(300, TimeUnit.SECONDS))) {
                assertThat(seen.get(seen.size() - 1)).as("seeds counted at the end").isEqualTo(CELLS);
                assertThat(seen).as("never fewer than before").isSorted();
                assertThat(seen.get(0)).as("a query before the sweep finished").isLessThan(CELLS);
            }
            try (Connection client = DriverManager.getConnection(server.jdbcUrl());
                 Statement statement = client.createStatement()) {
                assertThatThrownBy(() -> statement.execute("INSERT INTO initsweep.runs SELECT * FROM initsweep.runs"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("refused");
                assertThatThrownBy(() -> statement.execute("DROP TABLE initsweep.epochs"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("refused");
            }
        } finally {
            lock.close();
        }
        assertThat(ThriftServer.running(catalog)).isEmpty();
        assertThat(warehouse.read(io.initsweep.schema.Tables.RUNS).count()).isEqualTo(CELLS);
    }

    /** One client: queries the seeds cell_stats counts until it sees them all; what it saw, in order. */
    private static List<Long> poll(String url) {
        List<Long> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        try (Connection client = DriverManager.getConnection(url);
             Statement statement = client.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rows = statement.executeQuery(
                        "SELECT coalesce(sum(n_seeds), 0) FROM initsweep.cell_stats WHERE sweep = 'live'")) {
                    rows.next();
                    seen.add(rows.getLong(1));
                }
                if (seen.get(seen.size() - 1) == CELLS) {
                    return seen;
                }
                Thread.sleep(300);
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return seen;
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
