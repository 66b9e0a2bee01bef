package io.initsweep.data;

import io.initsweep.spec.SpecException;
import io.initsweep.spec.SpecParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** keep-classes: the rows of the listed classes only, re-indexed in their original order, on every format. */
class TestKeepClasses {
    @TempDir
    Path dir;

    /** Exactly the rows of classes 1, 3 and 4 survive, as classes 0, 1 and 2, in their generated order. */
    @Test
    void keepsTheRowsOfTheListedClassesReindexedInOrder() {
        Map<String, Object> blobs = Map.of("samples", 500, "classes", 5, "features", 3, "standardize", false,
                "test-fraction", 0.2);
        RawTable all = Synthetic.generate(DatasetSpec.of(DatasetKind.BLOBS, blobs), 7);
        Map<String, Object> keep = new java.util.HashMap<>(blobs);
        keep.put("keep-classes", List.of(4, 1, 3));
        DatasetSpec spec = DatasetSpec.of(DatasetKind.BLOBS, keep);
        Dataset d = Datasets.synthetic(spec, 7);
        assertThat(d.outputs()).isEqualTo(3);
        assertThat(d.trainRows() + d.testRows()).isEqualTo(300);

        // Every kept row, train or test, is an original row of its class under the new index.
        List<String> original = new ArrayList<>();
        for (int r = 0; r < all.rows(); r++) {
            int newClass = switch (all.labels()[r]) {
                case 1 -> 0;
                case 3 -> 1;
                case 4 -> 2;
                default -> -1;
            };
            if (newClass >= 0) {
                original.add(row(all.x(), r, 3) + "→" + newClass);
            }
        }
        List<String> kept = new ArrayList<>();
        for (int r = 0; r < d.trainRows(); r++) {
            kept.add(row(d.trainX(), r, 3) + "→" + argmax(d.trainY(), r, 3));
        }
        for (int r = 0; r < d.testRows(); r++) {
            kept.add(row(d.testX(), r, 3) + "→" + argmax(d.testY(), r, 3));
        }
        assertThat(kept).containsExactlyInAnyOrderElementsOf(original);

        // In the label only when used; written in any order, it is one canonical filter.
        assertThat(spec.label()).endsWith(",standardize=false,keep-classes=[1;3;4])");
        assertThat(DatasetSpec.of(DatasetKind.BLOBS, blobs).label()).doesNotContain("keep-classes");
        assertThat(DatasetSpec.parse(spec.label())).isEqualTo(spec);
        Map<String, Object> reordered = new java.util.HashMap<>(blobs);
        reordered.put("keep-classes", List.of("3", 1, 4));
        assertThat(Datasets.synthetic(DatasetSpec.of(DatasetKind.BLOBS, reordered), 7).identity().sha256())
                .isEqualTo(d.identity().sha256());
        assertThat(d.identity().sha256()).isNotEqualTo(Datasets.synthetic(DatasetSpec.of(DatasetKind.BLOBS, blobs), 7)
                .identity().sha256());
    }

    /** The subsample counts rows of the kept classes; asking for more than they have names the filter. */
    @Test
    void subsampleCountsTheKeptRows() {
        Dataset d = Datasets.synthetic(DatasetSpec.of(DatasetKind.SPIRALS, Map.of("samples", 600, "arms", 3,
                "keep-classes", List.of(0, 2), "subsample", 400)), 0);
        assertThat(d.trainRows() + d.testRows()).isEqualTo(400);
        assertThat(d.outputs()).isEqualTo(2);
        assertThatThrownBy(() -> Datasets.synthetic(DatasetSpec.of(DatasetKind.SPIRALS, Map.of("samples", 600,
                "arms", 3, "keep-classes", List.of(0, 2), "subsample", 401)), 0)).isInstanceOf(DataException.class)
                .hasMessageEndingWith("dataset spirals: rows: has 400 rows of keep-classes [0;2], fewer than "
                        + "subsample 401");
    }

    /** Category labels are listed by their text and keep their sorted order; a test file is filtered too. */
    @Test
    void categoryLabelsAreListedByTextAcrossTrainAndTestFiles() throws Exception {
        Path train = Files.writeString(dir.resolve("t.csv"), "a,species\n1,versicolor\n2,setosa\n3,virginica\n"
                + "4,setosa\n5,virginica\n");
        Path test = Files.writeString(dir.resolve("u.csv"), "a,species\n6,virginica\n7,versicolor\n8,setosa\n");
        DatasetSpec spec = DatasetSpec.of(DatasetKind.CSV, Map.of("path", train.toString(), "test-path",
                test.toString(), "label", "species", "label-type", "category", "standardize", false,
                "keep-classes", List.of("virginica", "setosa")));
        Dataset d = Datasets.load(spec, List.of(0L), TestFiles.LOCAL).get(0L);
        assertThat(d.outputs()).isEqualTo(2);
        assertThat(d.trainRows()).isEqualTo(4);
        assertThat(d.testRows()).isEqualTo(2);
        for (int r = 0; r < d.trainRows(); r++) {
            float a = d.trainX()[r];
            // setosa (a = 2, 4) → 0, virginica (a = 3, 5) → 1
            assertThat(argmax(d.trainY(), r, 2)).isEqualTo(a == 2 || a == 4 ? 0 : 1);
        }
        assertThat(d.testX()).containsExactly(6, 8);
        assertThat(argmax(d.testY(), 0, 2)).isEqualTo(1);
        assertThat(argmax(d.testY(), 1, 2)).isEqualTo(0);

        assertThatThrownBy(() -> Datasets.load(DatasetSpec.of(DatasetKind.CSV, Map.of("path", train.toString(),
                "label", "species", "label-type", "category", "keep-classes", List.of("setosa", "iris"))),
                List.of(0L), TestFiles.LOCAL)).isInstanceOf(DataException.class).hasMessageEndingWith(
                "t.csv: labels: keep-classes lists 'iris', which is not one of its labels [setosa, versicolor, "
                        + "virginica]");
    }

