package io.initsweep.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/** Writes the same small dataset in every text and binary format, and reads local files as a {@link Storage}. */
public final class TestFiles {
    private TestFiles() {
    }

    /** Pixel-like values v/255 (v in 0..255) so the IDX encoding is exact. */
    public static float[][] features(int rows, int columns, long seed) {
        java.util.Random random = new java.util.Random(seed);
        float[][] x = new float[rows][columns];
        for (float[] row : x) {
            for (int c = 0; c < columns; c++) {
                row[c] = (float) (random.nextInt(256) / 255.0);
            }
        }
        return x;
    }

    public static int[] labels(int rows, int classes, long seed) {
        java.util.Random random = new java.util.Random(seed + 1);
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = r < classes ? r : random.nextInt(classes); // every class occurs
        }
        return labels;
    }

    public static Path csv(Path file, float[][] x, int[] labels) throws IOException {
        StringBuilder out = new StringBuilder();
        for (int c = 0; c < x[0].length; c++) {
            out.append("f").append(c).append(',');
        }
        out.append("label\n");
        for (int r = 0; r < x.length; r++) {
            for (float v : x[r]) {
                out.append(Float.toString(v)).append(',');
            }
            out.append(labels[r]).append('\n');
        }
        return Files.writeString(file, out.toString());
    }

    public static Path libsvm(Path file, float[][] x, int[] labels) throws IOException {
        StringBuilder out = new StringBuilder("# written by the tests\n");
        for (int r = 0; r < x.length; r++) {
            out.append(labels[r]);
            for (int c = 0; c < x[r].length; c++) {
                if (x[r][c] != 0f) { // sparse: zeros are left out
                    out.append(' ').append(c + 1).append(':').append(Float.toString(x[r][c]));
                }
            }
            out.append('\n');
        }
        return Files.writeString(file, out.toString());
    }

    /** Images as 1×columns pictures so any feature count encodes; gzipped when the name ends in .gz. */
    public static Path idxImages(Path file, float[][] x, int height, int width) throws IOException {
        try (DataOutputStream out = new DataOutputStream(stream(file))) {
            out.writeInt(0x00000803);
            out.writeInt(x.length);
            out.writeInt(height);
            out.writeInt(width);
            for (float[] row : x) {
                for (float v : row) {
                    out.writeByte(Math.round(v * 255));
                }
            }
        }
        return file;
    }

    public static Path idxLabels(Path file, int[] labels) throws IOException {
        try (DataOutputStream out = new DataOutputStream(stream(file))) {
            out.writeInt(0x00000801);
            out.writeInt(labels.length);
            for (int label : labels) {
                out.writeByte(label);
            }
        }
        return file;
    }

    private static OutputStream stream(Path file) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        return file.toString().endsWith(".gz") ? new GZIPOutputStream(out) : out;
    }

    /** Local files only; Parquet needs Spark and is tested through the Spark layer's storage. */
    public static final Storage LOCAL = new Storage() {
        @Override
        public InputStream open(String location) {
            try {
                return Files.newInputStream(Path.of(location));
            } catch (NoSuchFileException e) {
                throw new DataException(location, "file", null, "does not exist");
            } catch (IOException e) {
                throw new DataException(location, "cannot be read: " + e, e);
            }
        }

        @Override
        public Columns readParquet(DatasetSpec spec, String location) {
            throw new UnsupportedOperationException("parquet needs Spark");
        }
    };

    public static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
