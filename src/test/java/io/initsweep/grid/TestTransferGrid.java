package io.initsweep.grid;

import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.Datasets;
import io.initsweep.spec.SourceData;
import io.initsweep.spec.SourceSpec;
import io.initsweep.spec.SpecError;
import io.initsweep.spec.SpecException;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;
import io.initsweep.spec.TransferStrategy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The transfer part of a spec, from the YAML to the cells: the source section and what it inherits, every refusal
 * that needs no data (located, quoting the value), source ids and how transfer cells are crossed with source seeds,
 * the from-scratch and self-transfer controls in the same grid, and that cells of specs without a source keep
 * their ids.
 */
class TestTransferGrid {
    private static final String FILE = "t.yaml";

    /** Blobs of 8 features, 6 classes: the source learns classes 0-2, the target 3-5. */
    static final String SPEC = """
            name: transfer
            seeds: 2
            grid:
              scheme: [he_normal, xavier_normal]
              transfer-layers: [0, 2]
              freeze: [true, false]
              strategy: [fine-tune, lp-ft]
            model: {depth: 3, width: 16, activation: relu}
            training: {epochs: 4, learning-rate: 0.05}
            data: {dataset: blobs, classes: 6, features: 8, samples: 240, keep-classes: [3, 4, 5]}
            source:
              seeds: 2
              model: {scheme: lecun_normal}
              training: {epochs: 6}
              data: {keep-classes: [0, 1, 2]}
            """;

    static SweepSpec parse(String yaml) {
        return SpecParser.parse(yaml, FILE);
    }

    /** The cells of a spec and the sources they need, built on its generated datasets. */
    record Expansion(List<Cell> cells, List<SourceCell> sources) {
    }

    static Expansion expand(String yaml) {
        SweepSpec spec = parse(yaml);
        Map<Long, DatasetIdentity> datasets = new TreeMap<>();
        for (long seed : Grid.dataSeeds(spec)) {
            datasets.put(seed, Datasets.synthetic(spec.dataset(), seed).identity());
        }
        if (!spec.transfers()) {
            return new Expansion(Grid.expand(spec, datasets), List.of());
        }
        SourceSpec.Trained source = (SourceSpec.Trained) spec.sourceNetwork();
        Sources sources = Sources.trained(spec, Datasets.synthetic(source.dataset(), source.settings().dataSeed())
                .identity());
        return new Expansion(Grid.expand(spec, datasets, sources), sources.toTrain());
    }

    static List<String> errors(String yaml) {
        SpecException e = catchThrowableOfType(SpecException.class, () -> {
            SweepSpec spec = parse(yaml);
            Grid.check(spec, Grid.DEFAULT_MAX_CELLS);
        });
        assertThat(e).as("the spec should be refused").isNotNull();
        return e.errors().stream().map(SpecError::toString).toList();
    }

    @Test
    void aTrainedSourceInheritsWhatTheTargetFixesAndReplacesTheDataKeysItGives() {
        SweepSpec spec = parse(SPEC);
        SourceSpec.Trained source = (SourceSpec.Trained) spec.sourceNetwork();
        assertThat(source.seeds()).containsExactly(0L, 1L);
        assertThat(source.settings().scheme().label()).isEqualTo("lecun_normal");
        assertThat(source.settings().depth()).isEqualTo(3);          // inherited
        assertThat(source.settings().width()).isEqualTo(16);         // inherited
        assertThat(source.settings().epochs()).isEqualTo(6);         // its own
        assertThat(source.settings().learningRate()).isEqualTo(0.05); // inherited
        assertThat(source.settings().transfers()).isFalse();
        assertThat(source.dataset().label()).isEqualTo(spec.dataset().label().replace("keep-classes=[3;4;5]",
                "keep-classes=[0;1;2]"));
        // a source that names a dataset has only its own parameters
        SourceSpec.Trained own = (SourceSpec.Trained) parse(SPEC.replace("data: {keep-classes: [0, 1, 2]}",
                "data: {dataset: teacher, features: 8, classes: 3}")).sourceNetwork();
        assertThat(own.dataset().label()).startsWith("teacher(samples=1000,features=8,");
    }

