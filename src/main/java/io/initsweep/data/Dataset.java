package io.initsweep.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * A dataset's rows in memory, as a cell trains on them: split, preprocessed, row-major float features, and float
 * targets (one-hot rows for classification). Built once on the driver per sweep and data seed and shipped to the
 * executors.
 *
 * @param identity what the rows are; its counts are the arrays' shapes
 * @param trainX   trainRows × features; each row one example of {@code identity.inputShape()}, row-major
 * @param trainY   trainRows × outputs
 * @param testX    testRows × features
 * @param testY    testRows × outputs
 */
public record Dataset(DatasetIdentity identity, float[] trainX, float[] trainY, float[] testX, float[] testY)
        implements Serializable {

    /** Examples in the probe batch: the first rows of the training split, the same for every cell. */
    public static final int PROBE_ROWS = 256;

    public Dataset {
        Objects.requireNonNull(identity, "identity is null");
        check(trainX.length == (long) identity.trainRows() * identity.features(), "trainX", trainX.length,
                identity.trainRows(), identity.features());
        check(trainY.length == (long) identity.trainRows() * identity.outputs(), "trainY", trainY.length,
                identity.trainRows(), identity.outputs());
        check(testX.length == (long) identity.testRows() * identity.features(), "testX", testX.length,
                identity.testRows(), identity.features());
        check(testY.length == (long) identity.testRows() * identity.outputs(), "testY", testY.length,
                identity.testRows(), identity.outputs());
    }

    private static void check(boolean ok, String what, int length, int rows, int columns) {
        if (!ok) {
            throw new IllegalArgumentException(what + " has " + length + " values, expected " + rows + "×" + columns);
        }
    }

    /** Columns of {@link #trainX} and {@link #testX}. */
    public int features() {
        return identity.features();
    }

    /** Columns of {@link #trainY} and {@link #testY}. */
    public int outputs() {
        return identity.outputs();
    }

    public int trainRows() {
        return identity.trainRows();
    }

    public int testRows() {
        return identity.testRows();
    }

    public int probeRows() {
        return Math.min(PROBE_ROWS, identity.trainRows());
    }

    /** Bytes the arrays take, for memory planning. */
    public long sizeBytes() {
        return 4L * (trainX.length + trainY.length + testX.length + testY.length);
    }

    @Override
    public String toString() {
        return identity.toString();
    }
}
