package io.initsweep.data;

import io.initsweep.common.Hashing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian header of magic number
 * {@code 0x00000800 | dims} (unsigned bytes only), one int per dimension, then the data. Raw or gzipped.
 */
final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /**
     * Pixels of an images file divided by {@code scale}: {@code count} images of {@code height × width}, each
     * row-major, one after the other.
     */
    record Images(int count, int height, int width, float[] values, String sha256) {
        int pixels() {
            return height * width;
        }

        /** One grey channel: {@code [1, height, width]}. */
        List<Integer> shape() {
            return List.of(1, height, width);
        }
    }

    /** Labels of a labels file. */
    record LabelFile(int count, int[] labels, String sha256) {
    }

    static Images images(Storage storage, String location, double scale) {
        MessageDigest digest = Hashing.sha256();
        try (InputStream raw = new DigestInputStream(storage.open(location), digest);
             DataInputStream in = new DataInputStream(TextRows.maybeGunzip(raw))) {
            int magic = header(in, location, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw new DataException(location, "header", null, String.format(
                        "magic number 0x%08x is not an IDX images file of unsigned bytes (0x%08x)", magic, IMAGES_MAGIC));
            }
            int count = header(in, location, "image count");
            int rows = header(in, location, "rows");
            int columns = header(in, location, "columns");
            long pixels = (long) rows * columns;
            if (count < 1 || rows < 1 || columns < 1 || pixels * count > Integer.MAX_VALUE) {
                throw new DataException(location, "header", null, "dimensions " + count + "×" + rows + "×" + columns
                        + " are empty or too large");
            }
            byte[] bytes = new byte[(int) (pixels * count)];
            int read = in.readNBytes(bytes, 0, bytes.length);
            if (read < bytes.length) {
                throw new DataException(location, "image " + (read / pixels), null, "the file ends after "
                        + read + " of " + bytes.length + " pixel bytes (header says " + count + " images of "
                        + rows + "×" + columns + ")");
            }
            expectEnd(in, location, "the last image");
            float[] values = new float[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                values[i] = (float) ((bytes[i] & 0xff) / scale);
            }
            return new Images(count, rows, columns, values, HexFormat.of().formatHex(digest.digest()));
        } catch (IOException e) {
            throw new DataException(location, "cannot be read: " + e.getMessage(), e);
        }
    }

    static LabelFile labels(Storage storage, String location) {
        MessageDigest digest = Hashing.sha256();
        try (InputStream raw = new DigestInputStream(storage.open(location), digest);
             DataInputStream in = new DataInputStream(TextRows.maybeGunzip(raw))) {
            int magic = header(in, location, "magic number");
            if (magic != LABELS_MAGIC) {
                throw new DataException(location, "header", null, String.format(
                        "magic number 0x%08x is not an IDX labels file of unsigned bytes (0x%08x)", magic, LABELS_MAGIC));
            }
            int count = header(in, location, "label count");
            if (count < 1) {
                throw new DataException(location, "header", null, "holds no labels");
            }
            byte[] bytes = new byte[count];
            int read = in.readNBytes(bytes, 0, count);
            if (read < count) {
                throw new DataException(location, "label " + read, null, "the file ends after " + read + " of "
                        + count + " labels");
            }
            expectEnd(in, location, "the last label");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = bytes[i] & 0xff;
            }
            return new LabelFile(count, labels, HexFormat.of().formatHex(digest.digest()));
        } catch (IOException e) {
            throw new DataException(location, "cannot be read: " + e.getMessage(), e);
        }
    }

    private static int header(DataInputStream in, String location, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new DataException(location, "header", null, "ends before the " + what
                    + (what.equals("magic number") ? " (the file is empty or not IDX)" : ""));
        }
    }

    /** A file longer than its header says is malformed, not a source of extra rows. */
    private static void expectEnd(InputStream in, String location, String last) throws IOException {
        long extra = 0;
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            extra += n;
        }
        if (extra > 0) {
            throw new DataException(location, "end of file", null, "has " + extra + " bytes after " + last
                    + " that its header does not account for");
        }
    }
}
