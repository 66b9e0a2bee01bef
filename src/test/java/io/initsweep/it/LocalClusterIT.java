package io.initsweep.it;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster path for real: a standalone master and two workers (separate JVMs, from Maven jars), the quickstart
 * submitted through Spark's SparkSubmit with the shaded cluster jar (jobs/submit). Slow: ~3 minutes.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {
    static final Path DIR = Path.of("target", "cluster-it").toAbsolutePath();
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        deleteRecursively(DIR);
        cluster = LocalCluster.start(DIR.resolve("cluster"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close(); // fails the class if any JVM of the cluster is left
        }
    }

    @Test
    @Order(1)
    void theQuickstartRunsOnTheClusterSpreadOverBothWorkers() throws Exception {
        Path warehouse = DIR.resolve("warehouse");
        Scripts.Result result = Scripts.run(cluster.environment, 900, "jobs/submit", "--master", cluster.masterUrl,
                "conf/sweeps/quickstart.yaml", "--out", warehouse.toString());
        assertThat(result.code()).as(result.all()).isZero();
        assertThat(result.out()).contains("80 cells, 0 already done, 80 to train");

        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false")
                .getOrCreate();
        List<Row> runs = spark.read().parquet(warehouse.resolve("runs").toString())
                .select("cell_id", "executor_id", "status", "native_threads", "backend").collectAsList();
        assertThat(runs).hasSize(80);
        assertThat(runs.stream().map(r -> r.getString(0)).distinct()).hasSize(80);
        Map<String, Integer> perExecutor = new HashMap<>();
        runs.forEach(r -> perExecutor.merge(r.getString(1), 1, Integer::sum));
        assertThat(perExecutor).as("cells per executor").doesNotContainKey("driver").hasSize(2);
        assertThat(perExecutor.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(10));
        assertThat(runs).allSatisfy(r -> {
            assertThat(r.getInt(3)).isEqualTo(1);
            assertThat(r.getString(4)).isEqualTo("cpu");
        });
        assertThat(spark.read().parquet(warehouse.resolve("epochs").toString()).where(col("epoch").equalTo(0))
                .count()).isEqualTo(80);
    }

    @Test
    @Order(2)
    void aDataParallelSweepTrainsEachCellAcrossBothWorkers() throws Exception {
        Path spec = Files.writeString(DIR.resolve("data-parallel.yaml"), """
                name: data-parallel
                seeds: 2
                grid: {scheme: [he_normal, xavier_normal]}
                model: {depth: 2, width: 32, activation: relu}
                training: {epochs: 3, batch-size: 32, learning-rate: 0.1}
                data: {dataset: spirals, samples: 800}
                execution: {mode: data-parallel, workers: 2, averaging-frequency: 3, batch-size-per-worker: 16}
                """);
        Path warehouse = DIR.resolve("warehouse-data-parallel");
        Scripts.Result result = Scripts.run(cluster.environment, 900, "jobs/submit", "--master", cluster.masterUrl,
                spec.toString(), "--out", warehouse.toString());
        assertThat(result.code()).as(result.all()).isZero();
        List<Row> runs = Sweeps.spark().read().parquet(warehouse.resolve("runs").toString())
                .select("execution", "executor_id", "status", "workers").collectAsList();
        assertThat(runs).hasSize(4).allSatisfy(r -> {
            assertThat(r.getString(0)).isEqualTo("data-parallel");
            assertThat(r.getString(1).split(",")).as("executors that trained the cell").containsExactlyInAnyOrder(
                    "0", "1");
            assertThat(r.getString(2)).isEqualTo("ok");
        });
    }

    /** Runs last: it leaves the cluster with one worker. */
    @Test
    @Order(3)
    void aWorkerKilledMidSweepLosesNoCellAndDuplicatesNone() throws Exception {
        Path spec = Files.writeString(DIR.resolve("worker-kill.yaml"), Sweeps.FORTY_CELLS.formatted("worker-kill"));
        Path warehouse = DIR.resolve("warehouse-worker-kill");
        Process submit = Scripts.start(cluster.environment, DIR.resolve("worker-kill.out"),
                DIR.resolve("worker-kill.err"), "jobs/submit", "--master", cluster.masterUrl, spec.toString(),
                "--out", warehouse.toString());
        Sweeps.awaitCommitted(warehouse, 4, submit, 300);
        // A machine dies: worker 2 and the executor it launched, without warning.
        List<ProcessHandle> victims = new java.util.ArrayList<>();
        String workDir = cluster.dir.resolve("work-2").toString();
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c ->
                c.contains("org.apache.spark.deploy.worker.Worker") && c.contains(workDir)).orElse(false))
                .forEach(victims::add);
        for (ProcessHandle executor : cluster.executors()) {
            Path cwd = Path.of("/proc", Long.toString(executor.pid()), "cwd").toRealPath();
            if (cwd.startsWith(workDir)) {
                victims.add(executor);
            }
        }
        assertThat(victims).as("worker 2 and its executor").hasSize(2);
        victims.forEach(ProcessHandle::destroyForcibly);

        assertThat(submit.waitFor(600, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(submit.exitValue()).as(Files.readString(DIR.resolve("worker-kill.out"))
                + Files.readString(DIR.resolve("worker-kill.err"))).isZero();
        Map<String, String> cells = Sweeps.committed(warehouse); // throws on a duplicate
        assertThat(cells).hasSize(40);
        List<Row> executors = Sweeps.spark().read().parquet(warehouse.resolve("runs").toString())
                .select("executor_id").distinct().collectAsList();
        assertThat(executors).extracting(r -> r.getString(0)).doesNotContain("driver").hasSizeGreaterThanOrEqualTo(2);
    }

    static void deleteRecursively(Path root) throws Exception {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