    @Test
    void theSourceSectionIsCheckedLikeTheTopLevel() {
        assertThat(errors(SPEC.replace("training: {epochs: 6}", "training: {epochs: 6, freeze: true}")))
                .containsExactly("unknown key 'freeze'; known keys of source.training are optimizer, learning-rate, "
                        + "momentum, batch-size, epochs, target-loss, precision, diagnostics-every (t.yaml: "
                        + "source.training.freeze, line 14)");
        assertThat(errors(SPEC.replace("  seeds: 2\n  model", "  model"))).containsExactly(
                "seeds is required (t.yaml: source.seeds, line 12)");
        // scheme is a grid axis of the target: the source cannot inherit one value of it
        assertThat(errors(SPEC.replace("  model: {scheme: lecun_normal}\n", ""))).containsExactly(
                "scheme is a grid axis of the target, so the source has no one value to inherit; give it as "
                        + "source.model.scheme (t.yaml: grid.scheme, line 4)");
        assertThat(errors(SPEC.replace("  model: {scheme: lecun_normal}", "  model: {scheme: lecun_normal, "
                + "block-depth: 3}"))).containsExactly("block-depth only applies to source.model.architecture "
                + "residual (t.yaml: source.model.block-depth, line 13)");
    }

    @Test
    void aFromModelSourceTakesNothingElse() {
        String fromModel = SPEC.substring(0, SPEC.indexOf("source:")) + "source: {from-model: /models/a.zip}\n";
        SweepSpec spec = parse(fromModel.replace("  strategy: [fine-tune, lp-ft]\n", ""));
        assertThat(spec.sourceNetwork()).isEqualTo(new SourceSpec.FromModel("/models/a.zip",
                new io.initsweep.spec.Located<>("/models/a.zip", "source.from-model", 10)));
        assertThat(errors(fromModel.replace("{from-model: /models/a.zip}", "{from-model: /models/a.zip, seeds: 2}")))
                .containsExactly("source.seeds does not go with source.from-model: a saved network has its own "
                        + "layers and weights and is not trained again (t.yaml: source.seeds, line 11)");
        assertThat(errors(fromModel.replace("  freeze: [true, false]\n", "  source-data: [source, target]\n")))
                .contains("source-data target trains the source on the cell's own data, but source.from-model "
                        + "(/models/a.zip) is a saved network that is not trained; self-transfer needs a source "
                        + "section with seeds, model, training and data (t.yaml: grid.source-data[1], line 6)");
    }

