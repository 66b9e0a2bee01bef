package io.initsweep.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code keep-classes} filter of a classification dataset: only the rows of the listed classes are kept, and
 * those classes are re-indexed 0..K'-1 in the order of their original class indices. It runs on the rows as read,
 * before the subsample and the split, so {@code subsample} counts rows of the kept classes.
 */
final class ClassFilter {
    private ClassFilter() {
    }

    /**
     * @param table  all rows, or the training rows when {@code test} is given
     * @param test   separate test rows, or null
     * @param source the dataset, for messages
     * @return the filtered table and test table (null when {@code test} is)
     * @throws DataException when a listed class is not a class of the data or has no rows in {@code table}
     */
    static RawTable[] apply(DatasetSpec spec, RawTable table, RawTable test, String source) {
        List<String> keep = spec.texts(DatasetKind.KEEP_CLASSES.name());
        if (keep == null) {
            return new RawTable[] {table, test};
        }
        if (table.task() != Task.CLASSIFICATION) {
            throw new DataException(source, "spec", DatasetKind.KEEP_CLASSES.name(),
                    "keep-classes filters the classes of a classification; this dataset is a regression");
        }
        int[] originals = originalClasses(keep, table, source);
        int[] newIndex = new int[Math.max(table.classes(), test == null ? 0 : test.classes())];
        java.util.Arrays.fill(newIndex, -1);
        for (int k = 0; k < originals.length; k++) {
            newIndex[originals[k]] = k;
        }
        int[] counts = new int[table.classes()];
        for (int label : table.labels()) {
            counts[label]++;
        }
        for (int original : originals) {
            if (counts[original] == 0) {
                throw new DataException(source, "rows", null, "keep-classes lists "
                        + name(table, original) + " but no row of the data has that class");
            }
        }
        List<String> names = null;
        if (table.classNames() != null) {
            names = new ArrayList<>();
            for (int original : originals) {
                names.add(table.classNames().get(original));
            }
        }
        return new RawTable[] {keep(table, newIndex, originals.length, names),
                test == null ? null : keep(test, newIndex, originals.length, names)};
    }

    /** The original class index of each listed label, ascending. */
    private static int[] originalClasses(List<String> keep, RawTable table, String source) {
        int[] originals = new int[keep.size()];
        for (int k = 0; k < originals.length; k++) {
            String label = keep.get(k);
            int original;
            if (table.classNames() != null) {
                original = table.classNames().indexOf(label);
                if (original < 0) {
                    throw new DataException(source, "labels", null, "keep-classes lists '" + label
                            + "', which is not one of its labels " + table.classNames());
                }
            } else {
                if (!label.matches("\\d{1,9}")) {
                    throw new DataException(source, "labels", null, "keep-classes lists '" + label
                            + "', but the labels are class indices 0.." + (table.classes() - 1));
                }
                original = Integer.parseInt(label);
                if (original >= table.classes()) {
                    throw new DataException(source, "labels", null, "keep-classes lists " + label
                            + ", which is not one of its classes 0.." + (table.classes() - 1));
                }
            }
            originals[k] = original;
        }
        java.util.Arrays.sort(originals);
        for (int k = 1; k < originals.length; k++) {
            if (originals[k] == originals[k - 1]) { // "3" and "03" of index labels
                throw new DataException(source, "labels", null, "keep-classes lists class " + originals[k]
                        + " twice");
            }
        }
        return originals;
    }

    private static String name(RawTable table, int original) {
        return table.classNames() != null ? "'" + table.classNames().get(original) + "'" : Integer.toString(original);
    }

    private static RawTable keep(RawTable table, int[] newIndex, int classes, List<String> names) {
        int kept = 0;
        for (int label : table.labels()) {
            kept += newIndex[label] >= 0 ? 1 : 0;
        }
        int features = table.features();
        float[] x = new float[kept * features];
        int[] labels = new int[kept];
        int r = 0;
        for (int row = 0; row < table.rows(); row++) {
            int label = newIndex[table.labels()[row]];
            if (label >= 0) {
                System.arraycopy(table.x(), row * features, x, r * features, features);
                labels[r++] = label;
            }
        }
        return new RawTable(Task.CLASSIFICATION, kept, features, x, labels, classes, null, 0, table.contentSha256(),
                table.inputShape(), names);
    }
}
