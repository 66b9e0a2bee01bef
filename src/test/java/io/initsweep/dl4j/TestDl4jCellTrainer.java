package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;
import io.initsweep.init.SchemeSpec;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.LayerStats;
import io.initsweep.train.RunStatus;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@Dl4jTest
class TestDl4jCellTrainer {
    private final Dl4jCellTrainer trainer = new Dl4jCellTrainer(1, true);

    @Test
    void theSameCellTrainedTwiceGivesBitwiseIdenticalLosses() {
        Fixtures.Sweep sweep = Fixtures.single("he_normal", 3, "relu", ", optimizer: adam, learning-rate: 0.01");
        Cell cell = sweep.cells().get(0);
        CellResult first = trainer.train(cell, sweep.dataset(cell));
        CellResult second = trainer.train(cell, sweep.dataset(cell));
        assertThat(first.status()).isEqualTo(RunStatus.OK);
        assertThat(first.epochs()).hasSize(5);
        assertThat(bits(second.epochs())).containsExactlyElementsOf(bits(first.epochs()));
        // and it learned something: the test loss fell from its initial value
        assertThat(first.finalTestLoss()).isLessThan(first.initialTestLoss());
    }

    @Test
    void zeroInitNeverBreaksSymmetryWhileHeNormalDoes() {
        for (String activation : List.of("relu", "sigmoid")) {
            Fixtures.Sweep zero = Fixtures.single("zero", 3, activation, "");
            Cell cell = zero.cells().get(0);
            MultiLayerNetwork network = trainedNetwork(cell, zero.dataset(cell));
            for (int layer = 0; layer < 3; layer++) {
                double[][] w = network.getLayer(layer).getParam("W").toDoubleMatrix();
                double scale = Arrays.stream(w).flatMapToDouble(Arrays::stream).map(Math::abs).max().orElse(0);
                for (double[] row : w) {
                    for (double v : row) {
                        // Exactly equal in exact arithmetic. In float32, OpenBLAS computes the columns of one matrix
                        // product in different kernel paths on some CPUs (measured on AMD EPYC: 2.84298e-14 against
                        // 2.84297e-14), so identical units agree to float rounding, not always to the last bit.
                        assertThat(v).as("%s layer %d: every unit's incoming weight equals unit 0's", activation,
                                layer).isCloseTo(row[0], within(1e-5 * scale));
                    }
                }
            }
            network.close();
        }
        Fixtures.Sweep he = Fixtures.single("he_normal", 3, "relu", "");
        Cell cell = he.cells().get(0);
        MultiLayerNetwork network = trainedNetwork(cell, he.dataset(cell));
        double[][] w = network.getLayer(1).getParam("W").toDoubleMatrix();
        assertThat(w[0][0]).isNotEqualTo(w[0][1]);
        network.close();
    }

    @Test
    void zeroInitSymmetryIsOneAtInitAndAfterTrainingHeNormalBelowPointTwo() {
        for (String activation : List.of("relu", "sigmoid")) {
            Fixtures.Sweep zero = Fixtures.single("zero", 3, activation, "");
            CellResult result = trainer.train(zero.cells().get(0), zero.dataset(zero.cells().get(0)));
            assertThat(result.layers()).filteredOn(l -> l.layer() < 3).hasSize(6)
                    .allSatisfy(l -> assertThat(l.symmetry()).isCloseTo(1.0, within(1e-6)));
        }
        Fixtures.Sweep he = Fixtures.single("he_normal", 3, "relu", "");
        CellResult result = trainer.train(he.cells().get(0), he.dataset(he.cells().get(0)));
        assertThat(result.layers()).filteredOn(l -> l.layer() < 3).hasSize(6)
                .allSatisfy(l -> assertThat(Math.abs(l.symmetry())).isLessThan(0.2));
    }

