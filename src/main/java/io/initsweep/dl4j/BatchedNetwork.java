package io.initsweep.dl4j;

import io.initsweep.data.Dataset;
import io.initsweep.model.Activation;
import io.initsweep.model.Optimizer;
import io.initsweep.model.Precision;
import io.initsweep.train.LayerStats;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.EluBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SeluBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftSignBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.ELU;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SELU;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SoftSign;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.api.ops.impl.updaters.NesterovsUpdater;
import org.nd4j.linalg.api.ops.impl.updaters.SgdUpdater;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.bytedeco.javacpp.Pointer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * K multilayer perceptrons of one shape, trained as one computation that gives each of them the bits DL4J gives it
 * alone: {@code depth} dense layers of {@code width} units with one hidden activation, and a softmax/cross-entropy
 * (classification) or identity/mean-squared-error (regression) output layer, as {@link Networks} builds them and
 * {@link Dl4jCellTrainer} trains them (its direct {@code Step}, its evaluation, {@link Propagation}'s statistics).
 *
 * <h2>How the bits stay DL4J's</h2>
 * Every floating-point operation DL4J makes for a cell is made here on the same values, in the same order:
 * <ul>
 * <li><b>products</b>: per cell, the very BLAS call libnd4j makes for DL4J's arrays ({@link HostBlas}): the forward
 * product {@code x·W} into a column-major scratch (DL4J's f-order temporary, later copied into its c-order result),
 * the weight gradient {@code xᵀ·δ}, the input gradient {@code W·δᵀ}; for the statistics, also {@code δ·Wᵀ};</li>
 * <li><b>elementwise and row-wise operations</b> with transcendental functions (activations and their derivatives,
 * softmax, log) and the updaters: the same ND4J ops, run once over the rows of all cells; each value (each row, for
 * softmax) is computed by the same code whatever its position in the array (measured for every op used here, float
 * and double), so a batch gives each cell's values the bits its own array gets;</li>
 * <li><b>the bias</b> added after the product (DL4J's {@code addiRowVector}), one broadcast op for all cells that
 * also does DL4J's copy of the product into row-major order; <b>the bias gradient</b> as libnd4j's sum over the
 * examples (a sum op over the examples' dimension of all cells, sequential in each column like DL4J's);</li>
 * <li><b>losses, norms, accuracy</b>: libnd4j reduces a 2-D array sequentially, in the array's order and in its
 * own precision (float sums for float32, measured at one native thread); these few reductions are computed here in
 * Java the same way — float arithmetic as double arithmetic rounded after each operation, which gives the same
 * result for +, −, ×, ÷ and √. The clip of the softmax before the log, the division by the rows and the arg max
 * (the first of equal maxima) follow DL4J's {@code LossMCXENT}, {@code LossMSE} and ND4J's {@code argMax}.</li>
 * </ul>
 * Each cell's parameters, gradient and updater state are one row, laid out as DL4J's flattened arrays (per layer
 * the weights in f order, then the biases), so the norm of the gradient sums in DL4J's order. Examples are stored
 * row-major per cell ({@code cell · rows + example} is a row), as DL4J's activations are.
 *
 * <p>Bits are DL4J's at one native thread per cell, as sweeps train; with more threads libnd4j splits reductions
 * over threads and the per-cell path's bits change with the thread count anyway.
 *
 * <h2>Cost</h2>
 * A ReLU step costs {@code 4·depth + 4} ND4J operations whatever K (bias add and activation per layer, bias
 * gradient and activation derivative per layer, softmax, log, one division, one updater op per group of equal
 * update rules, one subtraction, the gathering of inputs) and {@code K·(3·depth + 2)} BLAS calls, where DL4J issues
 * about a dozen ND4J operations per layer, per step and per cell. Evaluation passes cover whole splits at once, as
 * DL4J's do (their products have the split's rows: cutting them into chunks could change OpenBLAS's kernels), in
 * groups of cells that fit a fixed buffer.
 *
 * <h2>Bitwise independence of the batch</h2>
 * Nothing a cell computes reads another cell's values, so a cell's bits do not depend on K or on its neighbours.
 * A cell that is "off" (masked, or stopped for the rest of an epoch) is skipped by the products and the Java
 * reductions; the batch-wide ops still run over its rows, whose values are then meaningless and never read.
 */
final class BatchedNetwork implements AutoCloseable {
    /** Values of evaluation buffers per batch (64 MiB in float): evaluation passes cover as many cells as fit. */
    static final long EVALUATION_VALUES = 1L << 24;
    private static final int CHUNK = 1 << 13;

    /** Where the examples of a pass come from: the dataset row of example e of cell k. */
    @FunctionalInterface
    interface Rows {
        int row(int cell, int example);
    }

    /** A cell's update rule; cells with equal settings share one updater op per step. */
    record UpdaterSettings(Optimizer optimizer, double learningRate, double momentum) {
        static UpdaterSettings of(Optimizer optimizer, double learningRate, double momentum) {
            // momentum only matters to the momentum optimizer; other cells must not split on it
            return new UpdaterSettings(optimizer, learningRate, optimizer == Optimizer.MOMENTUM ? momentum : 0);
        }
    }

    /** The split an evaluation covers. */
    enum Split { TRAIN, TEST }

    /** Loss (mean over the split's rows) and, for classification, correct predictions per cell. */
    record Evaluation(double[] loss, long[] correct) {
    }

    /** The probe batch's gradient norm per cell (that of the mean loss), and statistics if asked. */
    record Probe(double[] gradNorm, List<List<LayerStats>> stats) {
    }

    private final int cells;
    private final int depth;
    private final int features;
    private final int outputs;
    private final int maxWidth;
    private final int[] fanIn;
    private final int[] fanOut;
    private final long[] offsetW;
    private final long[] offsetB;
    private final long parameters;
    private final boolean single;
    private final Activation hidden;
    private final boolean classification;
    private final Dataset dataset;
    private final Dl4jCellTrainer.DeviceData data;
    private final int batchRows;
    private final int probeRows;
    private final int evalRows;
    private final int probeGroup;
    private final int evalGroup;

    private final HostArray params;
    private final HostArray gradients;
    private final INDArray paramMatrix;
    private final INDArray gradientMatrix;
    private final HostArray input;
    private final HostArray[] pre;
    private final HostArray[] post;
    private final HostArray product;
    private final HostArray eps1;
    private final HostArray eps2;
    private final HostArray out;
    private final HostArray logs;
    private final HostArray eval1;
    private final HostArray eval2;
    private final List<UpdaterGroup> groups = new ArrayList<>();
    private final Map<List<Object>, INDArray> views = new HashMap<>();
    /** Scratch for the gradient norm, read {@link #CHUNK} values at a time. */
    private final float[] floatG;
    private final double[] doubleG;

    /**
     * @param updaters         one per cell (row order); cells with equal settings must be contiguous
     * @param batchRows        rows of a minibatch
     * @param evaluationValues values of the evaluation buffers ({@link #EVALUATION_VALUES}; fewer for tests)
     */
    BatchedNetwork(Dataset dataset, int depth, int width, Activation hidden, Precision precision,
                   List<UpdaterSettings> updaters, int batchRows, long evaluationValues) {
        this.cells = updaters.size();
        this.depth = depth;
        this.dataset = dataset;
        this.features = dataset.features();
        this.outputs = dataset.outputs();
        this.hidden = hidden;
        this.classification = dataset.identity().task() == io.initsweep.data.Task.CLASSIFICATION;
        this.single = precision == Precision.FLOAT32;
        this.data = Dl4jCellTrainer.DeviceData.of(dataset, precision);
        this.batchRows = batchRows;
        this.probeRows = dataset.probeRows();
        this.evalRows = Math.max(dataset.trainRows(), dataset.testRows());
        this.floatG = single ? new float[CHUNK] : null;
        this.doubleG = single ? null : new double[CHUNK];
        int layers = depth + 1;
        fanIn = new int[layers];
        fanOut = new int[layers];
        offsetW = new long[layers];
        offsetB = new long[layers];
        long p = 0;
        for (int l = 0; l < layers; l++) {
            fanIn[l] = l == 0 ? features : width;
            fanOut[l] = l == depth ? outputs : width;
            offsetW[l] = p;
            offsetB[l] = p + (long) fanIn[l] * fanOut[l];
            p = offsetB[l] + fanOut[l];
        }
        parameters = p;
        maxWidth = Math.max(Math.max(features, width), outputs);
        long trainCellRows = Math.max((long) cells * batchRows, probeRows);
        probeGroup = (int) Math.min(cells, trainCellRows / probeRows);
        evalGroup = evalGroup(cells, evalRows, maxWidth, evaluationValues);
        long evalCellRows = (long) evalGroup * evalRows;
        List<HostArray> allocated = new ArrayList<>();
        try {
            params = track(allocated, new HostArray(precision, cells * parameters));
            gradients = track(allocated, new HostArray(precision, cells * parameters));
            input = track(allocated, new HostArray(precision, (long) cells * batchRows * features));
            pre = new HostArray[layers];
            post = new HostArray[depth];
            for (int l = 0; l < layers; l++) {
                pre[l] = track(allocated, new HostArray(precision, trainCellRows * fanOut[l]));
                if (l < depth) {
                    post[l] = track(allocated, new HostArray(precision, trainCellRows * fanOut[l]));
                }
            }
            product = track(allocated, new HostArray(precision, Math.max(trainCellRows, evalCellRows) * maxWidth));
            eps1 = track(allocated, new HostArray(precision, trainCellRows * maxWidth));
            eps2 = track(allocated, new HostArray(precision, trainCellRows * maxWidth));
            out = track(allocated, new HostArray(precision, Math.max(trainCellRows, evalCellRows) * outputs));
            logs = track(allocated, new HostArray(precision, Math.max(trainCellRows, evalCellRows) * outputs));
            eval1 = track(allocated, new HostArray(precision, evalCellRows * maxWidth));
            eval2 = track(allocated, new HostArray(precision, evalCellRows * maxWidth));
            paramMatrix = params.matrix(cells, parameters);
            gradientMatrix = gradients.matrix(cells, parameters);
            int from = 0;
            for (int k = 1; k <= cells; k++) {
                if (k == cells || !updaters.get(k).equals(updaters.get(from))) {
                    UpdaterGroup group = new UpdaterGroup(updaters.get(from), from, k, precision);
                    allocated.addAll(group.state);
                    groups.add(group);
                    from = k;
                }
            }
        } catch (RuntimeException | Error e) {
            allocated.forEach(HostArray::close);
            throw e;
        }
    }

    private static HostArray track(List<HostArray> allocated, HostArray array) {
        allocated.add(array);
        return array;
    }

    private static int evalGroup(int cells, int evalRows, int maxWidth, long evaluationValues) {
        return (int) Math.max(1, Math.min(cells, evaluationValues / (3L * evalRows * maxWidth)));
    }

    int cells() {
        return cells;
    }

    int layers() {
        return depth + 1;
    }

    /** Parameters per cell (weights and biases of every layer), as DL4J counts them. */
    long parameters() {
        return parameters;
    }

    /** Cells per probe pass and per evaluation pass (the buffers hold that many cells of those passes). */
    int probeGroup() {
        return probeGroup;
    }

    int evalGroup() {
        return evalGroup;
    }

    /** Bytes of native memory this network holds. */
    long bytes() {
        long values = 0;
        for (HostArray array : allArrays()) {
            values += array.length();
        }
        return values * (single ? 4 : 8);
    }

    private List<HostArray> allArrays() {
        List<HostArray> arrays = new ArrayList<>(List.of(params, gradients, input, product, eps1, eps2, out, logs,
                eval1, eval2));
        arrays.addAll(List.of(pre));
        arrays.addAll(List.of(post));
        for (UpdaterGroup group : groups) {
            arrays.addAll(group.state);
        }
        return arrays;
    }

    /**
     * Bytes of native memory a network of {@code cells} cells with one optimizer holds (see {@link #bytes()}), for
     * choosing how many cells fit in a task's memory.
     */
    static long bytes(int cells, int features, int outputs, int depth, int width, Precision precision,
                      Optimizer optimizer, int batchRows, int probeRows, int evalRows) {
        long p = 0;
        long units = 0;
        for (int l = 0; l <= depth; l++) {
            int in = l == 0 ? features : width;
            int out = l == depth ? outputs : width;
            p += (long) (in + 1) * out;
            units += out + (l < depth ? out : 0);
        }
        int states = switch (optimizer) {
            case SGD -> 0;
            case MOMENTUM -> 1;
            case ADAM -> 2;
        };
        int maxWidth = Math.max(Math.max(features, width), outputs);
        long trainCellRows = Math.max((long) cells * batchRows, probeRows);
        long evalCellRows = (long) evalGroup(cells, evalRows, maxWidth, EVALUATION_VALUES) * evalRows;
        long largest = Math.max(trainCellRows, evalCellRows);
        long values = cells * p * (2 + states) + (long) cells * batchRows * features + trainCellRows * units
                + largest * maxWidth + 2 * trainCellRows * maxWidth + 2 * largest * outputs
                + 2 * evalCellRows * maxWidth;
        return values * (precision == Precision.FLOAT32 ? 4 : 8);
    }

    // ---- parameters

    /**
     * Sets layer {@code layer} of cell {@code cell}: row-major {@code fanIn × fanOut} weights and {@code fanOut}
     * biases, each rounded to the cells' precision (as DL4J's cast of the double values into its array).
     */
    void setLayer(int cell, int layer, double[] weights, double[] biases) {
        int in = fanIn[layer];
        int units = fanOut[layer];
        long at = cell * parameters + offsetW[layer];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < units; j++) {
                params.set(at + i + (long) j * in, weights[i * units + j]); // f order, as DL4J's weight view
            }
        }
        if (biases.length != units) {
            throw new IllegalArgumentException("layer " + layer + " has " + units + " biases, got " + biases.length);
        }
        long b = cell * parameters + offsetB[layer];
        for (int j = 0; j < units; j++) {
            params.set(b + j, biases[j]);
        }
    }

    /** Layer {@code layer}'s weights of cell {@code cell}, row-major {@code fanIn × fanOut}. */
    double[] weights(int cell, int layer) {
        return transposed(params, cell * parameters + offsetW[layer], fanIn[layer], fanOut[layer]);
    }

    /** Layer {@code layer}'s biases of cell {@code cell}. */
    double[] biases(int cell, int layer) {
        return params.read(cell * parameters + offsetB[layer], fanOut[layer]);
    }

    /**
     * A copy of one cell's parameters as a {@code [1, parameters]} row, laid out as DL4J's flattened parameters: a
     * {@code MultiLayerNetwork} of the cell's configuration initialized with it is the cell's network.
     */
    INDArray parameters(int cell) {
        return paramMatrix.getRow(cell, true).dup('c');
    }

    /** A copy of one cell's parameters, to put back later with {@link #restore}. */
    INDArray snapshot(int cell) {
        return paramMatrix.getRow(cell).dup();
    }

    void restore(int cell, INDArray snapshot) {
        paramMatrix.getRow(cell).assign(snapshot);
    }

    /** Zeroes a masked cell's parameters and updater state, so the batch-wide ops keep its rows finite. */
    void zero(int cell) {
        paramMatrix.getRow(cell).assign(0);
        for (UpdaterGroup group : groups) {
            if (cell >= group.from && cell < group.to) {
                group.zero(cell - group.from);
            }
        }
    }

    /** LSUV's rescaling, as DL4J's {@code W.divi(divisor)}: the weights (not the biases) over the float divisor. */
    void divideWeights(int cell, int layer, double divisor) {
        long at = cell * parameters + offsetW[layer];
        double d = round(divisor);
        for (long i = at; i < at + (long) fanIn[layer] * fanOut[layer]; i++) {
            params.set(i, round(params.get(i) / d));
        }
    }

    // ---- passes

    /**
     * One training step of every cell that is on, as {@code Dl4jCellTrainer.Step} makes it: forward, loss, backward,
     * gradient over the rows, updater, subtraction. The update runs over all rows; cells that are off get
     * meaningless values (see the class comment).
     *
     * @return each on cell's minibatch loss before the update, as DL4J's {@code score()} (NaN for cells that are off)
     */
    double[] step(int[][] batchRows, int rows, boolean[] on, int iteration) {
        int[] indexes = new int[cells * rows];
        for (int k = 0; k < cells; k++) {
            // cells that are off read row 0: their values are never used
            for (int e = 0; e < rows; e++) {
                indexes[k * rows + e] = on[k] ? batchRows[k][e] : 0;
            }
        }
        Nd4j.pullRows(data.trainX(), view(input, cells * rows, features), 1, indexes);
        Rows rowsOf = (k, e) -> batchRows[k][e];
        Operand x = new Operand(input.pointer(), (long) rows * features);
        forwardKept(0, cells, rows, on, x);
        double[] loss = new double[cells];
        java.util.Arrays.fill(loss, Double.NaN);
        outputLayer(0, cells, rows, on, pre[depth], dataset.trainY(), rowsOf, loss, null, eps1, false);
        backward(0, cells, rows, on, x);
        gradients.array().divi(rows);
        for (UpdaterGroup group : groups) {
            group.apply(iteration);
        }
        params.array().subi(gradients.array());
        return loss;
    }

    /**
     * The mean loss over a whole split (DL4J's {@code score(DataSet)}) of every cell that is on and, for the test
     * split of a classification, its correct predictions ({@code output().argMax(1)} against the labels').
     */
    Evaluation evaluate(Split split, boolean[] on) {
        INDArray x = split == Split.TRAIN ? data.trainX() : data.testX();
        float[] y = split == Split.TRAIN ? dataset.trainY() : dataset.testY();
        int rows = split == Split.TRAIN ? dataset.trainRows() : dataset.testRows();
        double[] loss = new double[cells];
        long[] correct = classification && split == Split.TEST ? new long[cells] : null;
        Operand shared = new Operand(HostArray.pointer(x), 0);
        for (int c0 = 0; c0 < cells; c0 += evalGroup) {
            int c1 = Math.min(cells, c0 + evalGroup);
            if (!any(on, c0, c1)) {
                continue;
            }
            HostArray z = forwardEvaluation(c0, c1, rows, on, shared);
            outputLayer(c0, c1, rows, on, z, y, (k, e) -> e, loss, correct, null, false);
        }
        return new Evaluation(loss, correct);
    }

    /**
     * The probe batch (the first rows of the training split) forward and backward, as DL4J's
     * {@code computeGradientAndScore()}: the norm of each on cell's gradient divided by the rows; for the cells in
     * {@code measured} (on cells only), also {@link Propagation#measure}'s statistics of every layer, as rows of
     * {@code phase} after {@code epoch}. Leaves the probe's gradient in the gradient rows.
     *
     * @param measured which cells to measure; null for none
     */
    Probe probe(boolean[] on, boolean[] measured, LayerStats.Phase phase, int epoch) {
        double[] norms = new double[cells];
        List<List<LayerStats>> stats = new ArrayList<>();
        for (int k = 0; k < cells; k++) {
            stats.add(null);
        }
        Operand shared = new Operand(HostArray.pointer(data.probeX()), 0);
        Rows rowsOf = (k, e) -> e;
        for (int c0 = 0; c0 < cells; c0 += probeGroup) {
            int c1 = Math.min(cells, c0 + probeGroup);
            if (!any(on, c0, c1)) {
                continue;
            }
            forwardKept(c0, c1, probeRows, on, shared);
            outputLayer(c0, c1, probeRows, on, pre[depth], dataset.trainY(), rowsOf, null, null, eps1, false);
            backward(c0, c1, probeRows, on, shared);
            for (int k = c0; k < c1; k++) {
                if (on[k]) {
                    norms[k] = norm2(k) / probeRows;
                }
            }
            if (measured != null && any(measured, c0, c1)) {
                measure(c0, c1, measured, phase, epoch, stats);
            }
        }
        return new Probe(norms, stats);
    }

    /**
     * The probe batch through layers {@code 0..layer} of the cells in {@code todo}, and the variance of each one's
     * pre-activations of that layer, as LSUV reads it ({@code varNumber()}, bias-corrected, of DL4J's array).
     */
    double[] lsuvVariance(int layer, boolean[] todo) {
        double[] variance = new double[cells];
        Operand shared = new Operand(HostArray.pointer(data.probeX()), 0);
        for (int c0 = 0; c0 < cells; c0 += probeGroup) {
            int c1 = Math.min(cells, c0 + probeGroup);
            if (!any(todo, c0, c1)) {
                continue;
            }
            forwardKept(c0, c1, probeRows, todo, shared, layer);
            for (int k = c0; k < c1; k++) {
                if (todo[k]) {
                    long block = (long) (k - c0) * probeRows * fanOut[layer];
                    variance[k] = pre[layer].view(block, (long) probeRows * fanOut[layer])
                            .reshape('c', probeRows, fanOut[layer]).varNumber().doubleValue();
                }
            }
        }
        return variance;
    }

    // ---- internals: forward

    /** The A operand of the first layer: per-cell blocks {@code cellStride} apart (0: one array shared by all). */
    private record Operand(Pointer base, long cellStride) {
    }

    private void forwardKept(int c0, int c1, int rows, boolean[] on, Operand x) {
        forwardKept(c0, c1, rows, on, x, depth);
    }

    /**
     * Forward through layers 0..{@code last} of cells [c0, c1), keeping every layer's pre-activations (in
     * {@code pre}) and activations (in {@code post}, and the softmax output in {@code out}), each cell's examples
     * row-major at block {@code (k − c0)·rows}.
     */
    private void forwardKept(int c0, int c1, int rows, boolean[] on, Operand x, int last) {
        int g = c1 - c0;
        for (int l = 0; l <= last; l++) {
            Pointer a = l == 0 ? x.base() : post[l - 1].pointer();
            long stride = l == 0 ? x.cellStride() : (long) rows * fanIn[l];
            layerProduct(l, c0, c1, rows, on, a, stride);
            addBias(l, c0, c1, rows, pre[l]);
            long count = (long) g * rows * fanOut[l];
            if (l < depth) {
                activate(pre[l].view(0, count), post[l].view(0, count));
            } else if (classification) {
                Nd4j.getExecutioner().exec(new SoftMax(view(pre[l], g * rows, outputs), view(out, g * rows, outputs)));
            }
        }
    }

    /**
     * Forward through all layers of cells [c0, c1) keeping only the current layer, as DL4J's inference does: each
     * layer's activation is computed in place over its pre-activations. Returns the buffer of the output layer's
     * pre-activations (the softmax output is in {@code out}).
     */
    private HostArray forwardEvaluation(int c0, int c1, int rows, boolean[] on, Operand x) {
        int g = c1 - c0;
        HostArray current = null;
        for (int l = 0; l <= depth; l++) {
            HostArray next = current == eval1 ? eval2 : eval1;
            Pointer a = l == 0 ? x.base() : current.pointer();
            long stride = l == 0 ? x.cellStride() : (long) rows * fanIn[l];
            layerProduct(l, c0, c1, rows, on, a, stride);
            addBias(l, c0, c1, rows, next);
            long count = (long) g * rows * fanOut[l];
            if (l < depth) {
                INDArray z = next.view(0, count);
                activate(z, z);
            } else if (classification) {
                Nd4j.getExecutioner().exec(new SoftMax(view(next, g * rows, outputs), view(out, g * rows, outputs)));
            }
            current = next;
        }
        return current;
    }

    /**
     * {@code x·W} of layer l for each on cell of [c0, c1), as DL4J's {@code input.mmuli(W, ret)} computes it: into a
     * column-major {@code rows × fanOut} block per cell of {@code product} (DL4J's f-order temporary).
     */
    private void layerProduct(int l, int c0, int c1, int rows, boolean[] on, Pointer a, long aCellStride) {
        int in = fanIn[l];
        int units = fanOut[l];
        for (int k = c0; k < c1; k++) {
            if (!on[k]) {
                continue;
            }
            HostBlas.mmul(single, rows, units, in,
                    a, (k - c0) * aCellStride, in, 1,
                    params.pointer(), k * parameters + offsetW[l], 1, in,
                    product.pointer(), (long) (k - c0) * rows * units, 1, rows);
        }
    }

    /** {@code z = product + b} into {@code z}'s row-major blocks: DL4J's copy into its c-order result, then addiRowVector. */
    private void addBias(int l, int c0, int c1, int rows, HostArray z) {
        int g = c1 - c0;
        int units = fanOut[l];
        Nd4j.getExecutioner().exec(new BroadcastAddOp(productsByExample(g, rows, units),
                biases(paramMatrix, c0, c1, l), blocks(z, g, rows, units), 0, 2));
    }

    // ---- internals: output layer

    /**
     * The output layer of cells [c0, c1) after a forward pass, in Java, in DL4J's precision and order: with
     * {@code loss}, each cell's loss (LossMCXENT or LossMSE, summed over the array, divided by the rows, as
     * {@code BaseOutputLayer.computeScore}); with {@code correct}, its correct predictions; with {@code delta},
     * ∂loss/∂z of each example (not divided by the rows, as DL4J's output layer; divided when {@code meanDelta}, as
     * {@link Propagation} divides it), row-major per cell.
     */
    private void outputLayer(int c0, int c1, int rows, boolean[] on, HostArray z, float[] y, Rows rowsOf,
                             double[] loss, long[] correct, HostArray delta, boolean meanDelta) {
        int g = c1 - c0;
        long count = (long) g * rows * outputs;
        if (loss != null && classification) {
            // LossMCXENT.scoreArray: the softmax clipped to [1e-10, 1 − 1e-10] (in the array's type), then its log
            double low = round(1e-10);
            double high = round(1.0 - 1e-10);
            for (int k = c0; k < c1; k++) {
                if (!on[k]) {
                    continue;
                }
                long block = (long) (k - c0) * rows * outputs;
                for (long i = block; i < block + (long) rows * outputs; i++) {
                    double p = out.get(i);
                    logs.set(i, p < 1e-10 ? low : p > 1.0 - 1e-10 ? high : p);
                }
            }
            Transforms.log(logs.view(0, count), false);
        }
        for (int k = c0; k < c1; k++) {
            if (!on[k]) {
                continue;
            }
            long block = (long) (k - c0) * rows * outputs;
            double sum = 0; // the loss array's sum, in its precision, in its (row-major) order
            long right = 0;
            for (int e = 0; e < rows; e++) {
                int labels = rowsOf.row(k, e) * outputs;
                long at = block + (long) e * outputs;
                if (classification) {
                    int predicted = 0;
                    int actual = 0;
                    double best = Double.NEGATIVE_INFINITY;
                    double bestLabel = Double.NEGATIVE_INFINITY;
                    for (int o = 0; o < outputs; o++) {
                        double p = out.get(at + o);
                        double label = y[labels + o];
                        if (loss != null) {
                            sum = round(sum + round(logs.get(at + o) * label));
                        }
                        if (delta != null) {
                            double d = round(p - label); // softmax output − labels
                            delta.set(at + o, meanDelta ? round(d / rows) : d);
                        }
                        // ND4J's argMax: the first maximum, NaN never wins
                        if (p > best) {
                            best = p;
                            predicted = o;
                        }
                        if (label > bestLabel) {
                            bestLabel = label;
                            actual = o;
                        }
                    }
                    if (predicted == actual) {
                        right++;
                    }
                } else {
                    for (int o = 0; o < outputs; o++) {
                        double value = z.get(at + o);
                        double label = y[labels + o];
                        if (loss != null) {
                            double difference = round(label - value);
                            sum = round(sum + round(difference * difference));
                        }
                        if (delta != null) {
                            // LossMSE: (out − y)·2, then over the outputs
                            double d = round(round(round(value - label) * 2) / outputs);
                            delta.set(at + o, meanDelta ? round(d / rows) : d);
                        }
                    }
                }
            }
            if (loss != null) {
                // LossMCXENT negates the sum; LossMSE divides it by the outputs; computeScore divides by the rows
                loss[k] = (classification ? -sum : sum / outputs) / rows;
            }
            if (correct != null) {
                correct[k] = right;
            }
        }
    }

    // ---- internals: backward

    /**
     * The gradient of every on cell of [c0, c1) into its gradient row, as DL4J's backpropagation computes it from
     * the output layer's δ in {@code eps1}: per layer the weight gradient {@code xᵀ·δ}, the bias gradient (δ summed
     * over the examples), and below the top the input gradient {@code W·δᵀ} through the activation's derivative.
     */
    private void backward(int c0, int c1, int rows, boolean[] on, Operand x) {
        int g = c1 - c0;
        HostArray delta = eps1;
        HostArray below = eps2;
        for (int l = depth; l >= 0; l--) {
            int in = fanIn[l];
            int units = fanOut[l];
            Pointer a = l == 0 ? x.base() : post[l - 1].pointer();
            long aStride = l == 0 ? x.cellStride() : (long) rows * in;
            for (int k = c0; k < c1; k++) {
                if (!on[k]) {
                    continue;
                }
                long block = (long) (k - c0) * rows;
                // Nd4j.gemm(input, delta, weightGrad, transposeA) into the f-order weight gradient view
                HostBlas.mmul(single, in, units, rows,
                        a, (k - c0) * aStride, 1, in,
                        delta.pointer(), block * units, units, 1,
                        gradients.pointer(), k * parameters + offsetW[l], 1, in);
                if (l > 0) {
                    // W.mmuli(delta.transpose(), epsilonNext) into an f-order [in, rows] array: row-major rows × in
                    HostBlas.mmul(single, in, rows, units,
                            params.pointer(), k * parameters + offsetW[l], 1, in,
                            delta.pointer(), block * units, 1, units,
                            below.pointer(), block * in, 1, in);
                }
            }
            // delta.sum(biasGrad, 0), per cell: the examples' dimension of [cells, rows, units]
            blocks(delta, g, rows, units).sum(biases(gradientMatrix, c0, c1, l), 1);
            if (l > 0) {
                backprop(pre[l - 1], below, (long) g * rows * in);
                HostArray swap = delta;
                delta = below;
                below = swap;
            }
        }
    }

    /** L2 norm of a cell's gradient row, as ND4J's norm2Number() sums it: in order, in the array's precision. */
    private double norm2(int cell) {
        long start = cell * parameters;
        if (single) {
            float sum = 0f;
            for (long from = 0; from < parameters; from += CHUNK) {
                int n = (int) Math.min(CHUNK, parameters - from);
                gradients.get(start + from, floatG, n);
                for (int i = 0; i < n; i++) {
                    sum += floatG[i] * floatG[i];
                }
            }
            return (float) Math.sqrt(sum);
        }
        double sum = 0;
        for (long from = 0; from < parameters; from += CHUNK) {
            int n = (int) Math.min(CHUNK, parameters - from);
            gradients.get(start + from, doubleG, n);
            for (int i = 0; i < n; i++) {
                sum += doubleG[i] * doubleG[i];
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * {@link Propagation#measure} on cells [c0, c1) after {@link #probe}'s forward pass: its backward pass of the
     * mean loss, with its products ({@code aᵀ·δ} and {@code δ·Wᵀ}), and every layer's statistics.
     */
    private void measure(int c0, int c1, boolean[] on, LayerStats.Phase phase, int epoch,
                         List<List<LayerStats>> stats) {
        int rows = probeRows;
        int g = c1 - c0;
        int layers = depth + 1;
        double[][][] gradWeights = new double[g][layers][];
        double[][][] gradInputs = new double[g][layers][];
        outputLayer(c0, c1, rows, on, pre[depth], dataset.trainY(), (k, e) -> e, null, null, eps1, true);
        Operand x = new Operand(HostArray.pointer(data.probeX()), 0);
        HostArray delta = eps1;
        HostArray below = eps2;
        long maxWeights = 0;
        for (int l = 0; l < layers; l++) {
            maxWeights = Math.max(maxWeights, (long) fanIn[l] * fanOut[l]);
        }
        try (HostArray weightGradient = new HostArray(single ? Precision.FLOAT32 : Precision.FLOAT64, maxWeights)) {
            for (int l = depth; l >= 0; l--) {
                int in = fanIn[l];
                int units = fanOut[l];
                Pointer a = l == 0 ? x.base() : post[l - 1].pointer();
                long aStride = l == 0 ? 0 : (long) rows * in;
                for (int k = c0; k < c1; k++) {
                    if (!on[k]) {
                        continue;
                    }
                    long block = (long) (k - c0) * rows;
                    // activations.transpose().mmul(delta): an f-order temporary, copied into a c-order result
                    HostBlas.mmul(single, in, units, rows,
                            a, (k - c0) * aStride, 1, in,
                            delta.pointer(), block * units, units, 1,
                            weightGradient.pointer(), 0, 1, in);
                    gradWeights[k - c0][l] = transposed(weightGradient, 0, in, units);
                    // delta.mmul(W.transpose()): the same, rows × in
                    HostBlas.mmul(single, rows, in, units,
                            delta.pointer(), block * units, units, 1,
                            params.pointer(), k * parameters + offsetW[l], in, 1,
                            product.pointer(), block * in, 1, rows);
                    gradInputs[k - c0][l] = transposed(product, block * in, rows, in);
                }
                if (l > 0) {
                    // the input gradient into row-major order (the c-order result), then the activation's derivative
                    long count = (long) g * rows * in;
                    blocks(below, g, rows, in).assign(productsByExample(g, rows, in));
                    backprop(pre[l - 1], below, count);
                    HostArray swap = delta;
                    delta = below;
                    below = swap;
                }
            }
        }
        for (int k = c0; k < c1; k++) {
            if (!on[k]) {
                continue;
            }
            List<LayerStats> cellStats = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                long block = (long) (k - c0) * rows * fanOut[l];
                int count = rows * fanOut[l];
                double[] z = pre[l].read(block, count);
                double[] a = l < depth ? post[l].read(block, count) : classification ? out.read(block, count) : z;
                cellStats.add(Propagation.layerStats(l, phase, epoch, fanIn[l], fanOut[l], l < depth, hidden, rows,
                        weights(k, l), z, a, gradWeights[k - c0][l], gradInputs[k - c0][l]));
            }
            stats.set(k, cellStats);
        }
    }

    // ---- internals: elementwise ops, the same DL4J's activations execute

    private void activate(INDArray z, INDArray a) {
        switch (hidden) {
            case RELU -> Nd4j.getExecutioner().exec(new RectifiedLinear(z, a));
            case LEAKY_RELU -> Nd4j.getExecutioner().exec(new LeakyReLU(z, a, Activation.LEAKY_RELU_ALPHA));
            case TANH -> Nd4j.getExecutioner().exec(new Tanh(z, a));
            case SIGMOID -> Nd4j.getExecutioner().exec(new Sigmoid(z, a));
            case ELU -> Nd4j.exec(new ELU(z, a, 1.0));
            case SELU -> Nd4j.getExecutioner().exec(new SELU(z, a));
            case SOFTSIGN -> Nd4j.getExecutioner().exec(new SoftSign(z, a));
            case IDENTITY -> {
                if (z != a) {
                    a.assign(z);
                }
            }
            default -> throw new AssertionError(hidden);
        }
    }

    /** ∂L/∂z from z and ∂L/∂a, written over the first {@code count} values of ∂L/∂a. */
    private void backprop(HostArray z, HostArray gradient, long count) {
        backprop(z.view(0, count), gradient.view(0, count));
    }

    /** ∂L/∂z from z and ∂L/∂a, written over ∂L/∂a, with the op DL4J's activation uses in its backprop. */
    private void backprop(INDArray z, INDArray gradient) {
        switch (hidden) {
            case RELU -> Nd4j.getExecutioner().exec(new RectifiedLinearDerivative(z, gradient, gradient, 0.0));
            case TANH -> Nd4j.getExecutioner().exec(new TanhDerivative(z, gradient, gradient));
            case SIGMOID -> Nd4j.getExecutioner().exec(new SigmoidDerivative(z, gradient, gradient));
            case LEAKY_RELU -> Nd4j.exec(new LeakyReLUBp(z, gradient, gradient, Activation.LEAKY_RELU_ALPHA));
            case ELU -> Nd4j.exec(new EluBp(z, gradient, gradient));
            case SELU -> Nd4j.exec(new SeluBp(z, gradient, gradient));
            case SOFTSIGN -> Nd4j.exec(new SoftSignBp(z, gradient, gradient));
            case IDENTITY -> {
            }
            default -> throw new AssertionError(hidden);
        }
    }

    // ---- internals: helpers

    /** Rounds to the cells' precision: float arithmetic is double arithmetic rounded after every operation. */
    private double round(double value) {
        return single ? (float) value : value;
    }

    /** The first {@code g·rows·units} values of a buffer as {@code [g, rows, units]}, row-major per cell. */
    private INDArray blocks(HostArray buffer, int g, int rows, int units) {
        return cached(List.of(buffer, "blocks", g, rows, units), () -> buffer.view(0, (long) g * rows * units)
                .reshape('c', g, rows, units));
    }

    /** {@code product}'s column-major blocks of {@code g} cells seen as {@code [g, rows, units]}. */
    private INDArray productsByExample(int g, int rows, int units) {
        return cached(List.of(product, "byExample", g, rows, units), () -> product.view(0, (long) g * rows * units)
                .reshape('c', g, units, rows).permute(0, 2, 1));
    }

    /** Layer l's biases (or their gradients) of cells [c0, c1): a {@code [c1 − c0, units]} view of the matrix. */
    private INDArray biases(INDArray matrix, int c0, int c1, int l) {
        return cached(List.of(matrix == paramMatrix ? "biases" : "biasGradients", c0, c1, l),
                () -> matrix.get(NDArrayIndex.interval(c0, c1),
                        NDArrayIndex.interval(offsetB[l], offsetB[l] + fanOut[l])));
    }

    private INDArray view(HostArray buffer, long rows, long columns) {
        return cached(List.of(buffer, "matrix", rows, columns), () -> buffer.view(0, rows * columns)
                .reshape('c', rows, columns));
    }

    private INDArray cached(List<Object> key, java.util.function.Supplier<INDArray> view) {
        INDArray cachedView = views.get(key);
        if (cachedView == null) {
            cachedView = view.get();
            views.put(key, cachedView);
        }
        return cachedView;
    }

    private static boolean any(boolean[] flags, int from, int to) {
        for (int i = from; i < to; i++) {
            if (flags[i]) {
                return true;
            }
        }
        return false;
    }

    /** A column-major {@code rows × columns} block as row-major doubles. */
    private static double[] transposed(HostArray buffer, long from, int rows, int columns) {
        double[] values = new double[rows * columns];
        for (int j = 0; j < columns; j++) {
            for (int i = 0; i < rows; i++) {
                values[i * columns + j] = buffer.get(from + i + (long) j * rows);
            }
        }
        return values;
    }

    @Override
    public void close() {
        allArrays().forEach(HostArray::close);
    }

    /** The updater state of rows [from, to) and the DL4J update op that uses it. */
    private final class UpdaterGroup {
        final int from;
        final int to;
        final IUpdater config;
        final List<HostArray> state = new ArrayList<>();
        final INDArray first;
        final INDArray second;
        final INDArray gradientRows;

        UpdaterGroup(UpdaterSettings settings, int from, int to, Precision precision) {
            this.from = from;
            this.to = to;
            this.config = Networks.updater(settings.optimizer(), settings.learningRate(), settings.momentum());
            long rows = to - from;
            int arrays = (int) (config.stateSize(parameters) / parameters);
            for (int i = 0; i < arrays; i++) {
                state.add(new HostArray(precision, rows * parameters));
            }
            first = arrays > 0 ? state.get(0).matrix(rows, parameters) : null;
            second = arrays > 1 ? state.get(1).matrix(rows, parameters) : null;
            gradientRows = gradientMatrix.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
        }

        /** The same op, with the same hyperparameters, that DL4J's GradientUpdater of this config executes. */
        void apply(int iteration) {
            if (config instanceof Adam adam) {
                // DL4J's AdamUpdater passes (gradient, v, m): the second moment first
                Nd4j.exec(new AdamUpdater(gradientRows, second, first, adam.getLearningRate(iteration, 0),
                        adam.getBeta1(), adam.getBeta2(), adam.getEpsilon(), iteration));
            } else if (config instanceof Nesterovs nesterovs) {
                Nd4j.exec(new NesterovsUpdater(gradientRows, first, nesterovs.getLearningRate(iteration, 0),
                        nesterovs.currentMomentum(iteration, 0)));
            } else {
                Nd4j.exec(new SgdUpdater(gradientRows, config.getLearningRate(iteration, 0)));
            }
        }

        void zero(int row) {
            if (first != null) {
                first.getRow(row).assign(0);
            }
            if (second != null) {
                second.getRow(row).assign(0);
            }
        }
    }
}