    @Test
    void everyRefusalThatNeedsNoDataNamesTheValue() {
        String noSource = SPEC.substring(0, SPEC.indexOf("source:"));
        assertThat(errors(noSource)).containsExactly("transfer-layers 2 keeps layers of a source network, but the "
                + "spec has no source section; add source: with seeds, model, training and data, or source: "
                + "{from-model: PATH} (t.yaml: grid.transfer-layers[1], line 5)");
        assertThat(errors(SPEC.replace("transfer-layers: [0, 2]", "transfer-layers: [0]")
                .replace("  freeze: [true, false]\n  strategy: [fine-tune, lp-ft]\n", ""))).containsExactly(
                "source is given but no cell keeps layers of it (transfer-layers is 0 in every cell); give "
                        + "transfer-layers above 0, or drop the source (t.yaml: source, line 10)");
        assertThat(errors(SPEC.replace("transfer-layers: [0, 2]", "transfer-layers: [0, 4]"))).containsExactly(
                "transfer-layers 4 but a cell has depth 3 (hidden layers 0-2): a cell keeps at most its hidden "
                        + "layers; its output layer is always new (t.yaml: grid.transfer-layers[1], line 5)",
                "transfer-layers 4 but the source has depth 3 (hidden layers 0-2; inherited from model.depth, line "
                        + "8); its output layer is never kept (t.yaml: grid.transfer-layers[1], line 5)");
        assertThat(errors(SPEC.replace("model: {scheme: lecun_normal}", "model: {scheme: lecun_normal, width: 32, "
                + "activation: tanh}"))).containsExactly(
                "a transfer cell has width 16 but the source has 32 (source.model.width, line 13): a kept layer has "
                        + "the source's width and feeds the cell's next layer; give both one width (t.yaml: "
                        + "model.width, line 8)",
                "a transfer cell has activation relu but the source has tanh (source.model.activation, line 13): a "
                        + "kept layer's weights were trained under the source's activation; give both one "
                        + "activation (t.yaml: model.activation, line 8)");
        assertThat(errors(SPEC.replace("model: {depth: 3,", "model: {architecture: residual, depth: 3,")))
                .contains("transfer keeps the first dense layers of an mlp; a cell of this grid has architecture "
                        + "residual (residual networks as sources or targets are not supported yet) (t.yaml: "
                        + "model.architecture, line 8)");
        assertThat(errors(SPEC.replace("  strategy: [fine-tune, lp-ft]\n", "")
                .replace("source:", "transfer: {lp-epochs: 2}\nsource:"))).containsExactly(
                "lp-epochs only applies to transfer.strategy lp-ft (t.yaml: transfer.lp-epochs, line 10)");
        assertThat(errors(SPEC.replace("  strategy: [fine-tune, lp-ft]\n", "  strategy: [lp-ft]\n")
                .replace("  freeze: [true, false]\n", "").replace("source:", "transfer: {lp-epochs: 4}\nsource:")))
                .containsExactly("lp-epochs 4 leaves no epoch to fine-tune: a cell has epochs 4, which count both "
                        + "stages; give lp-epochs below epochs (t.yaml: transfer.lp-epochs, line 10)");
    }

    @Test
    void settingsOfTransferCellsAreRefusedWhereNoCellTransfers() {
        String plain = """
                name: p
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {depth: 2, activation: relu}
                data: {dataset: blobs}
                """;
        assertThat(errors(plain + "transfer: {freeze: true}\n")).containsExactly(
                "freeze only applies to transfer.transfer-layers other than 0 (t.yaml: transfer.freeze, line 6)");
        assertThat(errors(plain + "transfer: {transfer-layers: 1, strategy: lp-ft, freeze: true}\n"
                + "source: {from-model: m.zip}\n")).containsExactly(
                "freeze only applies to transfer.strategy fine-tune (t.yaml: transfer.freeze, line 6)");
    }

    @Test
    void fromScratchCellsOfATransferSpecAreThePlainCellsAndTransferCellsAreCrossedWithSourceSeeds() {
        Expansion transfer = expand(SPEC);
        List<Cell> scratch = transfer.cells().stream().filter(c -> c.source() == null).toList();
        List<Cell> transferred = transfer.cells().stream().filter(c -> c.source() != null).toList();
        // 2 schemes x 2 seeds from scratch (freeze and strategy do not apply to them: one cell each); transfer cells:
        // 2 schemes x (frozen, fine-tuned, lp-ft) x 2 source seeds x 2 seeds
        assertThat(scratch).hasSize(2 * 2);
        assertThat(transferred).hasSize(2 * 3 * 2 * 2);
        assertThat(transfer.cells()).extracting(Cell::cellId).doesNotHaveDuplicates();
        assertThat(scratch).allSatisfy(c -> assertThat(c.coordinates()).containsOnlyKeys("scheme",
                "transfer-layers"));

        // the from-scratch cells are exactly the cells of the same spec without any transfer
        String plain = SPEC.substring(0, SPEC.indexOf("source:"))
                .replace("  transfer-layers: [0, 2]\n  freeze: [true, false]\n  strategy: [fine-tune, lp-ft]\n", "");
        assertThat(scratch).extracting(Cell::cellId).containsExactlyElementsOf(
                expand(plain).cells().stream().map(Cell::cellId).toList());

        // the sources: 2 seeds of one source definition, each trained once
        assertThat(transfer.sources()).hasSize(2);
        assertThat(transfer.sources()).extracting(s -> s.ref().seed()).containsExactly(0L, 1L);
        assertThat(transfer.sources()).extracting(s -> s.ref().pointId()).containsOnly(
                transfer.sources().get(0).ref().pointId());
        assertThat(transferred).extracting(Cell::source).containsOnlyElementsOf(
                transfer.sources().stream().map(SourceCell::ref).toList());
        // a source trains as the plain cell of its settings on its data would
        SourceCell source = transfer.sources().get(0);
        assertThat(source.cell().settings().scheme().label()).isEqualTo("lecun_normal");
        assertThat(source.cell().datasetSha256()).isNotEqualTo(scratch.get(0).datasetSha256());

        // golden: a change here orphans every stored transfer cell and source model
        assertThat(source.sourceId()).isEqualTo(GOLDEN_SOURCE_ID);
        assertThat(transferred.get(0).cellId()).isEqualTo(GOLDEN_TRANSFER_CELL_ID);
    }

