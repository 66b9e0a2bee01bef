package io.initsweep.spark;

import io.initsweep.common.ExitCode;
import io.initsweep.data.Dataset;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.grid.Cell;
import io.initsweep.grid.SourceCell;
import io.initsweep.tiers.SparkTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.CellTrainerFactory;
import io.initsweep.train.SourceModel;
import io.initsweep.train.SourceResult;
import io.initsweep.train.TransferTrainer;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Transfer sweeps end to end through the command line on local Spark: the source network trained once and
 * committed as a model file before the cells that need it, resume after a crash that came after the source was
 * saved trains no source again and every cell once, runs rows that name the source and its file's hash, transfer
 * reaching the target loss sooner than training from scratch for each scheme of the new layer, a source that
 * diverges failing its dependents with a reason naming it, and a bad {@code from-model} file refused with exit 2
 * before anything trains.
 */
@SparkTest
class TestTransferSweep {
    /**
     * Oriented bars: the source learns the even orientations, the target the odd ones (TestTransferTrainer's
     * science test, one seed here: measured over seeds 0-7, from scratch the test loss reaches 0.6 at epochs 7-10 or
     * not within 10, with the two hidden layers kept at epochs 2-3, for both schemes of the new layer).
     */
    static final String SPEC = """
            name: bars-transfer
            seeds: 1
            grid:
              scheme: [he_normal, xavier_normal]
              transfer-layers: [0, 2]
            model: {depth: 2, width: 64, activation: relu}
            training: {epochs: 10, learning-rate: 0.05, batch-size: 32, target-loss: 0.6}
            data: {dataset: bars, classes: 8, size: 12, samples: 1600, keep-classes: [1, 3, 5, 7]}
            source:
              seeds: 1
              model: {scheme: he_normal}
              training: {epochs: 15}
              data: {keep-classes: [0, 2, 4, 6]}
            """;

    @TempDir
    Path dir;

    /**
     * A driver that dies after the sources are committed: every transfer cell's task throws (not a failed cell, a
     * crashed task), so the Spark job fails and the run exits 1 with the source saved and no transfer cell stored.
     */
    static final class CrashingTransfers implements CellTrainerFactory {
        @Override
        public TransferTrainer create(int nativeThreads, boolean recordLayers) {
            TransferTrainer real = (TransferTrainer) Dl4jCellTrainer.FACTORY.create(nativeThreads, recordLayers);
            return new TransferTrainer() {
                @Override
                public SourceResult trainSource(SourceCell source, Dataset dataset) {
                    return real.trainSource(source, dataset);
                }

                @Override
                public CellResult train(Cell cell, Dataset dataset, SourceModel source) {
                    throw new IllegalStateException("executor lost (test)");
                }

                @Override
                public CellResult train(Cell cell, Dataset dataset) {
                    return real.train(cell, dataset);
                }
            };
        }
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private static TestSweepIntegration.Cli run(CellTrainerFactory trainers, Path spec, Path out) {
        return TestSweepIntegration.Cli.run(trainers, "run", spec.toString(), "--out", out.toString(), "--master",
                "local[2,4]");
    }

    private static List<Path> sourceFiles(Path out, String sweep) throws Exception {
        Path folder = out.resolve(SourceFiles.FOLDER).resolve(sweep);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            // the model files only: Hadoop's local file system keeps a hidden .crc beside each
            return files.filter(f -> f.getFileName().toString().endsWith(".zip")
                    && !f.getFileName().toString().startsWith(".")).sorted().toList();
        }
    }

