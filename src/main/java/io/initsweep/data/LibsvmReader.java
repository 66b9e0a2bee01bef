package io.initsweep.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads LibSVM / SVMlight text: {@code label index:value index:value ...}, 1-based increasing indices, missing
 * indices are 0. Comments after '#' are ignored.
 */
final class LibsvmReader {
    private LibsvmReader() {
    }

    /** @param features the feature count, or null for the largest index seen */
    static Columns read(Storage storage, String location, Integer features) {
        TextRows text = TextRows.read(storage, location);
        List<int[]> indices = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> locations = new ArrayList<>();
        int maxIndex = 0;
        for (int i = 0; i < text.lines.size(); i++) {
            String line = text.lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            if (line.isBlank()) {
                continue;
            }
            String where = "line " + (i + 1);
            String[] tokens = line.trim().split("\\s+");
            int[] rowIndex = new int[tokens.length - 1];
            float[] rowValue = new float[tokens.length - 1];
            int previous = 0;
            for (int t = 1; t < tokens.length; t++) {
                int colon = tokens[t].indexOf(':');
                if (colon <= 0) {
                    throw new DataException(location, where, null, "'" + tokens[t] + "' is not index:value");
                }
                String indexText = tokens[t].substring(0, colon);
                int index;
                try {
                    index = Integer.parseInt(indexText);
                } catch (NumberFormatException e) {
                    throw new DataException(location, where, null, "feature index '" + indexText + "' is not an integer");
                }
                if (index < 1) {
                    throw new DataException(location, where, "feature " + index, "indices start at 1");
                }
                if (index <= previous) {
                    throw new DataException(location, where, "feature " + index, "indices must increase");
                }
                if (features != null && index > features) {
                    throw new DataException(location, where, "feature " + index, "is beyond features " + features);
                }
                previous = index;
                rowIndex[t - 1] = index;
                rowValue[t - 1] = Labels.number(tokens[t].substring(colon + 1), location, where, "feature " + index);
                maxIndex = Math.max(maxIndex, index);
            }
            indices.add(rowIndex);
            values.add(rowValue);
            labels.add(tokens[0]);
            locations.add(where);
        }
        if (labels.isEmpty()) {
            throw new DataException(location, "file", null, "is empty (no rows)");
        }
        int width = features != null ? features : maxIndex;
        if (width == 0) {
            throw new DataException(location, "file", null, "has no feature values in any row");
        }
        float[] x = new float[labels.size() * width];
        for (int r = 0; r < labels.size(); r++) {
            int[] rowIndex = indices.get(r);
            for (int k = 0; k < rowIndex.length; k++) {
                x[r * width + rowIndex[k] - 1] = values.get(r)[k];
            }
        }
        String[] names = new String[width];
        for (int f = 0; f < width; f++) {
            names[f] = "feature " + (f + 1);
        }
        return new Columns(location, labels.size(), width, names, x, labels.toArray(String[]::new),
                locations.toArray(String[]::new), "label", "index", text.sha256);
    }

    /** Maps LibSVM's label conventions onto class indices 0..K-1. */
    static String[] mapLabels(Columns columns, String labelMap) {
        String[] mapped = new String[columns.rows()];
        for (int r = 0; r < mapped.length; r++) {
            String t = columns.labels()[r].trim();
            switch (labelMap) {
                case "one-based" -> {
                    double v = parse(t, columns, r);
                    mapped[r] = v == Math.rint(v) ? Long.toString((long) v - 1) : t;
                }
                case "signed" -> {
                    double v = parse(t, columns, r);
                    if (v != 1 && v != -1) {
                        throw new DataException(columns.source(), columns.locations()[r], "label",
                                "label " + t + " is not -1 or +1 (label-map: signed)");
                    }
                    mapped[r] = v > 0 ? "1" : "0";
                }
                default -> mapped[r] = t;
            }
        }
        return mapped;
    }

    private static double parse(String t, Columns columns, int row) {
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new DataException(columns.source(), columns.locations()[row], "label", "label '" + t
                    + "' is not a number");
        }
    }
}
