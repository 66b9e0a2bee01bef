package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the command line refuses before it starts Spark or reads data: exit code 2, one line that names the value,
 * no stack trace, nothing written.
 */
class TestRefusals {
    @TempDir
    Path dir;

    static final String SPEC = """
            name: refuse
            seeds: 2
            grid: {scheme: [he_normal], depth: [1, 2]}
            model: {activation: relu, width: 4}
            data: {dataset: blobs, samples: 60}
            """;

    record Result(int code, String out, String err) {
    }

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path spec(String text) throws Exception {
        return Files.writeString(dir.resolve("spec.yaml"), text);
    }

    @Test
    void aTenMillionCellGridIsRefusedWithItsSizeBeforeAnythingIsBuilt() throws Exception {
        // 10 schemes x 1000 depths x 1000 seeds: validate said "valid", and run thrashed the heap for minutes
        StringBuilder depths = new StringBuilder();
        for (int d = 1; d <= 1000; d++) {
            depths.append(d == 1 ? "" : ", ").append(d);
        }
        Path spec = spec("""
                name: huge
                seeds: 1000
                grid:
                  scheme: [zero, he_normal, he_uniform, xavier_normal, xavier_uniform, lecun_normal, lecun_uniform,
                           orthogonal, truncated_normal, normal]
                  depth: [%s]
                model: {activation: relu}
                data: {dataset: blobs}
                """.formatted(depths));
        long start = System.nanoTime();
        Result validate = cli("validate", spec.toString());
        assertThat(validate.code()).isEqualTo(ExitCode.USAGE);
        assertThat(validate.err()).contains("error: the grid has 10000000 cells (10 scheme × 1000 depth × 1000 seeds), "
                + "more than the limit of 250000").contains("--max-cells").doesNotContain("\tat ");
        Path out = dir.resolve("warehouse");
        Result run = cli("run", spec.toString(), "--out", out.toString());
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("the grid has 10000000 cells");
        assertThat(out).doesNotExist();
        assertThat((System.nanoTime() - start) / 1e9).as("refused at once, not after building cells")
                .isLessThan(20);
        // the limit is a flag, not a wall
        assertThat(cli("validate", spec.toString(), "--max-cells", "20000000").code()).isEqualTo(ExitCode.OK);
    }

    @Test
    void validateRunsTheChecksThatNeedNoData() throws Exception {
        // a layer override past a fixed depth: run refused it, validate said "valid"
        Path spec = spec(SPEC.replace("model: {activation: relu, width: 4}",
                "model: {activation: relu, width: 4, layer-init: [{layers: 0-3, scheme: zero}]}"));
        Result result = cli("validate", spec.toString());
        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("error: layer-init covers hidden layers 0-3 but a cell has depth 1");
    }

    @Test
    void aMasterOfNoKnownFormIsRefusedBeforeSparkStarts() throws Exception {
        Path out = dir.resolve("warehouse");
        Result result = cli("run", spec(SPEC).toString(), "--out", out.toString(), "--master", "garbage://x");
        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).startsWith("error: unknown Spark master 'garbage://x'").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }

    @Test
    void aStandaloneMasterThatDoesNotAnswerIsRefusedAtOnce() throws Exception {
        // Spark itself retried for 62 s and died with "LiveListenerBus is stopped"
        long start = System.nanoTime();
        Result result = cli("status", "--out", dir.toString(), "--master", "spark://127.0.0.1:1");
        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).startsWith("error: no Spark master answers at spark://127.0.0.1:1: 127.0.0.1:1 ("
                + "ConnectException").doesNotContain("\tat ");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(15);
    }

    @Test
    void aReportToADirectoryIsRefused() throws Exception {
        Result result = cli("report", "--out", dir.toString(), "--to", dir.toString());
        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).isEqualTo("error: --to " + dir + " is a directory; give the report's file name, "
                + "e.g. --to " + dir.resolve("report.html") + System.lineSeparator());
    }

    @Test
    void aBadPrintFieldIsAUsageError() throws Exception {
        Result result = cli("validate", spec(SPEC).toString(), "--print", "colour");
        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("error: --print takes cells, cores-per-cell or name, got 'colour'");
    }
}
