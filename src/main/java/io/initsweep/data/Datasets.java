package io.initsweep.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the datasets a spec names: generated for built-in kinds, read once from files otherwise, then prepared
 * for each data seed. Everything is validated here, on the driver, before any cell trains.
 */
public final class Datasets {
    private Datasets() {
    }

    /**
     * The dataset of every data seed. Files are read once, whatever the number of seeds.
     *
     * @throws DataException naming the file, row or line and column of the first problem
     */
    public static Map<Long, Dataset> load(DatasetSpec spec, Iterable<Long> dataSeeds, Storage storage) {
        Map<Long, Dataset> datasets = new LinkedHashMap<>();
        if (spec.kind().synthetic()) {
            for (long seed : dataSeeds) {
                datasets.put(seed, synthetic(spec, seed));
            }
            return datasets;
        }
        RawTable[] tables = readFiles(spec, storage);
        for (long seed : dataSeeds) {
            datasets.put(seed, Preprocessing.prepare(spec, seed, tables[0], tables[1], source(spec)));
        }
        return datasets;
    }

    /**
     * Generates a built-in dataset.
     *
     * @throws DataException if it cannot be split as the spec asks
     */
    public static Dataset synthetic(DatasetSpec spec, long dataSeed) {
        if (!spec.kind().synthetic()) {
            throw new IllegalArgumentException(spec.kind() + " is read from files, not generated");
        }
        return Preprocessing.prepare(spec, dataSeed, Synthetic.generate(spec, dataSeed), null,
                "dataset " + spec.kind());
    }

    private static String source(DatasetSpec spec) {
        return spec.kind() == DatasetKind.IDX ? spec.text("images") : spec.text("path");
    }

    /**
     * Reads a file dataset's rows, labels resolved over the training and test files together.
     *
     * @return the training rows and the test rows (null when the spec splits one file)
     * @throws DataException naming the file, row or line and column of the first problem
     */
    public static RawTable[] readFiles(DatasetSpec spec, Storage storage) {
        return switch (spec.kind()) {
            case CSV -> textTables(spec, storage, true);
            case LIBSVM -> textTables(spec, storage, false);
            case PARQUET -> parquetTables(spec, storage);
            case IDX -> idx(spec, storage);
            default -> throw new IllegalArgumentException(spec.kind() + " is generated, not read");
        };
    }

    private static RawTable[] textTables(DatasetSpec spec, Storage storage, boolean csv) {
        List<Columns> files = new ArrayList<>();
        Columns train = csv ? CsvReader.read(storage, spec.text("path"), spec, null)
                : LibsvmReader.read(storage, spec.text("path"), spec.optionalCount("features"));
        files.add(train);
        if (spec.text("test-path") != null) {
            files.add(csv ? CsvReader.read(storage, spec.text("test-path"), spec, List.of(train.featureNames()))
                    : LibsvmReader.read(storage, spec.text("test-path"), train.features()));
        }
        List<String[]> labelTexts = new ArrayList<>();
        for (Columns file : files) {
            labelTexts.add(csv ? file.labels() : LibsvmReader.mapLabels(file, spec.text("label-map")));
        }
        return tables(spec, files, labelTexts);
    }

    private static RawTable[] parquetTables(DatasetSpec spec, Storage storage) {
        List<Columns> files = new ArrayList<>();
        files.add(storage.readParquet(spec, spec.text("path")));
        if (spec.text("test-path") != null) {
            Columns test = storage.readParquet(spec, spec.text("test-path"));
            if (!test.labelType().equals(files.get(0).labelType())) {
                throw new DataException(test.source(), "schema", test.labelColumn(), "holds "
                        + (test.labelType().equals("category") ? "text" : "numeric") + " labels but "
                        + files.get(0).source() + " holds " + (test.labelType().equals("category") ? "numeric"
                        : "text") + " ones");
            }
            files.add(test);
        }
        return tables(spec, files, files.stream().map(Columns::labels).toList());
    }

