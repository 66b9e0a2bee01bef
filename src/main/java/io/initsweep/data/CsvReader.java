package io.initsweep.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a numeric CSV file with a header. Fields may be quoted ("a,b", with "" for a quote). Every row must have
 * the header's column count; every feature must be a finite number.
 */
final class CsvReader {
    private CsvReader() {
    }

    static Columns read(Storage storage, String location, DatasetSpec spec, List<String> expectedFeatures) {
        TextRows text = TextRows.read(storage, location);
        char delimiter = spec.text("delimiter") == null ? ',' : parseDelimiter(spec.text("delimiter"), location);
        List<String> lines = text.lines;
        int headerIndex = 0;
        while (headerIndex < lines.size() && lines.get(headerIndex).isBlank()) {
            headerIndex++;
        }
        if (headerIndex == lines.size()) {
            throw new DataException(location, "file", null, "is empty (a header line and rows are needed)");
        }
        String headerLine = lines.get(headerIndex);
        if (headerLine.startsWith("\uFEFF")) {
            headerLine = headerLine.substring(1);
        }
        String[] header = split(headerLine, delimiter, location, headerIndex + 1);
        for (int i = 0; i < header.length; i++) {
            header[i] = header[i].trim();
        }
        String labelColumn = spec.text("label");
        int labelIndex = indexOf(header, labelColumn);
        if (labelIndex < 0) {
            throw new DataException(location, "header (line " + (headerIndex + 1) + ")", labelColumn,
                    "no such column; the header has " + String.join(", ", header));
        }
        List<String> wanted = expectedFeatures != null ? expectedFeatures : spec.texts("features");
        int[] featureIndex;
        if (wanted != null) {
            featureIndex = new int[wanted.size()];
            for (int i = 0; i < featureIndex.length; i++) {
                featureIndex[i] = indexOf(header, wanted.get(i));
                if (featureIndex[i] < 0) {
                    throw new DataException(location, "header (line " + (headerIndex + 1) + ")", wanted.get(i),
                            "no such column; the header has " + String.join(", ", header));
                }
            }
        } else {
            featureIndex = new int[header.length - 1];
            for (int i = 0, f = 0; i < header.length; i++) {
                if (i != labelIndex) {
                    featureIndex[f++] = i;
                }
            }
        }
        if (featureIndex.length == 0) {
            throw new DataException(location, "header (line " + (headerIndex + 1) + ")", null,
                    "has no feature column besides the label " + labelColumn);
        }
        String[] names = Arrays.stream(featureIndex).mapToObj(i -> header[i]).toArray(String[]::new);

        List<float[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> locations = new ArrayList<>();
        for (int i = headerIndex + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = "line " + (i + 1);
            String[] fields = split(line, delimiter, location, i + 1);
            if (fields.length != header.length) {
                throw new DataException(location, where, null, "has " + fields.length + " fields but the header has "
                        + header.length + " (ragged row)");
            }
            float[] values = new float[featureIndex.length];
            for (int f = 0; f < featureIndex.length; f++) {
                values[f] = Labels.number(fields[featureIndex[f]], location, where, names[f]);
            }
            rows.add(values);
            labels.add(fields[labelIndex]);
            locations.add(where);
        }
        if (rows.isEmpty()) {
            throw new DataException(location, "file", null, "has a header but no rows");
        }
        float[] x = new float[rows.size() * featureIndex.length];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, x, r * featureIndex.length, featureIndex.length);
        }
        return new Columns(location, rows.size(), featureIndex.length, names, x, labels.toArray(String[]::new),
                locations.toArray(String[]::new), labelColumn, text.sha256);
    }

    private static char parseDelimiter(String text, String location) {
        String t = text.equals("\\t") || text.equals("tab") ? "\t" : text;
        if (t.length() != 1) {
            throw new DataException(location, "spec", "delimiter", "must be one character, got '" + text + "'");
        }
        return t.charAt(0);
    }

    private static int indexOf(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Splits one line; quoted fields may hold the delimiter, "" is a quote inside quotes. */
    static String[] split(String line, char delimiter, String location, int lineNumber) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.toString().isBlank()) {
                quoted = true;
                field.setLength(0);
            } else if (c == delimiter) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new DataException(location, "line " + lineNumber, null, "has an unterminated quoted field");
        }
        fields.add(field.toString());
        return fields.toArray(String[]::new);
    }
}
