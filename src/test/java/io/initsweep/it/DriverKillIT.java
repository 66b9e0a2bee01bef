package io.initsweep.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The driver killed in the middle of a sweep (kill -9, Ctrl-C), then the same command again. */
class DriverKillIT {
    /** 20 cells of about a second each, committed at least every second. */
    static final String TWENTY_CELLS = Sweeps.FORTY_CELLS.replace("seeds: 10", "seeds: 5");

    @TempDir
    Path dir;

    @Test
    void theRerunFinishesWithEveryCellOnceAndKeepsWhatWasCommitted() throws Exception {
        Path spec = Files.writeString(dir.resolve("killed.yaml"), Sweeps.FORTY_CELLS.formatted("killed"));
        Path warehouse = dir.resolve("warehouse");
        Process driver = Scripts.start(Map.of(), dir.resolve("first.out"), dir.resolve("first.err"),
                "jobs/initsweep", "run", spec.toString(), "--out", warehouse.toString());
        Map<String, String> beforeKill;
        try {
            Sweeps.awaitCommitted(warehouse, 5, driver, 300);
        } finally {
            driver.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup, the lock file stays
            assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        beforeKill = Sweeps.committed(warehouse);
        assertThat(beforeKill.size()).as("cells committed before the kill").isBetween(5, 39);
        assertThat(warehouse.resolve("_locks/killed.lock")).exists();

        Scripts.Result rerun = Scripts.run(Map.of(), 600, "jobs/initsweep", "run", spec.toString(), "--out",
                warehouse.toString());
        assertThat(rerun.code()).as(rerun.all()).isZero();
        assertThat(rerun.out()).contains("40 cells, " + beforeKill.size() + " already done");
        Map<String, String> after = Sweeps.committed(warehouse); // throws on any duplicate
        assertThat(after).hasSize(40);
        beforeKill.forEach((cell, runId) -> assertThat(after).as("cell %s kept its first run", cell)
                .containsEntry(cell, runId));
        assertThat(warehouse.resolve("_locks/killed.lock")).doesNotExist();
    }

    @Test
    void aForcedRunKilledMidwayLosesNoCellAndTheSameCommandFinishesIt() throws Exception {
        Path spec = Files.writeString(dir.resolve("forced.yaml"), TWENTY_CELLS.formatted("forced"));
        Path warehouse = dir.resolve("warehouse");
        Scripts.Result first = Scripts.run(Map.of(), 600, "jobs/initsweep", "run", spec.toString(), "--out",
                warehouse.toString());
        assertThat(first.code()).as(first.all()).isZero();
        Map<String, String> original = Sweeps.committedPerLog(warehouse);
        assertThat(original).hasSize(20);

        Process driver = Scripts.start(Map.of(), dir.resolve("forced.out"), dir.resolve("forced.err"),
                "jobs/initsweep", "run", spec.toString(), "--out", warehouse.toString(), "--force");
        try {
            Sweeps.awaitCommitted(warehouse, committed -> retrained(original, committed) >= 4, driver, 300);
        } finally {
            driver.destroyForcibly(); // SIGKILL in the middle of replacing the results
            assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        Map<String, String> killed = Sweeps.committedPerLog(warehouse); // throws on any duplicate
        assertThat(killed).as("no cell lost").containsOnlyKeys(original.keySet());
        assertThat(retrained(original, killed)).as("cells retrained before the kill").isBetween(4L, 19L);

        Scripts.Result rerun = Scripts.run(Map.of(), 600, "jobs/initsweep", "run", spec.toString(), "--out",
                warehouse.toString(), "--force");
        assertThat(rerun.code()).as(rerun.all()).isZero();
        assertThat(rerun.out()).contains("--force: 20 cells with results are trained again");
        Map<String, String> after = Sweeps.committed(warehouse); // the directory itself: each cell once
        assertThat(after).containsOnlyKeys(original.keySet());
        assertThat(new java.util.HashSet<>(after.values())).as("one run trained them all").hasSize(1);
        assertThat(after.values().iterator().next()).isNotIn(killed.values());
    }

    @Test
    void compactionKilledAtAnyPointLosesAndDuplicatesNothingAndTheNextOneFinishes() throws Exception {
        Path spec = Files.writeString(dir.resolve("compacted.yaml"), TWENTY_CELLS.formatted("compacted"));
        Path warehouse = dir.resolve("warehouse");
        Scripts.Result sweep = Scripts.run(Map.of(), 600, "jobs/initsweep", "run", spec.toString(), "--out",
                warehouse.toString());
        assertThat(sweep.code()).as(sweep.all()).isZero();
        Map<String, String> original = Sweeps.committedPerLog(warehouse);
        assertThat(original).hasSize(20);
        long files = runsFiles(warehouse);
        assertThat(files).as("one runs file per commit, fewer than the automatic threshold").isBetween(2L, 16L);

        // kill -9 while the JVM starts, while it stages, around its commit point and in the grace before deletes
        for (long delay : new long[] {2_000, 9_000, 13_000, 17_000, 22_000}) {
            Process compact = Scripts.start(Map.of(), dir.resolve("compact.out"), dir.resolve("compact.err"),
                    "jobs/initsweep", "compact", "--out", warehouse.toString());
            boolean finished = compact.waitFor(delay, TimeUnit.MILLISECONDS);
            compact.destroyForcibly();
            assertThat(compact.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Sweeps.committedPerLog(warehouse)).as("after a kill at %d ms", delay).isEqualTo(original);
            if (finished) {
                break; // it got through before the kill: nothing left to interrupt
            }
        }
        Scripts.Result compact = Scripts.run(Map.of(), 600, "jobs/initsweep", "compact", "--out",
                warehouse.toString());
        assertThat(compact.code()).as(compact.all()).isZero();
        assertThat(Sweeps.committed(warehouse)).as("the directory itself, each cell once").isEqualTo(original);
        assertThat(runsFiles(warehouse)).isEqualTo(1);
        Scripts.Result check = Scripts.run(Map.of(), 600, "jobs/initsweep", "check", "--out", warehouse.toString());
        assertThat(check.code()).as(check.all()).isZero();
    }

    private static long runsFiles(Path warehouse) throws Exception {
        try (var files = Files.list(warehouse.resolve("runs"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).count();
        }
    }

    private static long retrained(Map<String, String> original, Map<String, String> now) {
        return now.entrySet().stream().filter(e -> !e.getValue().equals(original.get(e.getKey()))).count();
    }

    @Test
    void ctrlCCommitsWhatFinishedReleasesTheLockAndExits130InOneLine() throws Exception {
        // A process started in the background by a non-interactive shell (`cmd &`, nohup) ignores SIGINT, and so do
        // the JVMs it starts: then Ctrl-C cannot be tested here (the sweep would rightly run to its end).
        String ignored = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).map(l -> l.substring(7).trim()).findFirst().orElse("0");
        org.junit.jupiter.api.Assumptions.assumeTrue((Long.parseUnsignedLong(ignored, 16) & 2L) == 0,
                "SIGINT is ignored in this process (started in the background): Ctrl-C cannot be delivered");
        // 20 cells of about 3 s, so that the sweep is still training when Ctrl-C comes (at 12 epochs a CI run
        // finished it between the third commit and the signal)
        Path spec = Files.writeString(dir.resolve("stopped.yaml"), TWENTY_CELLS.formatted("stopped")
                .replace("epochs: 12", "epochs: 36"));
        Path warehouse = dir.resolve("warehouse");
        Path err = dir.resolve("stopped.err");
        Process driver = Scripts.start(Map.of(), dir.resolve("stopped.out"), err, "jobs/initsweep", "run",
                spec.toString(), "--out", warehouse.toString());
        try {
            // Wait on the run's own progress line, not on a read of the tables: this JVM's first Spark read can
            // take longer than the sweep has left (a CI run signalled a finished sweep that way).
            awaitProgress(dir.resolve("stopped.out"), 3, driver, 300);
            // The launcher execs the JVM: its pid is the JVM's. SIGINT, as Ctrl-C in a terminal sends it.
            assertThat(new ProcessBuilder("kill", "-INT", Long.toString(driver.pid())).start().waitFor()).isZero();
            assertThat(driver.waitFor(120, TimeUnit.SECONDS)).as("stopped after Ctrl-C").isTrue();
        } finally {
            driver.destroyForcibly();
        }
        String stderr = Files.readString(err);
        assertThat(driver.exitValue()).as(stderr).isEqualTo(130);
        assertThat(stderr.lines().filter(l -> l.startsWith("interrupted")).toList()).as(stderr)
                .containsExactly("interrupted: committed cells are kept; rerun the same command to resume");
        assertThat(stderr).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(warehouse.resolve("_locks/stopped.lock")).as("the lock is released").doesNotExist();
        Map<String, String> stopped = Sweeps.committed(warehouse); // throws on any duplicate
        assertThat(stopped.size()).isBetween(3, 19);

        Scripts.Result rerun = Scripts.run(Map.of(), 600, "jobs/initsweep", "run", spec.toString(), "--out",
                warehouse.toString());
        assertThat(rerun.code()).as(rerun.all()).isZero();
        assertThat(rerun.out()).contains("20 cells, " + stopped.size() + " already done");
        assertThat(Sweeps.committed(warehouse)).hasSize(20);
    }

    @Test
    void killedAfterItsSourceIsSavedATransferSweepResumesWithoutRetrainingTheSource() throws Exception {
        // TestTransferSweep's bars pair, 6 seeds: one source, then 24 cells of about a second each.
        Path spec = Files.writeString(dir.resolve("transfer.yaml"), """
                name: transferred
                seeds: 6
                grid:
                  scheme: [he_normal, xavier_normal]
                  transfer-layers: [0, 2]
                model: {depth: 2, width: 64, activation: relu}
                training: {epochs: 10, learning-rate: 0.05, batch-size: 32, target-loss: 0.6}
                data: {dataset: bars, classes: 8, size: 12, samples: 1600, keep-classes: [1, 3, 5, 7]}
                execution: {commit-seconds: 1}
                source:
                  seeds: 1
                  model: {scheme: he_normal}
                  training: {epochs: 15}
                  data: {keep-classes: [0, 2, 4, 6]}
                """);
        Path warehouse = dir.resolve("warehouse");
        Path sources = warehouse.resolve("_sources/transferred");
        Process driver = Scripts.start(Map.of(), dir.resolve("transfer.out"), dir.resolve("transfer.err"),
                "jobs/initsweep", "run", spec.toString(), "--out", warehouse.toString());
        Path source;
        try {
            source = awaitFile(sources, driver, 300);
        } finally {
            driver.destroyForcibly(); // SIGKILL as soon as the source is in the warehouse
            assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        byte[] saved = Files.readAllBytes(source);
        Map<String, String> beforeKill = Sweeps.committed(warehouse);
        assertThat(beforeKill.size()).as("cells committed before the kill").isLessThan(24);

        Scripts.Result rerun = Scripts.run(Map.of(), 600, "jobs/initsweep", "run", spec.toString(), "--out",
                warehouse.toString());
        assertThat(rerun.code()).as(rerun.all()).isZero();
        assertThat(rerun.out()).contains("1 saved earlier, 0 to train")
                .contains("24 cells, " + beforeKill.size() + " already done");
        assertThat(Files.readAllBytes(source)).as("the source is not retrained or rewritten").isEqualTo(saved);
        try (var files = Files.list(sources)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".zip"))).hasSize(1);
        }
        Map<String, String> after = Sweeps.committed(warehouse); // throws on any duplicate
        assertThat(after).hasSize(24);
        beforeKill.forEach((cell, runId) -> assertThat(after).containsEntry(cell, runId));
    }

    /** Polls a run's standard output until its progress line counts at least {@code cells} finished cells. */
    private static void awaitProgress(Path stdout, int cells, Process running, long timeoutSeconds) throws Exception {
        java.util.regex.Pattern progress = java.util.regex.Pattern.compile("^\\[\\s*(\\d+)/\\d+\\]");
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(stdout)) {
                for (String line : Files.readAllLines(stdout)) {
                    java.util.regex.Matcher m = progress.matcher(line);
                    if (m.find() && Integer.parseInt(m.group(1)) >= cells) {
                        return;
                    }
                }
            }
            assertThat(running.isAlive()).as("the sweep ended before %d cells finished", cells).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("fewer than " + cells + " cells finished after " + timeoutSeconds + " s");
    }

    /** Polls until a committed (non-temporary) model file is in {@code directory}. */
    private static Path awaitFile(Path directory, Process running, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(directory)) {
                try (var files = Files.list(directory)) {
                    var found = files.filter(p -> p.getFileName().toString().endsWith(".zip")).findFirst();
                    if (found.isPresent()) {
                        return found.get();
                    }
                }
            }
            assertThat(running.isAlive()).as("the sweep ended before its source was saved").isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("no source saved after " + timeoutSeconds + " s");
    }
}