    @Test
    void classesThatAreNotInTheDataAreRefusedNamingTheValidOnes() throws Exception {
        float[][] x = TestFiles.features(30, 4, 2);
        int[] labels = TestFiles.labels(30, 3, 2);
        Path images = TestFiles.idxImages(dir.resolve("i.idx"), x, 2, 2);
        Path labelFile = TestFiles.idxLabels(dir.resolve("l.idx"), labels);
        assertThatThrownBy(() -> idx(images, labelFile, Map.of("keep-classes", List.of(0, 3))))
                .isInstanceOf(DataException.class)
                .hasMessageEndingWith("i.idx: labels: keep-classes lists 3, which is not one of its classes 0..2");
        assertThatThrownBy(() -> idx(images, labelFile, Map.of("keep-classes", List.of(0, "shirt"))))
                .hasMessageEndingWith("i.idx: labels: keep-classes lists 'shirt', but the labels are class indices "
                        + "0..2");
        // Declared classes may have no rows at all: a kept class needs some.
        assertThatThrownBy(() -> idx(images, labelFile, Map.of("classes", 5, "keep-classes", List.of(1, 4))))
                .hasMessageEndingWith("i.idx: rows: keep-classes lists 4 but no row of the data has that class");
        Dataset kept = idx(images, labelFile, Map.of("keep-classes", List.of(0, 2)));
        assertThat(kept.outputs()).isEqualTo(2);
        assertThat(kept.identity().inputShape()).containsExactly(1, 2, 2);
    }

    @Test
    void theSpecRefusesAFilterThatCannotBeOne() {
        List<String[]> cases = List.of(
                new String[] {"{dataset: blobs, keep-classes: [1]}", "keep-classes must list at least two class "
                        + "labels, got [1] (keep.yaml: data.keep-classes, line 5)"},
                new String[] {"{dataset: blobs, keep-classes: 2}", "keep-classes must list at least two class "
                        + "labels, got 2"},
                new String[] {"{dataset: blobs, keep-classes: [1, 2, 1]}", "keep-classes lists '1' twice"},
                new String[] {"{dataset: blobs, keep-classes: [0, 1.5]}", "keep-classes must list class indices 0, "
                        + "1, 2, ... or label texts, got 1.5"},
                new String[] {"{dataset: blobs, keep-classes: [0, -1]}", "got -1"},
                new String[] {"{dataset: csv, path: a.csv, label: y, label-type: category, keep-classes: [a, 'b;c']}",
                        "keep-classes cannot hold a label with any of , ; = ( ) [ ] (the dataset label could not be "
                                + "read back), got 'b;c'"},
                new String[] {"{dataset: teacher, task: regression, keep-classes: [0, 1]}", "dataset teacher: "
                        + "keep-classes filters the classes of a classification; this dataset is a regression "
                        + "(task: regression)"},
                new String[] {"{dataset: regression, keep-classes: [0, 1]}", "unknown key 'keep-classes'"});
        for (String[] c : cases) {
            assertThatThrownBy(() -> SpecParser.parse("name: keep\nseeds: 1\ngrid: {scheme: [he_normal]}\n"
                    + "model: {depth: 1, activation: relu}\ndata: " + c[0] + "\n", "keep.yaml"))
                    .as(c[0]).isInstanceOf(SpecException.class).hasMessageContaining(c[1]);
        }
    }

    private Dataset idx(Path images, Path labels, Map<String, Object> extra) {
        Map<String, Object> parameters = new java.util.HashMap<>(extra);
        parameters.put("images", images.toString());
        parameters.put("labels", labels.toString());
        return Datasets.load(DatasetSpec.of(DatasetKind.IDX, parameters), List.of(0L), TestFiles.LOCAL).get(0L);
    }

    private static String row(float[] x, int r, int width) {
        return java.util.Arrays.toString(java.util.Arrays.copyOfRange(x, r * width, (r + 1) * width));
    }

    private static int argmax(float[] y, int r, int width) {
        int best = 0;
        for (int c = 1; c < width; c++) {
            best = y[r * width + c] > y[r * width + best] ? c : best;
        }
        return best;
    }
}
