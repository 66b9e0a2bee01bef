package io.initsweep.dl4j;

import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;
import io.initsweep.grid.CellBatches;
import io.initsweep.init.RandomBiases;
import io.initsweep.init.SchemeKind;
import io.initsweep.init.SchemeSpec;
import io.initsweep.spec.CellSettings;
import io.initsweep.theory.CellTheory;
import io.initsweep.train.CellResult;
import io.initsweep.train.CellTrainer;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.JacobianSpectrum;
import io.initsweep.train.LayerStats;
import io.initsweep.train.Provenance;
import io.initsweep.train.RunStatus;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Trains cells that share a network shape and a dataset ({@link CellBatches}) together, as one batched computation
 * ({@link BatchedNetwork}), and records for each cell exactly what {@link Dl4jCellTrainer} records: epoch 0 (the
 * loss of the whole training split at initialization) and every epoch's mean minibatch loss, test loss and
 * accuracy and probe-batch gradient norm; layer statistics ({@link Propagation#layerStats}, the probe-pair
 * correlation included) at init, every {@code diagnostics-every} epochs and after training; the mean-field
 * theory's prediction ({@link Dl4jCellTrainer#theory}, from the probe batch's mean square); the input-output
 * Jacobian's spectrum at init ({@link Propagation#jacobian}, on the cell's own network); status and seconds.
 *
 * <p>What each cell keeps of its own: its initial weights (drawn by {@link SchemeWeightInit#draw} from its init
 * seed, LSUV included) and biases ({@code bias-init}, plus {@code bias-std}'s {@link RandomBiases} draws), its
 * minibatch order ({@link Dl4jCellTrainer#epochOrder}), its optimizer, learning rate, momentum and updater state,
 * and how often its layers are measured. A cell whose minibatch loss becomes NaN or infinite stops that epoch as
 * it would alone (its parameters as after that step are evaluated), is recorded as diverged at that epoch and is
 * masked from then on; the other cells go on, bit for bit as if it were not there.
 *
 * <p>Results do not depend on the company a cell keeps: trained alone (K = 1) or among others, a cell gives
 * bitwise-identical epochs and layer statistics at the same backend and native thread count. And they are
 * {@link Dl4jCellTrainer}'s: at one native thread, a cell trained here gives the very bits it gets there — every
 * epoch's losses, accuracy and gradient norm, every layer statistic, the epoch it diverges at — because
 * {@link BatchedNetwork} makes DL4J's floating-point operations for each cell ({@link #bitwiseEqualToPerCell}).
 *
 * <p>Failures: a cell whose initialization throws is failed alone before training. If the batched computation
 * throws, every remaining cell is trained again alone, so one bad cell fails only itself and the others still get
 * the bits they would have got in the batch. Each result's {@code wallSeconds} is its share of the batch's time.
 *
 * <p>Thread safety: an instance may train batches on several threads at once; each batch has its own buffers.
 * Needs the CPU backend ({@link #supported()}).
 */
public final class BatchedCellTrainer implements CellTrainer {
    private static final Logger log = LoggerFactory.getLogger(BatchedCellTrainer.class);

    private final int nativeThreads;
    private final boolean recordLayers;
    private final Set<String> failTraining;
    private final long evaluationValues;

    /**
     * @param nativeThreads threads per task (the task's cores)
     * @param recordLayers  whether to measure per-layer statistics (at init, after training and every
     *                      {@code diagnostics-every} epochs) and the input-output Jacobian at init, as
     *                      {@link Dl4jCellTrainer} does; the theory's prediction is computed either way
     */
    public BatchedCellTrainer(int nativeThreads, boolean recordLayers) {
        this(nativeThreads, recordLayers, Set.of());
    }

    /** @param failTraining test-only: cell ids whose training throws, to exercise the failed-cell path */
    public BatchedCellTrainer(int nativeThreads, boolean recordLayers, Set<String> failTraining) {
        this(nativeThreads, recordLayers, failTraining, BatchedNetwork.EVALUATION_VALUES);
    }

    /** @param evaluationValues test-only: values of a batch's evaluation buffers (fewer: more evaluation passes) */
    BatchedCellTrainer(int nativeThreads, boolean recordLayers, Set<String> failTraining, long evaluationValues) {
        this.nativeThreads = nativeThreads;
        this.recordLayers = recordLayers;
        this.failTraining = Set.copyOf(failTraining);
        this.evaluationValues = evaluationValues;
    }

    /**
     * Whether a cell with these settings, trained in a batch, gets the bits {@link Dl4jCellTrainer} gives it at one
     * native thread per cell ({@code cores-per-cell: 1}, the default): true for every cell that may be batched
     * ({@link CellBatches#batchable}: all activations, optimizers, precisions, tasks, schemes and LSUV, bias-init
     * and bias-std, diagnostics-every; tested bit for bit in {@code TestBatchedCellTrainer}), false for data-parallel,
     * residual and normalized cells, which are never batched. With more threads per cell see
     * {@link #bitwiseEqualToPerCell(CellSettings, int)}.
     */
    public static boolean bitwiseEqualToPerCell(CellSettings settings) {
        return bitwiseEqualToPerCell(settings, 1);
    }

    /**
     * Whether a batched cell gets {@link Dl4jCellTrainer}'s bits when both train with {@code nativeThreads} threads
     * per cell. Only at one thread: with more, libnd4j sums arrays of 2,048 values or more in one part per thread
     * (measured: the gradient norm of a 4×64 network differs in the 6th digit at two threads, the losses of small
     * arrays do not), and which parts it makes also depends on whether its thread pool is free at that moment, so
     * the per-cell path itself is not reproducible there across concurrent tasks. The batch sums those arrays in one
     * part, as DL4J does at one thread.
     */
    public static boolean bitwiseEqualToPerCell(CellSettings settings, int nativeThreads) {
        return CellBatches.batchable(settings) && nativeThreads == 1;
    }

    /**
     * Native memory one batch may hold (its parameters, gradients, updater state and activation buffers,
     * {@link BatchedNetwork#bytes()}): a group of cells that would need more is trained in several batches. Batching
     * pays off for small networks, whose steps are mostly ND4J's fixed per-operation cost; a network large enough to
     * reach this bound with a few cells is BLAS-bound, where a batch gains little, so the bound costs no speed. It
     * keeps a task of wide cells within about what an executor core's share of memory is on common clusters.
     */
    public static final long MEMORY_BUDGET_BYTES = 512L << 20;

    /**
     * The most cells of {@code cell}'s shape one batch on {@code dataset} holds within {@code budgetBytes} (at least
     * 1), counting every cell with Adam's two state arrays, the most any update rule keeps.
     */
    static int maxCells(Cell cell, Dataset dataset, long budgetBytes) {
        CellSettings s = cell.settings();
        int batchRows = Math.min(s.batchSize(), dataset.trainRows());
        int evalRows = Math.max(dataset.trainRows(), dataset.testRows());
        java.util.function.IntToLongFunction bytes = k -> BatchedNetwork.bytes(k, dataset.identity().features(),
                dataset.identity().outputs(), s.depth(), s.width(), s.precision(),
                io.initsweep.model.Optimizer.ADAM, batchRows, dataset.probeRows(), evalRows);
        if (bytes.applyAsLong(2) > budgetBytes) {
            return 1;
        }
        int low = 2;
        int high = 4;
        while (high < (1 << 16) && bytes.applyAsLong(high) <= budgetBytes) {
            low = high;
            high *= 2;
        }
        while (high - low > 1) { // bytes(low) fits, bytes(high) does not
            int mid = (low + high) >>> 1;
            if (bytes.applyAsLong(mid) <= budgetBytes) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * Whether this JVM's ND4J backend keeps arrays in host memory, which the batched computation's direct BLAS
     * calls need. False on CUDA: train cells one by one with {@link Dl4jCellTrainer} there.
     */
    public static boolean supported() {
        return Nd4j.getBackend().getClass().getName().startsWith("org.nd4j.linalg.cpu.");
    }

    @Override
    public CellResult train(Cell cell, Dataset dataset) {
        return train(List.of(cell), dataset).get(0);
    }

    /**
     * Trains the cells as one batch.
     *
     * @param cells cells that {@link CellBatches#compatible may share a batch}, all on {@code dataset}
     * @return one result per cell, in the order given
     * @throws IllegalArgumentException if the cells cannot share a batch or were expanded on another dataset
     */
    public List<CellResult> train(List<Cell> cells, Dataset dataset) {
        check(cells, dataset);
        Provenance provenance = Nd4jRuntime.initialize(nativeThreads);
        Batch batch = new Batch(cells, dataset, provenance);
        try {
            return batch.run();
        } catch (RuntimeException e) {
            if (cells.size() == 1) {
                log.warn("cell {} failed: {}", cells.get(0).cellId(), e.toString(), e);
                return List.of(batch.failedResult(0, e));
            }
            log.warn("a batch of {} cells failed ({}); training each cell alone", cells.size(), e.toString(), e);
            List<CellResult> results = new ArrayList<>();
            for (Cell cell : cells) {
                results.add(train(List.of(cell), dataset).get(0));
            }
            return results;
        }
    }

    /**
     * The network of a batch as training would start it (weights drawn, LSUV applied), rows in the order of
     * {@code cells} when they share one update rule; the caller closes it. For tests.
     */
    BatchedNetwork initialNetwork(List<Cell> cells, Dataset dataset) {
        check(cells, dataset);
        Nd4jRuntime.initialize(nativeThreads);
        Batch batch = new Batch(cells, dataset, null);
        batch.initialize();
        return batch.network;
    }

    private static void check(List<Cell> cells, Dataset dataset) {
        if (cells.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one cell");
        }
        if (!CellBatches.compatible(cells)) {
            Cell first = cells.get(0);
            Cell other = cells.stream().filter(c -> !CellBatches.key(c).equals(CellBatches.key(first)))
                    .findFirst().orElse(first);
            throw new IllegalArgumentException("cells of one batch must share dataset, depth, width, activation, "
                    + "precision, batch size and epochs, and each must be a plain MLP that trains in one task (not "
                    + "data-parallel, residual, normalized or transfer): cell " + first.cellId() + " has "
                    + describeKey(first) + ", cell " + other.cellId() + " has " + describeKey(other));
        }
        for (Cell cell : cells) {
            if (!cell.datasetSha256().equals(dataset.identity().sha256())) {
                throw new IllegalArgumentException("cell " + cell.cellId() + " was expanded on dataset "
                        + cell.datasetSha256() + ", not on " + dataset);
            }
        }
    }

    private static String describeKey(Cell cell) {
        return CellBatches.key(cell).map(Object::toString).orElse("no batch key (data-parallel, residual, "
                + "normalized or transfer)");
    }

    /** One cell's record while its batch trains. */
    private static final class Run {
        final Cell cell;
        final List<EpochMetrics> epochs = new ArrayList<>();
        final List<LayerStats> layers = new ArrayList<>();
        RunStatus status;
        Integer divergedEpoch;
        String error;
        double[][] weights;
        double[][] biases;
        CellTheory theory;
        JacobianSpectrum jacobian;

        Run(Cell cell) {
            this.cell = cell;
        }
    }

    /** The training of one batch: the cells' runs, in the network's row order. */
    private final class Batch {
        private final List<Cell> cells;
        private final Dataset dataset;
        private final Provenance provenance;
        private final Run[] runs;
        private final long start = System.nanoTime();
        private final int trainRows;
        private final int batchSize;
        private Run[] rows;
        private BatchedNetwork network;

        Batch(List<Cell> cells, Dataset dataset, Provenance provenance) {
            this.cells = cells;
            this.dataset = dataset;
            this.provenance = provenance;
            this.runs = cells.stream().map(Run::new).toArray(Run[]::new);
            this.trainRows = dataset.trainRows();
            this.batchSize = Math.min(cells.get(0).settings().batchSize(), trainRows);
        }

        List<CellResult> run() {
            try {
                initialize();
                if (rows.length > 0) {
                    trainAll();
                }
            } finally {
                if (network != null) {
                    network.close();
                }
            }
            // Each cell's wall time is an equal share of the batch's: the cells of a batch are trained by the same
            // operations, so no cell of it took longer than another.
            double share = seconds() / runs.length;
            Instant finished = Instant.now();
            Provenance batched = provenance.withBatchCells(runs.length);
            List<CellResult> results = new ArrayList<>();
            for (Run r : runs) {
                RunStatus status = r.status == null ? RunStatus.OK : r.status;
                results.add(new CellResult(r.cell, dataset.identity(), status, r.error, r.divergedEpoch,
                        r.epochs, r.layers, share, finished, batched, r.theory, r.jacobian));
            }
            return results;
        }

        CellResult failedResult(int index, Exception e) {
            Run r = runs[index];
            return new CellResult(r.cell, dataset.identity(), RunStatus.FAILED, describe(e), null, r.epochs,
                    r.layers, seconds(), Instant.now(), provenance, r.theory, r.jacobian);
        }

        private double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }

        /**
         * Draws every cell's weights and biases (a failure fails that cell only), computes each cell's theory,
         * builds the network, applies LSUV: what {@code Networks.build}, {@link Dl4jCellTrainer#theory} and
         * {@code CellNetwork.prepare} do for one cell, in that order.
         */
        private void initialize() {
            CellSettings shared = cells.get(0).settings();
            int[][] shapes = io.initsweep.grid.Grid.layout(shared, dataset.identity()).shapes();
            // the same for every cell: the probe batch is the dataset's, in the batch's precision
            double probeMeanSquare = Dl4jCellTrainer.probeMeanSquare(
                    Dl4jCellTrainer.DeviceData.of(dataset, shared.precision()).probeX());
            List<Run> trainable = new ArrayList<>();
            for (Run r : runs) {
                try {
                    CellSettings s = r.cell.settings();
                    r.weights = new double[shapes.length][];
                    r.biases = new double[shapes.length][];
                    for (int l = 0; l < shapes.length; l++) {
                        r.weights[l] = SchemeWeightInit.draw(s.schemeOf(l).label(), s.activation().canonicalName(),
                                Networks.layerSeed(r.cell.initSeed(), l), shapes[l][0], shapes[l][1]);
                        r.biases[l] = biases(r.cell, l, shapes[l][1]);
                    }
                    r.theory = Dl4jCellTrainer.theory(r.cell, dataset.identity(), probeMeanSquare);
                    trainable.add(r);
                } catch (RuntimeException e) {
                    log.warn("cell {} failed: {}", r.cell.cellId(), e.toString(), e);
                    fail(r, e);
                }
            }
            // cells with equal update rules are neighbours, so each rule is one op over a block of rows
            trainable.sort(Comparator.comparing((Run r) -> updater(r).optimizer())
                    .thenComparingDouble(r -> updater(r).learningRate())
                    .thenComparingDouble(r -> updater(r).momentum()));
            rows = trainable.toArray(Run[]::new);
            if (rows.length == 0) {
                return;
            }
            network = new BatchedNetwork(dataset, shared.depth(), shared.width(), shared.activation(),
                    shared.precision(), Arrays.stream(rows).map(BatchedCellTrainer::updater).toList(), batchSize,
                    evaluationValues);
            for (int k = 0; k < rows.length; k++) {
                for (int l = 0; l < shapes.length; l++) {
                    network.setLayer(k, l, rows[k].weights[l], rows[k].biases[l]);
                }
                rows[k].weights = null;
                rows[k].biases = null;
            }
            lsuv();
        }

        /**
         * Layer-sequential unit variance, as {@link Propagation#lsuv} applies it to one network: from the input up,
         * each LSUV layer's weights are divided by the standard deviation of its preactivation on the probe batch
         * until it is within the tolerance of 1 or the iterations are spent; each cell on its own schedule.
         */
        private void lsuv() {
            int k = rows.length;
            double[] tolerance = new double[k];
            int[] maxIterations = new int[k];
            boolean[][] lsuvLayer = new boolean[k][network.layers()];
            boolean any = false;
            for (int c = 0; c < k; c++) {
                CellSettings s = rows[c].cell.settings();
                SchemeSpec last = null;
                for (int l = 0; l < network.layers(); l++) {
                    SchemeSpec scheme = s.schemeOf(l);
                    if (scheme.kind() == SchemeKind.LSUV) {
                        lsuvLayer[c][l] = true;
                        last = scheme;
                    }
                }
                if (last != null) {
                    // like the per-cell path: the last LSUV layer's settings hold for all of the cell's LSUV layers
                    tolerance[c] = last.number("tolerance").getAsDouble();
                    maxIterations[c] = (int) last.number("max-iterations").getAsDouble();
                    any = true;
                }
            }
            if (!any) {
                return;
            }
            for (int l = 0; l < network.layers(); l++) {
                boolean[] todo = new boolean[k];
                int[] done = new int[k];
                for (int c = 0; c < k; c++) {
                    todo[c] = lsuvLayer[c][l] && maxIterations[c] > 0;
                }
                while (anyOf(todo)) {
                    double[] variances = network.lsuvVariance(l, todo);
                    for (int c = 0; c < k; c++) {
                        if (!todo[c]) {
                            continue;
                        }
                        double variance = variances[c];
                        if (!(variance > 0) || !Double.isFinite(variance)
                                || Math.abs(variance - 1.0) < tolerance[c]) {
                            todo[c] = false; // converged, or a dead input no rescaling of this layer can fix
                        } else {
                            network.divideWeights(c, l, Math.sqrt(variance));
                            todo[c] = ++done[c] < maxIterations[c];
                        }
                    }
                }
            }
        }

        private void trainAll() {
            int k = rows.length;
            boolean[] alive = new boolean[k];
            Arrays.fill(alive, true);

            // Epoch 0: layer statistics and the Jacobian at init, the injected failures, then the network as
            // initialized.
            BatchedNetwork.Probe probe = network.probe(alive, recordLayers ? alive : null, LayerStats.Phase.INIT, 0);
            for (int c = 0; c < k; c++) {
                if (probe.stats().get(c) != null) {
                    rows[c].layers.addAll(probe.stats().get(c));
                }
                if (recordLayers) {
                    rows[c].jacobian = jacobian(c);
                }
                if (failTraining.contains(rows[c].cell.cellId())) {
                    fail(rows[c], new IllegalStateException("injected training failure of cell "
                            + rows[c].cell.cellId()));
                    mask(c, alive);
                }
            }
            double[] trainLoss = network.evaluate(BatchedNetwork.Split.TRAIN, alive).loss();
            record(0, trainLoss, probe, alive);

            int iteration = 0;
            int epochs = rows[0].cell.settings().epochs();
            for (int epoch = 1; epoch <= epochs && anyOf(alive); epoch++) {
                double[] lossSum = new double[k];
                boolean[] stopped = new boolean[k];
                INDArray[] stoppedParameters = new INDArray[k];
                int[][] order = new int[k][];
                for (int c = 0; c < k; c++) {
                    if (alive[c]) {
                        order[c] = Dl4jCellTrainer.epochOrder(rows[c].cell, epoch, trainRows);
                    }
                }
                for (int from = 0; from < trainRows; from += batchSize) {
                    int size = Math.min(batchSize, trainRows - from);
                    boolean[] on = new boolean[k];
                    int[][] batchRows = new int[k][];
                    for (int c = 0; c < k; c++) {
                        on[c] = alive[c] && !stopped[c];
                        if (on[c]) {
                            batchRows[c] = Arrays.copyOfRange(order[c], from, from + size);
                        }
                    }
                    if (!anyOf(on)) {
                        break;
                    }
                    double[] loss = network.step(batchRows, size, on, iteration++);
                    for (int c = 0; c < k; c++) {
                        if (!on[c]) {
                            continue;
                        }
                        if (Double.isFinite(loss[c])) {
                            lossSum[c] += loss[c] * size;
                        } else {
                            // As alone: the epoch ends with this step's update made; keep these parameters for the
                            // epoch's evaluation while the shared update ops go on over this cell's rows.
                            stopped[c] = true;
                            stoppedParameters[c] = network.snapshot(c);
                        }
                    }
                }
                for (int c = 0; c < k; c++) {
                    if (stopped[c]) {
                        network.restore(c, stoppedParameters[c]);
                        trainLoss[c] = Double.NaN;
                    } else {
                        trainLoss[c] = lossSum[c] / trainRows;
                    }
                }
                probe = network.probe(alive, measuredAfter(epoch, epochs, alive),
                        epoch == epochs ? LayerStats.Phase.FINAL : LayerStats.Phase.TRAINING, epoch);
                record(epoch, trainLoss, probe, alive);
                for (int c = 0; c < k; c++) {
                    if (alive[c] && probe.stats().get(c) != null) {
                        rows[c].layers.addAll(probe.stats().get(c));
                    }
                }
            }
        }

        /**
         * The cells whose layers are measured after {@code epoch}, as {@link Dl4jCellTrainer} measures one cell's:
         * after the last epoch, and during training every {@code diagnostics-every} epochs (each cell its own);
         * null if none. A cell whose epoch turns out non-finite loses its measurement (it diverged there).
         */
        private boolean[] measuredAfter(int epoch, int epochs, boolean[] alive) {
            if (!recordLayers) {
                return null;
            }
            boolean[] measured = new boolean[rows.length];
            for (int c = 0; c < rows.length; c++) {
                int every = rows[c].cell.settings().diagnosticsEvery();
                measured[c] = alive[c] && (epoch == epochs || (every > 0 && epoch % every == 0));
            }
            return anyOf(measured) ? measured : null;
        }

        /**
         * {@link Propagation#jacobian} of cell {@code c} as initialized: on the cell's own MultiLayerNetwork, made
         * from its configuration with the batch's parameters of the cell (DL4J's flattened layout), so the spectrum
         * comes from the very code and array layout the per-cell path measures with.
         */
        private JacobianSpectrum jacobian(int c) {
            MultiLayerNetwork copy = new MultiLayerNetwork(Networks.configuration(rows[c].cell, dataset.identity()));
            copy.init(network.parameters(c), false);
            try {
                return new Propagation(copy).jacobian(
                        Dl4jCellTrainer.DeviceData.of(dataset, rows[c].cell.settings().precision()).probeX());
            } finally {
                Dl4jCellTrainer.release(copy);
            }
        }

        /** Evaluates the alive cells after an epoch and records it; a non-finite epoch diverges its cell. */
        private void record(int epoch, double[] trainLoss, BatchedNetwork.Probe probe, boolean[] alive) {
            BatchedNetwork.Evaluation test = network.evaluate(BatchedNetwork.Split.TEST, alive);
            for (int c = 0; c < rows.length; c++) {
                if (!alive[c]) {
                    continue;
                }
                Double accuracy = test.correct() == null ? null : (double) test.correct()[c] / dataset.testRows();
                EpochMetrics metrics = new EpochMetrics(epoch, trainLoss[c], test.loss()[c], accuracy,
                        probe.gradNorm()[c]);
                rows[c].epochs.add(metrics);
                if (!metrics.finite()) {
                    rows[c].status = RunStatus.DIVERGED;
                    rows[c].divergedEpoch = epoch;
                    mask(c, alive);
                }
            }
        }

        private void mask(int c, boolean[] alive) {
            alive[c] = false;
            network.zero(c);
        }

        private void fail(Run r, Exception e) {
            r.status = RunStatus.FAILED;
            r.error = describe(e);
            r.epochs.clear();
        }
    }

    /**
     * Layer {@code layer}'s initial biases, as {@link Networks#mlp} sets them: DL4J's constant {@code bias-init},
     * or with {@code bias-std} its {@link RandomBiases} values.
     */
    private static double[] biases(Cell cell, int layer, int units) {
        CellSettings s = cell.settings();
        if (s.biasStd() == 0) {
            double[] constant = new double[units];
            Arrays.fill(constant, s.biasInit());
            return constant;
        }
        return RandomBiases.values(s.biasInit(), s.biasStd(), cell.initSeed(), layer, units);
    }

    private static BatchedNetwork.UpdaterSettings updater(Run r) {
        CellSettings s = r.cell.settings();
        return BatchedNetwork.UpdaterSettings.of(s.optimizer(), s.learningRate(), s.momentum());
    }

    private static boolean anyOf(boolean[] flags) {
        for (boolean flag : flags) {
            if (flag) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public String toString() {
        return "BatchedCellTrainer(threads=" + nativeThreads + ", layers=" + recordLayers + ")";
    }

}
