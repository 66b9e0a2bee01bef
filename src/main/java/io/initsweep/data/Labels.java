package io.initsweep.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns label texts into class indices or regression targets, with errors that point at the line and column.
 * Used by every file format, so all of them accept and refuse the same labels.
 */
final class Labels {
    private Labels() {
    }

    /**
     * Classes resolved from label texts.
     *
     * @param labels per split, the class of each row
     * @param count  the number of classes
     * @param names  the text of each class for category labels, in index order; null for index labels
     */
    record Resolved(List<int[]> labels, int count, List<String> names) {
    }

    /**
     * Class indices from texts: integers 0..classes-1 ({@code index}), or any text indexed in sorted order
     * ({@code category}, the order shared by the training and test files).
     *
     * @param texts     per split, the label text of each row
     * @param locations per split, where each row is (e.g. {@code line 7})
     * @param sources   per split, the file
     */
    static Resolved classes(List<String[]> texts, List<String[]> locations, List<String> sources,
                            String column, String labelType, Integer classes) {
        List<int[]> out = new ArrayList<>();
        if (labelType.equals("category")) {
            TreeSet<String> distinct = new TreeSet<>();
            texts.forEach(split -> {
                for (String t : split) {
                    distinct.add(t.trim());
                }
            });
            Map<String, Integer> index = new TreeMap<>();
            distinct.forEach(t -> index.put(t, index.size()));
            for (int s = 0; s < texts.size(); s++) {
                String[] split = texts.get(s);
                int[] labels = new int[split.length];
                for (int r = 0; r < split.length; r++) {
                    if (split[r].isBlank()) {
                        throw new DataException(sources.get(s), locations.get(s)[r], column, "the label is missing");
                    }
                    labels[r] = index.get(split[r].trim());
                }
                out.add(labels);
            }
            if (classes != null && classes != index.size()) {
                throw new DataException(sources.get(0), "labels", column, "has " + index.size()
                        + " distinct values " + index.keySet() + " but classes is " + classes);
            }
            return new Resolved(out, index.size(), List.copyOf(index.keySet()));
        }
        int max = -1;
        for (int s = 0; s < texts.size(); s++) {
            String[] split = texts.get(s);
            int[] labels = new int[split.length];
            for (int r = 0; r < split.length; r++) {
                labels[r] = classIndex(split[r], sources.get(s), locations.get(s)[r], column, classes);
                max = Math.max(max, labels[r]);
            }
            out.add(labels);
        }
        int count = classes != null ? classes : max + 1;
        if (count < 2) {
            throw new DataException(sources.get(0), "labels", column, "has a single class (" + max
                    + "); classification needs at least two");
        }
        return new Resolved(out, count, null);
    }

    static int classIndex(String text, String source, String location, String column, Integer classes) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new DataException(source, location, column, "the label is missing");
        }
        double value;
        try {
            value = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new DataException(source, location, column, "label '" + t + "' is not a class index "
                    + "(use label-type: category for text labels)");
        }
        if (value != Math.rint(value) || value < 0 || value > Integer.MAX_VALUE) {
            throw new DataException(source, location, column, "label " + t + " is not a class index 0, 1, 2, ...");
        }
        int label = (int) value;
        if (classes != null && label >= classes) {
            throw new DataException(source, location, column, "label " + t + " is out of range for classes "
                    + classes + " (0.." + (classes - 1) + ")");
        }
        return label;
    }

    static float number(String text, String source, String location, String column) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new DataException(source, location, column, "the value is missing");
        }
        double value;
        try {
            value = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new DataException(source, location, column, "'" + t + "' is not a number");
        }
        if (!Double.isFinite(value) || Math.abs(value) > Float.MAX_VALUE) {
            throw new DataException(source, location, column, "'" + t + "' is not a finite number");
        }
        return (float) value;
    }
}
