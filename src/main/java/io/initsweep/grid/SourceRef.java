package io.initsweep.grid;

import java.io.Serializable;
import java.util.Objects;

/**
 * The source network a transfer cell copies its first layers from, as the cell's identity needs it.
 *
 * @param sourceId 16 hex digits of SHA-256 over everything that determines the source network: for a source
 *                 initsweep trains, its settings, its dataset's fingerprint and its seed; for a {@code from-model}
 *                 file, the file's SHA-256. The source's model file is stored under this id
 * @param pointId  the same without the seed: the source replicates of one source definition share it (for a
 *                 file, the source id)
 * @param seed     the source seed (the spec's {@code source.seeds}); null for a {@code from-model} file
 */
public record SourceRef(String sourceId, String pointId, Long seed) implements Serializable {
    public SourceRef {
        Objects.requireNonNull(sourceId, "sourceId is null");
        Objects.requireNonNull(pointId, "pointId is null");
    }

    /** Whether the source is a user's saved network rather than one initsweep trains. */
    public boolean fromModel() {
        return seed == null;
    }
}
