package io.initsweep.data;

import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fingerprints and cell ids of existing datasets, computed by the code before datasets had a shape (input shapes,
 * {@code image-shape}, {@code keep-classes}): a dataset that uses none of them must keep its fingerprint, and so
 * every cell id and result stored on it. If one of these changes, every warehouse on that dataset is orphaned.
 */
class TestGoldenFingerprints {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "spirals,    2,  22cf4d3ec934b7da59ea2c15d42566fdfdb605297a42b4e9d2fb8355ef240100",
            "blobs,      2,  c6edd6f798f2ac421833c9575fc01c706c28a1cafe7b65da510fb2950fca565b",
            "xor,        2,  3fc61a8c115fd1ea801c5e5919bd4dd4dc42432115be9eb016e512f7469816b1",
            "parity,     4,  7418e24fd7d804c15936a32bf088702c2c6f45c13067858f4f0260da24e42adc",
            "teacher,    10, 32a095e3901dad95f6d43a32d64162f1423d3769c2131f3dab3ba38a2638ba66",
            "regression, 10, 835e9fc7ab61da336223153f27420c355fc3202ef91ec8beab3d287f88d0b889",
    })
    void builtInDatasetsKeepTheirFingerprints(String kind, int features, String golden) {
        Dataset d = Datasets.synthetic(DatasetSpec.of(DatasetKind.byName(kind).orElseThrow(), Map.of()), 5);
        assertThat(d.identity().sha256()).isEqualTo(golden);
        assertThat(d.identity().inputShape()).containsExactly(features);
    }

    /** IDX images, LibSVM rows and a cell trained on the images: same fingerprints, same cell id. */
    @Test
    void idxAndLibsvmFilesKeepTheirFingerprintsAndCellIds() throws IOException {
        float[][] x = TestFiles.features(30, 12, 5);
        int[] labels = TestFiles.labels(30, 3, 5);
        TestFiles.idxImages(dir.resolve("images.gz"), x, 3, 4);
        TestFiles.idxLabels(dir.resolve("labels.gz"), labels);
        TestFiles.libsvm(dir.resolve("rows.svm"), x, labels);
        Storage storage = new Renamed(dir);

        SweepSpec sweep = SpecParser.parse("""
                name: golden
                seeds: 2
                grid: {scheme: [he_normal, orthogonal]}
                model: {depth: 2, width: 8, activation: relu}
                data: {dataset: idx, images: /golden/images.gz, labels: /golden/labels.gz}
                """, "golden.yaml");
        Dataset idx = Datasets.load(sweep.dataset(), List.of(0L), storage).get(0L);
        Dataset libsvm = Datasets.load(DatasetSpec.of(DatasetKind.LIBSVM, Map.of("path", "/golden/rows.svm")),
                List.of(2L), storage).get(2L);
        List<Cell> cells = Grid.expand(sweep, Map.of(0L, idx.identity()));
        assertThat(idx.identity().sha256())
                .isEqualTo("730b307532883774922a22147f0bffc1d1a3634b0f299338eda56db601324b16");
        assertThat(idx.identity().inputShape()).containsExactly(1, 3, 4); // the shape is new, the ids are not
        assertThat(cells.get(0).cellId()).isEqualTo("51b1b105b9876e40");
        assertThat(cells.get(3).cellId()).isEqualTo("1dddf8745ccf0608");
        assertThat(cells.get(3).initSeed()).isEqualTo(4893324947109065850L);

        assertThat(libsvm.identity().sha256())
                .isEqualTo("5a8c3e705030f496c2c9aba0b0b2e9cdf956d93c5a361eb82ff83b6899d8b4f5");
        assertThat(libsvm.identity().inputShape()).containsExactly(12);
    }

    /** Local files under fixed names, so that the labels (which hold the paths) and fingerprints are fixed too. */
    record Renamed(Path dir) implements Storage {
        @Override
        public InputStream open(String location) {
            return TestFiles.LOCAL.open(dir.resolve(location.replaceFirst("^/golden/", "")).toString());
        }

        @Override
        public Columns readParquet(DatasetSpec spec, String location) {
            throw new UnsupportedOperationException("parquet needs Spark");
        }
    }
}
