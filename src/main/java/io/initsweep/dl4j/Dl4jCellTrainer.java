package io.initsweep.dl4j;

import io.initsweep.common.Hashing;
import io.initsweep.data.Dataset;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.Task;
import io.initsweep.grid.Cell;
import io.initsweep.grid.SourceCell;
import io.initsweep.init.SchemeKind;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.model.Precision;
import io.initsweep.spec.CellSettings;
import io.initsweep.theory.CellTheory;
import io.initsweep.train.CellResult;
import io.initsweep.train.CellTrainer;
import io.initsweep.train.CellTrainerFactory;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.JacobianSpectrum;
import io.initsweep.train.LayerStats;
import io.initsweep.train.Provenance;
import io.initsweep.train.RunStatus;
import io.initsweep.train.SourceModel;
import io.initsweep.train.SourceResult;
import io.initsweep.train.TrainingStage;
import io.initsweep.train.TransferTrainer;

import org.apache.commons.math3.random.Well19937c;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Trains a cell's network with DL4J and records what happened.
 *
 * <p>At init: the network is built (random biases included), mean-field theory's prediction computed from the
 * probe batch's mean square, LSUV applied, and the layers and the Jacobian measured. Per epoch: the training split
 * is shuffled with a permutation from the cell's order seed, fitted in minibatches, then the whole test split is
 * evaluated and the gradient norm measured on the probe batch. A
 * non-finite loss stops the cell with status diverged; an exception becomes a failed result. Neither is thrown.
 *
 * <p>Thread safety: one instance may train cells on several threads at once; each cell gets its own network.
 */
public final class Dl4jCellTrainer implements TransferTrainer {
    private static final Logger log = LoggerFactory.getLogger(Dl4jCellTrainer.class);

    private final int nativeThreads;
    private final boolean recordLayers;

    /** Makes DL4J trainers on the executors; what the command line hands a sweep. */
    public static final CellTrainerFactory FACTORY = new Factory();

    /**
     * @param nativeThreads threads per cell (the task's cores)
     * @param recordLayers  whether to measure per-layer statistics (at init, after training and every
     *                      {@code diagnostics-every} epochs) and the input-output Jacobian at init; the theory's
     *                      prediction is computed either way
     */
    public Dl4jCellTrainer(int nativeThreads, boolean recordLayers) {
        this.nativeThreads = nativeThreads;
        this.recordLayers = recordLayers;
    }

    private static final class Factory implements CellTrainerFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public CellTrainer create(int nativeThreads, boolean recordLayers) {
            return new Dl4jCellTrainer(nativeThreads, recordLayers);
        }

