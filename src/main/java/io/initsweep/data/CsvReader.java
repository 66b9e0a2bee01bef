package io.initsweep.data;

import io.initsweep.common.Hashing;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a numeric CSV file with a header line, through Apache Commons CSV (RFC 4180: a quoted field may hold the
 * delimiter, a line break, and {@code ""} for a quote). Every row must have the header's column count; every feature
 * must be a finite number; blank lines are skipped; column names must be unique. The fingerprint is SHA-256 of the
 * file's bytes as read (of the compressed bytes for a gzipped file), whatever the parser makes of them.
 */
final class CsvReader {
    private CsvReader() {
    }

    static Columns read(Storage storage, String location, DatasetSpec spec, List<String> expectedFeatures) {
        char delimiter = spec.text("delimiter") == null ? ',' : parseDelimiter(spec.text("delimiter"), location);
        CSVFormat format;
        try {
            // Empty lines come through as records so that line numbers can be counted; they are skipped below.
            format = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setIgnoreEmptyLines(false).build();
        } catch (IllegalArgumentException e) {
            throw new DataException(location, "spec", "delimiter", "cannot be '" + spec.text("delimiter") + "': "
                    + e.getMessage());
        }
        MessageDigest digest = Hashing.sha256();
        try (InputStream raw = new DigestInputStream(storage.open(location), digest);
             CSVParser parser = CSVParser.parse(new InputStreamReader(TextRows.maybeGunzip(raw),
                     StandardCharsets.UTF_8), format)) {
            Records records = new Records(parser, location);
            Columns columns = read(records, location, spec, expectedFeatures);
            // The parser may stop before the stream's last bytes (a gzip trailer); the fingerprint is of all of them.
            raw.transferTo(OutputStream.nullOutputStream());
            return columns.withSha256(HexFormat.of().formatHex(digest.digest()));
        } catch (IOException | UncheckedIOException e) {
            throw new DataException(location, "cannot be read: " + e.getMessage(), e);
        }
    }

    private static Columns read(Records records, String location, DatasetSpec spec, List<String> expectedFeatures) {
        if (!records.next()) {
            throw new DataException(location, "file", null, "is empty (a header line and rows are needed)");
        }
        String headerWhere = "header (line " + records.line + ")";
        String[] header = records.fields;
        if (header[0].startsWith("\uFEFF")) {
            header[0] = header[0].substring(1);
        }
        Map<String, Integer> positions = new LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) {
            header[i] = header[i].trim();
            Integer first = positions.putIfAbsent(header[i], i);
            if (first != null) {
                throw new DataException(location, headerWhere, header[i], "appears twice, at positions "
                        + (first + 1) + " and " + (i + 1) + "; column names must be unique");
            }
        }
        String labelColumn = spec.text("label");
        Integer labelIndex = positions.get(labelColumn);
        if (labelIndex == null) {
            throw new DataException(location, headerWhere, labelColumn,
                    "no such column; the header has " + String.join(", ", header));
        }
        List<String> wanted = expectedFeatures != null ? expectedFeatures : spec.texts("features");
        int[] featureIndex;
        if (wanted != null) {
            featureIndex = new int[wanted.size()];
            for (int i = 0; i < featureIndex.length; i++) {
                Integer position = positions.get(wanted.get(i));
                if (position == null) {
                    throw new DataException(location, headerWhere, wanted.get(i),
                            "no such column; the header has " + String.join(", ", header));
                }
                featureIndex[i] = position;
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
            throw new DataException(location, headerWhere, null,
                    "has no feature column besides the label " + labelColumn);
        }
        String[] names = Arrays.stream(featureIndex).mapToObj(i -> header[i]).toArray(String[]::new);

        List<float[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> locations = new ArrayList<>();
        while (records.next()) {
            String where = "line " + records.line;
            String[] fields = records.fields;
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
                locations.toArray(String[]::new), labelColumn, spec.text("label-type"), "");
    }

    /** The file's records without its blank lines, each with the line it starts on. */
    private static final class Records {
        private final CSVParser parser;
        private final Iterator<CSVRecord> iterator;
        private final String location;
        private long endOfPrevious;
        String[] fields;
        long line;

        Records(CSVParser parser, String location) {
            this.parser = parser;
            this.iterator = parser.iterator();
            this.location = location;
        }

        boolean next() {
            while (true) {
                line = endOfPrevious + 1;
                CSVRecord record;
                try {
                    if (!iterator.hasNext()) {
                        return false;
                    }
                    record = iterator.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    // Commons CSV reports malformed quoting as an IOException, wrapped by its iterator.
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    throw new DataException(location, "line " + line, null, "is not valid CSV: "
                            + cause.getMessage().replaceFirst("^\\(startline \\d+\\) ", ""));
                }
                // A record ends on the line the parser has reached; it starts on the line after the previous one.
                endOfPrevious = parser.getCurrentLineNumber();
                if (record.size() == 1 && record.get(0).isBlank()) {
                    continue;
                }
                fields = record.values();
                return true;
            }
        }
    }

    private static char parseDelimiter(String text, String location) {
        String t = text.equals("\\t") || text.equals("tab") ? "\t" : text;
        if (t.length() != 1) {
            throw new DataException(location, "spec", "delimiter", "must be one character, got '" + text + "'");
        }
        return t.charAt(0);
    }
}
