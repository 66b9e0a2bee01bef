package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.init.SchemeSpec;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.Settings;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.CellResult;
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
 * the one-network path, {@link Dl4jCellTrainer}: the same cell must train to the very same bits — every epoch's
 * losses, accuracy and gradient norm, every layer statistic (the probe-pair correlation and the training-phase rows
 * of {@code diagnostics-every} included), the theory's prediction, the init Jacobian's spectrum, the status and the
 * epoch it diverges at.
 */
@Dl4jTest
class TestBatchedCellTrainer {
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
    void eachCellOfABatchGetsTheBitsOfTheOneNetworkPath() {
        for (String precision : List.of("float32", "float64")) {
            for (String activation : List.of("relu", "tanh")) {
                for (String data : List.of(SPIRALS, FRIEDMAN)) {
                    Fixtures.Sweep sweep = sweep(activation, data, precision);
                    List<Cell> cells = sweep.cells().subList(0, 6); // seed 0: both schemes, all three optimizers
                    assertSameBitsAsOneNetwork(batched, cells, sweep.dataset(cells.get(0)));
                }
            }
        }
    }

    @Test
    void everyActivationGetsTheBitsOfTheOneNetworkPath() {
        for (io.initsweep.model.Activation activation : io.initsweep.model.Activation.values()) {
            for (String precision : List.of("float32", "float64")) {
                Fixtures.Sweep sweep = Fixtures.sweep("""
                        name: activations
                        seeds: 2
                        grid: {scheme: [xavier_normal]}
                        model: {depth: 2, width: 8, activation: %s}
                        training: {epochs: 2, batch-size: 32, optimizer: momentum, learning-rate: 0.05, precision: %s}
                        data: {dataset: spirals, samples: 200}
                        """.formatted(activation.canonicalName(), precision));
                assertSameBitsAsOneNetwork(batched, sweep.cells(), sweep.dataset(sweep.cells().get(0)));
            }
        }
    }

    /**
     * What the theory integration added to a cell: random biases ({@code bias-std}, drawn by {@code RandomBiases}),
     * layer rows during training every {@code diagnostics-every} epochs, each cell's theory and init Jacobian, the
     * per-layer correlation; cells of different bias std (an axis) and different diagnostics-every (three sweeps)
     * in one batch, LSUV among them, in both precisions and both tasks.
     */
    @Test
    void randomBiasesAndTrainingDiagnosticsGetTheBitsOfTheOneNetworkPath() {
        for (String precision : List.of("float32", "float64")) {
            for (String data : List.of(SPIRALS, FRIEDMAN)) {
                List<Cell> cells = new ArrayList<>();
                Fixtures.Sweep first = null;
                for (int every : new int[] {1, 2, 0}) {
                    Fixtures.Sweep sweep = Fixtures.sweep("""
                            name: theory
                            seeds: 1
                            grid: {scheme: [xavier_normal, lsuv], bias-std: [0.0, 0.3]}
                            model: {depth: 3, width: 16, activation: tanh}
                            training: {epochs: 4, batch-size: 20, optimizer: momentum, learning-rate: 0.02, \
                            precision: %s, diagnostics-every: %d}
                            data: %s
                            """.formatted(precision, every, data));
                    cells.addAll(sweep.cells());
                    first = first == null ? sweep : first;
                }
                Dataset dataset = first.dataset(cells.get(0));
                List<CellResult> results = batched.train(cells, dataset);
                for (int i = 0; i < cells.size(); i++) {
                    Cell cell = cells.get(i);
                    CellResult expected = oneNetwork.train(cell, dataset);
                    assertRealTraining(cell, expected);
                    assertSameBits(results.get(i), expected);
                    // the rows that make this test worth having: training-phase rows, correlations, random biases
                    int every = cell.settings().diagnosticsEvery();
                    assertThat(results.get(i).layers().stream().filter(l -> l.phase() == LayerStats.Phase.TRAINING)
                            .map(LayerStats::epoch).distinct().toList()).as(cell.toString())
                            .isEqualTo(every == 1 ? List.of(1, 2, 3) : every == 2 ? List.of(2) : List.of());
                    assertThat(results.get(i).layers()).filteredOn(l -> l.layer() < cell.settings().depth())
                            .allMatch(l -> l.correlation() != null && Double.isFinite(l.correlation()));
                    assertThat(results.get(i).theory().sigmaB2()).as(cell.toString())
                            .isEqualTo(cell.settings().biasStd() * cell.settings().biasStd());
                }
            }
        }
    }

