package io.initsweep.data;

import io.initsweep.spec.SpecException;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Data that keeps its shape: IDX images, image-shape on CSV rows, and the built-in oriented bars. */
class TestImageData {
    @TempDir
    Path dir;

    @Test
    void idxImagesKeepTheirHeightAndWidth() throws Exception {
        float[][] x = TestFiles.features(40, 12, 3);
        int[] labels = TestFiles.labels(40, 3, 3);
        Path images = TestFiles.idxImages(dir.resolve("train-images.gz"), x, 3, 4);
        Path labelFile = TestFiles.idxLabels(dir.resolve("train-labels.gz"), labels);
        DatasetSpec spec = DatasetSpec.of(DatasetKind.IDX, Map.of("images", images.toString(),
                "labels", labelFile.toString()));
        Dataset d = Datasets.load(spec, List.of(0L), TestFiles.LOCAL).get(0L);
        assertThat(d.identity().inputShape()).containsExactly(1, 3, 4);
        assertThat(d.features()).isEqualTo(12);

        // A test file of the same pixel count but another size is not the same kind of image.
        Path sideways = TestFiles.idxImages(dir.resolve("test-images.gz"), TestFiles.features(10, 12, 4), 4, 3);
        Path testLabels = TestFiles.idxLabels(dir.resolve("test-labels.gz"), TestFiles.labels(10, 3, 4));
        assertThatThrownBy(() -> Datasets.load(DatasetSpec.of(DatasetKind.IDX, Map.of("images", images.toString(),
                "labels", labelFile.toString(), "test-images", sideways.toString(), "test-labels",
                testLabels.toString())), List.of(0L), TestFiles.LOCAL)).isInstanceOf(DataException.class)
                .hasMessageEndingWith("test-images.gz: header: images are 4×3 but the training images are 3×4");
    }

    /** image-shape gives CSV rows a picture's shape; the values, and so what an MLP sees, are unchanged. */
    @Test
    void csvRowsTakeAnImageShapeCheckedAgainstTheirFeatures() throws Exception {
        float[][] x = TestFiles.features(40, 12, 5);
        Path file = TestFiles.csv(dir.resolve("pictures.csv"), x, TestFiles.labels(40, 2, 5));
        DatasetSpec flat = DatasetSpec.of(DatasetKind.CSV, Map.of("path", file.toString(), "label", "label"));
        DatasetSpec shaped = DatasetSpec.of(DatasetKind.CSV, Map.of("path", file.toString(), "label", "label",
                "image-shape", List.of(3, 2, 2)));
        Dataset a = Datasets.load(flat, List.of(0L), TestFiles.LOCAL).get(0L);
        Dataset b = Datasets.load(shaped, List.of(0L), TestFiles.LOCAL).get(0L);
        assertThat(a.identity().inputShape()).containsExactly(12);
        assertThat(b.identity().inputShape()).containsExactly(3, 2, 2);
        assertThat(b.trainX()).containsExactly(a.trainX());
        assertThat(b.testX()).containsExactly(a.testX());
        assertThat(shaped.label()).endsWith(",image-shape=[3;2;2],test-fraction=0.25,standardize=true)");
        assertThat(flat.label()).doesNotContain("image-shape");
        assertThat(b.identity().sha256()).isNotEqualTo(a.identity().sha256());
        assertThat(DatasetSpec.parse(shaped.label())).isEqualTo(shaped);

        assertThatThrownBy(() -> Datasets.load(DatasetSpec.of(DatasetKind.CSV, Map.of("path", file.toString(),
                "label", "label", "image-shape", List.of(1, 3, 3))), List.of(0L), TestFiles.LOCAL))
                .isInstanceOf(DataException.class).hasMessageEndingWith(
                        "pictures.csv: rows: image-shape [1, 3, 3] holds 9 values but each row has 12 features");
    }

    @Test
    void imageShapeIsThreePositiveIntegersAndOnlyForCsvAndParquet() {
        for (String bad : List.of("[1, 28]", "[1, 0, 28]", "[1, 2.5, 3]", "28")) {
            assertThatThrownBy(() -> spec("{dataset: csv, path: a.csv, label: y, image-shape: " + bad + "}"))
                    .isInstanceOf(SpecException.class)
                    .hasMessageContaining("image-shape must be [channels, height, width], three integers >= 1")
                    .hasMessageContaining("(shape.yaml: data.image-shape, line 5)");
        }
        assertThatThrownBy(() -> spec("{dataset: idx, images: a, labels: b, image-shape: [1, 28, 28]}"))
                .hasMessageContaining("unknown key 'image-shape'");
    }

