package io.initsweep.data;

import java.util.List;
import java.util.Objects;

/**
 * Rows as a source produced them, before split and preprocessing.
 *
 * @param task          classification (labels) or regression (targets)
 * @param rows          examples
 * @param features      columns per example
 * @param x             rows × features, row-major
 * @param labels        class per row (classification), else null
 * @param classes       number of classes (classification), else 0
 * @param targets       rows × outputs (regression), else null
 * @param outputs       target columns (regression), else 0
 * @param contentSha256 SHA-256 of the content as read (file bytes, or the generated values)
 * @param inputShape    the shape of one example, {@code [features]} for a flat row, {@code [C, H, W]} for a picture
 * @param classNames    the label text of each class for category labels (index = class); null when the labels are
 *                      the class indices themselves, and for regression
 */
public record RawTable(Task task, int rows, int features, float[] x, int[] labels, int classes, float[] targets,
                       int outputs, String contentSha256, List<Integer> inputShape, List<String> classNames) {

    public RawTable {
        Objects.requireNonNull(task, "task is null");
        Objects.requireNonNull(contentSha256, "contentSha256 is null");
        inputShape = List.copyOf(Objects.requireNonNull(inputShape, "inputShape is null"));
        classNames = classNames == null ? null : List.copyOf(classNames);
        if (x.length != (long) rows * features) {
            throw new IllegalArgumentException("x has " + x.length + " values for " + rows + "×" + features);
        }
        if (inputShape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b) != features) {
            throw new IllegalArgumentException("inputShape " + inputShape + " does not hold " + features + " features");
        }
        if (task == Task.CLASSIFICATION && (labels == null || labels.length != rows || classes < 1)) {
            throw new IllegalArgumentException("classification needs one label per row and classes >= 1");
        }
        if (classNames != null && classNames.size() != classes) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + classes + " classes");
        }
        if (task == Task.REGRESSION && (targets == null || targets.length != (long) rows * outputs)) {
            throw new IllegalArgumentException("regression needs rows × outputs targets");
        }
    }

    /** Flat rows whose labels are class indices. */
    public static RawTable classification(int rows, int features, float[] x, int[] labels, int classes,
                                          String contentSha256) {
        return new RawTable(Task.CLASSIFICATION, rows, features, x, labels, classes, null, 0, contentSha256,
                List.of(features), null);
    }

    /** Flat rows with regression targets. */
    public static RawTable regression(int rows, int features, float[] x, float[] targets, int outputs,
                                      String contentSha256) {
        return new RawTable(Task.REGRESSION, rows, features, x, null, 0, targets, outputs, contentSha256,
                List.of(features), null);
    }

    /** The same rows, each example of the given shape (whose product is the feature count). */
    public RawTable withShape(List<Integer> shape) {
        return new RawTable(task, rows, features, x, labels, classes, targets, outputs, contentSha256, shape,
                classNames);
    }

    /** The same rows with another class count (a test file's labels may reach further than the training file's). */
    public RawTable withClasses(int classCount, List<String> names) {
        return new RawTable(task, rows, features, x, labels, classCount, targets, outputs, contentSha256, inputShape,
                names);
    }

    /** Target columns the network predicts. */
    public int outputWidth() {
        return task == Task.CLASSIFICATION ? classes : outputs;
    }
}
