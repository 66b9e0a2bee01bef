package io.initsweep;

import io.initsweep.data.Dataset;
import io.initsweep.data.Datasets;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.grid.SourceCell;
import io.initsweep.grid.Sources;
import io.initsweep.spec.SourceSpec;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds specs, datasets and cells from YAML text, the way the CLI does. */
public final class Fixtures {
    private Fixtures() {
    }

    /** A parsed spec with its datasets and cells. */
    public record Sweep(SweepSpec spec, Map<Long, Dataset> datasets, List<Cell> cells) {
        public Dataset dataset(Cell cell) {
            return datasets.get(cell.settings().dataSeed());
        }

        public Cell cell(String pointLabel, long seed) {
            return cells.stream().filter(c -> c.pointLabel().equals(pointLabel) && c.seed() == seed).findFirst()
                    .orElseThrow(() -> new AssertionError("no cell " + pointLabel + " seed " + seed));
        }
    }

    public static Sweep sweep(String yaml) {
        SweepSpec spec = SpecParser.parse(yaml, "test.yaml");
        Map<Long, Dataset> datasets = new TreeMap<>();
        for (long seed : Grid.dataSeeds(spec)) {
            datasets.put(seed, Datasets.synthetic(spec.dataset(), seed));
        }
        Map<Long, io.initsweep.data.DatasetIdentity> identities = new TreeMap<>();
        datasets.forEach((seed, d) -> identities.put(seed, d.identity()));
        return new Sweep(spec, datasets, Grid.expand(spec, identities));
    }

    /**
     * A transfer sweep: its cells, the source networks they need and every dataset, target and source.
     *
     * @param sourceData the {@code source} section's dataset (with its data seed)
     */
    public record TransferSweep(SweepSpec spec, Map<Long, Dataset> datasets, Dataset sourceData, List<Cell> cells,
                                List<SourceCell> sources) {
        public Dataset dataset(Cell cell) {
            return datasets.get(cell.settings().dataSeed());
        }

        /** The dataset a source trains on: the source section's, or (self-transfer) a target dataset. */
        public Dataset dataset(SourceCell source) {
            if (source.cell().datasetSha256().equals(sourceData.identity().sha256())) {
                return sourceData;
            }
            return datasets.values().stream().filter(d -> d.identity().sha256().equals(source.cell().datasetSha256()))
                    .findFirst().orElseThrow();
        }

        /** The transfer cells of the given source. */
        public List<Cell> cellsOf(SourceCell source) {
            return cells.stream().filter(c -> source.ref().equals(c.source())).toList();
        }
    }

    public static TransferSweep transferSweep(String yaml) {
        SweepSpec spec = SpecParser.parse(yaml, "test.yaml");
        Grid.check(spec, Grid.DEFAULT_MAX_CELLS);
        Map<Long, Dataset> datasets = new TreeMap<>();
        Map<Long, io.initsweep.data.DatasetIdentity> identities = new TreeMap<>();
        for (long seed : Grid.dataSeeds(spec)) {
            datasets.put(seed, Datasets.synthetic(spec.dataset(), seed));
            identities.put(seed, datasets.get(seed).identity());
        }
        SourceSpec.Trained source = (SourceSpec.Trained) spec.sourceNetwork();
        Dataset sourceData = Datasets.synthetic(source.dataset(), source.settings().dataSeed());
        Sources sources = Sources.trained(spec, sourceData.identity());
        List<Cell> cells = Grid.expand(spec, identities, sources);
        return new TransferSweep(spec, datasets, sourceData, cells, sources.toTrain());
    }

    /** A one-cell sweep: the given settings on a small spirals set. */
    public static Sweep single(String scheme, int depth, String activation, String extraTraining) {
        return sweep("""
                name: single
                seeds: 1
                grid:
                  scheme: [%s]
                model: {depth: %d, activation: %s, width: 16}
                training: {epochs: 4, batch-size: 16%s}
                data: {dataset: spirals, samples: 240}
                """.formatted(scheme, depth, activation,
                extraTraining.contains("learning-rate") ? extraTraining : ", learning-rate: 0.1" + extraTraining));
    }
}