    /**
     * Shapes where libnd4j picks other BLAS calls or loops: a last minibatch of one row, a minibatch larger than the
     * split, one input and one output, several regression outputs, four classes with a bias and odd widths, a layer
     * wider than OpenBLAS's blocks, and passes over groups of cells (probe and evaluation buffers too small for all).
     */
    @Test
    void theBitsHoldAtTheEdgesOfTheShapes() {
        Fixtures.Sweep spirals = Fixtures.sweep("""
                name: edges
                seeds: 2
                grid: {scheme: [he_normal]}
                model: {depth: 2, width: 12, activation: relu}
                training: {epochs: 2, batch-size: 10, learning-rate: 0.05}
                data: {dataset: spirals, samples: 150}
                """);
        int trainRows = spirals.dataset(spirals.cells().get(0)).trainRows();
        List<String> specs = List.of(
                // minibatches of trainRows − 1 and 1 rows
                """
                        seeds: 2
                        grid: {scheme: [he_normal]}
                        model: {depth: 2, width: 12, activation: relu}
                        training: {epochs: 2, batch-size: %d, learning-rate: 0.05}
                        data: {dataset: spirals, samples: 150}
                        """.formatted(trainRows - 1),
                """
                        seeds: 2
                        grid: {scheme: [he_normal]}
                        model: {depth: 2, width: 12, activation: tanh}
                        training: {epochs: 2, batch-size: 100000, learning-rate: 0.05, precision: float64}
                        data: {dataset: spirals, samples: 150}
                        """,
                """
                        seeds: 2
                        grid: {scheme: [lecun_normal]}
                        model: {depth: 3, width: 9, activation: tanh}
                        training: {epochs: 2, batch-size: 16, optimizer: adam, learning-rate: 0.01}
                        data: {dataset: regression, function: sine, samples: 160}
                        """,
                """
                        seeds: 2
                        grid: {scheme: [xavier_uniform]}
                        model: {depth: 2, width: 10, activation: relu}
                        training: {epochs: 2, batch-size: 16, learning-rate: 0.02}
                        data: {dataset: teacher, task: regression, outputs: 3, features: 5, samples: 160}
                        """,
                """
                        seeds: 2
                        grid: {scheme: [orthogonal, "uniform(bound=0.3)"]}
                        model: {depth: 5, width: 40, activation: relu, bias-init: 0.1}
                        training: {epochs: 2, batch-size: 24, optimizer: adam, learning-rate: 0.005}
                        data: {dataset: blobs, samples: 300, features: 7, classes: 4}
                        """,
                """
                        seeds: 1
                        grid: {scheme: [he_normal]}
                        model: {depth: 2, width: 300, activation: relu}
                        training: {epochs: 1, batch-size: 64, learning-rate: 0.01}
                        data: {dataset: blobs, samples: 200, features: 20, classes: 3}
                        """);
        for (String spec : specs) {
            Fixtures.Sweep sweep = Fixtures.sweep("name: edges\n" + spec);
            assertSameBitsAsOneNetwork(batched, sweep.cells(), sweep.dataset(sweep.cells().get(0)));
        }
        // seven cells: probe passes of two cells (7 × 64 rows hold two probe batches of 192), evaluation passes of
        // two (buffers for 2 × 192 rows of the 16 units), the last pass of each with one cell
        Fixtures.Sweep groups = Fixtures.sweep("""
                name: groups
                seeds: 7
                grid: {scheme: [he_normal]}
                model: {depth: 2, width: 16, activation: relu}
                training: {epochs: 2, batch-size: 64, learning-rate: 0.05}
                data: {dataset: spirals, samples: 240}
                """);
        Dataset data = groups.dataset(groups.cells().get(0));
        BatchedCellTrainer smallBuffers = new BatchedCellTrainer(1, true, Set.of(), 3L * 2 * data.trainRows() * 16);
        try (BatchedNetwork network = smallBuffers.initialNetwork(groups.cells(), data)) {
            assertThat(network.probeGroup()).isEqualTo(2);
            assertThat(network.evalGroup()).isEqualTo(2);
        }
        assertSameBitsAsOneNetwork(smallBuffers, groups.cells(), data);
    }