    @Test
    void sourcesTrainOnceFirstAResumeRetrainsNoSourceAndTransferReachesTheTargetSooner() throws Exception {
        Path spec = write("transfer.yaml", SPEC);
        Path out = dir.resolve("warehouse");

        TestSweepIntegration.Cli crashed = run(new CrashingTransfers(), spec, out);
        assertThat(crashed.code()).as(crashed.output()).isEqualTo(ExitCode.RUNTIME_FAILURE);
        assertThat(crashed.out()).contains("4 cells, 0 already done, 4 to train")
                .contains("1 source network: 0 saved earlier, 1 to train");
        List<Path> saved = sourceFiles(out, "bars-transfer");
        assertThat(saved).hasSize(1);
        String sourceId = saved.get(0).getFileName().toString().replace(".zip", "");
        byte[] file = Files.readAllBytes(saved.get(0));
        long modified = Files.getLastModifiedTime(saved.get(0)).toMillis();

        TestSweepIntegration.Cli resumed = run(Dl4jCellTrainer.FACTORY, spec, out);
        assertThat(resumed.code()).as(resumed.output()).isEqualTo(ExitCode.OK);
        // (whether the crashed run committed some from-scratch cells before its job failed depends on timing)
        assertThat(resumed.out()).contains("1 source network: 1 saved earlier, 0 to train");
        assertThat(sourceFiles(out, "bars-transfer")).containsExactly(saved.get(0));
        assertThat(Files.getLastModifiedTime(saved.get(0)).toMillis()).isEqualTo(modified);

        SparkSession spark = SparkSession.active();
        List<Row> runs = spark.read().parquet(out.resolve("runs").toString()).select("cell_id", "scheme", "seed",
                "transfer_layers", "status", "epochs_to_target", "source_id", "source_seed", "source_sha256")
                .collectAsList();
        assertThat(runs).hasSize(4);
        assertThat(runs.stream().map(r -> r.getString(0)).distinct()).hasSize(4);
        assertThat(runs).allSatisfy(r -> assertThat(r.getString(4)).isEqualTo("ok"));
        String sha = SourceModel.sha256(file);
        Map<String, Integer> scratch = new HashMap<>();
        Map<String, Integer> transferred = new HashMap<>();
        for (Row r : runs) {
            boolean transfer = r.getInt(3) == 2;
            assertThat(r.isNullAt(6)).isEqualTo(!transfer);
            if (transfer) {
                assertThat(r.getString(6)).isEqualTo(sourceId);
                assertThat(r.getLong(7)).isZero();
                assertThat(r.getString(8)).isEqualTo(sha);
            }
            // never reached within the 10 epochs counts as 11
            int epochs = r.isNullAt(5) ? 11 : r.getInt(5);
            (transfer ? transferred : scratch).put(r.getString(1) + " seed " + r.getLong(2), epochs);
        }
        assertThat(transferred.keySet()).containsExactlyInAnyOrderElementsOf(scratch.keySet()).hasSize(2);
        transferred.forEach((point, epochs) -> assertThat(epochs)
                .as("%s: epochs to the target loss transferred %s, from scratch %s", point, transferred, scratch)
                .isLessThanOrEqualTo(scratch.get(point) - 3));

        TestSweepIntegration.Cli again = run(Dl4jCellTrainer.FACTORY, spec, out);
        assertThat(again.code()).as(again.output()).isEqualTo(ExitCode.OK);
        assertThat(again.out()).contains("4 cells, 4 already done, 0 to train").doesNotContain("source networks");
        assertThat(spark.read().parquet(out.resolve("runs").toString()).count()).isEqualTo(4);
        assertThat(Files.readAllBytes(saved.get(0))).isEqualTo(file);

        // replay trains a transfer cell from the stored file, checked against the hash its row recorded
        String transferCell = runs.stream().filter(r -> r.getInt(3) == 2).findFirst().orElseThrow().getString(0);
        TestSweepIntegration.Cli replay = TestSweepIntegration.Cli.run("replay", transferCell, "--out",
                out.toString(), "--master", "local[1]");
        assertThat(replay.code()).as(replay.output()).isZero();
        assertThat(replay.out()).contains("bitwise identical: all 11 epochs");

        // the saved source serves as a user's from-model network; one of another width is refused before training
        Path fromModel = write("from-model.yaml", """
                name: from-model
                seeds: 1
                grid: {scheme: [he_normal], transfer-layers: [2]}
                model: {depth: 2, width: 32, activation: relu}
                training: {epochs: 2}
                data: {dataset: bars, classes: 8, size: 12, samples: 200, keep-classes: [1, 3, 5, 7]}
                source: {from-model: %s}
                """.formatted(saved.get(0)));
        Path refusedOut = dir.resolve("refused");
        TestSweepIntegration.Cli refused = run(Dl4jCellTrainer.FACTORY, fromModel, refusedOut);
        assertThat(refused.code()).as(refused.output()).isEqualTo(ExitCode.USAGE);
        assertThat(refused.err()).contains("error: " + saved.get(0) + ": layer 0: maps 144 to 64 units but the "
                + "cell's layer 0 maps 144 to 32").doesNotContain("\tat ");
        assertThat(refusedOut.resolve("runs")).doesNotExist();
        assertThat(refusedOut.resolve(SourceFiles.FOLDER)).doesNotExist();

        // a stored source whose bytes changed is not replayed from (its .crc removed, as a copy without it would be)
        Files.delete(saved.get(0).resolveSibling("." + saved.get(0).getFileName() + ".crc"));
        byte[] tampered = file.clone();
        tampered[tampered.length / 2] ^= 1;
        Files.write(saved.get(0), tampered);
        TestSweepIntegration.Cli changed = TestSweepIntegration.Cli.run("replay", transferCell, "--out",
                out.toString(), "--master", "local[1]");
        assertThat(changed.code()).as(changed.output()).isEqualTo(ExitCode.USAGE);
        assertThat(changed.err()).contains(saved.get(0).getFileName() + ": the source's model file changed since "
                + "cell " + transferCell + " trained from it: its SHA-256 is " + SourceModel.sha256(tampered)
                + ", recorded " + sha);
    }