    @Test
    void barsAreImagesOfTheirSizeDeterministicPerDataSeed() {
        DatasetSpec spec = DatasetSpec.of(DatasetKind.BARS, Map.of("samples", 120, "size", 28, "classes", 6));
        Dataset a = Datasets.synthetic(spec, 0);
        assertThat(a.identity().inputShape()).containsExactly(1, 28, 28);
        assertThat(a.features()).isEqualTo(784);
        assertThat(a.outputs()).isEqualTo(6);
        assertThat(Datasets.synthetic(spec, 0).trainX()).containsExactly(a.trainX());
        assertThat(Datasets.synthetic(spec, 0).identity().sha256()).isEqualTo(a.identity().sha256());
        assertThat(Datasets.synthetic(spec, 1).identity().sha256()).isNotEqualTo(a.identity().sha256());
        RawTable raw = Synthetic.generate(spec, 0);
        int[] perClass = new int[6];
        for (int label : raw.labels()) {
            perClass[label]++;
        }
        assertThat(perClass).containsOnly(20);
        assertThat(Datasets.synthetic(DatasetSpec.of(DatasetKind.BARS, Map.of()), 0).identity().inputShape())
                .containsExactly(1, 16, 16);
    }

    /**
     * Against the definition: without noise, each image's principal axis (of the intensity-weighted pixel
     * positions) lies within the class's angle range, π·c/classes ± a quarter of the spacing, up to pixelation.
     */
    @ParameterizedTest(name = "size {0}")
    @ValueSource(ints = {16, 28})
    void eachBarLiesAtItsClasssOrientation(int size) {
        int classes = 4;
        RawTable raw = Synthetic.generate(DatasetSpec.of(DatasetKind.BARS, Map.of("samples", 400, "size", size,
                "classes", classes, "noise", 0.0)), 9);
        double spacing = Math.PI / classes;
        double worst = 0;
        for (int s = 0; s < raw.rows(); s++) {
            double total = 0;
            double mx = 0;
            double my = 0;
            for (int p = 0; p < size * size; p++) {
                double w = raw.x()[s * size * size + p];
                assertThat(w).isBetween(0.0, 1.0);
                total += w;
                mx += w * (p % size);
                my += w * -(p / size); // y up: rows grow downwards
            }
            mx /= total;
            my /= total;
            double cxx = 0;
            double cyy = 0;
            double cxy = 0;
            for (int p = 0; p < size * size; p++) {
                double w = raw.x()[s * size * size + p];
                double dx = p % size - mx;
                double dy = -(p / size) - my;
                cxx += w * dx * dx;
                cyy += w * dy * dy;
                cxy += w * dx * dy;
            }
            double axis = 0.5 * Math.atan2(2 * cxy, cxx - cyy);
            double expected = spacing * raw.labels()[s];
            double off = Math.abs(Math.IEEEremainder(axis - expected, Math.PI));
            worst = Math.max(worst, off);
            assertThat(off).as("image %d of class %d", s, raw.labels()[s]).isLessThan(spacing / 4 + 0.03);
        }
        // The jitter is there: some bars lean away from their class's centre angle.
        assertThat(worst).isGreaterThan(spacing / 5);
    }

    /** The noise is the only difference the noise parameter makes: one N(0, noise²) draw per pixel. */
    @Test
    void noiseIsGaussianWithTheGivenStd() {
        RawTable clean = Synthetic.generate(DatasetSpec.of(DatasetKind.BARS, Map.of("samples", 200, "noise", 0.0)),
                4);
        RawTable noisy = Synthetic.generate(DatasetSpec.of(DatasetKind.BARS, Map.of("samples", 200, "noise", 0.3)),
                4);
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < noisy.x().length; i++) {
            double d = noisy.x()[i] - clean.x()[i];
            sum += d;
            squares += d * d;
        }
        int n = noisy.x().length;
        double mean = sum / n;
        assertThat(mean).isBetween(-0.005, 0.005);
        assertThat(Math.sqrt(squares / n - mean * mean)).isBetween(0.297, 0.303);
    }

    private static SweepSpec spec(String data) {
        return SpecParser.parse("name: shape\nseeds: 1\ngrid: {scheme: [he_normal]}\n"
                + "model: {depth: 1, activation: relu}\ndata: " + data + "\n", "shape.yaml");
    }
}