    @Test
    void onlyBatchableCellsAtOneNativeThreadClaimTheBitsOfTheOneNetworkPath() {
        Fixtures.Sweep grid = sweep("relu", SPIRALS, "float32");
        Fixtures.Sweep dataParallel = Fixtures.sweep("""
                name: dp
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {depth: 2, width: 8, activation: relu}
                data: {dataset: spirals, samples: 100}
                execution: {mode: data-parallel}
                """);
        assertThat(BatchedCellTrainer.bitwiseEqualToPerCell(grid.cells().get(0).settings())).isTrue();
        assertThat(BatchedCellTrainer.bitwiseEqualToPerCell(grid.cells().get(0).settings(), 2)).isFalse();
        assertThat(BatchedCellTrainer.bitwiseEqualToPerCell(dataParallel.cells().get(0).settings())).isFalse();
        // the settings the batch implements since the theory integration claim it too
        Fixtures.Sweep theory = Fixtures.sweep("""
                name: theory
                seeds: 1
                grid: {scheme: [he_normal], bias-std: [0.5]}
                model: {depth: 2, width: 8, activation: tanh}
                training: {diagnostics-every: 1}
                data: {dataset: spirals, samples: 100}
                """);
        assertThat(BatchedCellTrainer.bitwiseEqualToPerCell(theory.cells().get(0).settings())).isTrue();
        // networks the batch does not implement never claim it, at any thread count
        for (String model : List.of("architecture: residual", "normalization: batch", "normalization: layer")) {
            Fixtures.Sweep other = Fixtures.sweep("""
                    name: other
                    seeds: 1
                    grid: {scheme: [he_normal]}
                    model: {depth: 2, width: 8, activation: relu, %s}
                    data: {dataset: spirals, samples: 100}
                    """.formatted(model));
            assertThat(BatchedCellTrainer.bitwiseEqualToPerCell(other.cells().get(0).settings())).as(model)
                    .isFalse();
            assertThatThrownBy(() -> batched.train(other.cells(), other.dataset(other.cells().get(0))))
                    .as(model).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no batch key");
        }
    }

