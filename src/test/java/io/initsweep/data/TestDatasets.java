package io.initsweep.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestDatasets {
    @TempDir
    Path dir;

    static DatasetSpec spec(DatasetKind kind, Map<String, ?> parameters) {
        return DatasetSpec.of(kind, parameters);
    }

    @ParameterizedTest
    @EnumSource(value = DatasetKind.class, names = {"SPIRALS", "BLOBS", "XOR", "PARITY", "TEACHER", "REGRESSION"})
    void builtInDatasetsAreDeterministicPerDataSeed(DatasetKind kind) {
        DatasetSpec spec = spec(kind, Map.of("samples", 200));
        Dataset a = Datasets.synthetic(spec, 0);
        Dataset again = Datasets.synthetic(spec, 0);
        Dataset other = Datasets.synthetic(spec, 1);
        assertThat(again.sha256()).isEqualTo(a.sha256());
        assertThat(again.trainX()).containsExactly(a.trainX());
        assertThat(other.sha256()).isNotEqualTo(a.sha256());
        assertThat(a.trainRows() + a.testRows()).isEqualTo(200);
        assertThat(a.testRows()).isEqualTo(50);
    }

    @Test
    void xorLabelsAreTheParityOfTheSigns() {
        RawTable xor = Synthetic.generate(spec(DatasetKind.XOR, Map.of("samples", 500, "noise", 0.0)), 3);
        for (int r = 0; r < xor.rows(); r++) {
            boolean a = xor.x()[2 * r] > 0;
            boolean b = xor.x()[2 * r + 1] > 0;
            assertThat(xor.labels()[r]).isEqualTo(a ^ b ? 1 : 0);
        }
        RawTable parity = Synthetic.generate(spec(DatasetKind.PARITY, Map.of("samples", 100, "bits", 5)), 3);
        assertThat(parity.features()).isEqualTo(5);
    }

    @Test
    void regressionAndTeacherTasks() {
        Dataset friedman = Datasets.synthetic(spec(DatasetKind.REGRESSION, Map.of("samples", 400)), 0);
        assertThat(friedman.task()).isEqualTo(Task.REGRESSION);
        assertThat(friedman.features()).isEqualTo(10);
        assertThat(friedman.outputs()).isEqualTo(1);
        double mean = 0;
        for (float y : friedman.trainY()) {
            mean += y;
        }
        assertThat(mean / friedman.trainRows()).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-5));

        Dataset sine = Datasets.synthetic(spec(DatasetKind.REGRESSION, Map.of("function", "sine", "noise", 0.0,
                "standardize", false)), 0);
        assertThat(sine.features()).isEqualTo(1);
        for (int r = 0; r < sine.trainRows(); r++) {
            assertThat(sine.trainY()[r]).isCloseTo((float) Math.sin(sine.trainX()[r]),
                    org.assertj.core.api.Assertions.within(1e-6f));
        }
        Dataset teacher = Datasets.synthetic(spec(DatasetKind.TEACHER, Map.of("classes", 4, "features", 6)), 0);
        assertThat(teacher.outputs()).isEqualTo(4);
        assertThat(teacher.features()).isEqualTo(6);
        Dataset teacherRegression = Datasets.synthetic(spec(DatasetKind.TEACHER,
                Map.of("task", "regression", "outputs", 3)), 0);
        assertThat(teacherRegression.task()).isEqualTo(Task.REGRESSION);
        assertThat(teacherRegression.outputs()).isEqualTo(3);
    }

    @Test
    void csvLibsvmAndGzippedIdxLoadToTheSameNumbers() throws Exception {
        float[][] x = TestFiles.features(60, 12, 5);
        int[] labels = TestFiles.labels(60, 3, 5);
        RawTable csv = Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path",
                TestFiles.csv(dir.resolve("d.csv"), x, labels).toString(), "label", "label")), TestFiles.LOCAL)[0];
        RawTable libsvm = Datasets.readFiles(spec(DatasetKind.LIBSVM, Map.of("path",
                TestFiles.libsvm(dir.resolve("d.svm"), x, labels).toString(), "features", 12)), TestFiles.LOCAL)[0];
        RawTable idx = Datasets.readFiles(spec(DatasetKind.IDX, Map.of(
                "images", TestFiles.idxImages(dir.resolve("img.gz"), x, 3, 4).toString(),
                "labels", TestFiles.idxLabels(dir.resolve("lab.gz"), labels).toString())), TestFiles.LOCAL)[0];
        for (RawTable table : List.of(csv, libsvm, idx)) {
            assertThat(table.rows()).isEqualTo(60);
            assertThat(table.features()).isEqualTo(12);
            assertThat(table.classes()).isEqualTo(3);
            assertThat(table.labels()).containsExactly(labels);
            for (int r = 0; r < 60; r++) {
                for (int c = 0; c < 12; c++) {
                    assertThat(table.x()[r * 12 + c]).isEqualTo(x[r][c]);
                }
            }
        }
    }

    @Test
    void fingerprintIsStableAndChangesWithOneValue() throws Exception {
        float[][] x = TestFiles.features(40, 3, 9);
        int[] labels = TestFiles.labels(40, 2, 9);
        Path file = TestFiles.csv(dir.resolve("f.csv"), x, labels);
        DatasetSpec spec = spec(DatasetKind.CSV, Map.of("path", file.toString(), "label", "label"));
        String first = Datasets.load(spec, List.of(0L), TestFiles.LOCAL).get(0L).sha256();
        assertThat(Datasets.load(spec, List.of(0L), TestFiles.LOCAL).get(0L).sha256()).isEqualTo(first);
        assertThat(Datasets.load(spec, List.of(1L), TestFiles.LOCAL).get(1L).sha256()).isNotEqualTo(first);
        DatasetSpec otherSplit = spec(DatasetKind.CSV, Map.of("path", file.toString(), "label", "label",
                "test-fraction", 0.5));
        assertThat(Datasets.load(otherSplit, List.of(0L), TestFiles.LOCAL).get(0L).sha256()).isNotEqualTo(first);
        x[17][2] = x[17][2] == 0f ? 1f : 0f;
        TestFiles.csv(file, x, labels);
        assertThat(Datasets.load(spec, List.of(0L), TestFiles.LOCAL).get(0L).sha256()).isNotEqualTo(first);
    }

    @Test
    void preprocessingFitsOnTrainingRowsOnlyAndSplitsDeterministically() throws Exception {
        float[][] x = TestFiles.features(100, 2, 1);
        Path file = TestFiles.csv(dir.resolve("p.csv"), x, TestFiles.labels(100, 2, 1));
        DatasetSpec spec = spec(DatasetKind.CSV, Map.of("path", file.toString(), "label", "label",
                "test-fraction", 0.2));
        Dataset d = Datasets.load(spec, List.of(4L), TestFiles.LOCAL).get(4L);
        assertThat(d.trainRows()).isEqualTo(80);
        assertThat(d.testRows()).isEqualTo(20);
        for (int f = 0; f < 2; f++) {
            double sum = 0;
            double squares = 0;
            for (int r = 0; r < d.trainRows(); r++) {
                sum += d.trainX()[r * 2 + f];
                squares += d.trainX()[r * 2 + f] * d.trainX()[r * 2 + f];
            }
            assertThat(sum / 80).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-5));
            assertThat(squares / 80).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
        }
        // one-hot targets
        for (int r = 0; r < d.trainRows(); r++) {
            assertThat(d.trainY()[r * 2] + d.trainY()[r * 2 + 1]).isEqualTo(1f);
        }
        Dataset subsampled = Datasets.load(spec(DatasetKind.CSV, Map.of("path", file.toString(), "label", "label",
                "subsample", 30)), List.of(4L), TestFiles.LOCAL).get(4L);
        assertThat(subsampled.trainRows() + subsampled.testRows()).isEqualTo(30);
    }

    @Test
    void categoryLabelsAreIndexedInSortedOrderAcrossTrainAndTest() throws Exception {
        Path train = Files.writeString(dir.resolve("t.csv"), "a,species\n1,versicolor\n2,setosa\n3,setosa\n");
        Path test = Files.writeString(dir.resolve("u.csv"), "a,species\n4,virginica\n");
        RawTable[] tables = Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path", train.toString(),
                "test-path", test.toString(), "label", "species", "label-type", "category")), TestFiles.LOCAL);
        assertThat(tables[0].labels()).containsExactly(1, 0, 0);
        assertThat(tables[1].labels()).containsExactly(2);
        assertThat(tables[0].classes()).isEqualTo(3);
    }

    @Test
    void badFilesNameTheFileTheLineAndTheColumn() throws Exception {
        assertThatThrownBy(() -> csv("f0,label\n1,0\n2\n")).hasMessageEndingWith(
                "bad.csv: line 3: has 1 fields but the header has 2 (ragged row)");
        assertThatThrownBy(() -> csv("f0,label\n1,0\nx,1\n")).hasMessageEndingWith(
                "bad.csv: line 3, column f0: 'x' is not a number");
        assertThatThrownBy(() -> csv("f0,label\n1,0\n2,\n")).hasMessageEndingWith(
                "bad.csv: line 3, column label: the label is missing");
        assertThatThrownBy(() -> csv("")).hasMessageEndingWith("bad.csv: file: is empty (a header line and rows are needed)");
        assertThatThrownBy(() -> csv("f0,label\n")).hasMessageEndingWith("bad.csv: file: has a header but no rows");
        assertThatThrownBy(() -> Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path",
                Files.writeString(dir.resolve("bad.csv"), "f0,label\n1,0\n2,7\n").toString(), "label", "label",
                "classes", 3)), TestFiles.LOCAL)).hasMessageEndingWith(
                "bad.csv: line 3, column label: label 7 is out of range for classes 3 (0..2)");
        assertThatThrownBy(() -> Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path",
                dir.resolve("missing.csv").toString(), "label", "label")), TestFiles.LOCAL))
                .hasMessageEndingWith("missing.csv: file: does not exist");
    }

    @Test
    void badIdxFilesAreRefused() throws Exception {
        float[][] x = TestFiles.features(10, 4, 2);
        Path images = TestFiles.idxImages(dir.resolve("i.idx"), x, 2, 2);
        Path labels = TestFiles.idxLabels(dir.resolve("l.idx"), TestFiles.labels(9, 2, 2));
        assertThatThrownBy(() -> idx(images, labels)).hasMessageEndingWith(
                "l.idx: header: holds 9 labels but " + images + " holds 10 images");
        assertThatThrownBy(() -> idx(labels, labels)).hasMessageEndingWith(
                "l.idx: header: magic number 0x00000801 is not an IDX images file of unsigned bytes (0x00000803)");
        Path truncated = dir.resolve("t.idx");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(images), 16 + 10));
        assertThatThrownBy(() -> idx(truncated, labels)).hasMessageContaining("t.idx: image 2: the file ends after");
    }

    @Test
    void tooFewRowsForTheSplitIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("tiny.csv"), "f0,label\n1,0\n");
        assertThatThrownBy(() -> Datasets.load(spec(DatasetKind.CSV, Map.of("path", file.toString(),
                "label", "label", "classes", 2)), List.of(0L), TestFiles.LOCAL)).isInstanceOf(DataException.class)
                .hasMessageContaining("tiny.csv: rows: has 1 usable rows, too few for a train/test split");
    }

    private void csv(String content) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.csv"), content);
        Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path", file.toString(), "label", "label")), TestFiles.LOCAL);
    }

    private void idx(Path images, Path labels) {
        Datasets.readFiles(spec(DatasetKind.IDX, Map.of("images", images.toString(), "labels", labels.toString())),
                TestFiles.LOCAL);
    }
}
