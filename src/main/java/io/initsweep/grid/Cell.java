package io.initsweep.grid;

import io.initsweep.spec.CellSettings;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One training run of a sweep: a grid point, a seed index and a dataset.
 *
 * @param sweep         the sweep's name
 * @param cellId        16 hex digits of SHA-256 over everything that determines training (see {@link Grid})
 * @param pointId       the same over everything but the seed: all seeds of a grid point share it
 * @param seed          the seed index from the spec
 * @param initSeed      seeds the weight draws; a function of the seed index and the settings that shape the
 *                      network, so cells differing only in optimizer, learning rate, batch size or epochs start
 *                      from identical weights
 * @param orderSeed     seeds the minibatch order; a function of the seed index and the dataset only, so cells
 *                      with the same seed index see the same batches (paired comparisons)
 * @param settings      what the cell trains with
 * @param coordinates   the cell's value of each grid axis, in spec order (canonical text)
 * @param datasetSha256 fingerprint of the dataset the cell trains on
 * @param source        the source network a transfer cell copies layers from (part of its id); null for every
 *                      other cell
 */
public record Cell(String sweep, String cellId, String pointId, long seed, long initSeed, long orderSeed, CellSettings settings,
                   Map<String, String> coordinates, String datasetSha256, SourceRef source) implements Serializable {

    public Cell {
        Objects.requireNonNull(sweep, "sweep is null");
        Objects.requireNonNull(cellId, "cellId is null");
        Objects.requireNonNull(pointId, "pointId is null");
        Objects.requireNonNull(settings, "settings is null");
        coordinates = Collections.unmodifiableMap(new LinkedHashMap<>(coordinates));
        Objects.requireNonNull(datasetSha256, "datasetSha256 is null");
        if (settings.transfers() != (source != null)) {
            throw new IllegalArgumentException("a cell has a source network exactly when it transfers layers: "
                    + "transfer-layers " + settings.transferLayers() + ", source " + source);
        }
    }

    /** A cell that uses no source network. */
    public Cell(String sweep, String cellId, String pointId, long seed, long initSeed, long orderSeed,
                CellSettings settings, Map<String, String> coordinates, String datasetSha256) {
        this(sweep, cellId, pointId, seed, initSeed, orderSeed, settings, coordinates, datasetSha256, null);
    }

    /** The grid coordinates as one text, e.g. {@code scheme=he_normal depth=8 activation=relu}. */
    public String pointLabel() {
        StringBuilder label = new StringBuilder();
        coordinates.forEach((k, v) -> label.append(label.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return label.toString();
    }

    /**
     * A rough relative cost (multiply-adds per epoch, a convolution's at every position), for scheduling the longest
     * cells first.
     */
    public double estimatedCost(io.initsweep.data.DatasetIdentity dataset) {
        return Grid.layout(settings, dataset).multiplyAdds() * dataset.trainRows() * settings.epochs();
    }

    @Override
    public String toString() {
        return cellId + " " + coordinates + " seed=" + seed + (source == null ? ""
                : " source=" + source.sourceId() + (source.seed() == null ? "" : " source-seed=" + source.seed()));
    }
}
