package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.init.SchemeSpec;
import io.initsweep.spec.Settings;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.LayerStats;
import io.initsweep.train.RunStatus;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The batched trainer against itself (a cell's bits must not depend on the cells it is batched with) and against
 * the one-network path, {@link Dl4jCellTrainer} (the same cell must train to the same numbers up to float rounding).
 */
@Dl4jTest
class TestBatchedCellTrainer {
    /**
     * Worst relative difference allowed between a cell trained batched and by {@link Dl4jCellTrainer}, in float32:
     * the two make the same operations in other orders (products in other orientations, the bias added inside the
     * product, the softmax and the loss sums in Java); measured ≤ 1.2e-6 on losses and gradient norms and ≤ 2.3e-6
     * on layer statistics over these configurations.
     */
    private static final double FLOAT32_TOLERANCE = 1e-5;
    /** The same in float64: measured ≤ 2.5e-15 on losses and ≤ 6e-14 on layer statistics. */
    private static final double FLOAT64_TOLERANCE = 1e-12;

    private final BatchedCellTrainer batched = new BatchedCellTrainer(1, true);
    private final Dl4jCellTrainer oneNetwork = new Dl4jCellTrainer(1, true);

    /** 2 schemes (one of them LSUV) × 3 optimizers × 3 seeds; 192 training rows in minibatches of 20 (the last 12). */
    private static Fixtures.Sweep sweep(String activation, String data, String precision) {
        return Fixtures.sweep("""
                name: batched
                seeds: 3
                grid:
                  scheme: [he_normal, lsuv]
                  optimizer: [sgd, momentum, adam]
                model: {depth: 3, width: 16, activation: %s}
                training: {epochs: 3, batch-size: 20, learning-rate: 0.02, precision: %s}
                data: %s
                """.formatted(activation, precision, data));
    }

    private static final String SPIRALS = "{dataset: spirals, samples: 240}";
    private static final String FRIEDMAN = "{dataset: regression, function: friedman1, samples: 240}";

    @Test
    void aCellAloneAndAmongEightOthersGivesTheSameBits() {
        for (Fixtures.Sweep sweep : List.of(sweep("relu", SPIRALS, "float32"), sweep("tanh", FRIEDMAN, "float32"),
                sweep("relu", SPIRALS, "float64"))) {
            // nine cells: both schemes, all three optimizers (three update groups), three seeds
            List<Cell> nine = IntStream.range(0, 18).filter(i -> i % 2 == 0).mapToObj(sweep.cells()::get).toList();
            Dataset data = sweep.dataset(nine.get(0));
            List<CellResult> together = batched.train(nine, data);
            for (int i = 0; i < nine.size(); i++) {
                CellResult alone = batched.train(nine.get(i), data);
                assertThat(together.get(i).status()).isEqualTo(RunStatus.OK);
                assertSameBits(together.get(i), alone);
            }
            // and the last cell in first place of another batch
            List<Cell> reordered = new ArrayList<>(nine.subList(0, 8));
            reordered.add(0, nine.get(8));
            assertSameBits(batched.train(reordered, data).get(0), together.get(8));
        }
    }

    @Test
    void eachCellOfABatchAgreesWithTheOneNetworkPath() {
        for (String precision : List.of("float32", "float64")) {
            double tolerance = precision.equals("float32") ? FLOAT32_TOLERANCE : FLOAT64_TOLERANCE;
            for (String activation : List.of("relu", "tanh")) {
                for (String data : List.of(SPIRALS, FRIEDMAN)) {
                    Fixtures.Sweep sweep = sweep(activation, data, precision);
                    List<Cell> cells = sweep.cells().subList(0, 6); // seed 0: both schemes, all three optimizers
                    Dataset dataset = sweep.dataset(cells.get(0));
                    List<CellResult> results = batched.train(cells, dataset);
                    for (int i = 0; i < cells.size(); i++) {
                        String what = precision + " " + activation + " " + dataset.identity().task() + " " + cells.get(i);
                        CellResult expected = oneNetwork.train(cells.get(i), dataset);
                        assertAgrees(results.get(i), expected, tolerance, dataset.testRows(), what);
                    }
                }
            }
        }
    }

    @Test
    void everyActivationTrainsAsInTheOneNetworkPath() {
        for (io.initsweep.model.Activation activation : io.initsweep.model.Activation.values()) {
            Fixtures.Sweep sweep = Fixtures.sweep("""
                    name: activations
                    seeds: 2
                    grid: {scheme: [xavier_normal]}
                    model: {depth: 2, width: 8, activation: %s}
                    training: {epochs: 2, batch-size: 32, optimizer: momentum, learning-rate: 0.05, precision: float64}
                    data: {dataset: spirals, samples: 200}
                    """.formatted(activation.canonicalName()));
            Dataset data = sweep.dataset(sweep.cells().get(0));
            List<CellResult> results = batched.train(sweep.cells(), data);
            for (int i = 0; i < results.size(); i++) {
                assertAgrees(results.get(i), oneNetwork.train(sweep.cells().get(i), data), FLOAT64_TOLERANCE,
                        data.testRows(), activation + " " + sweep.cells().get(i));
            }
        }
    }

    @Test
    void aCellStartsFromTheBitsTheOneNetworkPathDraws() {
        for (String precision : List.of("float32", "float64")) {
            Fixtures.Sweep sweep = Fixtures.sweep("""
                    name: init
                    seeds: 2
                    grid: {scheme: [he_normal, orthogonal, lecun_uniform, zero]}
                    model: {depth: 2, width: 8, activation: tanh, bias-init: 0.1}
                    training: {precision: %s}
                    data: {dataset: blobs, samples: 100, features: 5}
                    """.formatted(precision));
            Dataset data = sweep.dataset(sweep.cells().get(0));
            try (BatchedNetwork network = batched.initialNetwork(sweep.cells(), data)) {
                for (int k = 0; k < sweep.cells().size(); k++) {
                    MultiLayerNetwork reference = Networks.mlp(sweep.cells().get(k), data.identity());
                    for (int l = 0; l < network.layers(); l++) {
                        assertThat(network.weights(k, l)).as("%s cell %d layer %d weights", precision, k, l)
                                .containsExactly(doubles(reference.getLayer(l).getParam("W")));
                        assertThat(network.biases(k, l)).as("%s cell %d layer %d biases", precision, k, l)
                                .containsExactly(doubles(reference.getLayer(l).getParam("b")));
                    }
                    Dl4jCellTrainer.release(reference);
                }
            }
        }
    }

    @Test
    void theMemoryEstimateIsWhatANetworkAllocates() {
        for (String optimizer : List.of("sgd", "momentum", "adam")) {
            for (String precision : List.of("float32", "float64")) {
                Fixtures.Sweep sweep = Fixtures.sweep("""
                        name: memory
                        seeds: 5
                        grid: {scheme: [he_normal]}
                        model: {depth: 3, width: 24, activation: relu}
                        training: {batch-size: 50, optimizer: %s, precision: %s}
                        data: {dataset: blobs, samples: 500, features: 7, classes: 3}
                        """.formatted(optimizer, precision));
                Dataset data = sweep.dataset(sweep.cells().get(0));
                try (BatchedNetwork network = batched.initialNetwork(sweep.cells(), data)) {
                    int maxRows = Math.max(50, data.probeRows());
                    assertThat(network.bytes()).as(optimizer + " " + precision).isEqualTo(BatchedNetwork.bytes(5, 7, 3,
                            3, 24, sweep.cells().get(0).settings().precision(),
                            sweep.cells().get(0).settings().optimizer(), maxRows));
                }
            }
        }
    }

    @Test
    void aDivergingCellIsMaskedAndItsNeighboursKeepTheirBits() {
        // normal(std=1e6) overflows at initialization (epoch 0); normal(std=10) explodes within the first epoch
        Fixtures.Sweep sweep = Fixtures.sweep("""
                name: diverging
                seeds: 2
                grid: {scheme: [he_normal, "normal(std=10)", "normal(std=1e6)", xavier_normal]}
                model: {depth: 6, width: 16, activation: relu}
                training: {epochs: 3, batch-size: 16, learning-rate: 0.05}
                data: {dataset: spirals, samples: 240}
                """);
        List<Cell> cells = sweep.cells();
        Dataset data = sweep.dataset(cells.get(0));
        List<CellResult> together = batched.train(cells, data);
        List<Integer> divergedEpochs = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            CellResult result = together.get(i);
            CellResult alone = batched.train(cells.get(i), data);
            assertSameBits(result, alone);
            String scheme = cells.get(i).settings().scheme().label();
            if (scheme.startsWith("normal")) {
                assertThat(result.status()).as(scheme).isEqualTo(RunStatus.DIVERGED);
                assertThat(result.epochs()).hasSize(result.divergedEpoch() + 1);
                assertThat(result.epochs().get(result.divergedEpoch()).finite()).isFalse();
                assertThat(result.layers()).allMatch(l -> l.phase() == LayerStats.Phase.INIT);
                divergedEpochs.add(result.divergedEpoch());
                // where it diverges is what the one-network path finds too
                assertThat(result.divergedEpoch()).isEqualTo(oneNetwork.train(cells.get(i), data).divergedEpoch());
            } else {
                assertThat(result.status()).as(scheme).isEqualTo(RunStatus.OK);
                assertThat(result.epochs()).hasSize(4);
            }
        }
        assertThat(divergedEpochs).contains(0).anyMatch(e -> e > 0);
    }

    @Test
    void theSameBatchTrainedTwiceGivesTheSameBits() {
        Fixtures.Sweep sweep = sweep("tanh", SPIRALS, "float32");
        Dataset data = sweep.dataset(sweep.cells().get(0));
        List<CellResult> first = batched.train(sweep.cells(), data);
        List<CellResult> second = batched.train(sweep.cells(), data);
        for (int i = 0; i < first.size(); i++) {
            assertSameBits(second.get(i), first.get(i));
        }
        // it learned: the test loss fell for every cell
        assertThat(first).allMatch(r -> r.finalTestLoss() < r.initialTestLoss());
    }

    @Test
    void aCellThatFailsFailsAloneAndTheOthersKeepTheirBits() {
        Fixtures.Sweep sweep = sweep("relu", SPIRALS, "float32");
        List<Cell> cells = new ArrayList<>(sweep.cells().subList(0, 4));
        Dataset data = sweep.dataset(cells.get(0));
        // identity init cannot draw the 2-feature input layer of a 16-wide network (the spec validator would
        // reject it; here it reaches the trainer)
        Cell identity = Grid.cell("batched", 7, cells.get(0).settings().toBuilder()
                .set(Settings.SCHEME, SchemeSpec.parse("identity")).build(), Map.of(), data.identity());
        cells.add(1, identity);
        BatchedCellTrainer failing = new BatchedCellTrainer(1, true, Set.of(cells.get(3).cellId()));
        List<CellResult> results = failing.train(cells, data);

        assertThat(results.get(1).status()).isEqualTo(RunStatus.FAILED);
        assertThat(results.get(1).error()).contains("identity").contains("2×16");
        assertThat(results.get(1).epochs()).isEmpty();
        assertThat(results.get(3).status()).isEqualTo(RunStatus.FAILED);
        assertThat(results.get(3).error()).contains("injected training failure");
        assertThat(results.get(3).layers()).hasSize(4).allMatch(l -> l.phase() == LayerStats.Phase.INIT);
        for (int i : new int[] {0, 2, 4}) {
            assertSameBits(results.get(i), batched.train(cells.get(i), data));
        }
    }

    @Test
    void refusesCellsThatCannotShareABatch() {
        Fixtures.Sweep sweep = Fixtures.sweep("""
                name: shapes
                seeds: 1
                grid: {depth: [2, 3]}
                model: {scheme: he_normal, width: 8, activation: relu}
                data: {dataset: spirals, samples: 100}
                """);
        Dataset data = sweep.dataset(sweep.cells().get(0));
        assertThatThrownBy(() -> batched.train(sweep.cells(), data))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(sweep.cells().get(0).cellId())
                .hasMessageContaining(sweep.cells().get(1).cellId())
                .hasMessageContaining("depth=2").hasMessageContaining("depth=3");
    }

    // ---- helpers

    private static void assertSameBits(CellResult actual, CellResult expected) {
        String what = actual.cell().toString();
        assertThat(actual.status()).as(what).isEqualTo(expected.status());
        assertThat(actual.divergedEpoch()).as(what).isEqualTo(expected.divergedEpoch());
        assertThat(actual.error()).as(what).isEqualTo(expected.error());
        // records compare double components bit for bit (Double.compare, boxed Double.equals)
        assertThat(actual.epochs()).as(what).containsExactlyElementsOf(expected.epochs());
        assertThat(actual.layers()).as(what).containsExactlyElementsOf(expected.layers());
    }

    private static void assertAgrees(CellResult actual, CellResult expected, double tolerance, int testRows,
                                     String what) {
        assertThat(actual.status()).as(what).isEqualTo(expected.status());
        assertThat(actual.epochs()).as(what).hasSameSizeAs(expected.epochs());
        for (int e = 0; e < actual.epochs().size(); e++) {
            EpochMetrics a = actual.epochs().get(e);
            EpochMetrics b = expected.epochs().get(e);
            String at = what + " epoch " + e;
            assertClose(a.trainLoss(), b.trainLoss(), tolerance, at + " train loss");
            assertClose(a.testLoss(), b.testLoss(), tolerance, at + " test loss");
            assertClose(a.gradNorm(), b.gradNorm(), tolerance, at + " gradient norm");
            if (b.testAccuracy() == null) {
                assertThat(a.testAccuracy()).as(at).isNull();
            } else {
                // a test example exactly on a decision boundary may fall either way under float rounding
                assertThat(Math.abs(a.testAccuracy() - b.testAccuracy())).as(at + " accuracy")
                        .isLessThanOrEqualTo(tolerance > 1e-9 ? 1.0 / testRows : 0.0);
            }
        }
        assertThat(actual.layers()).as(what).hasSameSizeAs(expected.layers());
        for (int i = 0; i < actual.layers().size(); i++) {
            LayerStats a = actual.layers().get(i);
            LayerStats b = expected.layers().get(i);
            String at = what + " layer " + b.layer() + " " + b.phase();
            assertThat(a.layer()).isEqualTo(b.layer());
            assertThat(a.phase()).isEqualTo(b.phase());
            double scale = Math.abs(b.weightStd());
            assertClose(a.weightMean(), b.weightMean(), tolerance, scale, at + " weight mean");
            assertClose(a.weightStd(), b.weightStd(), tolerance, at + " weight std");
            assertClose(a.activationMean(), b.activationMean(), tolerance, Math.sqrt(b.activationVar()),
                    at + " activation mean");
            assertClose(a.activationVar(), b.activationVar(), tolerance, at + " activation variance");
            assertClose(a.preactivationVar(), b.preactivationVar(), tolerance, at + " preactivation variance");
            assertClose(a.gradWeightVar(), b.gradWeightVar(), tolerance, at + " weight gradient variance");
            assertClose(a.gradInputVar(), b.gradInputVar(), tolerance, at + " input gradient variance");
            assertFraction(a.deadFraction(), b.deadFraction(), at + " dead fraction");
            assertFraction(a.saturatedFraction(), b.saturatedFraction(), at + " saturated fraction");
            assertClose(a.symmetry(), b.symmetry(), tolerance, 1.0, at + " symmetry");
        }
    }

    private static void assertClose(double actual, double expected, double tolerance, String what) {
        assertClose(actual, expected, tolerance, Math.abs(expected), what);
    }

    /** |actual − expected| ≤ tolerance · scale (both NaN, or the same infinity, also pass). */
    private static void assertClose(Double actual, Double expected, double tolerance, double scale, String what) {
        if (expected == null || !Double.isFinite(expected)) {
            assertThat(actual).as(what).isEqualTo(expected);
            return;
        }
        assertThat(Math.abs(actual - expected)).as(what + ": " + actual + " vs " + expected)
                .isLessThanOrEqualTo(tolerance * Math.max(scale, Double.MIN_NORMAL));
    }

    /** Fractions of units or values: equal, or apart by a value at a threshold under float rounding (≤ 1%). */
    private static void assertFraction(Double actual, Double expected, String what) {
        if (expected == null) {
            assertThat(actual).as(what).isNull();
        } else {
            assertThat(Math.abs(actual - expected)).as(what).isLessThanOrEqualTo(0.01);
        }
    }

    private static double[] doubles(INDArray array) {
        return Propagation.doubles(array);
    }
}
