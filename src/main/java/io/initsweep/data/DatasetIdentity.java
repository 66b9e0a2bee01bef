package io.initsweep.data;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * What identifies a dataset and shapes a network for it, wherever its rows live (in this JVM or on the executors):
 * the one description that the grid (cell ids, network shapes), the results and the tables use.
 *
 * @param name       the dataset label with every parameter, e.g. {@code spirals(samples=1000,arms=2,...)}
 * @param sha256     fingerprint of the content as read plus every preprocessing setting and the data seed
 * @param task       classification or regression
 * @param features   input values per example: the product of {@code inputShape}
 * @param outputs    target columns per example (classes for classification)
 * @param trainRows  training examples
 * @param testRows   test examples
 * @param inputShape the shape of one example: {@code [features]} for a flat row, {@code [channels, height, width]}
 *                   for a picture (IDX images, {@code bars}, CSV or Parquet rows with {@code image-shape}); the
 *                   values are row-major in that order, so a dense network reads the same flat row either way.
 *                   Not part of {@code sha256}: the content and the spec's label already determine it
 */
public record DatasetIdentity(String name, String sha256, Task task, int features, int outputs, int trainRows,
                              int testRows, List<Integer> inputShape) implements Serializable {

    public DatasetIdentity {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(sha256, "sha256 is null");
        Objects.requireNonNull(task, "task is null");
        inputShape = List.copyOf(Objects.requireNonNull(inputShape, "inputShape is null"));
        if (features < 1 || outputs < 1 || trainRows < 1 || testRows < 1) {
            throw new IllegalArgumentException("features, outputs, train and test rows must be >= 1, got "
                    + features + ", " + outputs + ", " + trainRows + ", " + testRows);
        }
        long product = inputShape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
        if (inputShape.isEmpty() || inputShape.stream().anyMatch(d -> d < 1) || product != features) {
            throw new IllegalArgumentException("inputShape " + inputShape + " does not hold " + features
                    + " features");
        }
    }

    /** A dataset of flat rows: input shape {@code [features]}. */
    public DatasetIdentity(String name, String sha256, Task task, int features, int outputs, int trainRows,
                           int testRows) {
        this(name, sha256, task, features, outputs, trainRows, testRows, List.of(features));
    }

    @Override
    public String toString() {
        return name + " [" + task.canonicalName() + ", " + trainRows + "+" + testRows + " rows, " + features
                + " features, " + outputs + " outputs, sha256 " + sha256.substring(0, Math.min(12, sha256.length()))
                + "]";
    }
}
