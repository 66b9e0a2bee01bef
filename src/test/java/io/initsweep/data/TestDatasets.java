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
        assertThat(again.identity().sha256()).isEqualTo(a.identity().sha256());
        assertThat(again.trainX()).containsExactly(a.trainX());
        assertThat(other.identity().sha256()).isNotEqualTo(a.identity().sha256());
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
        assertThat(friedman.identity().task()).isEqualTo(Task.REGRESSION);
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
        assertThat(teacherRegression.identity().task()).isEqualTo(Task.REGRESSION);
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
        String first = Datasets.load(spec, List.of(0L), TestFiles.LOCAL).get(0L).identity().sha256();
        assertThat(Datasets.load(spec, List.of(0L), TestFiles.LOCAL).get(0L).identity().sha256()).isEqualTo(first);
        assertThat(Datasets.load(spec, List.of(1L), TestFiles.LOCAL).get(1L).identity().sha256()).isNotEqualTo(first);
        DatasetSpec otherSplit = spec(DatasetKind.CSV, Map.of("path", file.toString(), "label", "label",
                "test-fraction", 0.5));
        assertThat(Datasets.load(otherSplit, List.of(0L), TestFiles.LOCAL).get(0L).identity().sha256()).isNotEqualTo(first);
        x[17][2] = x[17][2] == 0f ? 1f : 0f;
        TestFiles.csv(file, x, labels);
        assertThat(Datasets.load(spec, List.of(0L), TestFiles.LOCAL).get(0L).identity().sha256()).isNotEqualTo(first);
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

    /**
     * The CSV reader changed (Commons CSV instead of a line splitter); a file that both read must keep its content
     * fingerprint, its dataset fingerprint and its numbers, or every cell id and result on it would change. The
     * golden values were computed by the line-by-line reader this one replaced.
     */
    @Test
    void csvFingerprintAndValuesAreThoseOfTheFormerReader() throws Exception {
        Path file = Files.writeString(dir.resolve("small.csv"), GOLDEN_CSV);
        DatasetSpec spec = spec(DatasetKind.CSV, Map.of("path", file.toString(), "label", "species",
                "label-type", "category"));
        assertThat(Datasets.readFiles(spec, TestFiles.LOCAL)[0].contentSha256())
                .isEqualTo("7d758843cff739154a7860286f118311c1ec9082d736300da9ffc924d6e80d79");
        Dataset d = Datasets.load(spec, List.of(3L), TestFiles.LOCAL).get(3L);
        // The dataset fingerprint hashes the content with the label, which holds the (temporary) path.
        assertThat(d.identity().sha256()).isEqualTo(io.initsweep.common.Hashing.sha256Hex(
                "7d758843cff739154a7860286f118311c1ec9082d736300da9ffc924d6e80d79|-|" + spec.label() + "|data-seed=3"));
        String fixedPath = spec.label().replace(file.toString(), "/tmp/golden/small.csv");
        assertThat(io.initsweep.common.Hashing.sha256Hex(
                "7d758843cff739154a7860286f118311c1ec9082d736300da9ffc924d6e80d79|-|" + fixedPath + "|data-seed=3"))
                .isEqualTo("828955b4d89105e3d2782d21faf84181bcf932654649aa02dd4aa45fd1cec2d4");
        assertThat(d.trainX()).containsExactly(1.3719888f, 0.19425711f, -1.3719888f, -0.77702874f, -0.34299678f,
                -0.97128576f, 0.34299678f, 1.5540574f);
        assertThat(d.trainY()).containsExactly(0f, 0f, 1f, 0f, 1f, 0f, 0f, 1f, 0f, 0f, 0f, 1f);
        assertThat(d.testX()).containsExactly(-3.4299712f, -2.9138577f, -2.7439775f, -2.9138577f);
    }

    /** A BOM, a quoted header name, quoted values, blank and whitespace-only lines. */
    static final String GOLDEN_CSV = "\uFEFFsepal,\"petal width\",species\n"
            + "5.1,0.2,setosa\n"
            + "\n"
            + "4.9,\"0.2\",setosa\n"
            + "6.3,1.8,\"virginica\"\n"
            + "5.8,1.2,versicolor\n"
            + "  \n"
            + "6.0,2.5,virginica\n"
            + "5.5,1.3,versicolor\n";

    @Test
    void quotedFieldsMayHoldLineBreaksAndLinesAreStillCountedFromTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("multi.csv"), "a,b,species\n"
                + "1,2,\"iris\nsetosa\"\n"
                + "3,4,\"iris, \"\"virginica\"\"\"\r\n"
                + "5,6,\"iris\nsetosa\"\n");
        RawTable table = Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path", file.toString(), "label", "species",
                "label-type", "category")), TestFiles.LOCAL)[0];
        assertThat(table.rows()).isEqualTo(3);
        assertThat(table.classes()).isEqualTo(2);
        assertThat(table.labels()).containsExactly(0, 1, 0); // "iris\nsetosa" < "iris, \"virginica\""
        assertThat(table.x()).containsExactly(1, 2, 3, 4, 5, 6);

        // The bad row starts on line 5: line 2-3 is one record.
        Files.writeString(file, "a,b,label\n1,\"2\n\",0\n\n3,x,1\n");
        assertThatThrownBy(() -> Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path", file.toString(),
                "label", "label")), TestFiles.LOCAL))
                .hasMessageEndingWith("multi.csv: line 5, column b: 'x' is not a number");
        Files.writeString(file, "a,b,label\n1,2,0\n3,\"4,1\n5,6,1\n");
        assertThatThrownBy(() -> Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path", file.toString(),
                "label", "label")), TestFiles.LOCAL)).isInstanceOf(DataException.class)
                .hasMessageContaining("multi.csv: line 3: is not valid CSV: EOF reached before encapsulated token "
                        + "finished");
    }

    @Test
    void duplicateCsvColumnNamesAreRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("dup.csv"), "x, y ,label,y\n1,2,0,3\n4,5,1,6\n");
        assertThatThrownBy(() -> Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path", file.toString(),
                "label", "label")), TestFiles.LOCAL)).isInstanceOf(DataException.class).hasMessageEndingWith(
                "dup.csv: header (line 1), column y: appears twice, at positions 2 and 4; column names must be unique");
    }

    @Test
    void gzippedCsvIsFingerprintedByItsCompressedBytes() throws Exception {
        Path plain = Files.writeString(dir.resolve("p.csv"), GOLDEN_CSV);
        Path gz = dir.resolve("p.csv.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(plain));
        }
        RawTable fromGz = Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path", gz.toString(), "label", "species",
                "label-type", "category")), TestFiles.LOCAL)[0];
        RawTable fromPlain = Datasets.readFiles(spec(DatasetKind.CSV, Map.of("path", plain.toString(),
                "label", "species", "label-type", "category")), TestFiles.LOCAL)[0];
        assertThat(fromGz.x()).containsExactly(fromPlain.x());
        assertThat(fromGz.contentSha256()).isEqualTo(java.util.HexFormat.of().formatHex(
                io.initsweep.common.Hashing.sha256().digest(Files.readAllBytes(gz))));
    }

    @Test
    void sineRegressionNeedsNoFeaturesAndFriedmanKeepsItsFingerprint() {
        io.initsweep.spec.SweepSpec sine = specWith("{dataset: regression, function: sine, samples: 100}", "sine");
        Dataset d = Datasets.synthetic(sine.dataset(), 0);
        assertThat(d.features()).isEqualTo(1);
        // features keeps its default in the label, so a sine spec that wrote features: 10 has the same ids
        assertThat(d.identity().sha256()).isEqualTo("0a74ca450e17b3fbf555bcdde57982009842ab29405e31391d0cab167d32b537");
        assertThat(Datasets.synthetic(spec(DatasetKind.REGRESSION, Map.of("samples", 100)), 0).identity().sha256())
                .isEqualTo("60c4ea353d069b1570c966a28028c00c0473c50b1adf60e622a94daba6f3e58a");
        assertThatThrownBy(() -> specWith("{dataset: regression, function: sine, features: 7}", "sine"))
                .hasMessageContaining("function sine has one feature; drop features (got 7)");
    }

    @Test
    void testFractionWithoutTestFileMustLeaveRowsOnBothSides() {
        for (String value : List.of("0", "1", "1.0")) {
            assertThatThrownBy(() -> specWith("{dataset: blobs, test-fraction: " + value + "}", "split"))
                    .isInstanceOf(io.initsweep.spec.SpecException.class)
                    .hasMessageContaining("test-fraction must be between 0 and 1, both excluded, when no test file is "
                            + "given").hasMessageContaining("got " + value.charAt(0) + " (split.yaml: data");
        }
        // With a test file the fraction is not used.
        assertThat(specWith("{dataset: csv, path: a.csv, test-path: b.csv, label: y, test-fraction: 0}", "split")
                .dataset().number("test-fraction")).isZero();
    }

    @Test
    void aSubsampleLargerThanTheDataIsRefused() throws Exception {
        Path file = TestFiles.csv(dir.resolve("s.csv"), TestFiles.features(40, 2, 1), TestFiles.labels(40, 2, 1));
        assertThatThrownBy(() -> Datasets.load(spec(DatasetKind.CSV, Map.of("path", file.toString(), "label", "label",
                "subsample", 41)), List.of(0L), TestFiles.LOCAL)).isInstanceOf(DataException.class)
                .hasMessageEndingWith("s.csv: rows: has 40 rows, fewer than subsample 41");
        assertThatThrownBy(() -> Datasets.synthetic(spec(DatasetKind.SPIRALS, Map.of("samples", 100,
                "subsample", 200)), 0))
                .hasMessageEndingWith("dataset spirals: rows: has 100 rows, fewer than subsample 200");
        assertThat(Datasets.load(spec(DatasetKind.CSV, Map.of("path", file.toString(), "label", "label",
                "subsample", 40)), List.of(0L), TestFiles.LOCAL).get(0L).identity().trainRows()).isEqualTo(30);
    }

    private static io.initsweep.spec.SweepSpec specWith(String data, String name) {
        return io.initsweep.spec.SpecParser.parse("name: " + name + "\nseeds: 1\ngrid: {scheme: [he_normal]}\n"
                + "model: {depth: 1, activation: relu}\ndata: " + data + "\n", name + ".yaml");
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