    @Test
    void aCellStartsFromTheBitsTheOneNetworkPathDraws() {
        for (String precision : List.of("float32", "float64")) {
            Fixtures.Sweep sweep = Fixtures.sweep("""
                    name: init
                    seeds: 2
                    grid: {scheme: [he_normal, orthogonal, lecun_uniform, zero], bias-std: [0.0, 0.2]}
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
                    assertThat(network.bytes()).as(optimizer + " " + precision).isEqualTo(BatchedNetwork.bytes(5, 7, 3,
                            3, 24, sweep.cells().get(0).settings().precision(),
                            sweep.cells().get(0).settings().optimizer(), 50, data.probeRows(),
                            Math.max(data.trainRows(), data.testRows())));
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
                assertSameBits(result, oneNetwork.train(cells.get(i), data));
            } else {
                assertThat(result.status()).as(scheme).isEqualTo(RunStatus.OK);
                assertThat(result.epochs()).hasSize(4);
                assertSameBits(result, oneNetwork.train(cells.get(i), data));
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

    /** Trains the cells as one batch and each alone with DL4J; every result must be the same bits. */
    private void assertSameBitsAsOneNetwork(BatchedCellTrainer trainer, List<Cell> cells, Dataset data) {
        List<CellResult> results = trainer.train(cells, data);
        for (int i = 0; i < cells.size(); i++) {
            Cell cell = cells.get(i);
            assertThat(BatchedCellTrainer.bitwiseEqualToPerCell(cell.settings())).as(cell.toString()).isTrue();
            CellResult expected = oneNetwork.train(cell, data);
            assertRealTraining(cell, expected);
            assertSameBits(results.get(i), expected);
        }
    }

    /**
     * A real training to compare: finite epochs; statistics at init, every diagnostics-every epochs and at the end;
     * a theory and an init Jacobian.
     */
    private static void assertRealTraining(Cell cell, CellResult expected) {
        String what = cell.toString();
        int epochs = cell.settings().epochs();
        int every = cell.settings().diagnosticsEvery();
        int measurements = 2 + (every > 0 ? (epochs - 1) / every : 0);
        assertThat(expected.status()).as(what).isEqualTo(RunStatus.OK);
        assertThat(expected.epochs()).as(what).hasSize(epochs + 1);
        assertThat(expected.layers()).as(what).hasSize(measurements * (cell.settings().depth() + 1));
        assertThat(expected.theory()).as(what).isNotNull();
        assertThat(expected.jacobian()).as(what).isNotNull();
    }

    private static void assertSameBits(CellResult actual, CellResult expected) {
        String what = actual.cell().toString();
        assertThat(actual.status()).as(what).isEqualTo(expected.status());
        assertThat(actual.divergedEpoch()).as(what).isEqualTo(expected.divergedEpoch());
        assertThat(actual.error()).as(what).isEqualTo(expected.error());
        // records compare double components bit for bit (Double.compare, boxed Double.equals)
        assertThat(actual.epochs()).as(what).containsExactlyElementsOf(expected.epochs());
        assertThat(actual.layers()).as(what).containsExactlyElementsOf(expected.layers());
        assertThat(actual.theory()).as(what).isEqualTo(expected.theory());
        assertThat(actual.jacobian()).as(what).isEqualTo(expected.jacobian());
    }

    /** The memory bound that splits a large group into several batches: the most cells whose batch fits it. */
    @Test
    void maxCellsIsTheLargestBatchThatFitsTheMemoryBudget() {
        Fixtures.Sweep sweep = sweep("relu", SPIRALS, "float32");
        Cell cell = sweep.cells().get(0);
        Dataset data = sweep.dataset(cell);
        CellSettings s = cell.settings();
        java.util.function.IntToLongFunction bytes = k -> BatchedNetwork.bytes(k, data.identity().features(),
                data.identity().outputs(), s.depth(), s.width(), s.precision(), io.initsweep.model.Optimizer.ADAM,
                Math.min(s.batchSize(), data.trainRows()), data.probeRows(),
                Math.max(data.trainRows(), data.testRows()));
        assertThat(bytes.applyAsLong(6)).isGreaterThan(bytes.applyAsLong(5));
        assertThat(BatchedCellTrainer.maxCells(cell, data, bytes.applyAsLong(5))).isEqualTo(5);
        assertThat(BatchedCellTrainer.maxCells(cell, data, bytes.applyAsLong(6) - 1)).isEqualTo(5);
        assertThat(BatchedCellTrainer.maxCells(cell, data, bytes.applyAsLong(37))).isEqualTo(37);
        // not even two cells fit: every cell alone
        assertThat(BatchedCellTrainer.maxCells(cell, data, bytes.applyAsLong(2) - 1)).isEqualTo(1);
        // a small network is never split at the real budget
        assertThat(BatchedCellTrainer.maxCells(cell, data, BatchedCellTrainer.MEMORY_BUDGET_BYTES))
                .isGreaterThan(64);
    }

    private static double[] doubles(INDArray array) {
        return Propagation.doubles(array);
    }
}
