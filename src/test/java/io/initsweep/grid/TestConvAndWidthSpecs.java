package io.initsweep.grid;

import io.initsweep.Fixtures;
import io.initsweep.init.KernelShape;
import io.initsweep.model.LayerRole;
import io.initsweep.spec.SpecError;
import io.initsweep.spec.SpecException;
import io.initsweep.spec.SpecParser;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

/**
 * The cnn architecture's and per-layer widths' settings, from the spec to the cells and their layouts: what is
 * accepted, what each cell's network is, what is refused and how the message says it, and which cells may share a
 * batch.
 */
class TestConvAndWidthSpecs {

    private static String spec(String grid, String model, String data) {
        return """
                name: c
                seeds: 1
                grid: {%s}
                model: {%s}
                training: {epochs: 1}
                data: {%s}
                """.formatted(grid, model, data);
    }

    private static final String BARS = "dataset: bars, samples: 60, size: 12";

    private static List<SpecError> errors(String yaml) {
        SpecException e = catchThrowableOfType(SpecException.class, () -> Fixtures.sweep(yaml));
        assertThat(e).as("refused").isNotNull();
        return e.errors();
    }

    private static List<String> messages(String yaml) {
        return errors(yaml).stream().map(SpecError::toString).toList();
    }

    @Test
    void aCnnCellIsItsConvolutionsPoolingAndOutputLayerAndOnlyItsNonDefaultSettingsEnterItsId() {
        List<Cell> cells = Fixtures.sweep(spec("scheme: [he_normal], channels: [16, 32]",
                "architecture: cnn, depth: 3, activation: relu, downsample-every: 2", BARS)).cells();
        assertThat(cells).hasSize(2);
        Cell sixteen = cells.get(0);
        assertThat(sixteen.settings().canonical()).containsEntry("architecture", "cnn")
                .containsEntry("downsample-every", "2").doesNotContainKey("channels").doesNotContainKey("kernel");
        assertThat(cells.get(1).settings().canonical()).containsEntry("channels", "32");
        assertThat(sixteen.coordinates()).containsEntry("channels", "16");

        NetworkLayout layout = NetworkLayout.of(sixteen.settings(), List.of(1, 12, 12), 4);
        assertThat(layout.layers()).hasSize(4);
        NetworkLayout.Layer first = layout.layer(0);
        assertThat(first.conv().kernel()).isEqualTo(KernelShape.square(16, 1, 3));
        assertThat(first.fanIn()).isEqualTo(9);
        assertThat(first.fanOut()).isEqualTo(9 * 16);
        assertThat(layout.layer(1).fanIn()).isEqualTo(9 * 16);
        assertThat(layout.layers()).extracting(l -> l.conv() == null ? 0 : l.conv().stride())
                .containsExactly(1, 1, 2, 0);
        assertThat(layout.layer(2).conv().outHeight()).isEqualTo(6);
        assertThat(layout.output().role()).isEqualTo(LayerRole.OUTPUT);
        assertThat(layout.output().fanIn()).isEqualTo(16);
        assertThat(layout.output().fanOut()).isEqualTo(4);
        // multiply-adds at every position: 144·9·16 + 144·144·16 + 36·144·16 + 16·4
        assertThat(layout.multiplyAdds()).isEqualTo(144.0 * 9 * 16 + 144.0 * 144 * 16 + 36.0 * 144 * 16 + 16 * 4);
        assertThat(sixteen.settings().beta()).isCloseTo(3.0 / 16, within(1e-15));
    }

