package io.initsweep.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hashes behind cell ids, seeds and dataset fingerprints. SHA-256 over canonical UTF-8 text is the same on
 * every JVM and machine, which is the point: a cell's id and seed must not depend on where it runs.
 */
public final class Hashing {
    private Hashing() {
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A non-negative, non-zero 63-bit seed from the first bytes of SHA-256 of the text. Zero is avoided because
     * some DL4J components read seed 0 as "no seed".
     */
    public static long seed(String text) {
        long value = ByteBuffer.wrap(sha256().digest(text.getBytes(StandardCharsets.UTF_8))).getLong()
                & Long.MAX_VALUE;
        return value == 0 ? 1 : value;
    }
}
