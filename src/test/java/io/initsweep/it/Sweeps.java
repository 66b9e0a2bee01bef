package io.initsweep.it;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** Reading a warehouse from the test JVM while a sweep writes it. */
final class Sweeps {
    /** 40 cells of about a second each, committed at least every second. */
    static final String FORTY_CELLS = """
            name: %s
            seeds: 10
            grid: {scheme: [he_normal, xavier_normal], depth: [2, 3]}
            model: {activation: tanh, width: 48}
            training: {epochs: 12, batch-size: 32}
            data: {dataset: spirals, samples: 1200}
            execution: {commit-seconds: 1}
            """;

    private Sweeps() {
    }

    static SparkSession spark() {
        return SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    }

    /** Committed cells and the run that trained each; empty while nothing is committed. */
    static Map<String, String> committed(Path warehouse) throws Exception {
        Path runs = warehouse.resolve("runs");
        Map<String, String> cells = new HashMap<>();
        if (!Files.isDirectory(runs)) {
            return cells;
        }
        try (Stream<Path> files = Files.list(runs)) {
            if (files.noneMatch(p -> p.getFileName().toString().endsWith(".parquet"))) {
                return cells;
            }
        }
        for (Row row : spark().read().parquet(runs.toString()).select("cell_id", "run_id").collectAsList()) {
            if (cells.put(row.getString(0), row.getString(1)) != null) {
                throw new AssertionError("cell " + row.getString(0) + " appears twice");
            }
        }
        return cells;
    }

    /** Polls until at least {@code cells} are committed. */
    static Map<String, String> awaitCommitted(Path warehouse, int cells, Process running, long timeoutSeconds)
            throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            Map<String, String> committed = committed(warehouse);
            if (committed.size() >= cells) {
                return committed;
            }
            if (!running.isAlive()) {
                throw new AssertionError("the sweep ended (exit " + running.exitValue() + ") before " + cells
                        + " cells were committed");
            }
            Thread.sleep(300);
        }
        throw new AssertionError("fewer than " + cells + " cells committed after " + timeoutSeconds + " s");
    }
}
