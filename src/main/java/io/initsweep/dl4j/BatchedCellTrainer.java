package io.initsweep.dl4j;

import io.initsweep.data.Dataset;
import io.initsweep.data.Task;
import io.initsweep.grid.Cell;
import io.initsweep.grid.CellBatches;
import io.initsweep.init.SchemeKind;
import io.initsweep.init.SchemeSpec;
import io.initsweep.spec.CellSettings;
import io.initsweep.train.CellResult;
import io.initsweep.train.CellTrainer;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.LayerStats;
import io.initsweep.train.Provenance;
import io.initsweep.train.RunStatus;

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
 * accuracy and probe-batch gradient norm, layer statistics at init and after training, status and seconds.
 *
 * <p>What each cell keeps of its own: its initial weights (drawn by {@link SchemeWeightInit#draw} from its init
 * seed, LSUV included), its minibatch order ({@link Dl4jCellTrainer#epochOrder}), its optimizer, learning rate,
 * momentum and updater state. A cell whose minibatch loss becomes NaN or infinite stops that epoch as it would alone
 * (its parameters as after that step are evaluated), is recorded as diverged at that epoch and is masked from then
 * on; the other cells go on, bit for bit as if it were not there.
 *
 * <p>Results do not depend on the company a cell keeps: trained alone (K = 1) or among others, a cell gives
 * bitwise-identical epochs and layer statistics at the same backend and native thread count. Against
 * {@link Dl4jCellTrainer} a cell agrees to float rounding (see {@link BatchedNetwork} for where rounding differs).
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

    /**
     * @param nativeThreads threads per task (the task's cores)
     * @param recordLayers  whether to measure per-layer statistics at init and after training
     */
    public BatchedCellTrainer(int nativeThreads, boolean recordLayers) {
        this(nativeThreads, recordLayers, Set.of());
    }

    /** @param failTraining test-only: cell ids whose training throws, to exercise the failed-cell path */
    public BatchedCellTrainer(int nativeThreads, boolean recordLayers, Set<String> failTraining) {
        this.nativeThreads = nativeThreads;
        this.recordLayers = recordLayers;
        this.failTraining = Set.copyOf(failTraining);
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

    /** What the message says of a cell that never shares a batch ({@link CellBatches#key} is empty). */
    private static final String UNBATCHED = "no batch (data-parallel, residual, normalized or transfer)";

    private static void check(List<Cell> cells, Dataset dataset) {
        if (cells.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one cell");
        }
        if (!CellBatches.compatible(cells)) {
            Cell first = cells.get(0);
            Cell other = cells.stream().filter(c -> !CellBatches.key(c).equals(CellBatches.key(first)))
                    .findFirst().orElse(first);
            throw new IllegalArgumentException("cells of one batch must share dataset, depth, width, activation, "
                    + "precision, batch size and epochs, and none may be a cell that never shares one: cell "
                    + first.cellId() + " has " + CellBatches.key(first).map(Object::toString).orElse(UNBATCHED)
                    + ", cell " + other.cellId() + " has "
                    + CellBatches.key(other).map(Object::toString).orElse(UNBATCHED));
        }
        for (Cell cell : cells) {
            // Settings this trainer does not implement yet must never be trained as if absent.
            if (cell.settings().biasStd() != 0 || cell.settings().diagnosticsEvery() != 0) {
                throw new IllegalArgumentException("cell " + cell.cellId() + " uses bias-std or diagnostics-every, "
                        + "which the batched trainer does not implement; train it with the per-cell trainer");
            }
            if (!cell.datasetSha256().equals(dataset.identity().sha256())) {
                throw new IllegalArgumentException("cell " + cell.cellId() + " was expanded on dataset "
                        + cell.datasetSha256() + ", not on " + dataset);
            }
        }
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
        private final int probeRows;
        private final int chunkRows;
        private Run[] rows;
        private BatchedNetwork network;

        Batch(List<Cell> cells, Dataset dataset, Provenance provenance) {
            this.cells = cells;
            this.dataset = dataset;
            this.provenance = provenance;
            this.runs = cells.stream().map(Run::new).toArray(Run[]::new);
            this.trainRows = dataset.trainRows();
            this.batchSize = Math.min(cells.get(0).settings().batchSize(), trainRows);
            this.probeRows = dataset.probeRows();
            // evaluation passes reuse the buffers sized for the larger of a minibatch and the probe batch
            this.chunkRows = Math.max(batchSize, probeRows);
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
            double share = seconds() / runs.length;
            Instant finished = Instant.now();
            List<CellResult> results = new ArrayList<>();
            for (Run r : runs) {
                RunStatus status = r.status == null ? RunStatus.OK : r.status;
                results.add(new CellResult(r.cell, dataset.identity(), status, r.error, r.divergedEpoch,
                        r.epochs, r.layers, share, finished, provenance));
            }
            return results;
        }

        CellResult failedResult(int index, Exception e) {
            Run r = runs[index];
            return new CellResult(r.cell, dataset.identity(), RunStatus.FAILED, describe(e), null, r.epochs,
                    r.layers, seconds(), Instant.now(), provenance);
        }

        private double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }

        /** Draws every cell's weights (a failure fails that cell only), builds the network, applies LSUV. */
        private void initialize() {
            CellSettings shared = cells.get(0).settings();
            int[][] shapes = io.initsweep.grid.Grid.layout(shared, dataset.identity()).shapes();
            List<Run> trainable = new ArrayList<>();
            for (Run r : runs) {
                try {
                    CellSettings s = r.cell.settings();
                    r.weights = new double[shapes.length][];
                    for (int l = 0; l < shapes.length; l++) {
                        r.weights[l] = SchemeWeightInit.draw(s.schemeOf(l).label(), s.activation().canonicalName(),
                                Networks.layerSeed(r.cell.initSeed(), l), shapes[l][0], shapes[l][1]);
                    }
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
            network = new BatchedNetwork(dataset.features(), dataset.outputs(), shared.depth(), shared.width(),
                    shared.activation(), dataset.identity().task() == Task.CLASSIFICATION, shared.precision(),
                    Arrays.stream(rows).map(BatchedCellTrainer::updater).toList(), chunkRows);
            for (int k = 0; k < rows.length; k++) {
                for (int l = 0; l < shapes.length; l++) {
                    network.setLayer(k, l, rows[k].weights[l], rows[k].cell.settings().biasInit());
                }
                rows[k].weights = null;
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
            BatchedNetwork.Rows probe = (cell, e) -> e;
            for (int l = 0; l < network.layers(); l++) {
                boolean[] todo = new boolean[k];
                int[] done = new int[k];
                for (int c = 0; c < k; c++) {
                    todo[c] = lsuvLayer[c][l] && maxIterations[c] > 0;
                }
                while (anyOf(todo)) {
                    network.load(dataset.trainX(), probeRows, probe, true, todo);
                    network.forward(probeRows, true, todo, l);
                    for (int c = 0; c < k; c++) {
                        if (!todo[c]) {
                            continue;
                        }
                        double variance = network.preactivationVariance(c, l, probeRows);
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

            // Epoch 0: layer statistics at init, the injected failures, then the network as initialized.
            Probe probe = probe(alive, recordLayers ? LayerStats.Phase.INIT : null, 0);
            for (int c = 0; c < k; c++) {
                if (probe.stats != null) {
                    rows[c].layers.addAll(probe.stats.of(c));
                }
                if (failTraining.contains(rows[c].cell.cellId())) {
                    fail(rows[c], new IllegalStateException("injected training failure of cell "
                            + rows[c].cell.cellId()));
                    mask(c, alive);
                }
            }
            double[] trainLoss = evaluate(dataset.trainX(), dataset.trainY(), trainRows, alive, null);
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
                    double[] loss = step(batchRows, size, on, iteration++);
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
                probe = probe(alive, recordLayers && epoch == epochs ? LayerStats.Phase.FINAL : null, epoch);
                record(epoch, trainLoss, probe, alive);
                if (epoch == epochs && probe.stats != null) {
                    for (int c = 0; c < k; c++) {
                        if (alive[c]) {
                            rows[c].layers.addAll(probe.stats.of(c));
                        }
                    }
                }
            }
        }

        /** Evaluates the alive cells after an epoch and records it; a non-finite epoch diverges its cell. */
        private void record(int epoch, double[] trainLoss, Probe probe, boolean[] alive) {
            long[] correct = new long[rows.length];
            boolean classification = dataset.identity().task() == Task.CLASSIFICATION;
            double[] testLoss = evaluate(dataset.testX(), dataset.testY(), dataset.testRows(), alive,
                    classification ? correct : null);
            for (int c = 0; c < rows.length; c++) {
                if (!alive[c]) {
                    continue;
                }
                Double accuracy = classification ? (double) correct[c] / dataset.testRows() : null;
                EpochMetrics metrics = new EpochMetrics(epoch, trainLoss[c], testLoss[c], accuracy,
                        probe.gradNorm[c]);
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

        /** One minibatch of every cell that is on: forward, loss, backward, update; the mean loss per cell. */
        private double[] step(int[][] batchRows, int size, boolean[] on, int iteration) {
            BatchedNetwork.Rows rowsOf = (c, e) -> batchRows[c][e];
            network.load(dataset.trainX(), size, rowsOf, false, on);
            network.forward(size, false, on, network.layers() - 1);
            double[] loss = new double[rows.length];
            network.output(size, dataset.trainY(), rowsOf, on, true, loss, null);
            network.backward(size, false, on, null);
            network.update(size, iteration);
            for (int c = 0; c < loss.length; c++) {
                loss[c] /= size;
            }
            return loss;
        }

        /** Mean loss per cell over {@code total} rows, evaluated in chunks; counts correct predictions if asked. */
        private double[] evaluate(float[] x, float[] y, int total, boolean[] on, long[] correct) {
            double[] sum = new double[rows.length];
            for (int from = 0; from < total; from += chunkRows) {
                int size = Math.min(chunkRows, total - from);
                int first = from;
                BatchedNetwork.Rows rowsOf = (c, e) -> first + e;
                network.load(x, size, rowsOf, true, on);
                network.forward(size, true, on, network.layers() - 1);
                network.output(size, y, rowsOf, on, false, sum, correct);
            }
            for (int c = 0; c < sum.length; c++) {
                sum[c] /= total;
            }
            return sum;
        }

        /** The probe batch forward and backward: the gradient norm of the mean loss, and statistics if asked. */
        private Probe probe(boolean[] on, LayerStats.Phase phase, int epoch) {
            BatchedNetwork.Rows rowsOf = (c, e) -> e;
            network.load(dataset.trainX(), probeRows, rowsOf, true, on);
            network.forward(probeRows, true, on, network.layers() - 1);
            BatchedNetwork.LayerProbe stats = phase == null ? null : network.measureForward(probeRows, on, phase, epoch);
            network.output(probeRows, dataset.trainY(), rowsOf, on, true, new double[rows.length], null);
            network.backward(probeRows, true, on, stats);
            double[] norms = new double[rows.length];
            for (int c = 0; c < norms.length; c++) {
                if (on[c]) {
                    // the gradient of the summed loss, divided by the rows: that of the mean loss
                    norms[c] = network.gradientNorm(c) / probeRows;
                }
            }
            return new Probe(norms, stats);
        }

        private void fail(Run r, Exception e) {
            r.status = RunStatus.FAILED;
            r.error = describe(e);
            r.epochs.clear();
        }
    }

    private record Probe(double[] gradNorm, BatchedNetwork.LayerProbe stats) {
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
