package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.LayerStats;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@Dl4jTest
class TestResidualNetworks {

    static Fixtures.Sweep residual(String scheme, int blocks, String model, String training) {
        return Fixtures.sweep("""
                name: residual
                seeds: 1
                grid: {scheme: [%s]}
                model: {architecture: residual, depth: %d, activation: relu, width: 16%s}
                training: {epochs: 2, batch-size: 16, learning-rate: 0.05%s}
                data: {dataset: spirals, samples: 240}
                """.formatted(scheme, blocks, model, training));
    }

    private static CellNetwork.Graph graph(Fixtures.Sweep sweep) {
        Cell cell = sweep.cells().get(0);
        return (CellNetwork.Graph) Networks.build(cell, sweep.dataset(cell).identity());
    }

    @Test
    void everyVariantBuildsSurvivesJsonAndItsManualForwardAndGradientsAgreeWithDl4j() {
        for (String[] variant : List.of(
                new String[] {"he_normal", ""}, new String[] {"fixup", ""}, new String[] {"rezero", ""},
                new String[] {"skipinit(alpha=0.3)", ", branch-scale: 1/sqrt(depth)"},
                new String[] {"he_normal", ", normalization: batch"}, new String[] {"fixup", ", normalization: layer"},
                new String[] {"he_normal", ", normalization: layer, block-depth: 3"})) {
            Fixtures.Sweep sweep = residual(variant[0], 3, variant[1], ", precision: float64");
            Cell cell = sweep.cells().get(0);
            Dataset data = sweep.dataset(cell);
            CellNetwork.Graph network = graph(sweep);
            ComputationGraph graph = network.graph();
            String what = variant[0] + variant[1];
            ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(
                    graph.getConfiguration().toJson());
            assertThat(back).as(what).isEqualTo(graph.getConfiguration());

            Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data, cell.settings().precision());
            // Train a little first, so that zero-initialized scalars and layers have moved.
            CellNetwork.MinibatchStep step = network.step(cell.settings());
            for (int batch = 0; batch < 4; batch++) {
                int[] rows = java.util.stream.IntStream.range(batch * 16, batch * 16 + 16).toArray();
                step.fit(Nd4j.pullRows(device.trainX(), 1, rows), Nd4j.pullRows(device.trainY(), 1, rows));
            }
            GraphPropagation propagation = new GraphPropagation(graph, network.plan());
            GraphPropagation.Forward forward = propagation.forward(device.probeX());
            INDArray dl4j = graph.outputSingle(true, device.probeX());
            assertThat(forward.prediction.sub(dl4j).amaxNumber().doubleValue()).as(what).isLessThan(1e-12);

            GraphPropagation.Backward backward = propagation.backward(forward, device.probeY());
            graph.setInputs(device.probeX());
            graph.setLabels(device.probeY());
            graph.computeGradientAndScore();
            for (GraphPlan.Dense d : network.plan().denseLayers()) {
                INDArray expected = graph.gradient().getGradientFor(d.name() + "_W").div(device.probeX().rows());
                INDArray ours = backward.weights.get(d.name());
                double scale = expected.amaxNumber().doubleValue();
                assertThat(ours.sub(expected).amaxNumber().doubleValue()).as("%s: dL/dW of %s", what, d.name())
                        .isLessThanOrEqualTo(1e-9 * Math.max(scale, 1e-12));
            }
            network.release();
        }
    }

    @Test
    void measuresOneRowPerDenseLayerNormalizationAndBlock() {
        Fixtures.Sweep sweep = residual("he_normal", 3, ", normalization: batch", "");
        Cell cell = sweep.cells().get(0);
        Dataset data = sweep.dataset(cell);
        CellNetwork network = Networks.build(cell, data.identity());
        Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data, cell.settings().precision());
        network.prepare(cell, device.probeX());
        List<LayerStats> rows = network.measure(device.probeX(), device.probeY(), cell.settings().activation(),
                LayerStats.Phase.INIT, 0);
        // 1 stem + 3×2 branch layers + output; 3×2 branch norms + head norm; 3 adds
        assertThat(rows).filteredOn(LayerStats::dense).hasSize(8);
        assertThat(rows).filteredOn(r -> r.placement().kind() == io.initsweep.model.LayerKind.NORMALIZATION)
                .hasSize(7);
        assertThat(rows).filteredOn(r -> r.placement().kind() == io.initsweep.model.LayerKind.RESIDUAL_ADD)
                .hasSize(3).extracting(LayerStats::layer).containsExactly(2, 4, 6);
        network.release();
    }

    @Test
    void theGraphStepMakesTheSameUpdatesAsDl4jsFitBitForBit() {
        for (String optimizer : List.of("sgd", "momentum", "adam")) {
            for (String model : List.of("", ", normalization: batch", ", normalization: layer")) {
                for (String scheme : List.of("fixup", "he_normal")) {
                    Fixtures.Sweep sweep = residual(scheme, 3, model, ", optimizer: " + optimizer);
                    Cell cell = sweep.cells().get(0);
                    Dataset data = sweep.dataset(cell);
                    Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data,
                            cell.settings().precision());
                    CellNetwork.Graph reference = graph(sweep);
                    CellNetwork.Graph ours = graph(sweep);
                    CellNetwork.MinibatchStep step = ours.step(cell.settings());
                    String what = optimizer + model + " " + scheme;
                    for (int batch = 0; batch < 6; batch++) {
                        int[] rows = java.util.stream.IntStream.range(batch * 16, batch * 16 + 16 - batch).toArray();
                        INDArray x = Nd4j.pullRows(device.trainX(), 1, rows);
                        INDArray y = Nd4j.pullRows(device.trainY(), 1, rows);
                        reference.graph().fit(new org.nd4j.linalg.dataset.DataSet(x, y));
                        double loss = step.fit(x, y);
                        assertThat(Double.doubleToRawLongBits(loss)).as(what + " loss of batch " + batch)
                                .isEqualTo(Double.doubleToRawLongBits(reference.graph().score()));
                    }
                    assertThat(ours.params().toFloatVector()).as(what)
                            .containsExactly(reference.params().toFloatVector());
                    reference.release();
                    ours.release();
                }
            }
        }
    }

    @Test
    void batchNormStartsItsRunningStatisticsAtTheProbeBatchs() {
        Fixtures.Sweep sweep = residual("he_normal", 4, ", normalization: batch", ", precision: float64");
        Cell cell = sweep.cells().get(0);
        Dataset data = sweep.dataset(cell);
        Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data, cell.settings().precision());
        CellNetwork.Graph network = graph(sweep);
        INDArray training = network.graph().outputSingle(true, device.probeX());
        INDArray before = network.output(device.probeX());
        assertThat(before.sub(training).amaxNumber().doubleValue()).isGreaterThan(1e-3);
        network.prepare(cell, device.probeX());
        // inference on the probe batch is now the network as it trains on that batch, to rounding (ε inside √)
        INDArray after = network.output(device.probeX());
        assertThat(after.sub(training).amaxNumber().doubleValue()).isLessThan(1e-9);
        network.release();
    }

    @Test
    void lsuvBringsEveryDenseLayersOutputToUnitVarianceInAResidualNetwork() {
        Fixtures.Sweep sweep = residual("{lsuv: {tolerance: 0.05, max-iterations: 20}}", 4,
                ", normalization: layer, branch-scale: 0.5", "");
        Cell cell = sweep.cells().get(0);
        Dataset data = sweep.dataset(cell);
        Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data, cell.settings().precision());
        CellNetwork.Graph network = graph(sweep);
        network.prepare(cell, device.probeX());
        List<LayerStats> rows = network.measure(device.probeX(), device.probeY(), cell.settings().activation(),
                LayerStats.Phase.INIT, 0);
        // every dense layer (stem, 4×2 branch layers, output): the variance of xW + b on the probe batch
        assertThat(rows).filteredOn(LayerStats::dense).hasSize(10).allSatisfy(r ->
                assertThat(r.preactivationVar()).as("layer %d", r.layer()).isCloseTo(1.0, within(0.05)));
        network.release();
    }
}