    static final String GOLDEN_SOURCE_ID = "8cdc1c7649a8596d";
    static final String GOLDEN_TRANSFER_CELL_ID = "f71d6f65732ad30e";

    @Test
    void aTransferCellStartsItsNewLayersFromItsFromScratchTwinsDrawsAndSeesItsMinibatches() {
        List<Cell> cells = expand(SPEC).cells();
        for (Cell cell : cells.stream().filter(c -> c.source() != null).toList()) {
            Cell twin = cells.stream().filter(c -> c.source() == null && c.seed() == cell.seed()
                    && c.settings().scheme().equals(cell.settings().scheme())).findFirst().orElseThrow();
            assertThat(cell.initSeed()).isEqualTo(twin.initSeed());
            assertThat(cell.orderSeed()).isEqualTo(twin.orderSeed());
            assertThat(cell.pointId()).isNotEqualTo(twin.pointId());
        }
        // the source replicates of one grid point share its point id, as its seeds do
        Map<String, Set<String>> pointsBySetting = cells.stream().filter(c -> c.source() != null)
                .collect(Collectors.groupingBy(c -> c.settings().toString(),
                        Collectors.mapping(Cell::pointId, Collectors.toSet())));
        assertThat(pointsBySetting.values()).allSatisfy(points -> assertThat(points).hasSize(1));
    }

    @Test
    void extendingTheSeedsOfEitherSideAddsCellsAndSourcesAndChangesNoId() {
        Expansion before = expand(SPEC);
        Set<String> ids = before.cells().stream().map(Cell::cellId).collect(Collectors.toSet());
        Set<String> sourceIds = before.sources().stream().map(SourceCell::sourceId).collect(Collectors.toSet());

        Expansion moreTargetSeeds = expand(SPEC.replace("seeds: 2\ngrid", "seeds: 3\ngrid"));
        assertThat(moreTargetSeeds.cells()).extracting(Cell::cellId).containsAll(ids);
        assertThat(moreTargetSeeds.cells()).hasSize(before.cells().size() * 3 / 2);
        assertThat(moreTargetSeeds.sources()).extracting(SourceCell::sourceId)
                .containsExactlyInAnyOrderElementsOf(sourceIds); // no new source to train

        Expansion moreSourceSeeds = expand(SPEC.replace("  seeds: 2\n  model", "  seeds: [0, 1, 5]\n  model"));
        assertThat(moreSourceSeeds.cells()).extracting(Cell::cellId).containsAll(ids);
        assertThat(moreSourceSeeds.sources()).extracting(SourceCell::sourceId).containsAll(sourceIds).hasSize(3);
        long newCells = moreSourceSeeds.cells().size() - before.cells().size();
        assertThat(newCells).isEqualTo(2 * 3 * 2); // one more source seed: each transfer point x target seed
    }

