package io.initsweep.spark;

import io.initsweep.common.ExitCode;
import io.initsweep.tiers.SparkTest;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A warehouse location that cannot be used is refused before anything is written: exit code 2 and one line that
 * names it, no stack trace.
 */
@SparkTest
class TestEnvironmentErrors {
    @TempDir
    Path dir;

    private Path spec() throws Exception {
        return Files.writeString(dir.resolve("env.yaml"), """
                name: env
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {depth: 1, activation: relu, width: 4}
                training: {epochs: 1}
                data: {dataset: blobs, samples: 60}
                """);
    }

    private TestSweepIntegration.Cli run(String out) throws Exception {
        return TestSweepIntegration.Cli.run("run", spec().toString(), "--out", out, "--master", "local[2,4]");
    }

    private static void assertOneLine(TestSweepIntegration.Cli result, String... parts) {
        assertThat(result.code()).as(result.output()).isEqualTo(ExitCode.USAGE);
        List<String> lines = result.err().lines().toList();
        assertThat(lines).as(result.output()).hasSize(1);
        assertThat(lines.get(0)).startsWith("error: ").contains(parts);
    }

    @Test
    void anOutThatIsARegularFileIsRefusedAndLeftAsItWas() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "my notes\n");
        assertOneLine(run(file.toString()), "the warehouse " + file + " is a regular file");
        assertThat(file).hasContent("my notes");
        assertOneLine(TestSweepIntegration.Cli.run("status", "--out", file.toString()),
                "the warehouse " + file + " is a regular file");
        assertOneLine(TestSweepIntegration.Cli.run("sql", "--out", file.toString(), "SELECT 1"),
                file.toString(), "is a regular file");
        assertThat(file).hasContent("my notes");
    }

    @Test
    void anUnknownHdfsHostIsRefusedInOneLine() throws Exception {
        String location = "hdfs://no-such-host:8020/x";
        assertOneLine(run(location), "cannot use the warehouse " + location + ": unknown host no-such-host");
        assertOneLine(TestSweepIntegration.Cli.run("status", "--out", location),
                "cannot use the warehouse " + location + ": unknown host no-such-host");
    }

    @Test
    void aReadOnlyWarehouseIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path warehouse = Files.createDirectories(dir.resolve("readonly"));
        Files.setPosixFilePermissions(warehouse, PosixFilePermissions.fromString("r-xr-xr-x"));
        boolean immutable = false;
        try {
            if (Files.isWritable(warehouse)) {
                // Root ignores permissions; the immutable attribute stops root too (where the file system has it).
                Process chattr = new ProcessBuilder("chattr", "+i", warehouse.toString()).redirectErrorStream(true)
                        .start();
                immutable = chattr.waitFor() == 0;
                Assumptions.assumeTrue(immutable, "cannot make a directory read-only for this user here");
            }
            assertOneLine(run(warehouse.toString()), "cannot write the warehouse " + warehouse);
            try (Stream<Path> files = Files.list(warehouse)) {
                assertThat(files).as("nothing written").isEmpty();
            }
        } finally {
            if (immutable) {
                new ProcessBuilder("chattr", "-i", warehouse.toString()).start().waitFor();
            }
            Files.setPosixFilePermissions(warehouse, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
