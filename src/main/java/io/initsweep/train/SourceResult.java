package io.initsweep.train;

import io.initsweep.data.DatasetIdentity;
import io.initsweep.grid.Cell;
import io.initsweep.grid.SourceCell;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What training a source network produced: its training, recorded like a cell's, and its model file.
 *
 * @param source the source
 * @param result its training: status, epochs, layers, provenance (of the plain cell that trains it)
 * @param model  the trained network's model file; null unless the training ended ok (a diverged or failed source
 *               has nothing worth transferring)
 */
public record SourceResult(SourceCell source, CellResult result, SourceModel model) implements Serializable {

    public SourceResult {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(result, "result is null");
        if ((result.status() == RunStatus.OK) != (model != null)) {
            throw new IllegalArgumentException("a source has a model file exactly when its training ended ok, got "
                    + result.status() + " with " + (model == null ? "no file" : "a file"));
        }
        if (model != null && !model.sourceId().equals(source.sourceId())) {
            throw new IllegalArgumentException("model of source " + model.sourceId() + " for source "
                    + source.sourceId());
        }
    }

    /** Why transfer cells cannot use this source, naming it; null when they can. */
    public String unusable() {
        return switch (result.status()) {
            case OK -> null;
            case DIVERGED -> describe() + " diverged at epoch " + result.divergedEpoch() + ": nothing to transfer";
            case FAILED -> describe() + " failed: " + result.error();
        };
    }

    /**
     * The result of a transfer cell that cannot train because its source is unusable: failed, with a reason that
     * names the source, so {@code runs.error} says which network to look at and {@code --retry-failed} retries
     * both once the source trains.
     */
    public CellResult dependentFailure(Cell cell, DatasetIdentity dataset, Provenance provenance) {
        String reason = unusable();
        if (reason == null) {
            throw new IllegalStateException(describe() + " is usable");
        }
        if (cell.source() == null || !cell.source().sourceId().equals(source.sourceId())) {
            throw new IllegalArgumentException("cell " + cell.cellId() + " does not use " + describe());
        }
        return new CellResult(cell, dataset, RunStatus.FAILED, reason, null, List.of(), List.of(), 0, Instant.now(),
                provenance);
    }

    private String describe() {
        return "source " + source.sourceId() + " (source seed " + source.ref().seed() + ")";
    }
}