    @Test
    void aSourceThatDivergesFailsItsDependentsNamingItAndABadFromModelFileIsRefused() throws Exception {
        Path spec = write("diverging.yaml", """
                name: diverging
                seeds: 1
                grid: {scheme: [he_normal], transfer-layers: [0, 1]}
                model: {depth: 1, width: 8, activation: relu}
                training: {epochs: 2, batch-size: 16}
                data: {dataset: blobs, classes: 4, features: 4, samples: 80, keep-classes: [2, 3]}
                source:
                  seeds: 1
                  model: {scheme: he_normal}
                  training: {epochs: 3, optimizer: sgd, learning-rate: 1e9}
                  data: {keep-classes: [0, 1]}
                """);
        Path out = dir.resolve("warehouse");
        TestSweepIntegration.Cli result = run(Dl4jCellTrainer.FACTORY, spec, out);
        assertThat(result.code()).as(result.output()).isEqualTo(ExitCode.FAILED_CELLS);
        assertThat(result.out()).containsPattern("source [0-9a-f]{16}: source [0-9a-f]{16} \\(source seed 0\\) "
                + "diverged at epoch \\d");
        assertThat(sourceFiles(out, "diverging")).isEmpty();
        List<Row> runs = SparkSession.active().read().parquet(out.resolve("runs").toString())
                .select("transfer_layers", "status", "error", "source_id").orderBy("transfer_layers").collectAsList();
        assertThat(runs).hasSize(2);
        assertThat(runs.get(0).getString(1)).isEqualTo("ok");
        assertThat(runs.get(1).getString(1)).isEqualTo("failed");
        assertThat(runs.get(1).getString(2)).startsWith("source " + runs.get(1).getString(3)
                + " (source seed 0) diverged at epoch ").endsWith("nothing to transfer");

        Path notAModel = write("notes.zip", "not a model\n");
        Path bad = write("bad.yaml", """
                name: bad
                seeds: 1
                grid: {scheme: [he_normal], transfer-layers: [1]}
                model: {depth: 1, width: 8, activation: relu}
                data: {dataset: blobs, classes: 4, features: 4, samples: 80}
                source: {from-model: %s}
                """.formatted(notAModel));
        TestSweepIntegration.Cli validate = TestSweepIntegration.Cli.run("validate", bad.toString());
        assertThat(validate.code()).as(validate.output()).isEqualTo(ExitCode.USAGE);
        assertThat(validate.err()).contains("error: " + notAModel + ": file: not a DL4J model file");
        Path badOut = dir.resolve("bad");
        TestSweepIntegration.Cli refused = run(Dl4jCellTrainer.FACTORY, bad, badOut);
        assertThat(refused.code()).as(refused.output()).isEqualTo(ExitCode.USAGE);
        assertThat(refused.err()).contains(notAModel + ": file: not a DL4J model file (ModelSerializer's zip): not "
                + "a zip archive (12 bytes)");
        assertThat(badOut.resolve("runs")).doesNotExist();

        Path missing = write("missing.yaml", Files.readString(bad).replace(notAModel.toString(),
                dir.resolve("nowhere.zip").toString()));
        TestSweepIntegration.Cli gone = TestSweepIntegration.Cli.run("validate", missing.toString());
        assertThat(gone.code()).isEqualTo(ExitCode.USAGE);
        assertThat(gone.err()).contains(dir.resolve("nowhere.zip") + ": file: no such file (source.from-model)");
        TestSweepIntegration.Cli goneRun = run(Dl4jCellTrainer.FACTORY, missing, badOut);
        assertThat(goneRun.code()).isEqualTo(ExitCode.USAGE);
        assertThat(goneRun.err()).contains(dir.resolve("nowhere.zip") + ": file: does not exist");
    }
}
