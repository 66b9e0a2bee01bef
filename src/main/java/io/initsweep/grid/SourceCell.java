package io.initsweep.grid;

import java.io.Serializable;
import java.util.Objects;

/**
 * A source network initsweep trains for a sweep's transfer cells: trained as the plain cell {@link #cell()}
 * (its settings, dataset and seed give the same initial weights and minibatch order as a grid cell of those
 * settings would get), then saved as a model file under {@link SourceRef#sourceId()}.
 *
 * @param ref  what transfer cells know of it
 * @param cell the training run that makes it
 */
public record SourceCell(SourceRef ref, Cell cell) implements Serializable {
    public SourceCell {
        Objects.requireNonNull(ref, "ref is null");
        Objects.requireNonNull(cell, "cell is null");
        if (ref.fromModel()) {
            throw new IllegalArgumentException("a from-model source is not trained: " + ref);
        }
    }

    public String sourceId() {
        return ref.sourceId();
    }

    @Override
    public String toString() {
        return "source " + ref.sourceId() + " (seed " + ref.seed() + ", cell " + cell.cellId() + ")";
    }
}
