package io.initsweep.spark;

import io.initsweep.common.ExitCode;
import io.initsweep.data.DataException;
import io.initsweep.data.DatasetKind;
import io.initsweep.data.DatasetSpec;
import io.initsweep.data.Datasets;
import io.initsweep.data.RawTable;
import io.initsweep.data.TestFiles;
import io.initsweep.tiers.SparkTest;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** File datasets through the Spark layer's storage, and bad input refused by the CLI before anything runs. */
@SparkTest
class TestFileDatasets {
    @TempDir
    Path dir;

    static SparkSession spark;

    @BeforeAll
    static void spark() {
        spark = SparkSessions.create("local[2,4]", 1, false);
    }

    private Path parquet(String name, float[][] x, int[] labels, boolean vector) {
        List<Row> rows = new ArrayList<>();
        StructType schema = new StructType();
        if (vector) {
            schema = schema.add("pixels", DataTypes.createArrayType(DataTypes.FloatType));
        } else {
            for (int c = 0; c < x[0].length; c++) {
                schema = schema.add("f" + c, DataTypes.FloatType);
            }
        }
        schema = schema.add("label", DataTypes.IntegerType).add("note", DataTypes.StringType);
        for (int r = 0; r < x.length; r++) {
            List<Object> values = new ArrayList<>();
            if (vector) {
                List<Float> pixels = new ArrayList<>();
                for (float v : x[r]) {
                    pixels.add(v);
                }
                values.add(scala.collection.JavaConverters.asScalaBuffer(pixels).toSeq());
            } else {
                for (float v : x[r]) {
                    values.add(v);
                }
            }
            values.add(labels[r]);
            values.add("row" + r);
            rows.add(RowFactory.create(values.toArray()));
        }
        Path out = dir.resolve(name);
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out.toString());
        return out;
    }

    @Test
    void parquetColumnsAndVectorsLoadToTheSameNumbersAsCsv() throws IOException {
        float[][] x = TestFiles.features(50, 6, 4);
        int[] labels = TestFiles.labels(50, 3, 4);
        HadoopStorage storage = new HadoopStorage(spark);
        DatasetSpec columnSpec = DatasetSpec.of(DatasetKind.PARQUET, Map.of(
                "path", parquet("cols", x, labels, false).toString(), "label", "label"));
        RawTable columns = Datasets.readFiles(columnSpec, storage)[0];
        RawTable vectors = Datasets.readFiles(DatasetSpec.of(DatasetKind.PARQUET, Map.of(
                "path", parquet("vec", x, labels, true).toString(), "label", "label", "vector-column", "pixels")),
                storage)[0];
        for (RawTable table : List.of(columns, vectors)) {
            assertThat(table.rows()).isEqualTo(50);
            assertThat(table.features()).isEqualTo(6);
            assertThat(table.labels()).containsExactly(labels);
            for (int r = 0; r < 50; r++) {
                for (int c = 0; c < 6; c++) {
                    assertThat(table.x()[r * 6 + c]).isEqualTo(x[r][c]);
                }
            }
        }
        assertThat(Datasets.readFiles(columnSpec, storage)[0].contentSha256()).isEqualTo(columns.contentSha256());
        assertThatThrownBy(() -> storage.readParquet(DatasetSpec.of(DatasetKind.PARQUET, Map.of(
                "path", dir.resolve("cols").toString(), "label", "species")), dir.resolve("cols").toString()))
                .isInstanceOf(DataException.class).hasMessageContaining("cols: schema, column species: no such column");
        assertThatThrownBy(() -> storage.readParquet(DatasetSpec.of(DatasetKind.PARQUET, Map.of(
                "path", dir.resolve("cols").toString(), "label", "label", "features", List.of("f0", "note"))),
                dir.resolve("cols").toString())).hasMessageContaining("column note: has type string");
    }

    /**
     * image-shape and keep-classes on a Parquet table: the same shape, classes, rows and messages whether the table
     * is read into the driver or stays distributed (data-parallel).
     */
    @Test
    void parquetImageShapeAndKeepClassesAreTheSameInMemoryAndDistributed() {
        float[][] x = TestFiles.features(90, 12, 6);
        int[] labels = TestFiles.labels(90, 4, 6);
        String path = parquet("pictures", x, labels, true).toString();
        DatasetSpec spec = DatasetSpec.of(DatasetKind.PARQUET, Map.of("path", path, "label", "label",
                "vector-column", "pixels", "image-shape", List.of(3, 2, 2), "keep-classes", List.of(3, 1),
                "test-fraction", 0.2));
        io.initsweep.data.Dataset memory = Datasets.load(spec, List.of(0L), new HadoopStorage(spark)).get(0L);
        DistributedTable distributed = DistributedTable.load(spark, spec, 0);
        int kept = (int) java.util.Arrays.stream(labels).filter(l -> l == 1 || l == 3).count();
        for (io.initsweep.data.DatasetIdentity identity : List.of(memory.identity(), distributed.identity())) {
            assertThat(identity.inputShape()).containsExactly(3, 2, 2);
            assertThat(identity.outputs()).isEqualTo(2);
            assertThat(identity.trainRows() + identity.testRows()).isEqualTo(kept);
        }
        // The distributed rows encode to the kept classes: label 1 → 0, label 3 → 1.
        List<Row> rows = distributed.train().collectAsList();
        float[] xs = new float[12];
        float[] ys = new float[2];
        for (Row row : rows) {
            java.util.Arrays.fill(ys, 0f);
            distributed.encoding().encode(row, xs, ys, 0);
            int label = ((Number) row.get(1)).intValue();
            assertThat(ys).containsExactly(label == 1 ? 1f : 0f, label == 3 ? 1f : 0f);
        }

        DatasetSpec wrongShape = DatasetSpec.of(DatasetKind.PARQUET, Map.of("path", path, "label", "label",
                "vector-column", "pixels", "image-shape", List.of(1, 3, 3)));
        String shapeMessage = "pictures: rows: image-shape [1, 3, 3] holds 9 values but each row has 12 features";
        assertThatThrownBy(() -> Datasets.load(wrongShape, List.of(0L), new HadoopStorage(spark)))
                .isInstanceOf(DataException.class).hasMessageEndingWith(shapeMessage);
        assertThatThrownBy(() -> DistributedTable.load(spark, wrongShape, 0))
                .isInstanceOf(DataException.class).hasMessageEndingWith(shapeMessage);
        DatasetSpec missingClass = DatasetSpec.of(DatasetKind.PARQUET, Map.of("path", path, "label", "label",
                "vector-column", "pixels", "keep-classes", List.of(1, 7)));
        String classMessage = "pictures: labels: keep-classes lists 7, which is not one of its classes 0..3";
        assertThatThrownBy(() -> Datasets.load(missingClass, List.of(0L), new HadoopStorage(spark)))
                .isInstanceOf(DataException.class).hasMessageEndingWith(classMessage);
        assertThatThrownBy(() -> DistributedTable.load(spark, missingClass, 0))
                .isInstanceOf(DataException.class).hasMessageEndingWith(classMessage);
    }

    @Test
    void aSweepOnGeneratedIdxImagesTrainsThroughTheCli() throws Exception {
        // 28×28 images: class k lights up the k-th band of rows, plus noise.
        int n = 240;
        float[][] x = new float[n][784];
        int[] labels = new int[n];
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                x[i][p] = (row / 9 == labels[i] ? 200 : 0) + random.nextInt(50);
                x[i][p] /= 255f;
            }
        }
        TestFiles.idxImages(dir.resolve("train-images-idx3-ubyte.gz"), x, 28, 28);
        TestFiles.idxLabels(dir.resolve("train-labels-idx1-ubyte.gz"), labels);
        Path spec = Files.writeString(dir.resolve("idx.yaml"), """
                name: idx-it
                seeds: 1
                grid: {scheme: [he_normal, zero]}
                model: {depth: 1, width: 32, activation: relu}
                training: {epochs: 3, batch-size: 32, learning-rate: 0.1}
                data:
                  dataset: idx
                  images: %s
                  labels: %s
                """.formatted(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz")));
        Path out = dir.resolve("wh");
        TestSweepIntegration.Cli result = TestSweepIntegration.Cli.run("run", spec.toString(), "--out",
                out.toString(), "--master", "local[2,4]");
        assertThat(result.code()).as(result.output()).isEqualTo(ExitCode.OK);
        List<Row> runs = spark.read().parquet(out.resolve("runs").toString())
                .select("scheme", "features", "outputs", "final_test_accuracy", "dataset_sha256", "train_rows")
                .orderBy("scheme").collectAsList();
        assertThat(runs).hasSize(2);
        assertThat(runs).allSatisfy(r -> {
            assertThat(r.getInt(1)).isEqualTo(784);
            assertThat(r.getInt(2)).isEqualTo(3);
            assertThat(r.getInt(5)).isEqualTo(180);
        });
        assertThat(runs.get(0).getString(4)).isEqualTo(runs.get(1).getString(4));
        assertThat(runs.get(0).getDouble(3)).as("he_normal learns the bands").isGreaterThan(0.9);
    }

    /** Each bad input: exit code 2, a message naming the file and where, and the warehouse left as it was. */
    @Test
    void badInputIsRefusedBeforeTrainingAndWritesNothing() throws Exception {
        Path out = dir.resolve("warehouse");
        Files.createDirectories(out.resolve("runs"));
        Files.writeString(out.resolve("runs/keep.txt"), "untouched");
        List<String> before = listing(out);

        float[][] x = TestFiles.features(12, 4, 3);
        int[] labels = TestFiles.labels(12, 2, 3);
        Path images = TestFiles.idxImages(dir.resolve("img.idx"), x, 2, 2);
        Path labelFile = TestFiles.idxLabels(dir.resolve("lab.idx"), labels);
        Path shortLabels = TestFiles.idxLabels(dir.resolve("short.idx"), java.util.Arrays.copyOf(labels, 11));
        Path good = TestFiles.csv(dir.resolve("good.csv"), x, labels);
        Files.createDirectories(dir.resolve("adir.csv"));
        Path mixed = parquet("mixed", x, labels, false);
        Files.copy(good, mixed.resolve("stray.csv"));

        record Case(String data, String message) {
        }
        List<Case> cases = List.of(
                new Case(csv(dir.resolve("missing.csv")), "missing.csv: file: does not exist"),
                new Case(csv(dir.resolve("adir.csv")), "adir.csv: file: is a directory, not a file"),
                new Case(csv(write("empty.csv", "")), "empty.csv: file: is empty"),
                new Case(csv(write("ragged.csv", "a,b,label\n1,2,0\n3,1\n")),
                        "ragged.csv: line 3: has 2 fields but the header has 3 (ragged row)"),
                new Case(csv(write("text.csv", "a,b,label\n1,2,0\n3,abc,1\n")),
                        "text.csv: line 3, column b: 'abc' is not a number"),
                new Case(csv(write("range.csv", "a,b,label\n1,2,0\n3,4,5\n")) + ", classes: 2}",
                        "range.csv: line 3, column label: label 5 is out of range for classes 2 (0..1)"),
                new Case(csv(write("nolabel.csv", "a,b,label\n1,2,0\n3,4,\n")),
                        "nolabel.csv: line 3, column label: the label is missing"),
                new Case("{dataset: idx, images: " + labelFile + ", labels: " + labelFile + "}",
                        "lab.idx: header: magic number 0x00000801 is not an IDX images file"),
                new Case("{dataset: idx, images: " + images + ", labels: " + shortLabels + "}",
                        "short.idx: header: holds 11 labels but " + images + " holds 12 images"),
                new Case(csv(good) + ", subsample: 1}", "good.csv: rows: has 1 usable rows, too few for a train/test split"),
                new Case(csv(good) + ", subsample: 13}", "good.csv: rows: has 12 rows, fewer than subsample 13"),
                new Case("{dataset: parquet, path: " + good + ", label: label}", "good.csv: file: is not a Parquet "
                        + "file: it does not start and end with the magic number PAR1"),
                new Case("{dataset: parquet, path: " + mixed + ", label: label}", "mixed: file stray.csv: is not "
                        + "Parquet (file:" + mixed.resolve("stray.csv") + ")"),
                new Case("{dataset: csv, path: 'hdfs://no-such-host:8020/x.csv', label: label}",
                        "hdfs://no-such-host:8020/x.csv: cannot be reached: unknown host no-such-host"));
        for (Case c : cases) {
            String data = c.data().endsWith("}") ? c.data() : c.data() + "}";
            Path spec = Files.writeString(dir.resolve("bad.yaml"), """
                    name: bad
                    seeds: 1
                    grid: {scheme: [he_normal]}
                    model: {depth: 1, activation: relu}
                    data: %s
                    """.formatted(data));
            TestSweepIntegration.Cli result = TestSweepIntegration.Cli.run("run", spec.toString(), "--out",
                    out.toString(), "--master", "local[2,4]");
            assertThat(result.code()).as(c.message()).isEqualTo(ExitCode.USAGE);
            assertThat(result.err()).as(result.output()).contains(c.message()).contains("(" + spec + ": data)");
            assertThat(result.out()).doesNotContain("to train");
            assertThat(result.err()).as("no stack trace").doesNotContain("\tat ");
            assertThat(listing(out)).isEqualTo(before);
        }
    }

    /** Both ways a Parquet table is read go through the same checks, and name the offending file. */
    @Test
    void aParquetPathHoldingOtherFilesIsRefusedNamingTheFileInMemoryAndDistributed() throws IOException {
        float[][] x = TestFiles.features(20, 3, 7);
        int[] labels = TestFiles.labels(20, 2, 7);
        Path table = parquet("table", x, labels, false);
        Path text = TestFiles.csv(table.resolve("notes.csv"), x, labels);
        DatasetSpec spec = DatasetSpec.of(DatasetKind.PARQUET, Map.of("path", table.toString(), "label", "label"));
        String expected = "table: file notes.csv: is not Parquet (file:" + text + "): it does not start and end "
                + "with the magic number PAR1; a Parquet directory must hold only Parquet data files";
        assertThatThrownBy(() -> Datasets.readFiles(spec, new HadoopStorage(spark))).isInstanceOf(DataException.class)
                .hasMessageEndingWith(expected);
        assertThatThrownBy(() -> DistributedTable.load(spark, spec, 0)).isInstanceOf(DataException.class)
                .hasMessageEndingWith(expected);
        Files.delete(text);
        assertThat(DistributedTable.load(spark, spec, 0).identity().features()).isEqualTo(3);

        DatasetSpec csvFile = DatasetSpec.of(DatasetKind.PARQUET, Map.of("path", text.getParent().getParent()
                .resolve("t.csv").toString(), "label", "label"));
        TestFiles.csv(dir.resolve("t.csv"), x, labels);
        assertThatThrownBy(() -> DistributedTable.load(spark, csvFile, 0)).isInstanceOf(DataException.class)
                .hasMessageEndingWith("t.csv: file: is not a Parquet file: it does not start and end with the magic "
                        + "number PAR1");
    }

    /** Missing values, non-finite values and ragged vectors: one check, one message, for both ways of reading. */
    @Test
    void badRowsAreCountedAndNamedTheSameWayInMemoryAndDistributed() {
        StructType schema = new StructType().add("v", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.IntegerType);
        record Bad(String name, List<Row> rows, String message) {
        }
        List<Row> good = List.of(row(List.of(1.0, 2.0), 0), row(List.of(2.0, 1.0), 1), row(List.of(0.5, 0.5), 1));
        List<Bad> cases = List.of(
                new Bad("ragged", List.of(good.get(0), row(List.of(1.0), 1), good.get(2)),
                        "ragged: rows, column v: have between 1 and 2 values (ragged vectors); every row needs the "
                                + "same number"),
                new Bad("nulls", List.of(good.get(0), RowFactory.create(null, 1), row(List.of(1.0, 1.0), null)),
                        "nulls: 2 rows: have a missing value in v, label"),
                new Bad("nan", List.of(good.get(0), good.get(1), row(List.of(Double.NaN, 1.0), 1)),
                        "nan: 1 rows: have a NaN, infinite or beyond-float value in v, label"));
        for (Bad bad : cases) {
            Path path = dir.resolve(bad.name());
            spark.createDataFrame(bad.rows(), schema).coalesce(1).write().parquet(path.toString());
            DatasetSpec spec = DatasetSpec.of(DatasetKind.PARQUET, Map.of("path", path.toString(), "label", "label",
                    "vector-column", "v"));
            assertThatThrownBy(() -> Datasets.readFiles(spec, new HadoopStorage(spark)))
                    .isInstanceOf(DataException.class).hasMessageEndingWith(bad.message());
            assertThatThrownBy(() -> DistributedTable.load(spark, spec, 0))
                    .isInstanceOf(DataException.class).hasMessageEndingWith(bad.message());
        }
    }

    private static Row row(List<Double> vector, Integer label) {
        return RowFactory.create(scala.collection.JavaConverters.asScalaBuffer(vector).toSeq(), label);
    }

    @Test
    void validateRefusesATestFractionThatLeavesASplitEmpty() throws IOException {
        Path spec = Files.writeString(dir.resolve("fraction.yaml"), """
                name: fraction
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {depth: 1, activation: relu}
                data: {dataset: csv, path: /no/such/file.csv, label: label, test-fraction: 1}
                """);
        TestSweepIntegration.Cli result = TestSweepIntegration.Cli.run("validate", spec.toString());
        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("test-fraction must be between 0 and 1, both excluded, when no test file "
                + "is given (the split needs training and test rows), got 1 (" + spec + ": data, line 5)");
    }

    private static String csv(Path file) {
        return "{dataset: csv, path: " + file + ", label: label";
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static List<String> listing(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }
}
