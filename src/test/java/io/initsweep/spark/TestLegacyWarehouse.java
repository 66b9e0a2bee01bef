package io.initsweep.spark;

import io.initsweep.tiers.SparkTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A warehouse written before the commit log (up to commit dc6c886): the tables' files named
 * {@code <sweep>~<commit>~<n>.<ext>}, the sweep's record, no log. It resumes with nothing to train, its files are
 * adopted into the log as one baseline entry, and a later --force replaces them.
 */
@SparkTest
class TestLegacyWarehouse {
    @TempDir
    Path dir;

    @Test
    void aWarehouseWithoutACommitLogResumesWithNothingToTrainAndIsAdoptedOnce() throws Exception {
        Path spec = Files.writeString(dir.resolve("old.yaml"), """
                name: old
                seeds: 2
                grid: {scheme: [he_normal, zero]}
                model: {depth: 1, activation: relu, width: 4}
                training: {epochs: 2, batch-size: 32}
                data: {dataset: blobs, samples: 80}
                execution: {commit-seconds: 1}
                """);
        Path out = dir.resolve("warehouse");
        String[] run = {"run", spec.toString(), "--out", out.toString(), "--master", "local[2,4]"};
        assertThat(TestSweepIntegration.Cli.run(run).code()).isZero();
        // What that version left: the same files, without the log (its manifests were deleted after each commit).
        deleteTree(out.resolve("_commits"));
        List<String> legacy = files(out.resolve("runs"));
        assertThat(legacy).isNotEmpty().allMatch(n -> n.matches("old~[A-Za-z0-9-]+~\\d+\\.snappy\\.parquet"));
        Map<String, String> before = runIds(out);
        assertThat(before).hasSize(4);

        // Read before any run adopts it: the files named after the sweep are its files.
        TestSweepIntegration.Cli status = TestSweepIntegration.Cli.run("status", "--out", out.toString());
        assertThat(status.out()).containsPattern("old +4 +4 +");
        assertThat(status.err()).doesNotContain("warning");

        TestSweepIntegration.Cli resumed = TestSweepIntegration.Cli.run(run);
        assertThat(resumed.code()).as(resumed.output()).isZero();
        assertThat(resumed.out()).contains("4 cells, 4 already done, 0 to train");
        assertThat(runIds(out)).isEqualTo(before);
        List<JsonNode> log = log(out.resolve("_commits/old"));
        assertThat(log.get(0).get("operation").asText()).isEqualTo("baseline");
        assertThat(log.get(0).get("sequence").asLong()).isEqualTo(1);
        List<String> adopted = new ArrayList<>();
        for (JsonNode table : log.get(0).get("tables")) {
            if (table.get("table").asText().equals("runs")) {
                table.get("added").forEach(f -> adopted.add(f.get("name").asText()));
                table.get("added").forEach(f -> assertThat(f.get("staged").isNull()).isTrue());
            }
        }
        assertThat(adopted).containsExactlyInAnyOrderElementsOf(legacy);
        assertThat(log).filteredOn(m -> m.get("operation").asText().equals("baseline")).hasSize(1);
        TestSweepIntegration.Cli check = TestSweepIntegration.Cli.run("check", "--out", out.toString());
        assertThat(check.code()).as(check.output()).isZero();

        // The adopted files know their cells: --force replaces every row, once.
        TestSweepIntegration.Cli forced = TestSweepIntegration.Cli.run(Stream.concat(Stream.of(run),
                Stream.of("--force")).toArray(String[]::new));
        assertThat(forced.code()).as(forced.output()).isZero();
        Map<String, String> after = runIds(out);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        after.forEach((cell, runId) -> assertThat(runId).isNotEqualTo(before.get(cell)));
        assertThat(files(out.resolve("runs"))).doesNotContainAnyElementsOf(legacy);
        assertThat(SparkSession.active().read().parquet(out.resolve("epochs").toString()).count()).isEqualTo(4 * 3);
    }

    @Test
    void rowsWrittenBeforeASettingExistedReadAsItsDefaultSoAnExtendedSweepKeepsItsGridPointsTogether()
            throws Exception {
        Path spec = Files.writeString(dir.resolve("upgrade.yaml"), """
                name: upgrade
                seeds: %d
                grid: {scheme: [he_normal, zero]}
                model: {depth: 1, activation: relu, width: 4}
                training: {epochs: 1, batch-size: 32}
                data: {dataset: blobs, samples: 80}
                """);
        Path out = dir.resolve("warehouse");
        String specText = Files.readString(spec);
        Files.writeString(spec, specText.formatted(2));
        String[] run = {"run", spec.toString(), "--out", out.toString(), "--master", "local[2,4]", "--no-layers"};
        assertThat(TestSweepIntegration.Cli.run(run).code()).isZero();
        // As a version without bias-std wrote them: no bias_std column in runs, and no commit log.
        deleteTree(out.resolve("_commits"));
        SparkSession spark = SparkSession.active();
        for (String name : files(out.resolve("runs"))) {
            Path file = out.resolve("runs").resolve(name);
            Path rewritten = dir.resolve("rewritten-" + name);
            spark.read().parquet(file.toString()).drop("bias_std").coalesce(1).write().parquet(rewritten.toString());
            try (Stream<Path> parts = Files.list(rewritten)) {
                Path part = parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst()
                        .orElseThrow();
                Files.copy(part, file, StandardCopyOption.REPLACE_EXISTING);
                Files.deleteIfExists(file.resolveSibling("." + name + ".crc")); // Hadoop's checksum of the old bytes
            }
        }
        assertThat(spark.read().parquet(out.resolve("runs").toString()).columns()).doesNotContain("bias_std");

        Files.writeString(spec, specText.formatted(3)); // one more seed, trained by this version
        TestSweepIntegration.Cli extended = TestSweepIntegration.Cli.run(run);
        assertThat(extended.code()).as(extended.output()).isZero();
        assertThat(extended.out()).contains("6 cells, 4 already done, 2 to train");
        TestSweepIntegration.Cli stats = TestSweepIntegration.Cli.run("sql", "--out", out.toString(), "--format",
                "csv", "SELECT scheme, bias_std, n_seeds FROM initsweep.cell_stats ORDER BY scheme; "
                        + "SELECT n_a, n_b FROM initsweep.scheme_comparison");
        assertThat(stats.code()).as(stats.output()).isZero();
        // two grid points of three seeds each, not four points split on bias_std null / 0; comparisons on 3 seeds
        assertThat(stats.out()).isEqualTo("""
                scheme,bias_std,n_seeds
                he_normal,0.0,3
                zero,0.0,3
                n_a,n_b
                3,3
                """);
    }

    private static Map<String, String> runIds(Path out) {
        Map<String, String> ids = new HashMap<>();
        for (Row row : SparkSession.active().read().parquet(out.resolve("runs").toString())
                .select("cell_id", "run_id").collectAsList()) {
            assertThat(ids.put(row.getString(0), row.getString(1))).as("cell %s once", row.getString(0)).isNull();
        }
        return ids;
    }

    private static List<String> files(Path table) throws Exception {
        try (Stream<Path> files = Files.list(table)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static List<JsonNode> log(Path dir) throws Exception {
        List<JsonNode> manifests = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                manifests.add(new ObjectMapper().readTree(file.toFile()));
            }
        }
        return manifests;
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
