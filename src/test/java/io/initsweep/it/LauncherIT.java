package io.initsweep.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** jobs/initsweep as a user runs it: a sweep in one JVM, then SQL against its catalog from a new JVM. */
class LauncherIT {
    @TempDir
    Path dir;

    @Test
    void aSweepThenSqlFromANewJvmWithCleanLogging() throws Exception {
        Path spec = Files.writeString(dir.resolve("tiny.yaml"), """
                name: tiny
                seeds: 2
                grid: {scheme: [zero, he_normal], depth: [1, 2]}
                model: {activation: relu, width: 8}
                training: {epochs: 2}
                data: {dataset: spirals, samples: 200}
                """);
        Path warehouse = dir.resolve("warehouse");
        Scripts.Result run = Scripts.run(Map.of(), 600, "jobs/initsweep", "run", spec.toString(), "--out",
                warehouse.toString());
        assertThat(run.code()).as(run.all()).isZero();
        assertThat(run.out()).contains("8 cells (8 trained now, 0 earlier): 8 ok");
        // One SLF4J binding, log4j2 routed into it: no binding or provider warnings at start-up.
        assertThat(run.err()).doesNotContain("SLF4J").doesNotContain("Multiple logging implementations")
                .doesNotContain("StatusLogger");

        Scripts.Result sql = Scripts.run(Map.of(), 600, "jobs/initsweep", "sql", "--out", warehouse.toString(),
                "SELECT scheme, depth, n_seeds FROM initsweep.cell_stats ORDER BY 1, 2");
        assertThat(sql.code()).as(sql.all()).isZero();
        assertThat(sql.out().lines().toList()).contains("he_normal  1      2", "zero       2      2", "(4 rows)");
        assertThat(sql.err()).doesNotContain("SLF4J");
        assertThat(warehouse.resolve("_catalog/metastore_db")).isDirectory();
        assertThat(Path.of("derby.log")).as("Derby's log goes next to the metastore").doesNotExist();
    }

    @Test
    void theNightlyScheduleExtendsTheSweepByItsSeedsAndRefreshesTheReport() throws Exception {
        Path spec = Files.writeString(dir.resolve("nightly.yaml"), """
                name: nightly
                seeds: 1
                grid: {scheme: [zero, he_normal]}
                model: {depth: 1, activation: relu, width: 8}
                training: {epochs: 2}
                data: {dataset: blobs, samples: 120}
                """);
        Path warehouse = dir.resolve("warehouse");
        Path report = dir.resolve("report.html");
        Scripts.Result first = Scripts.run(Map.of(), 600, "jobs/schedules/nightly-extend", spec.toString(),
                warehouse.toString(), "2", report.toString());
        assertThat(first.code()).as(first.all()).isZero();
        assertThat(first.out()).contains("sweep nightly: seeds 0..1 (0 already trained)")
                .contains("4 cells, 0 already done, 4 to train");
        Scripts.Result second = Scripts.run(Map.of(), 600, "jobs/schedules/nightly-extend", spec.toString(),
                warehouse.toString(), "2", report.toString());
        assertThat(second.code()).as(second.all()).isZero();
        assertThat(second.out()).contains("sweep nightly: seeds 0..3 (2 already trained)")
                .contains("8 cells, 4 already done, 4 to train");
        assertThat(report).exists();
        assertThat(Files.readString(report)).contains("initsweep report: nightly").contains("8 runs");
    }
}
