package io.initsweep.it;

import io.initsweep.schema.Tables;
import io.initsweep.spark.Warehouse;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reading a warehouse from the test JVM while a sweep writes it. */
final class Sweeps {
    /**
     * 40 cells of about a second each, committed at least every second, one cell per task: the kill tests need a
     * sweep that is still running when they strike (batched, these 40 cells train in a few seconds; exactly-once
     * of batched tasks is TestExactlyOnce's).
     */
    static final String FORTY_CELLS = """
            name: %s
            seeds: 10
            grid: {scheme: [he_normal, xavier_normal], depth: [2, 3]}
            model: {activation: tanh, width: 48}
            training: {epochs: 12, batch-size: 32}
            data: {dataset: spirals, samples: 1200}
            execution: {commit-seconds: 1, cells-per-task: 1}
            """;

    private Sweeps() {
    }

    static SparkSession spark() {
        return SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    }

    /**
     * Committed cells ({@code sweep/cell_id}: two sweeps of the same grid share cell ids) and the run that trained
     * each; empty while nothing is committed. Reads the directory itself, so a file left behind shows as a duplicate.
     */
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
        Map<String, String> files = new HashMap<>();
        for (Row row : spark().read().parquet(runs.toString())
                .selectExpr("sweep || '/' || cell_id", "run_id", "input_file_name()").collectAsList()) {
            String earlier = files.put(row.getString(0), row.getString(2));
            String earlierRun = cells.put(row.getString(0), row.getString(1));
            if (earlierRun != null) {
                throw new AssertionError("cell " + row.getString(0) + " appears twice: run " + earlierRun + " in "
                        + earlier + " and run " + row.getString(1) + " in " + row.getString(2));
            }
        }
        return cells;
    }

    /**
     * Committed cells as initsweep reads them, from the files the commit log names (a commit whose files are
     * still being moved, or a crash in the middle of a replacing commit, shows each cell once here; a plain read
     * of the directory can show a replaced cell twice for that moment). Throws on a duplicate.
     */
    static Map<String, String> committedPerLog(Path warehouse) throws Exception {
        List<Row> rows = null;
        for (int attempt = 1; rows == null; attempt++) {
            try {
                rows = Warehouse.open(spark(), warehouse.toString()).read(Tables.RUNS)
                        .selectExpr("sweep || '/' || cell_id", "run_id").collectAsList();
            } catch (Exception e) {
                // A commit of the running sweep moved or removed a file between the look at the log and the read
                // (Spark throws its checked SparkException undeclared; on S3 a move is a copy and a delete, so the
                // window is wider).
                if (attempt == 20 || !String.valueOf(e.getMessage()).contains("does not exist")) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        Map<String, String> cells = new HashMap<>();
        for (Row row : rows) {
            if (cells.put(row.getString(0), row.getString(1)) != null) {
                throw new AssertionError("cell " + row.getString(0) + " appears twice");
            }
        }
        return cells;
    }

    /** Polls until at least {@code cells} are committed. */
    static Map<String, String> awaitCommitted(Path warehouse, int cells, Process running, long timeoutSeconds)
            throws Exception {
        return awaitCommitted(warehouse, committed -> committed.size() >= cells, running, timeoutSeconds);
    }

    /** Polls the committed cells (per the log) until {@code done} holds for them. */
    static Map<String, String> awaitCommitted(Path warehouse, Predicate<Map<String, String>> done, Process running,
                                              long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            Map<String, String> committed = committedPerLog(warehouse);
            if (done.test(committed)) {
                return committed;
            }
            if (!running.isAlive()) {
                throw new AssertionError("the sweep ended (exit " + running.exitValue() + ") before enough cells "
                        + "were committed");
            }
            Thread.sleep(300);
        }
        throw new AssertionError("not enough cells committed after " + timeoutSeconds + " s");
    }
}