    @Test
    void perLayerWidthsAreAListAxisThatCanonicalizesAndSetEachHiddenLayersWidth() {
        List<Cell> cells = Fixtures.sweep(spec("scheme: [he_normal], widths: [[64, 32, 16], [ 16 , 32,64 ]]",
                "depth: 3, activation: relu", "dataset: blobs, samples: 60")).cells();
        assertThat(cells).hasSize(2);
        assertThat(cells.get(0).coordinates()).containsEntry("widths", "64,32,16");
        assertThat(cells.get(1).pointLabel()).isEqualTo("scheme=he_normal widths=16,32,64");
        NetworkLayout narrowing = NetworkLayout.of(cells.get(0).settings(), 2, 3);
        assertThat(narrowing.shapes()).isDeepEqualTo(new int[][] {{2, 64}, {64, 32}, {32, 16}, {16, 3}});
        assertThat(cells.get(0).settings().beta()).isCloseTo(1.0 / 64 + 1.0 / 32 + 1.0 / 16, within(1e-15));
        assertThat(cells.get(1).settings().beta()).isEqualTo(cells.get(0).settings().beta());
        assertThat(cells.get(0).cellId()).isNotEqualTo(cells.get(1).cellId());
        // fixed in the model section, the same cell as on the grid
        Cell fixed = Fixtures.sweep(spec("scheme: [he_normal]", "depth: 3, activation: relu, widths: [64, 32, 16]",
                "dataset: blobs, samples: 60")).cells().get(0);
        assertThat(fixed.cellId()).isEqualTo(cells.get(0).cellId());
        // without widths: depth × width, beta = depth/width
        Cell plain = Fixtures.sweep(spec("scheme: [he_normal]", "depth: 3, activation: relu",
                "dataset: blobs, samples: 60")).cells().get(0);
        assertThat(plain.settings().beta()).isCloseTo(3.0 / 64, within(1e-15));
        Cell residual = Fixtures.sweep(spec("scheme: [he_normal]", "architecture: residual, depth: 3, "
                + "activation: relu", "dataset: blobs, samples: 60")).cells().get(0);
        assertThat(residual.settings().beta()).isNull();

        // a cnn's widths are its channels per convolution
        Cell cnn = Fixtures.sweep(spec("scheme: [he_normal]", "architecture: cnn, depth: 2, activation: relu, "
                + "widths: [8, 24]", BARS)).cells().get(0);
        NetworkLayout layout = NetworkLayout.of(cnn.settings(), List.of(1, 12, 12), 4);
        assertThat(layout.layer(1).conv().kernel()).isEqualTo(KernelShape.square(24, 8, 3));
        assertThat(layout.output().fanIn()).isEqualTo(24);
        assertThat(cnn.settings().beta()).isCloseTo(1.0 / 8 + 1.0 / 24, within(1e-15));
    }

    @Test
    void cnnSettingsOutsideACnnEvenKernelsAndCnnsOnFlatDataAreRefusedNamingTheLine() {
        assertThat(messages(spec("scheme: [he_normal]", "depth: 2, activation: relu, channels: 8",
                "dataset: blobs, samples: 60")))
                .containsExactly("channels only applies to model.architecture cnn (test.yaml: model.channels, line 4)");
        assertThat(messages(spec("scheme: [he_normal], kernel: [3, 4]", "architecture: cnn, depth: 2, "
                + "activation: relu", BARS)))
                .containsExactly("kernel must be odd, got 4 (test.yaml: grid.kernel[1], line 3)");
        assertThat(messages(spec("scheme: [he_normal]", "architecture: cnn, depth: 2, activation: relu",
                "dataset: blobs, samples: 60")))
                .containsExactly("architecture cnn needs images, but dataset blobs(samples=60,classes=3,features=2,"
                        + "separation=3,test-fraction=0.25,"
                        + "standardize=true) has examples of shape [2] (2 features); use idx or bars data, or give "
                        + "image-shape: [C, H, W] for csv and parquet rows (test.yaml: model.architecture, line 4)");
        assertThat(messages(spec("scheme: [he_normal], normalization: [none, batch]", "architecture: cnn, "
                + "depth: 2, activation: relu", BARS))).containsExactly("normalization batch is not available for "
                + "architecture cnn (a cell of this grid); cnn cells are plain stacks of convolutions, so give them "
                + "normalization none (test.yaml: grid.normalization[1], line 3)");
        assertThat(messages(spec("scheme: [he_normal]", "architecture: cnn, depth: 2, activation: relu, width: 32",
                BARS))).containsExactly("width does not apply to architecture cnn, whose convolution layers have "
                + "channels (channels, or widths per layer) (test.yaml: model.width, line 4)");
    }

