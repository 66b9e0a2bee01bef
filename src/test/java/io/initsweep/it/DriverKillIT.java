package io.initsweep.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The driver killed with kill -9 in the middle of a sweep, then the same command again. */
class DriverKillIT {
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
}