        /** One instance per JVM, also after deserialization on an executor. */
        private Object readResolve() {
            return FACTORY;
        }
    }

    /**
     * How a cell's epochs are trained, after initialization and before the per-epoch evaluation. The default fits
     * minibatches in this JVM; data-parallel cells plug in a distributed one.
     */
    @FunctionalInterface
    public interface EpochTraining {
        /**
         * Trains one epoch.
         *
         * @return the epoch's training loss; non-finite when it diverged
         */
        double epoch(int epoch);
    }

    /** Starts the epoch training of one cell on its freshly initialized network. */
    @FunctionalInterface
    public interface EpochTrainingFactory {
        EpochTraining start(Cell cell, CellNetwork network);
    }

    /**
     * The data a cell is evaluated on: the probe batch (in this JVM), and the training and test splits wherever
     * they live — in this JVM for grid cells, on the executors for data-parallel cells on a distributed table.
     */
    public interface CellData {
        DatasetIdentity identity();

        /** The first rows of the training split, the same for every cell of the dataset. */
        INDArray probeX();

        INDArray probeY();

        /** Loss of the whole training split. */
        double trainLoss(CellNetwork network);

        /** Loss and accuracy (null for regression) on the whole test split. */
        TestMetrics test(CellNetwork network);
    }

    /** Test-split loss and accuracy. */
    public record TestMetrics(double loss, Double accuracy) {
    }

    @Override
    public CellResult train(Cell cell, Dataset dataset) {
        return train(cell, LocalData.of(dataset, cell.settings().precision()),
                (c, network) -> minibatches(c, network, dataset));
    }

    /**
     * Trains the cells of one task: together, as {@link BatchedCellTrainer} batches, where that gives each cell the
     * bits this trainer gives it alone ({@link #trainsTogether}); otherwise one after another. A group that would
     * hold more than {@link BatchedCellTrainer#MEMORY_BUDGET_BYTES} of native memory in one batch is trained in
     * several batches of equal size.
     */
    @Override
    public List<CellResult> trainGroup(List<Cell> cells, Dataset dataset) {
        if (!trainsTogether(cells, nativeThreads)) {
            return TransferTrainer.super.trainGroup(cells, dataset);
        }
        int most = BatchedCellTrainer.maxCells(cells.get(0), dataset, BatchedCellTrainer.MEMORY_BUDGET_BYTES);
        int parts = (cells.size() + most - 1) / most;
        BatchedCellTrainer batched = new BatchedCellTrainer(nativeThreads, recordLayers);
        List<CellResult> results = new ArrayList<>(cells.size());
        for (int p = 0, from = 0; p < parts; p++) {
            int to = from + (cells.size() - from) / (parts - p); // equal parts, the larger ones last
            List<Cell> part = cells.subList(from, to);
            results.addAll(part.size() == 1 ? List.of(train(part.get(0), dataset)) : batched.train(part, dataset));
            from = to;
        }
        return results;
    }

    /**
     * Whether a task's cells train together as one batch: more than one cell, all of one batch
     * ({@link io.initsweep.grid.CellBatches#compatible}), each trained in a batch to the very bits this trainer gives
     * it alone ({@link BatchedCellTrainer#bitwiseEqualToPerCell(CellSettings, int)}: one native thread per cell), on
     * a backend the batched computation runs on ({@link BatchedCellTrainer#supported()}: not CUDA).
     */
    public static boolean trainsTogether(List<Cell> cells, int nativeThreads) {
        if (cells.size() < 2 || !io.initsweep.grid.CellBatches.compatible(cells)) {
            return false;
        }
        for (Cell cell : cells) {
            if (!BatchedCellTrainer.bitwiseEqualToPerCell(cell.settings(), nativeThreads)) {
                return false;
            }
        }
        Nd4jRuntime.initialize(nativeThreads);
        return BatchedCellTrainer.supported();
    }

    /** A dataset held in this JVM, as ND4J arrays, as the evaluation of a cell reads it. */
    public static CellData localData(Dataset dataset, Precision precision) {
        return LocalData.of(dataset, precision);
    }

    /**
     * Trains a cell with the given epoch training; initialization, evaluation and diagnostics as always.
     *
     * @throws IllegalArgumentException for a transfer cell, which trains from its source's model file
     *                                  ({@link #train(Cell, Dataset, SourceModel)})
     */
    public CellResult train(Cell cell, CellData data, EpochTrainingFactory training) {
        if (cell.source() != null) {
            throw new IllegalArgumentException("cell " + cell.cellId() + " keeps layers of source "
                    + cell.source().sourceId() + ": train it with its source's model file");
        }
        return run(cell, data, dataset -> Networks.build(cell, dataset), training, network -> {
        }, null);
    }

    @Override
    public SourceResult trainSource(SourceCell source, Dataset dataset) {
        byte[][] file = new byte[1][];
        Cell cell = source.cell();
        CellResult result = run(cell, LocalData.of(dataset, cell.settings().precision()),
                identity -> Networks.build(cell, identity), (c, network) -> minibatches(c, network, dataset),
                network -> file[0] = SourceNetwork.write(network), null);
        return new SourceResult(source, result, result.status() == RunStatus.OK
                ? SourceModel.of(source.sourceId(), "source " + source.sourceId(), file[0]) : null);
    }

    @Override
    public CellResult train(Cell cell, Dataset dataset, SourceModel source) {
        return train(cell, dataset, source, network -> {
        });
    }

    /**
     * Trains a transfer cell; {@code whenTrained} sees the network after its last epoch, before it is released
     * (tests read its parameters there).
     */
    CellResult train(Cell cell, Dataset dataset, SourceModel source, Consumer<CellNetwork> whenTrained) {
        if (cell.source() == null || !cell.source().sourceId().equals(source.sourceId())) {
            throw new IllegalArgumentException("cell " + cell.cellId() + " uses source "
                    + (cell.source() == null ? "none" : cell.source().sourceId()) + ", got the model of source "
                    + source.sourceId());
        }
        return run(cell, LocalData.of(dataset, cell.settings().precision()),
                identity -> TransferNetworks.build(cell, identity, source),
                (c, network) -> minibatches(c, network, dataset), whenTrained, source.sha256());
    }

    /**
     * Builds, measures, trains and evaluates one network.
     *
     * @param build        the cell's initialized network (before LSUV)
     * @param whenTrained  called with the network after training ended ok, before it is released; what it throws
     *                     fails the cell
     * @param sourceSha256 a transfer cell's source model hash, recorded in its result; else null
     */
    private CellResult run(Cell cell, CellData data, Function<DatasetIdentity, CellNetwork> build,
                           EpochTrainingFactory training, Consumer<CellNetwork> whenTrained, String sourceSha256) {
        Provenance provenance = Nd4jRuntime.initialize(nativeThreads);
        DatasetIdentity dataset = data.identity();
        long start = System.nanoTime();
        List<EpochMetrics> epochs = new ArrayList<>();
        List<LayerStats> layers = new ArrayList<>();
        CellNetwork network = null;
        CellTheory theory = null;
        JacobianSpectrum jacobian = null;
        try {
            network = build.apply(dataset);
            theory = theory(cell, dataset, data.probeX());
            network.prepare(cell, data.probeX());
            Activation activation = cell.settings().activation();
            if (recordLayers) {
                layers.addAll(network.measure(data.probeX(), data.probeY(), activation, LayerStats.Phase.INIT, 0));
                jacobian = network.jacobian(data.probeX());
            }
            int every = recordLayers ? cell.settings().diagnosticsEvery() : 0;
            int last = cell.settings().epochs();
            CellNetwork trained = network;
            Integer diverged = fit(cell, network, data, epochs, training.start(cell, network), epoch -> {
                if (every > 0 && epoch % every == 0 && epoch < last) {
                    layers.addAll(trained.measure(data.probeX(), data.probeY(), activation,
                            LayerStats.Phase.TRAINING, epoch));
                }
            });
            if (recordLayers && diverged == null) {
                layers.addAll(network.measure(data.probeX(), data.probeY(), activation, LayerStats.Phase.FINAL,
                        last));
            }
            if (diverged == null) {
                whenTrained.accept(network);
            }
            return new CellResult(cell, dataset, diverged == null ? RunStatus.OK : RunStatus.DIVERGED, null,
                    diverged, epochs, layers, seconds(start), Instant.now(), provenance, theory, jacobian,
                    sourceSha256);
        } catch (Exception e) {
            log.warn("cell {} failed: {}", cell.cellId(), e.toString(), e);
            return new CellResult(cell, dataset, RunStatus.FAILED, describe(e), null, epochs, layers,
                    seconds(start), Instant.now(), provenance, theory, jacobian, sourceSha256);
        } finally {
            if (network != null) {
                network.release();
            }
        }
    }

    /**
     * Frees a network's parameters, gradients and updater state at once rather than at the next GC. Unlike
     * {@code MultiLayerNetwork.close()}, it keeps this thread's workspaces for the next cell and forces no garbage
     * collection: close() runs System.gc() twice, and those stop-the-world full collections made two concurrent
     * cells no faster than one after the other (measured: 6 cells, 2.48 s sequential, 2.58 s on 2 threads).
     */
    static void release(MultiLayerNetwork network) {
        release(network.params(), network.getFlattenedGradients(), network.getUpdater(false));
    }

    /** Closes a network's parameters, gradients and updater state (see {@link #release(MultiLayerNetwork)}). */
    static void release(INDArray params, INDArray gradients, org.deeplearning4j.nn.api.Updater updater) {
        if (params != null && params.closeable()) {
            params.close();
        }
        if (gradients != null && gradients.closeable()) {
            gradients.close();
        }
        if (updater != null && updater.getStateViewArray() != null && updater.getStateViewArray().closeable()) {
            updater.getStateViewArray().close();
        }
    }

    /**
     * Mean-field theory's prediction for the cell's network, from the mean square of the probe batch (the data the
     * layer statistics are measured on). The theory describes; it never decides whether a cell trains, so a failure
     * of its numerics (a bug) is logged and recorded as the reason the columns are null, never thrown.
     */
    static CellTheory theory(Cell cell, DatasetIdentity dataset, INDArray probeX) {
        return theory(cell, dataset, probeMeanSquare(probeX));
    }

    /** The mean square of the probe batch's features, the theory's input q⁰ (in double, whatever the precision). */
    static double probeMeanSquare(INDArray probeX) {
        double norm = probeX.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        return norm * norm / probeX.length();
    }

    /** {@link #theory(Cell, DatasetIdentity, INDArray)} from the probe batch's mean square. */
    static CellTheory theory(Cell cell, DatasetIdentity dataset, double meanSquare) {
        try {
            return CellTheory.forCell(cell.settings(), dataset.inputShape(), dataset.outputs(), meanSquare);
        } catch (RuntimeException e) {
            log.warn("cell {}: the mean-field theory failed: {}", cell.cellId(), e.toString(), e);
            return CellTheory.failed(cell.settings().biasStd(), meanSquare, describe(e));
        }
    }

    /**
     * @param afterEpoch called after every finite epoch (1, 2, ...) has been evaluated
     * @return the diverged epoch, or null if every epoch stayed finite
     */
    private static Integer fit(Cell cell, CellNetwork network, CellData data, List<EpochMetrics> epochs,
                               EpochTraining training, java.util.function.IntConsumer afterEpoch) {
        EpochMetrics initial = evaluate(0, data.trainLoss(network), network, data);
        epochs.add(initial);
        if (!initial.finite()) {
            return 0;
        }
        for (int epoch = 1; epoch <= cell.settings().epochs(); epoch++) {
            double trainLoss = training.epoch(epoch);
            EpochMetrics metrics = evaluate(epoch, trainLoss, network, data);
            epochs.add(metrics);
            if (!metrics.finite()) {
                return epoch;
            }
            afterEpoch.accept(epoch);
        }
        return null;
    }

    /**
     * Minibatch SGD in this JVM, in the cell's epoch order; the loss is the mean over the epoch's minibatches. Each
     * of the cell's {@link TrainingStage}s gets its own step (frozen layers, step size, fresh optimizer state) at
     * its first epoch; a cell of one stage gets the one step it always had.
     */
    static EpochTraining minibatches(Cell cell, CellNetwork network, Dataset dataset) {
        DeviceData data = DeviceData.of(dataset, cell.settings().precision());
        int rows = dataset.trainRows();
        int batch = Math.min(cell.settings().batchSize(), rows);
        List<TrainingStage> stages = TrainingStage.of(cell.settings());
        CellNetwork.MinibatchStep[] step = {network.step(cell.settings(), stages.get(0))};
        int[] stage = {0};
        // One minibatch gathered at a time (a shuffled copy of the whole split would double its memory). An MLP's
        // step gets it in the same two arrays every time (a short last minibatch gets its own): the copy is the
        // same, the allocations go. A graph network's step gets fresh arrays, as it always did.
        boolean reuse = network instanceof CellNetwork.Mlp;
        Minibatch full = new Minibatch(data, batch, reuse);
        Minibatch last = rows % batch == 0 ? full : new Minibatch(data, rows % batch, reuse);
        return epoch -> {
            if (!stages.get(stage[0]).covers(epoch)) {
                stage[0]++;
                step[0] = network.step(cell.settings(), stages.get(stage[0]));
            }
            int[] order = epochOrder(cell, epoch, rows);
            double lossSum = 0;
            for (int from = 0; from < rows; from += batch) {
                int[] rowsOfBatch = java.util.Arrays.copyOfRange(order, from, Math.min(rows, from + batch));
                Minibatch minibatch = rowsOfBatch.length == batch ? full : last;
                double loss = step[0].fit(minibatch.features(rowsOfBatch), minibatch.labels(rowsOfBatch));
                if (!Double.isFinite(loss)) {
                    return Double.NaN;
                }
                lossSum += loss * rowsOfBatch.length;
            }
            return lossSum / rows;
        };
    }

    private static EpochMetrics evaluate(int epoch, double trainLoss, CellNetwork network, CellData data) {
        TestMetrics test = data.test(network);
        // DL4J's gradient is the sum over the batch (its updater divides); report the mean loss's gradient.
        double gradNorm = network.gradientNorm(data.probeX(), data.probeY());
        return new EpochMetrics(epoch, trainLoss, test.loss(), test.accuracy(), gradNorm);
    }

    /** The in-memory dataset: every split as ND4J arrays of this JVM. */
    private record LocalData(Dataset dataset, DeviceData arrays) implements CellData {
        static LocalData of(Dataset dataset, Precision precision) {
            return new LocalData(dataset, DeviceData.of(dataset, precision));
        }

        @Override
        public DatasetIdentity identity() {
            return dataset.identity();
        }

        @Override
        public INDArray probeX() {
            return arrays.probeX();
        }

        @Override
        public INDArray probeY() {
            return arrays.probeY();
        }

        @Override
        public double trainLoss(CellNetwork network) {
            return network.score(new DataSet(arrays.trainX(), arrays.trainY()));
        }

        /**
         * Test loss and accuracy. The loss and the output come from {@link CellNetwork#scoreWithOutput} (one forward
         * pass for an MLP); the accuracy is the share of rows whose output's arg max is the label's class.
         */
        @Override
        public TestMetrics test(CellNetwork network) {
            boolean classification = dataset.identity().task() == Task.CLASSIFICATION;
            CellNetwork.Scored scored = network.scoreWithOutput(new DataSet(arrays.testX(), arrays.testY()),
                    classification);
            Double accuracy = null;
            if (classification) {
                long[] predicted = scored.output().argMax(1).toLongVector();
                int[] actual = arrays.testLabels();
                long correct = 0;
                for (int i = 0; i < predicted.length; i++) {
                    if (predicted[i] == actual[i]) {
                        correct++;
                    }
                }
                // the mean of the 0/1 matches, as ND4J's meanNumber() of them: a count over the rows
                accuracy = (double) correct / predicted.length;
            }
            return new TestMetrics(scored.loss(), accuracy);
        }
    }

    /**
     * A minibatch's rows pulled from the training split: into the same two arrays each time where {@code reuse},
     * else into new ones.
     */
    private static final class Minibatch {
        private final DeviceData data;
        private final INDArray features;
        private final INDArray labels;

        Minibatch(DeviceData data, int rows, boolean reuse) {
            this.data = data;
            if (reuse) {
                try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    this.features = Nd4j.create(data.trainX().dataType(), rows, data.trainX().columns());
                    this.labels = Nd4j.create(data.trainY().dataType(), rows, data.trainY().columns());
                }
            } else {
                this.features = null;
                this.labels = null;
            }
        }

        INDArray features(int[] rows) {
            return features == null ? Nd4j.pullRows(data.trainX(), 1, rows)
                    : Nd4j.pullRows(data.trainX(), features, 1, rows);
        }

        INDArray labels(int[] rows) {
            return labels == null ? Nd4j.pullRows(data.trainY(), 1, rows)
                    : Nd4j.pullRows(data.trainY(), labels, 1, rows);
        }
    }

    /**
     * LSUV's rescaling of the layers whose scheme is lsuv. A transfer cell's kept layers are never rescaled (they
     * hold the source's trained weights); its new layers are, on the signal the kept layers pass them.
     */
    static void applyLsuv(Cell cell, Propagation propagation, INDArray batch) {
        CellSettings s = cell.settings();
        int layers = s.depth() + 1;
        boolean[] lsuv = new boolean[layers];
        SchemeSpec lsuvScheme = null;
        for (int l = s.transferLayers(); l < layers; l++) {
            SchemeSpec scheme = s.schemeOf(l);
            if (scheme.kind() == SchemeKind.LSUV) {
                lsuv[l] = true;
                lsuvScheme = scheme;
            }
        }
        if (lsuvScheme != null) {
            propagation.lsuv(batch, lsuv, lsuvScheme.number("tolerance").getAsDouble(),
                    (int) lsuvScheme.number("max-iterations").getAsDouble());
        }
    }

    /** The order in which epoch {@code epoch} visits the training rows: a function of the cell's order seed. */
    public static int[] epochOrder(Cell cell, int epoch, int rows) {
        return permutation(rows, Hashing.seed("epoch|" + cell.orderSeed() + "|" + epoch));
    }

    /**
     * One parameter update, as {@code MultiLayerNetwork.fit(features, labels)} makes it — the network's own
     * forward and backward pass, the gradient divided by the minibatch size, the network's updater applied to it,
     * the result subtracted from the parameters — without the optimizer framework around it. That framework
     * rebuilds per-parameter views for regularization every iteration (none is configured here) and was about a
     * fifth of a small cell's time; the result is the same bits (tested against fit()).
     *
     * <p>A stage with frozen layers (a transfer cell's kept layers) updates only the parameters after them: an MLP's
     * flattened parameters are its layers' in order, so the frozen layers are a prefix, and the update skips it —
     * its parameters are never written, so they stay the same bits, and the step costs what an unfrozen one does
     * (the backward pass still computes the prefix's gradient, which nothing reads) minus the skipped updater work.
     * Its optimizer state then covers the trained part only and starts fresh, as every stage's does.
     */
    static final class Step {
        private final MultiLayerNetwork network;
        private final GradientUpdater<?> updater;
        /**
         * The network's flattened gradient and parameters as vectors, without the frozen layers' prefix: views of
         * arrays it keeps for its life.
         */
        private final INDArray gradient;
        private final INDArray params;
        private int iteration;

        /** A step of a cell trained in one stage. */
        Step(MultiLayerNetwork network, CellSettings settings) {
            this(network, settings, new TrainingStage(1, settings.epochs(), 0, settings.learningRate()));
        }

        Step(MultiLayerNetwork network, CellSettings settings, TrainingStage stage) {
            this.network = network;
            IUpdater rule = Networks.updater(settings.optimizer(), stage.learningRate(), settings.momentum());
            long frozen = 0;
            for (int layer = 0; layer < stage.frozenLayers(); layer++) {
                frozen += network.getLayer(layer).numParams();
            }
            if (network.getFlattenedGradients() == null) {
                network.initGradientsView(); // DL4J makes the gradient views at the first backward pass
            }
            KeepingDenseLayer.install(network); // one product fewer per hidden layer and step, the same bits
            INDArray flatGradient = network.getFlattenedGradients();
            INDArray allGradient = flatGradient.reshape(flatGradient.length());
            INDArray allParams = network.params().reshape(network.params().length());
            if (frozen == 0) {
                // The network's own updater state, as fit() uses it (fresh: nothing else ever writes it).
                INDArray state = network.getUpdater().getStateViewArray();
                this.updater = rule.instantiate(state == null ? null : state.reshape(state.length()), false);
                this.gradient = allGradient;
                this.params = allParams;
            } else {
                long size = rule.stateSize(network.numParams() - frozen);
                INDArray state = size == 0 ? null : Nd4j.zeros(network.params().dataType(), size);
                this.updater = rule.instantiate(state, true);
                this.gradient = allGradient.get(NDArrayIndex.interval(frozen, allGradient.length()));
                this.params = allParams.get(NDArrayIndex.interval(frozen, allParams.length()));
            }
        }

        /** @return the minibatch's loss before the update */
        double fit(INDArray features, INDArray labels) {
            network.setInput(features);
            network.setLabels(labels);
            network.computeGradientAndScore();
            gradient.divi(features.rows());
            updater.applyUpdater(gradient, iteration++, 0);
            params.subi(gradient);
            network.setIterationCount(iteration);
            return network.score();
        }
    }

    static int[] permutation(int n, long seed) {
        Well19937c random = new Well19937c(seed);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Each row's arg max (ND4J's: the first maximum), the class of one-hot labels. */
    static int[] argMax(float[] values, int rows, int columns) {
        int[] indexes = new int[rows];
        for (int r = 0; r < rows; r++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < columns; c++) {
                if (values[r * columns + c] > best) {
                    best = values[r * columns + c];
                    indexes[r] = c;
                }
            }
        }
        return indexes;
    }

    /**
     * A dataset as ND4J arrays, built once per dataset and precision and shared read-only by the cells of this
     * JVM, so a sweep does not re-materialize its data for every cell; and the test split's classes.
     */
    record DeviceData(INDArray trainX, INDArray trainY, INDArray testX, INDArray testY, INDArray probeX,
                      INDArray probeY, int[] testLabels) {
        private static final Map<String, DeviceData> CACHE = new LinkedHashMap<>(4, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, DeviceData> eldest) {
                return size() > 4; // a sweep uses one dataset per data seed; keep a few, not all
            }
        };

        static synchronized DeviceData of(Dataset dataset, Precision precision) {
            return CACHE.computeIfAbsent(dataset.identity().sha256() + "|" + precision, key -> {
                INDArray trainX = Networks.matrix(dataset.trainX(), dataset.trainRows(), dataset.features(),
                        precision);
                INDArray trainY = Networks.matrix(dataset.trainY(), dataset.trainRows(), dataset.outputs(),
                        precision);
                int probe = dataset.probeRows();
                return new DeviceData(trainX, trainY,
                        Networks.matrix(dataset.testX(), dataset.testRows(), dataset.features(), precision),
                        Networks.matrix(dataset.testY(), dataset.testRows(), dataset.outputs(), precision),
                        trainX.get(NDArrayIndex.interval(0, probe), NDArrayIndex.all()).dup(),
                        trainY.get(NDArrayIndex.interval(0, probe), NDArrayIndex.all()).dup(),
                        argMax(dataset.testY(), dataset.testRows(), dataset.outputs()));
            });
        }
    }
}
