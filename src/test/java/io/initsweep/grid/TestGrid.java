package io.initsweep.grid;

import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.Datasets;
import io.initsweep.spec.SpecError;
import io.initsweep.spec.SpecException;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class TestGrid {
    static final String SPEC = """
            name: g
            seeds: 3
            grid:
              scheme: [zero, he_normal]
              depth: [2, 8]
              activation: [relu, tanh]
              learning-rate: [0.1, 0.01]
            model: {width: 32}
            training: {epochs: 5}
            data: {dataset: blobs, samples: 120}
            """;

    static List<Cell> expand(String yaml) {
        SweepSpec spec = SpecParser.parse(yaml, "g.yaml");
        Map<Long, DatasetIdentity> datasets = new HashMap<>();
        for (long seed : Grid.dataSeeds(spec)) {
            datasets.put(seed, Datasets.synthetic(spec.dataset(), seed).identity());
        }
        return Grid.expand(spec, datasets);
    }

    @Test
    void expandsTheFullProductTimesSeeds() {
        List<Cell> cells = expand(SPEC);
        assertThat(cells).hasSize(2 * 2 * 2 * 2 * 3);
        assertThat(cells).extracting(Cell::cellId).doesNotHaveDuplicates();
        assertThat(cells.get(0).coordinates()).containsExactly(
                Map.entry("scheme", "zero"), Map.entry("depth", "2"), Map.entry("activation", "relu"),
                Map.entry("learning-rate", "0.1"));
        assertThat(cells).extracting(Cell::seed).startsWith(0L, 1L, 2L, 0L);
    }

    @Test
    void cellIdsAreStableAndGolden() {
        List<Cell> first = expand(SPEC);
        List<Cell> second = expand(SPEC);
        assertThat(second).extracting(Cell::cellId).containsExactlyElementsOf(
                first.stream().map(Cell::cellId).toList());
        // Golden values: if these change, every stored result is orphaned. Change ID_VERSION deliberately instead.
        assertThat(first.get(0).cellId()).isEqualTo(GOLDEN_FIRST_ID);
        assertThat(first.get(first.size() - 1).cellId()).isEqualTo(GOLDEN_LAST_ID);
    }

    static final String GOLDEN_FIRST_ID = "d242aad39ead4bbc";
    static final String GOLDEN_LAST_ID = "82205c663185fd86";

    @Test
    void spellingOfASpecDoesNotChangeIds() {
        String respelled = SPEC.replace("learning-rate: [0.1, 0.01]", "learning-rate: [1e-1, 0.010]")
                .replace("seeds: 3", "seeds: [0, 1, 2]")
                .replace("model: {width: 32}", "model:\n  width: 32\n  bias-init: 0.0");
        assertThat(expand(respelled)).extracting(Cell::cellId)
                .containsExactlyElementsOf(expand(SPEC).stream().map(Cell::cellId).toList());
    }

    @Test
    void anyTrainingSettingChangesTheId() {
        Set<String> base = ids(expand(SPEC));
        for (String change : List.of("width: 32}", "epochs: 5}", "samples: 120}")) {
            String changed = SPEC.replace(change, change.replaceAll("\\d+", "33"));
            assertThat(ids(expand(changed))).as(change).doesNotContainAnyElementsOf(base);
        }
    }

    @Test
    void seedsDependOnSettingsAndSeedIndexOnly() {
        List<Cell> cells = expand(SPEC);
        // Same network, different learning rate, same seed index: same initial weights, paired comparison.
        Cell a = find(cells, "he_normal", "8", "relu", "0.1", 1);
        Cell b = find(cells, "he_normal", "8", "relu", "0.01", 1);
        assertThat(a.initSeed()).isEqualTo(b.initSeed());
        assertThat(a.cellId()).isNotEqualTo(b.cellId());
        // Every cell with the same seed index sees the same minibatch order; other seeds another one.
        assertThat(a.orderSeed()).isEqualTo(find(cells, "zero", "2", "tanh", "0.01", 1).orderSeed());
        assertThat(a.orderSeed()).isNotEqualTo(find(cells, "he_normal", "8", "relu", "0.1", 2).orderSeed());
        assertThat(a.initSeed()).isNotEqualTo(find(cells, "he_normal", "8", "relu", "0.1", 2).initSeed());
        // A reordered grid gives the same cells with the same seeds.
        String reordered = SPEC.replace("  scheme: [zero, he_normal]\n", "")
                .replace("  learning-rate: [0.1, 0.01]\n", "  learning-rate: [0.01, 0.1]\n  scheme: [he_normal, zero]\n");
        Map<String, Long> initSeeds = new HashMap<>();
        cells.forEach(c -> initSeeds.put(c.cellId(), c.initSeed()));
        for (Cell c : expand(reordered)) {
            assertThat(initSeeds).containsEntry(c.cellId(), c.initSeed());
        }
    }

    @Test
    void identityOnANonSquareLayerIsRefusedWithTheLayerSizes() {
        SpecException e = catchThrowableOfType(SpecException.class, () -> expand(SPEC.replace(
                "scheme: [zero, he_normal]", "scheme: [zero, identity]")));
        assertThat(e.errors()).extracting(SpecError::toString).contains(
                "identity init needs a square layer, got fan_in × fan_out = 2×32 for layer 0 (2 features, width 32, "
                        + "3 outputs); use layer-init to give the other layers another scheme "
                        + "(g.yaml: grid.scheme[1], line 4)");
    }

    @Test
    void identityWorksWhereOverridesCoverTheNonSquareLayers() {
        List<Cell> cells = expand(SPEC.replace("scheme: [zero, he_normal]", "scheme: [identity]")
                .replace("model: {width: 32}", """
                        model:
                          width: 32
                          layer-init:
                            - {layers: 0, scheme: he_normal}
                            - {layers: output, scheme: xavier_normal}
                        """));
        assertThat(cells).isNotEmpty();
        assertThat(cells.get(0).settings().schemeOf(0).label()).isEqualTo("he_normal");
        assertThat(cells.get(0).settings().schemeOf(1).label()).isEqualTo("identity(gain=1)");
        assertThat(cells.get(0).settings().schemeOf(2).label()).isEqualTo("xavier_normal");
    }

    @Test
    void layerOverridesBeyondTheNetworkAreRefused() {
        SpecException e = catchThrowableOfType(SpecException.class, () -> expand(SPEC.replace(
                "model: {width: 32}", "model:\n  width: 32\n  layer-init: [{layers: 0-4, scheme: he_normal}]")));
        assertThat(e.errors()).extracting(SpecError::toString).containsExactly(
                "layer-init covers hidden layers 0-4 but a cell has depth 2 (hidden layers 0-1) "
                        + "(g.yaml: model.layer-init[0], line 10)");
    }

    private static Set<String> ids(List<Cell> cells) {
        Set<String> ids = new HashSet<>();
        cells.forEach(c -> ids.add(c.cellId()));
        return ids;
    }

    private static Cell find(List<Cell> cells, String scheme, String depth, String activation, String lr, long seed) {
        return cells.stream().filter(c -> c.coordinates().get("scheme").equals(scheme)
                && c.coordinates().get("depth").equals(depth) && c.coordinates().get("activation").equals(activation)
                && c.coordinates().get("learning-rate").equals(lr) && c.seed() == seed).findFirst().orElseThrow();
    }
}
