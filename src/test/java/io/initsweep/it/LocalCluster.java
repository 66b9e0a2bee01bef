package io.initsweep.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A local standalone cluster (jobs/local-cluster) for a test class: its own directory and free ports, stopped in
 * the end even when a test fails or the JVM is interrupted, and checked to leave no JVM behind.
 */
final class LocalCluster implements AutoCloseable {
    final Path dir;
    final Map<String, String> environment;
    final String masterUrl;
    private final Thread stopOnExit;

    private LocalCluster(Path dir, int port, int uiPort) {
        this.dir = dir;
        this.masterUrl = "spark://127.0.0.1:" + port;
        this.environment = Map.of("INITSWEEP_CLUSTER_DIR", dir.toString(),
                "INITSWEEP_CLUSTER_PORT", Integer.toString(port),
                "INITSWEEP_CLUSTER_UI_PORT", Integer.toString(uiPort),
                "SPARK_HOME", dir.resolve("spark-home").toString());
        this.stopOnExit = new Thread(this::stopQuietly, "stop-local-cluster");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    static LocalCluster start(Path dir) throws IOException, InterruptedException {
        int port = Scripts.freePort();
        int uiPort = Scripts.freePort();
        while (uiPort + 2 == port || uiPort + 1 == port) {
            uiPort = Scripts.freePort();
        }
        LocalCluster cluster = new LocalCluster(dir, port, uiPort);
        Scripts.Result started = Scripts.run(cluster.environment, 600, "jobs/local-cluster", "start");
        if (started.code() != 0) {
            cluster.close();
            throw new AssertionError("jobs/local-cluster start failed:\n" + started.all());
        }
        return cluster;
    }

    /** Process ids of every JVM of this cluster (master, workers, executors). */
    List<Long> jvms() {
        String marker = dir.resolve("spark-home").resolve("jars").toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .map(ProcessHandle::pid).toList();
    }

    /** Executor JVMs: launched by a worker, they run CoarseGrainedExecutorBackend. */
    List<ProcessHandle> executors() {
        String marker = dir.resolve("spark-home").resolve("jars").toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)
                        && c.contains("CoarseGrainedExecutorBackend")).orElse(false)).toList();
    }

    private void stopQuietly() {
        try {
            Scripts.run(environment, 120, "jobs/local-cluster", "stop");
        } catch (IOException | InterruptedException ignored) {
            // best effort: the assertion in close() reports what is left
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
        List<Long> left = jvms();
        if (!left.isEmpty()) {
            left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            throw new AssertionError("JVMs of the local cluster were left running: " + left);
        }
    }
}
