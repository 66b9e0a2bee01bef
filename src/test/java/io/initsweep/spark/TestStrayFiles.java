package io.initsweep.spark;

import io.initsweep.common.ExitCode;
import io.initsweep.tiers.SparkTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files in a table's directory that no commit wrote: a copy of a results file, a junk file, a truncated one. They
 * must neither change a statistic nor pass unnoticed, and no command may die of them.
 */
@SparkTest
class TestStrayFiles {
    @TempDir
    Path dir;

    private static final String SPEC = """
            name: stray
            seeds: 3
            grid: {scheme: [he_normal, xavier_normal]}
            model: {depth: 1, activation: tanh, width: 6}
            training: {epochs: 2, batch-size: 32}
            data: {dataset: blobs, samples: 90}
            """;

    private static List<String> dataFiles(Path table) throws Exception {
        try (Stream<Path> files = Files.list(table)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static TestSweepIntegration.Cli cli(String... args) {
        return TestSweepIntegration.Cli.run(args);
    }

    @Test
    void aCopiedRunsFileDoublesNoStatisticAndEveryCommandNamesItInsteadOfDying() throws Exception {
        Path spec = Files.writeString(dir.resolve("stray.yaml"), SPEC);
        Path out = dir.resolve("warehouse");
        String wh = out.toString();
        TestSweepIntegration.Cli first = cli("run", spec.toString(), "--out", wh, "--master", "local[2,4]");
        assertThat(first.code()).as(first.output()).isZero();

        // A user copies a runs file, drops a junk file and a truncated epochs file into the tables.
        String original = dataFiles(out.resolve("runs")).get(0);
        Files.copy(out.resolve("runs").resolve(original), out.resolve("runs").resolve("copy-of-runs.parquet"));
        Files.writeString(out.resolve("runs").resolve("junk.parquet"), "not parquet at all\n");
        String epochs = dataFiles(out.resolve("epochs")).get(0);
        byte[] bytes = Files.readAllBytes(out.resolve("epochs").resolve(epochs));
        Files.write(out.resolve("epochs").resolve("truncated.parquet"), Arrays.copyOf(bytes, bytes.length / 2));
        List<String> strays = List.of("runs/copy-of-runs.parquet", "runs/junk.parquet", "epochs/truncated.parquet");

        TestSweepIntegration.Cli status = cli("status", "--out", wh);
        assertThat(status.code()).as(status.output()).isZero();
        assertThat(status.out()).containsPattern("stray +6 +6 +6 +0 +0 +0 +0");
        assertWarnsOfEach(status, strays);

        // The run recomputes scheme_comparison from the runs rows: 3 seeds per scheme, not 6.
        TestSweepIntegration.Cli again = cli("run", spec.toString(), "--out", wh, "--master", "local[2,4]");
        assertThat(again.code()).as(again.output()).isZero();
        assertThat(again.out()).contains("6 cells, 6 already done, 0 to train");
        assertWarnsOfEach(again, strays);

        TestSweepIntegration.Cli sql = cli("sql", "--out", wh, "--format", "csv",
                "SELECT scheme, n_seeds, n_ok FROM initsweep.cell_stats ORDER BY scheme; "
                        + "SELECT n_a, n_b FROM initsweep.scheme_comparison; "
                        + "SELECT count(*) AS n FROM initsweep.unique_runs");
        assertThat(sql.code()).as(sql.output()).isZero();
        assertThat(sql.out()).isEqualTo("""
                scheme,n_seeds,n_ok
                he_normal,3,3
                xavier_normal,3,3
                n_a,n_b
                3,3
                n
                6
                """);
        assertWarnsOfEach(sql, strays);

        TestSweepIntegration.Cli report = cli("report", "--out", wh, "--to", dir.resolve("r.html").toString());
        assertThat(report.code()).as(report.output()).isZero();
        assertWarnsOfEach(report, strays);

        TestSweepIntegration.Cli check = cli("check", "--out", wh);
        assertThat(check.code()).as(check.output()).isEqualTo(ExitCode.PROBLEMS_FOUND);
        assertThat(check.out())
                .contains("stray     runs/copy-of-runs.parquet is not part of any commit")
                .contains("6 rows of 6 cells, all of them already in the table's live files")
                .contains("stray     runs/junk.parquet is not part of any commit")
                .contains("not a readable Parquet file")
                .contains("stray     epochs/truncated.parquet is not part of any commit")
                .contains("3 problems; 'jobs/initsweep check --repair' moves the 3 stray files to _quarantine/");

        TestSweepIntegration.Cli repair = cli("check", "--repair", "--out", wh);
        assertThat(repair.code()).as(repair.output()).isZero();
        assertThat(repair.out()).containsPattern("moved runs/copy-of-runs.parquet to _quarantine/\\d{8}T\\d{6}Z/"
                + "runs/copy-of-runs.parquet").contains("ok: every file");
        Path quarantine;
        try (Stream<Path> stamps = Files.list(out.resolve("_quarantine"))) {
            quarantine = stamps.findFirst().orElseThrow();
        }
        assertThat(quarantine.resolve("runs/copy-of-runs.parquet")).hasSameBinaryContentAs(
                out.resolve("runs").resolve(original));
        assertThat(quarantine.resolve("runs/junk.parquet")).hasContent("not parquet at all");
        assertThat(quarantine.resolve("epochs/truncated.parquet")).exists();
        assertThat(dataFiles(out.resolve("runs"))).doesNotContain("copy-of-runs.parquet", "junk.parquet");

        TestSweepIntegration.Cli clean = cli("status", "--out", wh);
        assertThat(clean.err()).doesNotContain("warning");
        TestSweepIntegration.Cli raw = cli("sql", "--out", wh, "--format", "csv",
                "SELECT count(*) AS n FROM initsweep.runs");
        assertThat(raw.out()).isEqualTo("n\n6\n");
    }

    private static void assertWarnsOfEach(TestSweepIntegration.Cli result, List<String> strays) {
        List<String> warnings = result.err().lines().filter(l -> l.startsWith("warning: ")).toList();
        assertThat(warnings).as(result.output()).hasSize(strays.size());
        for (String stray : strays) {
            assertThat(warnings).as(result.output()).anySatisfy(w -> assertThat(w).contains(stray)
                    .contains("'jobs/initsweep check --repair --out "));
        }
        assertThat(result.err()).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
    }
}
