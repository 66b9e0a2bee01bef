package io.initsweep.data;

import io.initsweep.common.Hashing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads a text file whole, hashing the bytes as they are read (the fingerprint is of the content as read).
 * Gzipped files are recognized by their magic number and decompressed; the hash is of the file's own bytes.
 */
final class TextRows {
    final List<String> lines;
    final String sha256;

    private TextRows(List<String> lines, String sha256) {
        this.lines = lines;
        this.sha256 = sha256;
    }

    static TextRows read(Storage storage, String location) {
        MessageDigest digest = Hashing.sha256();
        try (InputStream raw = new DigestInputStream(storage.open(location), digest);
             BufferedReader reader = new BufferedReader(new InputStreamReader(maybeGunzip(raw),
                     StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
            return new TextRows(lines, HexFormat.of().formatHex(digest.digest()));
        } catch (IOException | UncheckedIOException e) {
            throw new DataException(location, "cannot be read: " + e.getMessage(), e);
        }
    }

    /** The stream, decompressed if it starts with gzip's magic number. */
    static InputStream maybeGunzip(InputStream in) throws IOException {
        InputStream buffered = in.markSupported() ? in : new java.io.BufferedInputStream(in);
        buffered.mark(2);
        int b1 = buffered.read();
        int b2 = buffered.read();
        buffered.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(buffered, 1 << 16) : buffered;
    }
}
