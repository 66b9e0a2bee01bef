package io.initsweep.grid;

import io.initsweep.model.Architecture;
import io.initsweep.model.BranchScale;
import io.initsweep.model.LayerRole;
import io.initsweep.model.Normalization;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.SpecError;
import io.initsweep.spec.SpecException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

/** The pure description of a cell's network: numbering, roles, shapes, per-layer formulas; and what is refused. */
class TestNetworkLayout {

    private static CellSettings settings(String yaml) {
        List<Cell> cells = TestGrid.expand(yaml);
        return cells.get(0).settings();
    }

    private static final String RESIDUAL = """
            name: r
            seeds: 1
            grid: {scheme: [fixup]}
            model: {architecture: residual, depth: 4, block-depth: 3, width: 32, activation: relu}
            data: {dataset: blobs, samples: 120}
            """;

    @Test
    void anMlpIsItsHiddenLayersThenTheOutputLayerAsBefore() {
        CellSettings s = settings(TestGrid.SPEC);
        NetworkLayout layout = NetworkLayout.of(s, 2, 3);
        assertThat(layout.architecture()).isEqualTo(Architecture.MLP);
        assertThat(layout.shapes()).isDeepEqualTo(new int[][] {{2, 32}, {32, 32}, {32, 3}});
        assertThat(layout.layers()).extracting(NetworkLayout.Layer::role)
                .containsExactly(LayerRole.HIDDEN, LayerRole.HIDDEN, LayerRole.OUTPUT);
        assertThat(layout.layers()).allSatisfy(l -> assertThat(l.hasBias()).isTrue());
        assertThat(layout.hasBranchMultiplier()).isFalse();
        assertThat(layout.multiplyAdds()).isEqualTo(2 * 32 + 32 * 32 + 32 * 3);
    }

    @Test
    void aResidualNetworkNumbersTheStemThenEachBranchInOrder() {
        CellSettings s = settings(RESIDUAL);
        assertThat(s.hiddenLayers()).isEqualTo(1 + 4 * 3);
        NetworkLayout layout = NetworkLayout.of(s, 5, 7);
        assertThat(layout.layers()).hasSize(14);
        assertThat(layout.outputIndex()).isEqualTo(13);
        assertThat(layout.layer(0).role()).isEqualTo(LayerRole.STEM);
        assertThat(layout.layer(0).fanIn()).isEqualTo(5);
        assertThat(layout.output().fanOut()).isEqualTo(7);
        // block b's branch layer j is 1 + b·3 + j
        NetworkLayout.Layer layer = layout.layer(1 + 2 * 3 + 1);
        assertThat(layer.block()).isEqualTo(2);
        assertThat(layer.branchLayer()).isEqualTo(1);
        assertThat(layer.role()).isEqualTo(LayerRole.BRANCH);
        assertThat(layer.describe()).isEqualTo("layer 8 (block 2, branch layer 1)");
        assertThat(layout.branch(2)).extracting(NetworkLayout.Layer::index).containsExactly(7, 8, 9);
        assertThat(layout.branch(3)).extracting(NetworkLayout.Layer::role)
                .containsExactly(LayerRole.BRANCH, LayerRole.BRANCH, LayerRole.BRANCH_LAST);
        // fixup: branch layers lose their bias vectors to scalar biases; its multiplier starts at 1
        assertThat(layout.branch(0)).allSatisfy(l -> assertThat(l.hasBias()).isFalse());
        assertThat(layout.layer(0).hasBias()).isTrue();
        assertThat(layout.output().hasBias()).isTrue();
        assertThat(layout.scalarBiases()).isTrue();
        assertThat(layout.branchMultiplier()).isEqualTo(1.0);
        // and draws by role: zero for the last of each branch and the output layer
        assertThat(layout.layer(3).init().variance(32, 32)).isZero();
        assertThat(layout.output().init().variance(32, 7)).isZero();
        // m = 3, L = 4: std × 4^(-1/4), so the variance is He's 2/32 halved
        assertThat(layout.layer(1).init().variance(32, 32)).isCloseTo(2.0 / 32 / 2, within(1e-15));
    }

    @Test
    void layerInitOverridesFollowTheResidualNumbering() {
        CellSettings s = settings(RESIDUAL.replace("grid: {scheme: [fixup]}", "grid: {scheme: [he_normal]}")
                .replace("activation: relu}", "activation: relu, branch-scale: 1/sqrt(depth), normalization: batch,"
                        + " layer-init: [{layers: 0, scheme: lecun_normal}, {layers: 4-6, scheme: zero},"
                        + " {layers: output, scheme: xavier_normal}]}"));
        NetworkLayout layout = NetworkLayout.of(s, 5, 7);
        assertThat(layout.layers()).extracting(l -> l.scheme().label()).containsExactly(
                "lecun_normal", "he_normal", "he_normal", "he_normal", "zero", "zero", "zero",
                "he_normal", "he_normal", "he_normal", "he_normal", "he_normal", "he_normal", "xavier_normal");
        assertThat(layout.branchScale()).isEqualTo(0.5);
        assertThat(layout.normalization()).isEqualTo(Normalization.BATCH);
        assertThat(layout.hasBranchMultiplier()).isFalse();
        assertThat(s.branchScale()).isEqualTo(BranchScale.INVERSE_SQRT_DEPTH);
    }

