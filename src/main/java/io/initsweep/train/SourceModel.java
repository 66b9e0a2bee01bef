package io.initsweep.train;

import io.initsweep.common.Hashing;

import java.io.Serializable;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A source network's model file as bytes: a DL4J {@code ModelSerializer} zip (configuration and parameters, no
 * updater state), as initsweep saves a source it trained, or as a user saved a {@code from-model} network. The
 * SHA-256 of the bytes is the file's identity: it is recorded with every transfer cell ({@code runs.source_sha256})
 * and checked whenever the file is read back.
 *
 * @param sourceId the source's id ({@link io.initsweep.grid.SourceRef#sourceId()})
 * @param name     where the file came from, for messages: a path, or {@code source <id>}
 * @param sha256   SHA-256 of {@code bytes}, hex
 * @param bytes    the file; not copied (treat as read-only)
 */
public record SourceModel(String sourceId, String name, String sha256, byte[] bytes) implements Serializable {

    public SourceModel {
        Objects.requireNonNull(sourceId, "sourceId is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(sha256, "sha256 is null");
        Objects.requireNonNull(bytes, "bytes is null");
    }

    /** A model file with its hash computed from its bytes. */
    public static SourceModel of(String sourceId, String name, byte[] bytes) {
        return new SourceModel(sourceId, name, sha256(bytes), bytes);
    }

    /** SHA-256 of a file's bytes, hex. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(Hashing.sha256().digest(bytes));
    }

    /**
     * Checks the bytes against the recorded hash, as replay and every executor do before using a stored file.
     *
     * @throws IllegalStateException naming the file and both hashes if they differ
     */
    public SourceModel verified() {
        String actual = sha256(bytes);
        if (!actual.equals(sha256)) {
            throw new IllegalStateException(name + ": the model file's SHA-256 is " + actual + " but " + sha256
                    + " was recorded; the file changed since the source was saved");
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceModel other && sourceId.equals(other.sourceId) && sha256.equals(other.sha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceId, sha256);
    }

    @Override
    public String toString() {
        return name + " (source " + sourceId + ", " + bytes.length + " bytes, sha256 " + sha256.substring(0, 12)
                + ")";
    }
}
