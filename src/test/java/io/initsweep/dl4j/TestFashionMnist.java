package io.initsweep.dl4j;

import io.initsweep.data.Dataset;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.Datasets;
import io.initsweep.data.TestFiles;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.model.LayerKind;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.RunStatus;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Training on real images: Fashion-MNIST's IDX files as Debian's package {@code dataset-fashion-mnist} installs
 * them. CI installs the package and sets {@code INITSWEEP_REQUIRE_DATASETS}, so there a missing file fails the
 * test; elsewhere the test is skipped without the files.
 */
@Dl4jTest
class TestFashionMnist {
    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final List<String> FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    @BeforeAll
    static void files() {
        List<String> missing = FILES.stream().filter(f -> !Files.isReadable(DIR.resolve(f))).toList();
        if (missing.isEmpty()) {
            return;
        }
        assertThat(System.getenv("INITSWEEP_REQUIRE_DATASETS")).as("INITSWEEP_REQUIRE_DATASETS is set but "
                + DIR + " lacks " + missing + " (apt-get install dataset-fashion-mnist)").isNull();
        Assumptions.abort("no Fashion-MNIST in " + DIR + " (apt-get install dataset-fashion-mnist): skipped");
    }

    private static SweepSpec spec(String extraData) {
        return SpecParser.parse("""
                name: fashion
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {depth: 2, width: 128, activation: relu}
                training: {epochs: 4, batch-size: 32, optimizer: adam, learning-rate: 0.001}
                data:
                  dataset: idx
                  images: %1$s/train-images-idx3-ubyte.gz
                  labels: %1$s/train-labels-idx1-ubyte.gz
                  test-images: %1$s/t10k-images-idx3-ubyte.gz
                  test-labels: %1$s/t10k-labels-idx1-ubyte.gz
                  subsample: 2000
                %2$s
                """.formatted(DIR, extraData), "fashion.yaml");
    }

    /**
     * An MLP trained on 2,000 of the training images, tested on all 10,000 test images. Chance is 0.1; this cell
     * measured 0.795 (he_normal, 2×128 ReLU, Adam 1e-3, 4 epochs).
     */
    @Test
    void anMlpLearnsFashionMnistFromTwoThousandImages() {
        SweepSpec sweep = spec("");
        Dataset data = Datasets.load(sweep.dataset(), List.of(0L), TestFiles.LOCAL).get(0L);
        DatasetIdentity identity = data.identity();
        assertThat(identity.inputShape()).containsExactly(1, 28, 28);
        assertThat(identity.features()).isEqualTo(784);
        assertThat(identity.outputs()).isEqualTo(10);
        assertThat(identity.trainRows()).isEqualTo(2000);
        assertThat(identity.testRows()).isEqualTo(10_000);

        Cell cell = Grid.expand(sweep, Map.of(0L, identity)).get(0);
        CellResult result = new Dl4jCellTrainer(1, false).train(cell, data);
        assertThat(result.status()).isEqualTo(RunStatus.OK);
        assertThat(result.finalTestAccuracy()).isGreaterThan(0.7);
    }

    /**
     * A small CNN trained on 2,000 training images and tested on 500 others held out of the same file (a 2,500-image
     * subsample split 80/20: evaluating a cnn on all 10,000 test images after every epoch would multiply this test's
     * time several-fold on CI's two cores). 5 convolutions of 8, 16, 32, 32, 32 channels (3×3, stride 2 from layer 1
     * on: 28×28, 14×14, 7×7, 4×4, 2×2), ReLU, He normal, global average pooling, Adam 0.01, 4 epochs. Chance is 0.1;
     * measured: 0.724, 0.754, 0.806 after epochs 1-3 and 0.830 after 6; with 3 layers of 16 channels instead (the
     * receptive field too small for global average pooling) 0.64 after 4 epochs.
     */
    @Test
    void aSmallCnnLearnsFashionMnistFromTwoThousandImages() {
        SweepSpec sweep = SpecParser.parse("""
                name: fashion-cnn
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {architecture: cnn, depth: 5, widths: [8, 16, 32, 32, 32], downsample-every: 1,
                        activation: relu}
                training: {epochs: 4, batch-size: 32, optimizer: adam, learning-rate: 0.01}
                data:
                  dataset: idx
                  images: %1$s/train-images-idx3-ubyte.gz
                  labels: %1$s/train-labels-idx1-ubyte.gz
                  subsample: 2500
                  test-fraction: 0.2
                """.formatted(DIR), "fashion-cnn.yaml");
        Dataset data = Datasets.load(sweep.dataset(), List.of(0L), TestFiles.LOCAL).get(0L);
        assertThat(data.identity().trainRows()).isEqualTo(2000);
        assertThat(data.identity().testRows()).isEqualTo(500);
        Cell cell = Grid.expand(sweep, Map.of(0L, data.identity())).get(0);
        CellResult result = new Dl4jCellTrainer(1, true).train(cell, data);
        assertThat(result.status()).as(String.valueOf(result.error())).isEqualTo(RunStatus.OK);
        System.out.printf("fashion cnn: test accuracy by epoch %s, %.1f s%n", result.epochs().stream()
                .map(e -> String.format("%.3f", e.testAccuracy())).toList(), result.wallSeconds());
        // 500 test images: the accuracy's standard error near 0.8 is 0.018
        assertThat(result.finalTestAccuracy()).isGreaterThan(0.75);
        assertThat(result.layers()).filteredOn(l -> l.placement().kind() == LayerKind.CONVOLUTION)
                .hasSize(2 * 5);
    }

    /** keep-classes on real labels: T-shirt/top (0), Trouser (1) and Ankle boot (9) become classes 0, 1, 2. */
    @Test
    void keepClassesTakesTheRowsOfThoseClassesOnly() {
        Dataset data = Datasets.load(spec("  keep-classes: [9, 0, 1]").dataset(), List.of(0L), TestFiles.LOCAL)
                .get(0L);
        assertThat(data.outputs()).isEqualTo(3);
        assertThat(data.trainRows()).isEqualTo(2000);
        assertThat(data.testRows()).isEqualTo(3000); // 1,000 test images per class
        int[] perClass = new int[3];
        for (int r = 0; r < data.testRows(); r++) {
            for (int c = 0; c < 3; c++) {
                perClass[c] += (int) data.testY()[r * 3 + c];
            }
        }
        assertThat(perClass).containsExactly(1000, 1000, 1000);
    }
}