    @Test
    void residualSchemesOnAnMlpAreRefusedAtTheirLine() {
        SpecException e = catchThrowableOfType(SpecException.class, () -> TestGrid.expand(TestGrid.SPEC.replace(
                "scheme: [zero, he_normal]", "scheme: [zero, rezero]")));
        assertThat(e.errors()).extracting(SpecError::toString).containsExactly(
                "rezero is made for residual networks but a cell of this grid is an mlp; set architecture: "
                        + "residual (or give the mlp cells another scheme in another spec) (g.yaml: grid.scheme[1], "
                        + "line 4)");
        // the same on a grid that also has residual cells: the mlp cells cannot take it
        e = catchThrowableOfType(SpecException.class, () -> TestGrid.expand(TestGrid.SPEC.replace(
                "scheme: [zero, he_normal]", "scheme: [fixup]\n  architecture: [residual, mlp]")));
        assertThat(e.errors()).extracting(SpecError::toString).containsExactly(
                "fixup is made for residual networks but a cell of this grid is an mlp; set architecture: "
                        + "residual (or give the mlp cells another scheme in another spec) (g.yaml: grid.scheme[0], "
                        + "line 4)");
    }

    @Test
    void fixupOnSingleLayerBranchesAndResidualSchemesInLayerInitAreRefused() {
        SpecException e = catchThrowableOfType(SpecException.class, () -> TestGrid.expand(RESIDUAL.replace(
                "block-depth: 3", "block-depth: 1").replace("activation: relu}",
                "activation: relu, layer-init: [{layers: 1-2, scheme: skipinit}]}")));
        assertThat(e.errors()).extracting(SpecError::toString).containsExactly(
                "skipinit is a scheme for a whole residual network (it adds scalars to every block); give it as "
                        + "scheme, not in layer-init (g.yaml: model.layer-init[0], line 4)",
                "fixup needs residual branches of at least 2 dense layers (its scaling L^(-1/(2m-2)) is undefined "
                        + "for m = 1), but a cell has block-depth 1 (g.yaml: grid.scheme[0], line 3)");
    }

    @Test
    void layerInitBeyondAResidualNetworkIsRefusedWithItsNumbering() {
        SpecException e = catchThrowableOfType(SpecException.class, () -> TestGrid.expand(RESIDUAL.replace(
                "activation: relu}", "activation: relu, layer-init: [{layers: 10-13, scheme: he_normal}]}")));
        assertThat(e.errors()).extracting(SpecError::toString).containsExactly(
                "layer-init covers layers 10-13 but a residual cell with depth 4 and block-depth 3 has dense layers "
                        + "0-12 before its output layer (the stem and 4 × 3 branch layers) (g.yaml: "
                        + "model.layer-init[0], line 4)");
    }

    @Test
    void blockDepthAndBranchScaleOnAnMlpAreRefused() {
        SpecException e = catchThrowableOfType(SpecException.class, () -> TestGrid.expand(TestGrid.SPEC.replace(
                "model: {width: 32}", "model: {width: 32, block-depth: 3}")));
        assertThat(e.errors()).extracting(SpecError::toString).containsExactly(
                "block-depth only applies to model.architecture residual (g.yaml: model.block-depth, line 8)");
    }

    @Test
    void newSettingsAtTheirDefaultsLeaveIdsAloneAndOnlyResidualCellsCarryBlockSettings() {
        List<Cell> plain = TestGrid.expand(TestGrid.SPEC);
        List<Cell> explicit = TestGrid.expand(TestGrid.SPEC.replace("model: {width: 32}",
                "model: {width: 32, architecture: mlp, normalization: none}"));
        assertThat(explicit).extracting(Cell::cellId).containsExactlyElementsOf(
                plain.stream().map(Cell::cellId).toList());
        assertThat(explicit).extracting(Cell::initSeed).containsExactlyElementsOf(
                plain.stream().map(Cell::initSeed).toList());
        // on a grid over both architectures, block-depth splits the residual cells only: each mlp cell is one
        // cell (listed once, without a block-depth coordinate), each residual cell one per block depth
        List<Cell> both = TestGrid.expand(TestGrid.SPEC.replace("scheme: [zero, he_normal]",
                "scheme: [he_normal]\n  architecture: [mlp, residual]\n  block-depth: [2, 3]"));
        List<Cell> mlp = both.stream().filter(c -> !c.settings().residual()).toList();
        List<Cell> residual = both.stream().filter(c -> c.settings().residual()).toList();
        assertThat(mlp).extracting(Cell::cellId).doesNotHaveDuplicates();
        assertThat(residual).extracting(Cell::cellId).doesNotHaveDuplicates();
        assertThat(residual).hasSize(2 * mlp.size());
        assertThat(mlp).allSatisfy(c -> assertThat(c.coordinates()).doesNotContainKey("block-depth"));
        assertThat(residual).allSatisfy(c -> assertThat(c.coordinates()).containsKey("block-depth"));
    }

    @Test
    void batchNormalizationWithALastMinibatchOfOneExampleIsRefused() {
        // blobs of 120 samples: 90 training rows; in minibatches of 89 the last has 1
        SpecException e = catchThrowableOfType(SpecException.class, () -> TestGrid.expand(TestGrid.SPEC.replace(
                "training: {epochs: 5}", "training: {epochs: 5, batch-size: 89}").replace("model: {width: 32}",
                "model: {width: 32, normalization: batch}")));
        assertThat(e.errors()).extracting(SpecError::toString).containsExactly(
                "batch normalization needs at least 2 examples in every minibatch (one example has no batch "
                        + "variance), but 90 training rows in minibatches of 89 leave a last minibatch of 1; change "
                        + "batch-size or the data's size (g.yaml: model.normalization, line 8)");
        assertThat(TestGrid.expand(TestGrid.SPEC.replace("training: {epochs: 5}",
                "training: {epochs: 5, batch-size: 88}").replace("model: {width: 32}",
                "model: {width: 32, normalization: batch}"))).isNotEmpty();
    }
}
