package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;
import io.initsweep.grid.NetworkLayout;
import io.initsweep.model.LayerKind;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.LayerStats;
import io.initsweep.train.RunStatus;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The cnn architecture built as DL4J networks: its layers and their geometry, the flat rows' reshape into images,
 * the manual forward and backward pass the diagnostics use against DL4J's own, the direct training step against
 * {@code fit}, the per-channel diagnostics, evaluation in passes, and training on the synthetic bar images.
 */
@Dl4jTest
class TestConvNetworks {

    static Fixtures.Sweep cnn(String scheme, int depth, String model, String training, String data) {
        return cnn(scheme, depth, "relu", (model.contains("channels") ? "" : ", channels: 8") + model, training,
                data);
    }

    /** @param model the model settings after depth and activation, starting with ", " */
    static Fixtures.Sweep cnn(String scheme, int depth, String activation, String model, String training,
                              String data) {
        return Fixtures.sweep("""
                name: cnn
                seeds: 1
                grid: {scheme: [%s]}
                model: {architecture: cnn, depth: %d, activation: %s%s}
                training: {batch-size: 16%s}
                data: {dataset: bars, size: 12%s}
                """.formatted(scheme, depth, activation, model,
                (training.contains("epochs") ? "" : ", epochs: 2")
                        + (training.contains("learning-rate") ? "" : ", learning-rate: 0.05") + training,
                data.contains("samples") ? data : ", samples: 240" + data));
    }

    private static CellNetwork.Cnn build(Fixtures.Sweep sweep) {
        Cell cell = sweep.cells().get(0);
        return (CellNetwork.Cnn) Networks.build(cell, sweep.dataset(cell).identity());
    }