    @Test
    void networkStartsFromTheSchemesOwnDraws() {
        Fixtures.Sweep sweep = Fixtures.single("lecun_uniform", 2, "tanh", "");
        Cell cell = sweep.cells().get(0);
        Dataset data = sweep.dataset(cell);
        MultiLayerNetwork network = Networks.mlp(cell, data.identity());
        for (int layer = 0; layer <= 2; layer++) {
            INDArray w = network.getLayer(layer).getParam("W");
            int in = w.rows();
            int out = w.columns();
            double[] expected = SchemeSpec.parse("lecun_uniform").resolve(io.initsweep.model.Activation.TANH)
                    .sample(in, out, Networks.layerSeed(cell.initSeed(), layer));
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < out; j++) {
                    assertThat(w.getFloat(i, j)).isEqualTo((float) expected[i * out + j]);
                }
            }
            // LeCun uniform: U(±√(3/fan_in)); DL4J's LECUN_UNIFORM would reach 3/√fan_in.
            assertThat(w.amaxNumber().doubleValue()).isLessThanOrEqualTo(Math.sqrt(3.0 / in) + 1e-7);
        }
        network.close();
    }

    @Test
    void configurationSurvivesDl4jsJsonRoundTrip() {
        Fixtures.Sweep sweep = Fixtures.single("orthogonal(gain=auto)", 2, "relu", "");
        Cell cell = sweep.cells().get(0);
        MultiLayerConfiguration conf = Networks.configuration(cell, sweep.dataset(cell).identity());
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
    }

    @Test
    void aDivergingRunIsAResultNotAnException() {
        Fixtures.Sweep sweep = Fixtures.single("normal(std=3)", 6, "relu", ", learning-rate: 10");
        Cell cell = sweep.cells().get(0);
        CellResult result = trainer.train(cell, sweep.dataset(cell));
        assertThat(result.status()).isEqualTo(RunStatus.DIVERGED);
        assertThat(result.error()).isNull();
        assertThat(result.divergedEpoch()).isBetween(0, 4);
        assertThat(result.epochs()).hasSize(result.divergedEpoch() + 1);
        assertThat(result.epochs().get(result.divergedEpoch()).finite()).isFalse();
        assertThat(result.finalTestLoss()).isNull();
        assertThat(result.epochsRun()).isEqualTo(result.divergedEpoch());
    }

    @Test
    void manualBackwardPassAgreesWithDl4jsGradient() {
        Fixtures.Sweep sweep = Fixtures.single("he_normal", 3, "tanh", ", precision: float64");
        Cell cell = sweep.cells().get(0);
        Dataset data = sweep.dataset(cell);
        MultiLayerNetwork network = Networks.mlp(cell, data.identity());
        Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data, cell.settings().precision());
        List<LayerStats> stats = new Propagation(network).measure(device.probeX(), device.probeY(),
                cell.settings().activation(), LayerStats.Phase.INIT, 0);
        network.setInput(device.probeX());
        network.setLabels(device.probeY());
        network.computeGradientAndScore();
        for (int layer = 0; layer <= 3; layer++) {
            INDArray gradient = network.gradient().getGradientFor(layer + "_W").div(device.probeX().rows());
            double dl4jVariance = gradient.castTo(DataType.DOUBLE).var(false).getDouble(0);
            assertThat(stats.get(layer).gradWeightVar()).isCloseTo(dl4jVariance, within(dl4jVariance * 1e-9));
        }
        network.close();
    }

    @Test
    void theTrainingStepMakesTheSameUpdatesAsDl4jsFitBitForBit() {
        for (String optimizer : List.of("sgd", "momentum", "adam")) {
            Fixtures.Sweep sweep = Fixtures.single("he_normal", 3, "tanh", ", optimizer: " + optimizer
                    + ", learning-rate: 0.01");
            Cell cell = sweep.cells().get(0);
            Dataset data = sweep.dataset(cell);
            Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data, cell.settings().precision());
            MultiLayerNetwork reference = Networks.mlp(cell, data.identity());
            MultiLayerNetwork ours = Networks.mlp(cell, data.identity());
            Dl4jCellTrainer.Step step = new Dl4jCellTrainer.Step(ours, cell.settings());
            for (int batch = 0; batch < 6; batch++) {
                int[] rows = java.util.stream.IntStream.range(batch * 16, batch * 16 + 16).toArray();
                INDArray x = org.nd4j.linalg.factory.Nd4j.pullRows(device.trainX(), 1, rows);
                INDArray y = org.nd4j.linalg.factory.Nd4j.pullRows(device.trainY(), 1, rows);
                reference.fit(x, y);
                double loss = step.fit(x, y);
                assertThat(Double.doubleToRawLongBits(loss)).as(optimizer + " loss of batch " + batch)
                        .isEqualTo(Double.doubleToRawLongBits(reference.score()));
            }
            assertThat(ours.params().toFloatVector()).as(optimizer).containsExactly(reference.params().toFloatVector());
            Dl4jCellTrainer.release(reference);
            Dl4jCellTrainer.release(ours);
        }
    }

    /**
     * The step reuses each hidden layer's forward pre-activations in its backward pass: per step, one product per
     * hidden layer forward, two backward (weight and input gradient), and four at the output layer (its z in the
     * backward pass and again for the score, its two gradients) — where DL4J's fit() makes one more per hidden layer.
     */
    @Test
    void theTrainingStepMakesOneProductPerHiddenLayerFewerThanFit() {
        int depth = 4;
        Fixtures.Sweep sweep = Fixtures.single("he_normal", depth, "relu", ", learning-rate: 0.01");
        Cell cell = sweep.cells().get(0);
        Dataset data = sweep.dataset(cell);
        Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data, cell.settings().precision());
        INDArray x = device.trainX().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 16),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        INDArray y = device.trainY().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 16),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        MultiLayerNetwork reference = Networks.mlp(cell, data.identity());
        MultiLayerNetwork ours = Networks.mlp(cell, data.identity());
        Dl4jCellTrainer.Step step = new Dl4jCellTrainer.Step(ours, cell.settings());
        reference.fit(x, y); // warm-up: workspaces, lazy arrays
        step.fit(x, y);
        var executioner = org.nd4j.linalg.factory.Nd4j.getExecutioner();
        var profiler = org.nd4j.linalg.profiler.OpProfiler.getInstance();
        try {
            executioner.setProfilingMode(org.nd4j.linalg.api.ops.executioner.OpExecutioner.ProfilingMode.OPERATIONS);
            profiler.reset();
            reference.fit(x, y);
            long fitProducts = profiler.getOpCounter().getCount("matmul");
            profiler.reset();
            step.fit(x, y);
            long stepProducts = profiler.getOpCounter().getCount("matmul");
            assertThat(fitProducts).isEqualTo(4L * depth + 4);
            assertThat(stepProducts).isEqualTo(3L * depth + 4);
        } finally {
            executioner.setProfilingMode(org.nd4j.linalg.api.ops.executioner.OpExecutioner.ProfilingMode.DISABLED);
            profiler.reset();
            Dl4jCellTrainer.release(reference);
            Dl4jCellTrainer.release(ours);
        }
    }

    private MultiLayerNetwork trainedNetwork(Cell cell, Dataset data) {
        MultiLayerNetwork network = Networks.mlp(cell, data.identity());
        Dl4jCellTrainer.DeviceData device = Dl4jCellTrainer.DeviceData.of(data, cell.settings().precision());
        for (int epoch = 0; epoch < 5; epoch++) {
            network.fit(device.trainX(), device.trainY());
        }
        return network;
    }

    /**
     * diagnostics-every: layer rows after epochs 2 and 4 of 5, then the final ones after epoch 5 (not twice after
     * epoch 4 of 4); and the training is the same bits as without, in the same cell.
     */
    @Test
    void diagnosticsEveryMeasuresDuringTrainingWithoutChangingTheTraining() {
        String spec = """
                name: every
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {depth: 2, width: 8, activation: tanh}
                training: {epochs: %d, batch-size: 16, learning-rate: 0.1%s}
                data: {dataset: blobs, samples: 90}
                """;
        Fixtures.Sweep plain = Fixtures.sweep(spec.formatted(5, ""));
        Fixtures.Sweep every = Fixtures.sweep(spec.formatted(5, ", diagnostics-every: 2"));
        Cell cell = every.cells().get(0);
        assertThat(cell.cellId()).isEqualTo(plain.cells().get(0).cellId());
        CellResult measured = trainer.train(cell, every.dataset(cell));
        CellResult unmeasured = trainer.train(plain.cells().get(0), plain.dataset(cell));
        assertThat(bits(measured.epochs())).containsExactlyElementsOf(bits(unmeasured.epochs()));
        assertThat(measured.layers()).extracting(l -> l.phase() + "@" + l.epoch() + "#" + l.layer()).containsExactly(
                "INIT@0#0", "INIT@0#1", "INIT@0#2", "TRAINING@2#0", "TRAINING@2#1", "TRAINING@2#2",
                "TRAINING@4#0", "TRAINING@4#1", "TRAINING@4#2", "FINAL@5#0", "FINAL@5#1", "FINAL@5#2");
        // the weights moved between the measurements
        assertThat(measured.layers().get(3).weightStd()).isNotEqualTo(measured.layers().get(0).weightStd());
        assertThat(measured.layers().get(9).weightStd()).isNotEqualTo(measured.layers().get(6).weightStd());
        assertThat(unmeasured.layers()).extracting(LayerStats::phase).containsOnly(LayerStats.Phase.INIT,
                LayerStats.Phase.FINAL);

        Fixtures.Sweep four = Fixtures.sweep(spec.formatted(4, ", diagnostics-every: 2"));
        CellResult last = trainer.train(four.cells().get(0), four.dataset(four.cells().get(0)));
        assertThat(last.layers()).extracting(l -> l.phase() + "@" + l.epoch()).containsOnly("INIT@0", "TRAINING@2",
                "FINAL@4").hasSize(9);
    }

    /**
     * bias-std: every layer's biases, the output layer's included, are bias-init plus the draws of
     * {@link io.initsweep.init.RandomBiases} from the cell's init seed, in float32 and float64; without it the
     * biases stay the constant. The theory refuses a non-zero bias-init and says so.
     */
    @Test
    void biasStdDrawsEveryLayersBiasesFromTheInitSeed() {
        for (String precision : List.of("float32", "float64")) {
            Fixtures.Sweep sweep = Fixtures.sweep("""
                    name: biases
                    seeds: 1
                    grid: {scheme: [he_normal], bias-std: [0.0, 0.4]}
                    model: {depth: 2, width: 6, activation: relu, bias-init: 0.1}
                    training: {epochs: 1, precision: %s}
                    data: {dataset: blobs, samples: 60}
                    """.formatted(precision));
            for (Cell cell : sweep.cells()) {
                double std = cell.settings().biasStd();
                MultiLayerNetwork network = Networks.mlp(cell, sweep.dataset(cell).identity());
                for (int layer = 0; layer <= 2; layer++) {
                    double[] b = network.getLayer(layer).getParam("b").castTo(DataType.DOUBLE).toDoubleVector();
                    double[] expected = io.initsweep.init.RandomBiases.values(0.1, std, cell.initSeed(), layer,
                            b.length);
                    for (int i = 0; i < b.length; i++) {
                        double want = precision.equals("float32") ? (float) expected[i] : expected[i];
                        assertThat(b[i]).as("%s bias-std %s layer %d unit %d", precision, std, layer, i)
                                .isEqualTo(want);
                    }
                    if (std == 0) {
                        assertThat(b).containsOnly(precision.equals("float32") ? (double) 0.1f : 0.1);
                    }
                }
                network.close();
            }
            CellResult result = trainer.train(sweep.cells().get(1), sweep.dataset(sweep.cells().get(1)));
            assertThat(result.theory().meanField()).isNull();
            assertThat(result.theory().reason()).startsWith("bias-init 0.1 gives every unit the same non-zero bias");
            assertThat(result.theory().sigmaB2()).isCloseTo(0.16, within(1e-15));
        }
    }

    private static List<String> bits(List<EpochMetrics> epochs) {
        return epochs.stream().map(e -> Double.doubleToRawLongBits(e.trainLoss()) + "/"
                + Double.doubleToRawLongBits(e.testLoss()) + "/" + Double.doubleToRawLongBits(e.gradNorm())).toList();
    }
}