    @Test
    void sourcesAreContentAddressed() {
        Expansion base = expand(SPEC);
        Expansion otherSource = expand(SPEC.replace("training: {epochs: 6}", "training: {epochs: 7}"));
        assertThat(otherSource.sources()).extracting(SourceCell::sourceId)
                .doesNotContainAnyElementsOf(base.sources().stream().map(SourceCell::sourceId).toList());
        // the transfer cells change with their source; the from-scratch cells do not
        assertThat(otherSource.cells().stream().filter(c -> c.source() == null).map(Cell::cellId))
                .containsExactlyElementsOf(base.cells().stream().filter(c -> c.source() == null).map(Cell::cellId)
                        .toList());
        assertThat(otherSource.cells().stream().filter(c -> c.source() != null).map(Cell::cellId).toList())
                .doesNotContainAnyElementsOf(base.cells().stream().map(Cell::cellId).toList());
        // the sweep's name is not part of a source id, nor of a cell id
        assertThat(expand(SPEC.replace("name: transfer", "name: renamed")).sources())
                .extracting(SourceCell::sourceId)
                .containsExactlyElementsOf(base.sources().stream().map(SourceCell::sourceId).toList());
    }

    @Test
    void selfTransferTrainsTheSourceSectionsNetworkOnEachTargetDataset() {
        Expansion expansion = expand(SPEC.replace("  freeze: [true, false]\n  strategy: [fine-tune, lp-ft]\n",
                "  source-data: [source, target]\n  data-seed: [0, 1]\n").replace("data: {keep-classes",
                "data: {data-seed: 3, keep-classes"));
        List<SourceCell> sources = expansion.sources();
        // the source section's task (its data seed 3) and the target's own task at data seeds 0 and 1, x 2 seeds
        assertThat(sources).hasSize(2 + 2 * 2);
        Map<Long, Long> byDataSeed = sources.stream().collect(Collectors.groupingBy(
                s -> s.cell().settings().dataSeed(), TreeMap::new, Collectors.counting()));
        assertThat(byDataSeed).containsExactly(Map.entry(0L, 2L), Map.entry(1L, 2L), Map.entry(3L, 2L));
        for (Cell cell : expansion.cells().stream()
                .filter(c -> c.source() != null && c.settings().sourceData() == SourceData.TARGET).toList()) {
            SourceCell source = sources.stream().filter(s -> s.ref().equals(cell.source())).findFirst()
                    .orElseThrow();
            assertThat(source.cell().datasetSha256()).isEqualTo(cell.datasetSha256());
        }
    }

    @Test
    void theShippedSpecsWithASourceAreValidWithoutData() {
        for (String file : List.of("conf/sweeps/transfer.yaml", "conf/sweeps/transfer-builtin.yaml")) {
            assertThatCode(() -> Grid.check(SpecParser.parse(java.nio.file.Path.of(file)), Grid.DEFAULT_MAX_CELLS))
                    .as(file).doesNotThrowAnyException();
        }
        SweepSpec builtin = SpecParser.parse(java.nio.file.Path.of("conf/sweeps/transfer-builtin.yaml"));
        assertThat(builtin.valuesOf(io.initsweep.spec.Settings.STRATEGY)).contains(TransferStrategy.LP_FT);
    }

    @Test
    void theCellCountWithoutDataIsTheNumberOfCellsTheGridExpandsTo() {
        // 2 schemes x (transfer-layers 0 once, whatever strategy and freeze; transfer-layers 1, 2 x fine-tune x
        // frozen or not, and lp-ft) x 2 seeds x 3 source seeds for each transfer cell
        io.initsweep.Fixtures.TransferSweep sweep = io.initsweep.Fixtures.transferSweep("""
                name: count
                seeds: 2
                grid:
                  scheme: [he_normal, xavier_normal]
                  transfer-layers: [0, 1, 2]
                  strategy: [fine-tune, lp-ft]
                  freeze: [false, true]
                model: {depth: 2, width: 8, activation: relu}
                training: {epochs: 4}
                data: {dataset: blobs, classes: 4, features: 4, samples: 80, keep-classes: [2, 3]}
                source:
                  seeds: 3
                  model: {scheme: he_normal}
                  data: {keep-classes: [0, 1]}
                """);
        long expected = 2 * 2 + 2 * 2 * (2 + 1) * 2 * 3;
        assertThat(sweep.cells()).hasSize((int) expected);
        assertThat(Grid.cellCount(sweep.spec())).isEqualTo(expected);
        assertThat(sweep.spec().cellCount()).as("the plain product").isEqualTo(2 * 3 * 2 * 2 * 2);
    }
}
