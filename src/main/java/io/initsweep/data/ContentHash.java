package io.initsweep.data;

import io.initsweep.common.Hashing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;

/** SHA-256 over values, in a fixed byte order, for fingerprints of generated data. */
final class ContentHash {
    private final MessageDigest digest = Hashing.sha256();
    private final ByteBuffer buffer = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);

    ContentHash floats(float[] values) {
        for (float v : values) {
            if (buffer.remaining() < 4) {
                flush();
            }
            buffer.putFloat(v);
        }
        return this;
    }

    ContentHash ints(int[] values) {
        for (int v : values) {
            if (buffer.remaining() < 4) {
                flush();
            }
            buffer.putInt(v);
        }
        return this;
    }

    ContentHash text(String text) {
        flush();
        digest.update(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return this;
    }

    private void flush() {
        buffer.flip();
        digest.update(buffer);
        buffer.clear();
    }

    String hex() {
        flush();
        return HexFormat.of().formatHex(digest.digest());
    }
}