    /**
     * Resolves labels jointly over the training and test files, so a category means the same class in both, and
     * gives the rows the spec's {@code image-shape}.
     */
    private static RawTable[] tables(DatasetSpec spec, List<Columns> files, List<String[]> labelTexts) {
        String labelType = files.get(0).labelType();
        RawTable[] tables = new RawTable[2];
        if (spec.text("task").equals("regression")) {
            for (int i = 0; i < files.size(); i++) {
                Columns f = files.get(i);
                float[] targets = new float[f.rows()];
                for (int r = 0; r < f.rows(); r++) {
                    targets[r] = Labels.number(labelTexts.get(i)[r], f.source(), f.locations()[r], f.labelColumn());
                }
                tables[i] = shaped(spec, f, RawTable.regression(f.rows(), f.features(), f.x(), targets, 1,
                        f.sha256()));
            }
            return tables;
        }
        Labels.Resolved classes = Labels.classes(labelTexts, files.stream().map(Columns::locations).toList(),
                files.stream().map(Columns::source).toList(), files.get(0).labelColumn(), labelType,
                spec.optionalCount("classes"));
        for (int i = 0; i < files.size(); i++) {
            Columns f = files.get(i);
            tables[i] = shaped(spec, f, RawTable.classification(f.rows(), f.features(), f.x(), classes.labels().get(i),
                    classes.count(), f.sha256()).withClasses(classes.count(), classes.names()));
        }
        return tables;
    }

    /**
     * The table with the spec's {@code image-shape}, if it gives one.
     *
     * @throws DataException naming the file when the shape does not hold its features
     */
    private static RawTable shaped(DatasetSpec spec, Columns file, RawTable table) {
        List<Integer> shape = spec.counts("image-shape");
        if (shape == null) {
            return table;
        }
        long values = (long) shape.get(0) * shape.get(1) * shape.get(2);
        if (values != file.features()) {
            throw new DataException(file.source(), "rows", null, "image-shape " + shape + " holds " + values
                    + " values but each row has " + file.features() + " features");
        }
        return table.withShape(shape);
    }

    private static RawTable[] idx(DatasetSpec spec, Storage storage) {
        RawTable train = idxTable(spec, storage, spec.text("images"), spec.text("labels"), null);
        if (spec.text("test-images") == null) {
            return new RawTable[] {train, null};
        }
        RawTable test = idxTable(spec, storage, spec.text("test-images"), spec.text("test-labels"), train);
        int classes = Math.max(train.classes(), test.classes());
        return new RawTable[] {train.withClasses(classes, null), test.withClasses(classes, null)};
    }

    private static RawTable idxTable(DatasetSpec spec, Storage storage, String imagesPath, String labelsPath,
                                     RawTable train) {
        IdxReader.Images images = IdxReader.images(storage, imagesPath, spec.number("scale"));
        IdxReader.LabelFile labels = IdxReader.labels(storage, labelsPath);
        if (images.count() != labels.count()) {
            throw new DataException(labelsPath, "header", null, "holds " + labels.count() + " labels but "
                    + imagesPath + " holds " + images.count() + " images");
        }
        if (train != null && !images.shape().equals(train.inputShape())) {
            throw new DataException(imagesPath, "header", null, "images are " + images.height() + "×"
                    + images.width() + " but the training images are " + train.inputShape().get(1) + "×"
                    + train.inputShape().get(2));
        }
        Integer classes = spec.optionalCount("classes");
        int max = 0;
        for (int i = 0; i < labels.count(); i++) {
            int label = labels.labels()[i];
            if (classes != null && label >= classes) {
                throw new DataException(labelsPath, "label " + i, null, "label " + label
                        + " is out of range for classes " + classes + " (0.." + (classes - 1) + ")");
            }
            max = Math.max(max, label);
        }
        return RawTable.classification(images.count(), images.pixels(), images.values(), labels.labels(),
                classes != null ? classes : max + 1, images.sha256() + "+" + labels.sha256())
                .withShape(images.shape());
    }
}
