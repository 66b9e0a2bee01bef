package io.initsweep.data;

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
 */
public record RawTable(Task task, int rows, int features, float[] x, int[] labels, int classes, float[] targets,
                       int outputs, String contentSha256) {

    public RawTable {
        Objects.requireNonNull(task, "task is null");
        Objects.requireNonNull(contentSha256, "contentSha256 is null");
        if (x.length != (long) rows * features) {
            throw new IllegalArgumentException("x has " + x.length + " values for " + rows + "×" + features);
        }
        if (task == Task.CLASSIFICATION && (labels == null || labels.length != rows || classes < 1)) {
            throw new IllegalArgumentException("classification needs one label per row and classes >= 1");
        }
        if (task == Task.REGRESSION && (targets == null || targets.length != (long) rows * outputs)) {
            throw new IllegalArgumentException("regression needs rows × outputs targets");
        }
    }

    public static RawTable classification(int rows, int features, float[] x, int[] labels, int classes,
                                          String contentSha256) {
        return new RawTable(Task.CLASSIFICATION, rows, features, x, labels, classes, null, 0, contentSha256);
    }

    public static RawTable regression(int rows, int features, float[] x, float[] targets, int outputs,
                                      String contentSha256) {
        return new RawTable(Task.REGRESSION, rows, features, x, null, 0, targets, outputs, contentSha256);
    }

    /** Target columns the network predicts. */
    public int outputWidth() {
        return task == Task.CLASSIFICATION ? classes : outputs;
    }
}