    @Test
    void aCnnIsConvolutionsGlobalAveragePoolingAndTheOutputLayerWithTheLayoutsGeometry() {
        Fixtures.Sweep sweep = cnn("he_normal", 5, "relu", ", kernel: 5, downsample-every: 2, widths: [4, 8, 8, 16, 6]",
                "", "");
        CellNetwork.Cnn network = build(sweep);
        MultiLayerNetwork net = network.network();
        NetworkLayout layout = network.layout();
        assertThat(net.getnLayers()).isEqualTo(5 + 2);
        // 12×12 input; stride 2 at layers 2 and 4: 12, 12, 6, 6, 3
        int[] sizes = {12, 12, 6, 6, 3};
        int[] channels = {4, 8, 8, 16, 6};
        int in = 1;
        for (int l = 0; l < 5; l++) {
            NetworkLayout.Conv conv = layout.layer(l).conv();
            assertThat(conv.outHeight()).as("layer %d", l).isEqualTo(sizes[l]);
            assertThat(conv.stride()).isEqualTo(l == 2 || l == 4 ? 2 : 1);
            assertThat(net.getLayer(l).getParam("W").shape()).containsExactly(channels[l], in, 5, 5);
            ConvolutionLayer conf = (ConvolutionLayer) net.getLayer(l).conf().getLayer();
            assertThat(conf.getStride()).containsExactly(conv.stride(), conv.stride());
            in = channels[l];
        }
        assertThat(net.getLayer(6).getParam("W").shape()).containsExactly(6, 4);
        // stride 2 on 12 rows: total padding (6 - 1)·2 + 5 - 12 = 3, one row before, two after (DL4J's same mode)
        assertThat(layout.layer(2).conv().padTop()).isEqualTo(1);
        assertThat(layout.layer(2).conv().padRows()).isEqualTo(3);
        assertThat(layout.hiddenWidths()).containsExactly(4, 8, 8, 16, 6);

        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
        assertThat(back).isEqualTo(net.getLayerWiseConfigurations());
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 144);
        assertThat(net.output(x).shape()).containsExactly(3, 4);
        network.release();
    }

    @Test
    void flatRowsBecomeImagesRowMajorInChannelRowColumnOrder() {
        // one channel throughout, delta identity kernels, no nonlinearity: every convolution passes its input on
        Fixtures.Sweep sweep = cnn("identity", 2, "identity",
                ", channels: 1, layer-init: [{layers: output, scheme: he_normal}]", "", "");
        CellNetwork.Cnn network = build(sweep);
        MultiLayerNetwork net = network.network();
        INDArray row = Nd4j.arange(144).castTo(DataType.FLOAT).reshape(1, 144);
        INDArray image = net.getLayerWiseConfigurations().getInputPreProcess(0).preProcess(row, 1,
                LayerWorkspaceMgr.noWorkspaces());
        assertThat(image.shape()).containsExactly(1, 1, 12, 12);
        List<INDArray> activations = net.feedForward(row, false);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 12; x++) {
                assertThat(image.getDouble(0, 0, y, x)).isEqualTo(y * 12 + x);
                // the kernel's centre tap sits where DL4J's convolution reads the pixel itself: the value at (y, x)
                // comes out at (y, x) after both layers
                assertThat(activations.get(2).getDouble(0, 0, y, x)).isEqualTo(y * 12 + x);
            }
        }
        network.release();
    }

    @Test
    void theManualForwardAndGradientsAgreeWithDl4jsIncludingStridesOnEvenSizes() {
        for (String[] variant : List.of(new String[] {"he_normal", "relu", ", downsample-every: 1"},
                new String[] {"xavier_normal", "tanh", ", kernel: 5, downsample-every: 2"},
                new String[] {"delta_orthogonal", "elu", ", kernel: 1"})) {
            Fixtures.Sweep sweep = cnn(variant[0], 3, variant[1], ", channels: 8" + variant[2],
                    ", precision: float64", "");
            Cell cell = sweep.cells().get(0);
            Dataset data = sweep.dataset(cell);
            CellNetwork.Cnn network = build(sweep);
            MultiLayerNetwork net = network.network();
            String what = String.join(" ", variant);
            Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data, cell.settings().precision());
            CellNetwork.MinibatchStep step = network.step(cell.settings());
            for (int batch = 0; batch < 3; batch++) {
                int[] rows = IntStream.range(batch * 16, batch * 16 + 16).toArray();
                step.fit(Nd4j.pullRows(device.trainX(), 1, rows), Nd4j.pullRows(device.trainY(), 1, rows));
            }
            ConvPropagation propagation = new ConvPropagation(net, network.layout());
            ConvPropagation.Forward forward = propagation.forward(device.probeX(), 3);
            List<INDArray> activations = net.feedForward(device.probeX(), false);
            for (int l = 0; l < 3; l++) {
                assertThat(forward.post.get(l + 1).sub(activations.get(l + 1)).amaxNumber().doubleValue())
                        .as("%s: layer %d", what, l).isLessThan(1e-12);
            }
            assertThat(forward.prediction.sub(net.output(device.probeX())).amaxNumber().doubleValue()).as(what)
                    .isLessThan(1e-12);

            ConvPropagation.Backward backward = propagation.backward(forward, device.probeY());
            net.setInput(device.probeX());
            net.setLabels(device.probeY());
            net.computeGradientAndScore();
            for (int l = 0; l <= 3; l++) {
                int layer = Networks.cnnNetworkLayer(network.layout(), l);
                INDArray expected = net.gradient().getGradientFor(layer + "_W").div(device.probeX().rows());
                double scale = expected.amaxNumber().doubleValue();
                assertThat(backward.weights[l].sub(expected.reshape(backward.weights[l].shape())).amaxNumber()
                        .doubleValue()).as("%s: dL/dW of layer %d", what, l)
                        .isLessThanOrEqualTo(1e-9 * Math.max(scale, 1e-12));
            }
            net.clear();
            network.release();
        }
    }

    @Test
    void theDirectStepMakesTheSameUpdatesAsDl4jsFitBitForBit() {
        for (String optimizer : List.of("sgd", "momentum", "adam")) {
            Fixtures.Sweep sweep = cnn("he_normal", 3, ", downsample-every: 2", ", optimizer: " + optimizer, "");
            Cell cell = sweep.cells().get(0);
            Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(sweep.dataset(cell),
                    cell.settings().precision());
            CellNetwork.Cnn reference = build(sweep);
            CellNetwork.Cnn ours = build(sweep);
            CellNetwork.MinibatchStep step = ours.step(cell.settings());
            for (int batch = 0; batch < 5; batch++) {
                int[] rows = IntStream.range(batch * 16, batch * 16 + 16 - batch).toArray();
                INDArray x = Nd4j.pullRows(device.trainX(), 1, rows);
                INDArray y = Nd4j.pullRows(device.trainY(), 1, rows);
                reference.network().fit(new DataSet(x, y));
                double loss = step.fit(x, y);
                assertThat(ours.params()).as("%s, minibatch %d", optimizer, batch).isEqualTo(reference.params());
                assertThat(loss).isEqualTo(reference.network().score());
            }
            reference.release();
            ours.release();
        }
    }

    @Test
    void aCnnIsEvaluatedInPassesWithTheNumbersOfOnePass() {
        Fixtures.Sweep sweep = cnn("he_normal", 2, "", ", precision: float64", "");
        Cell cell = sweep.cells().get(0);
        Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(sweep.dataset(cell),
                cell.settings().precision());
        CellNetwork.Cnn whole = build(sweep);
        CellNetwork.Cnn parts = new CellNetwork.Cnn(whole.network(), whole.layout(), 7);
        DataSet train = new DataSet(device.trainX(), device.trainY());
        assertThat(parts.score(train)).isCloseTo(whole.score(train), within(1e-12));
        assertThat(parts.output(device.testX()).sub(whole.output(device.testX())).amaxNumber().doubleValue())
                .isLessThan(1e-14);
        // 28×28 Fashion-MNIST images at 16 channels, k = 3: the unrolled patches of one image are 784·9 floats,
        // with the output 784·25: about 500 images per pass within 256 MiB, never a whole 60,000-image split
        NetworkLayout fashion = NetworkLayout.of(cnn("he_normal", 2, ", channels: 16", "", "").cells().get(0)
                .settings(), List.of(1, 28, 28), 10);
        assertThat(Networks.evaluationRows(fashion, io.initsweep.model.Precision.FLOAT32)).isBetween(400, 600);
        whole.release();
    }

    @Test
    void measuresEveryConvolutionPerChannelAndTheOutputLayer() {
        Fixtures.Sweep sweep = cnn("he_normal", 3, "", "", "");
        Cell cell = sweep.cells().get(0);
        Dataset data = sweep.dataset(cell);
        CellNetwork.Cnn network = build(sweep);
        MultiLayerNetwork net = network.network();
        // channel 5 of layer 1 is dead: zero filter and a negative bias; channel 6 is channel 2's clone
        INDArray w1 = net.getLayer(1).getParam("W");
        w1.get(org.nd4j.linalg.indexing.NDArrayIndex.point(5)).assign(0);
        net.getLayer(1).getParam("b").putScalar(5, -1.0);
        Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data, cell.settings().precision());
        List<LayerStats> rows = network.measure(device.probeX(), device.probeY(), cell.settings().activation(),
                LayerStats.Phase.INIT, 0);
        assertThat(rows).hasSize(4);
        assertThat(rows.subList(0, 3)).allMatch(r -> r.placement().kind() == LayerKind.CONVOLUTION);
        assertThat(rows.get(3).placement().kind()).isEqualTo(LayerKind.DENSE);
        assertThat(rows.get(3).fanIn()).isEqualTo(8);
        LayerStats layer1 = rows.get(1);
        assertThat(layer1.fanIn()).isEqualTo(9 * 8);
        assertThat(layer1.convolution().channelDeadFraction()).hasSize(8);
        assertThat(layer1.convolution().channelDeadFraction()[5]).isEqualTo(1.0);
        assertThat(layer1.convolution().channelActivationVar()[5]).isEqualTo(0.0);
        assertThat(layer1.deadFraction()).isEqualTo(1.0 / 8);
        assertThat(layer1.convolution().channelSaturatedFraction()).isNull();
        assertThat(layer1.convolution().channelGradWeightVar()).hasSize(8);
        assertThat(layer1.convolution().kernel()).isEqualTo(3);
        assertThat(layer1.convolution().outHeight()).isEqualTo(12);

        // symmetry: the mean pairwise cosine of the flattened filters, computed here pair by pair
        INDArray w = net.getLayer(2).getParam("W").castTo(DataType.DOUBLE).reshape(8, 72);
        double sum = 0;
        for (int a = 0; a < 8; a++) {
            for (int b = 0; b < 8; b++) {
                if (a != b) {
                    INDArray fa = w.getRow(a);
                    INDArray fb = w.getRow(b);
                    sum += fa.mul(fb).sumNumber().doubleValue() / (fa.norm2Number().doubleValue()
                            * fb.norm2Number().doubleValue());
                }
            }
        }
        assertThat(rows.get(2).symmetry()).isCloseTo(sum / 56, within(1e-6));
        network.release();
    }

    @Test
    void heNormalConvolutionWeightsHaveVarianceTwoOverKSquaredCInAndDeltaOrthogonalKernelsAreOrthogonalAtTheCentre() {
        Fixtures.Sweep he = cnn("he_normal", 2, ", channels: 64, kernel: 5", ", precision: float64", "");
        CellNetwork.Cnn network = build(he);
        INDArray w = network.network().getLayer(1).getParam("W");
        double expected = 2.0 / (5 * 5 * 64);
        // 64·64·25 = 102,400 draws: the sample variance's relative standard error is sqrt(2/102400) = 0.44%
        assertThat(w.varNumber().doubleValue()).isCloseTo(expected, within(expected * 0.02));
        assertThat(w.meanNumber().doubleValue()).isCloseTo(0.0, within(4 * Math.sqrt(expected / 102_400)));
        network.release();

        Fixtures.Sweep delta = cnn("delta_orthogonal", 2, ", channels: 32, kernel: 3", ", precision: float64", "");
        network = build(delta);
        INDArray kernel = network.network().getLayer(1).getParam("W"); // [32, 32, 3, 3]
        INDArray centre = kernel.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                org.nd4j.linalg.indexing.NDArrayIndex.point(1)).dup();
        INDArray identity = Nd4j.eye(32).castTo(DataType.DOUBLE);
        assertThat(centre.transpose().mmul(centre).sub(identity).amaxNumber().doubleValue()).isLessThan(1e-12);
        assertThat(kernel.norm2Number().doubleValue()).isCloseTo(centre.norm2Number().doubleValue(), within(1e-12));
        // layer 0 maps 1 channel to 32: its centre tap is a unit column, the rest zero
        INDArray first = network.network().getLayer(0).getParam("W");
        assertThat(first.norm2Number().doubleValue()).isCloseTo(1.0, within(1e-12));
        network.release();
    }

    /**
     * A small CNN learns the bar images' orientation: 4 classes (chance 0.25 accuracy, loss ln 4 = 1.386). Measured:
     * test accuracy 1.0 after 6 epochs (4 layers of 8 channels, He normal, Adam 0.01, 400 images of 12×12).
     */
    @Test
    void aSmallCnnLearnsTheBarsOrientationFarAboveChance() {
        Fixtures.Sweep sweep = cnn("he_normal", 4, "", ", epochs: 6, optimizer: adam, learning-rate: 0.01",
                ", samples: 400");
        Cell cell = sweep.cells().get(0);
        CellResult result = new Dl4jCellTrainer(1, true).train(cell, sweep.dataset(cell));
        assertThat(result.status()).as(String.valueOf(result.error())).isEqualTo(RunStatus.OK);
        System.out.printf("bars cnn: test accuracy %.3f, loss %.3f, %.1f s%n", result.finalTestAccuracy(),
                result.finalTestLoss(), result.wallSeconds());
        assertThat(result.finalTestAccuracy()).isGreaterThan(0.8);
        assertThat(result.finalTestLoss()).isLessThan(0.7);
        assertThat(result.layers()).filteredOn(l -> l.placement().kind() == LayerKind.CONVOLUTION).hasSize(8);
        assertThat(result.theory().meanField()).isNotNull();
        assertThat(result.theory().sigmaW2()).isCloseTo(2.0, within(1e-12));
        assertThat(result.jacobian()).isNotNull();
    }
}
