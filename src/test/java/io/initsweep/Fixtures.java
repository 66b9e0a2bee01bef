package io.initsweep;

import io.initsweep.data.Dataset;
import io.initsweep.data.Datasets;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
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