    @Test
    void widthsOfTheWrongLengthBesideWidthOrInAResidualNetworkAreRefused() {
        assertThat(messages(spec("scheme: [he_normal], depth: [2, 3]", "activation: relu, widths: [32, 16]",
                "dataset: blobs, samples: 60"))).containsExactly("widths 32,16 has 2 entries but a cell has depth 3: "
                + "give one width per hidden layer (mlp) or convolution layer (cnn) (test.yaml: model.widths, line 4)");
        assertThat(messages(spec("scheme: [he_normal]", "depth: 2, activation: relu, width: 8, widths: [32, 16]",
                "dataset: blobs, samples: 60"))).containsExactly("widths replaces width (one width per hidden layer "
                + "instead of one for all): give one of them, not both (test.yaml: model.widths, line 4)");
        assertThat(messages(spec("scheme: [he_normal]", "architecture: residual, depth: 2, activation: relu, "
                + "widths: [32, 16]", "dataset: blobs, samples: 60"))).containsExactly("widths does not apply to "
                + "architecture residual (a cell of this grid): its residual stream and every branch layer have one "
                + "width, width (test.yaml: model.widths, line 4)");
        assertThat(messages(spec("scheme: [he_normal], widths: [64, 32]", "depth: 2, activation: relu",
                "dataset: blobs, samples: 60"))).containsExactly("widths must be a list of integers such as "
                + "[64, 32, 16], got 64 (test.yaml: grid.widths[0], line 3)",
                "widths must be a list of integers such as [64, 32, 16], got 32 (test.yaml: grid.widths[1], line 3)");
        assertThat(messages(spec("scheme: [he_normal]", "depth: 2, activation: relu, widths: [32, 0]",
                "dataset: blobs, samples: 60"))).containsExactly("widths entry must be >= 1, got 0 "
                + "(test.yaml: model.widths[1], line 4)");
    }

    @Test
    void kernelShapesTheSchemesCannotDrawAreRefusedAtSpecTimeNamingTheLayerAndLine() {
        // delta-orthogonal needs C_out >= C_in: layer 1 narrows 16 → 8
        assertThat(messages(spec("scheme: [delta_orthogonal]", "architecture: cnn, depth: 2, activation: tanh, "
                + "widths: [16, 8]", BARS))).containsExactly("delta_orthogonal init needs at least as many output "
                + "as input channels (an isometry of the input channels, Xiao et al. 2018), got C_in → C_out = "
                + "16 → 8 for layer 1 (kernel C_out × C_in × k × k = 8×16×3×3, input [1, 12, 12]); use layer-init "
                + "to give the other layers another scheme (test.yaml: grid.scheme[0], line 3)");
        // the delta identity needs C_in = C_out: layer 0 maps 1 channel to 8
        List<String> identity = messages(spec("scheme: [identity]", "architecture: cnn, depth: 2, activation: relu, "
                + "channels: 8, layer-init: [{layers: output, scheme: he_normal}]", BARS));
        assertThat(identity).containsExactly("identity init on a convolution (the delta identity) needs as many "
                + "output as input channels, got C_in → C_out = 1 → 8 for layer 0 (kernel C_out × C_in × k × k = "
                + "8×1×3×3, input [1, 12, 12]); use layer-init to give the other layers another scheme "
                + "(test.yaml: grid.scheme[0], line 3)");
        // covered by an override, it builds
        assertThat(Fixtures.sweep(spec("scheme: [identity]", "architecture: cnn, depth: 2, activation: relu, "
                + "channels: 8, layer-init: [{layers: 0, scheme: he_normal}, {layers: output, scheme: he_normal}]",
                BARS)).cells()).hasSize(1);
    }

    @Test
    void cnnCellsAndCellsWhoseWidthsDifferFromWidthNeverShareABatch() {
        List<Cell> cnn = Fixtures.sweep(spec("scheme: [he_normal, xavier_normal]", "architecture: cnn, depth: 2, "
                + "activation: relu", BARS)).cells();
        assertThat(cnn).allMatch(c -> CellBatches.key(c).isEmpty());
        List<Cell> widths = Fixtures.sweep(spec("scheme: [he_normal, xavier_normal]", "depth: 2, activation: relu, "
                + "widths: [32, 16]", "dataset: blobs, samples: 60")).cells();
        assertThat(widths).allMatch(c -> CellBatches.key(c).isEmpty());
        assertThat(CellBatches.group(widths, 10)).hasSize(2);
        // widths that all equal width make the plain MLP of that width, which the batched trainer computes
        List<Cell> equal = Fixtures.sweep(spec("scheme: [he_normal, xavier_normal]", "depth: 2, activation: relu, "
                + "widths: [64, 64]", "dataset: blobs, samples: 60")).cells();
        assertThat(CellBatches.compatible(equal)).isTrue();
        assertThat(CellBatches.key(equal.get(0)).orElseThrow().width()).isEqualTo(64);
    }

    @Test
    void validateRefusesWhatNoCnnOfTheGridCanBeWithoutData() {
        // the data-free checks (validate) see the widths/depth mismatch and cnn normalization too
        SpecException e = catchThrowableOfType(SpecException.class, () -> Grid.check(SpecParser.parse(spec(
                "scheme: [he_normal]", "architecture: cnn, depth: 2, activation: relu, normalization: layer, "
                        + "widths: [4]", BARS), "c.yaml"), 1000));
        assertThat(e.errors()).hasSize(2);
    }
}
