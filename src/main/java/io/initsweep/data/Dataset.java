package io.initsweep.data;

import java.io.Serializable;
import java.util.Objects;

/**
 * A dataset as a cell trains on it: split, preprocessed, row-major float features, and float targets (one-hot rows
 * for classification). Built once on the driver per sweep and data seed and shipped to executors.
 *
 * @param name        the dataset label for the tables, e.g. {@code spirals(arms=2,noise=0.1,...)}
 * @param sha256      fingerprint of the content as read plus every preprocessing setting
 * @param task        classification or regression
 * @param features    feature columns per row
 * @param outputs     target columns per row (classes for classification)
 * @param trainRows   training examples
 * @param trainX      trainRows × features
 * @param trainY      trainRows × outputs
 * @param testRows    test examples
 * @param testX       testRows × features
 * @param testY       testRows × outputs
 */
public record Dataset(String name, String sha256, Task task, int features, int outputs,
                      int trainRows, float[] trainX, float[] trainY,
                      int testRows, float[] testX, float[] testY) implements DatasetIdentity, Serializable {

    /** Examples in the probe batch: the first rows of the training split, the same for every cell. */
    public static final int PROBE_ROWS = 256;

    public Dataset {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(sha256, "sha256 is null");
        Objects.requireNonNull(task, "task is null");
        check(trainX.length == (long) trainRows * features, "trainX", trainX.length, trainRows, features);
        check(trainY.length == (long) trainRows * outputs, "trainY", trainY.length, trainRows, outputs);
        check(testX.length == (long) testRows * features, "testX", testX.length, testRows, features);
        check(testY.length == (long) testRows * outputs, "testY", testY.length, testRows, outputs);
    }

    private static void check(boolean ok, String what, int length, int rows, int columns) {
        if (!ok) {
            throw new IllegalArgumentException(what + " has " + length + " values, expected " + rows + "×" + columns);
        }
    }

    public int probeRows() {
        return Math.min(PROBE_ROWS, trainRows);
    }

    /** Bytes the arrays take, for memory planning. */
    public long sizeBytes() {
        return 4L * (trainX.length + trainY.length + testX.length + testY.length);
    }

    @Override
    public String toString() {
        return name + " [" + task.canonicalName() + ", " + trainRows + "+" + testRows + " rows, " + features
                + " features, " + outputs + " outputs, sha256 " + sha256.substring(0, 12) + "]";
    }
}
