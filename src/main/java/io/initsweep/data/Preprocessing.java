package io.initsweep.data;

import io.initsweep.common.Hashing;
import io.initsweep.common.Parameter;

import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

import java.util.List;

/**
 * Turns raw rows into the dataset a cell trains on: a seeded shuffle, optional subsample, train/test split (unless
 * a test table is given), standardization fitted on the training split only, and one-hot labels. All of it is a
 * function of the spec and the data seed, so every executor and every re-run sees the same rows in the same order.
 */
public final class Preprocessing {
    private Preprocessing() {
    }

    /**
     * The rows of {@code keep-classes} are kept first (so the subsample counts only those), then the rows are
     * shuffled, subsampled, split and standardized; each example keeps the table's input shape.
     *
     * @param spec     the dataset with its preprocessing parameters
     * @param dataSeed the data seed
     * @param table    all rows, or the training rows when {@code test} is given
     * @param test     separate test rows, or null to split {@code table}
     * @throws DataException when the rows cannot make a training and a test split
     */
    public static Dataset prepare(DatasetSpec spec, long dataSeed, RawTable table, RawTable test, String source) {
        RawTable[] kept = ClassFilter.apply(spec, table, test, source);
        table = kept[0];
        test = kept[1];
        RandomGenerator random = new Well19937c(Hashing.seed("split|" + dataSeed));
        int[] order = permutation(table.rows(), random);
        int used = usedRows(spec, table.rows(), source);

        int[] trainIndex;
        int[] testIndex;
        RawTable testSource;
        if (test == null) {
            int testRows = (int) Math.round(used * spec.number("test-fraction"));
            int trainRows = used - testRows;
            if (trainRows < 1 || testRows < 1) {
                throw new DataException(source, "rows", null, "has " + used + " usable rows, too few for a "
                        + "train/test split with test-fraction " + spec.number("test-fraction")
                        + " (needs at least one row on each side)");
            }
            trainIndex = java.util.Arrays.copyOfRange(order, testRows, used);
            testIndex = java.util.Arrays.copyOfRange(order, 0, testRows);
            testSource = table;
        } else {
            if (test.features() != table.features()) {
                throw new DataException(source, "test rows", null, "have " + test.features()
                        + " features but the training rows have " + table.features());
            }
            trainIndex = java.util.Arrays.copyOf(order, used);
            testIndex = identity(test.rows());
            testSource = test;
        }
        if (trainIndex.length < 1 || testIndex.length < 1) {
            throw new DataException(source, "rows", null, "leaves an empty training or test split");
        }

        int features = table.features();
        int outputs = table.task() == Task.CLASSIFICATION
                ? Math.max(table.classes(), test == null ? 0 : test.classes()) : table.outputs();
        float[] trainX = gather(table.x(), features, trainIndex);
        float[] testX = gather(testSource.x(), features, testIndex);
        if (spec.flag("standardize")) {
            standardize(trainX, testX, features, trainIndex.length);
        }
        float[] trainY = targets(table, trainIndex, outputs);
        float[] testY = targets(testSource, testIndex, outputs);
        if (spec.flag("standardize") && table.task() == Task.REGRESSION) {
            standardize(trainY, testY, outputs, trainIndex.length);
        }

        String fingerprint = Hashing.sha256Hex(table.contentSha256()
                + "|" + (test == null ? "-" : test.contentSha256())
                + "|" + spec.label() + "|data-seed=" + dataSeed);
        return new Dataset(new DatasetIdentity(spec.label(), fingerprint, table.task(), features, outputs,
                trainIndex.length, testIndex.length, table.inputShape()), trainX, trainY, testX, testY);
    }

    /**
     * The rows a dataset uses: all, or {@code subsample} of them.
     *
     * @throws DataException if {@code subsample} asks for more rows than there are: silently using fewer would
     *                       record a smaller dataset than the spec says
     */
    public static int usedRows(DatasetSpec spec, long rows, String source) {
        Integer subsample = spec.optionalCount("subsample");
        if (subsample == null) {
            return Math.toIntExact(rows);
        }
        if (subsample > rows) {
            List<String> keep = spec.texts(DatasetKind.KEEP_CLASSES.name());
            throw new DataException(source, "rows", null, "has " + rows + " rows" + (keep == null ? ""
                    : " of keep-classes " + Parameter.canonicalText(keep)) + ", fewer than subsample " + subsample);
        }
        return subsample;
    }

    private static int[] permutation(int n, RandomGenerator random) {
        int[] order = identity(n);
        for (int i = n - 1; i > 0; i--) { // Fisher-Yates
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    private static float[] gather(float[] x, int columns, int[] rows) {
        float[] out = new float[rows.length * columns];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(x, rows[r] * columns, out, r * columns, columns);
        }
        return out;
    }

    private static float[] targets(RawTable table, int[] rows, int outputs) {
        float[] out = new float[rows.length * outputs];
        if (table.task() == Task.CLASSIFICATION) {
            for (int r = 0; r < rows.length; r++) {
                out[r * outputs + table.labels()[rows[r]]] = 1f;
            }
        } else {
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(table.targets(), rows[r] * outputs, out, r * outputs, outputs);
            }
        }
        return out;
    }

    /** Mean 0, std 1 per feature using training statistics; a constant feature is only centred. */
    private static void standardize(float[] train, float[] test, int features, int trainRows) {
        double[] mean = new double[features];
        double[] sumSquares = new double[features];
        for (int r = 0; r < trainRows; r++) {
            for (int f = 0; f < features; f++) {
                mean[f] += train[r * features + f];
            }
        }
        for (int f = 0; f < features; f++) {
            mean[f] /= trainRows;
        }
        for (int r = 0; r < trainRows; r++) {
            for (int f = 0; f < features; f++) {
                double d = train[r * features + f] - mean[f];
                sumSquares[f] += d * d;
            }
        }
        double[] scale = new double[features];
        for (int f = 0; f < features; f++) {
            double std = Math.sqrt(sumSquares[f] / trainRows);
            scale[f] = std > 1e-12 ? 1.0 / std : 1.0;
        }
        apply(train, mean, scale);
        apply(test, mean, scale);
    }

    private static void apply(float[] x, double[] mean, double[] scale) {
        int features = mean.length;
        for (int i = 0; i < x.length; i++) {
            int f = i % features;
            x[i] = (float) ((x[i] - mean[f]) * scale[f]);
        }
    }
}
