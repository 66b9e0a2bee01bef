package io.initsweep.dl4j;

import io.initsweep.model.Activation;
import io.initsweep.model.LayerRole;
import io.initsweep.model.Optimizer;
import io.initsweep.model.Precision;
import io.initsweep.train.Diagnostics;
import io.initsweep.train.LayerStats;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.EluBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SeluBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftSignBp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * K multilayer perceptrons of one shape, trained as one computation: {@code depth} dense layers of {@code width}
 * units with one hidden activation, and a softmax/cross-entropy (classification) or identity/mean-squared-error
 * (regression) output layer, as {@link Networks} builds them for DL4J.
 *
 * <h2>Layout</h2>
 * Each cell's parameters are one row of a {@code K × P} matrix; layer l occupies a row-major {@code (in+1) × out}
 * block whose first {@code in} rows are W and whose last row is the bias b, so {@code [x, 1] · [W; b] = xW + b}.
 * Activations are stored transposed, units × (cells · rows): unit u of example e of cell k sits in row u, column
 * {@code k·R + e}, and every hidden activation buffer has one more row of ones. So:
 * <ul>
 * <li>the forward product of a layer is {@code Zᵀ = [W; b]ᵀ · [Aᵀ; 1]}, one BLAS call per cell, bias included;</li>
 * <li>the weight gradient is {@code [Aᵀ; 1] · Δ}, one BLAS call per cell that also yields the bias gradient (the
 * sum of Δ over the rows), so no reduction runs in ND4J;</li>
 * <li>every elementwise operation (activation, its derivative, the updater) is one ND4J operation over a
 * contiguous block that holds all cells.</li>
 * </ul>
 * A ReLU step costs {@code 3·depth + 2 + G} ND4J operations whatever K (one per activation, two per derivative,
 * the division by the minibatch size, one updater op per group G of equal update rules, the subtraction) and
 * {@code K·(3·depth + 2)} BLAS calls, where DL4J issues several ND4J operations per layer, per step and per network.
 *
 * <h2>Bitwise independence of the batch</h2>
 * Nothing a cell computes reads another cell's values: products are per cell, elementwise operations per value,
 * and the output layer, losses, norms and statistics are computed per cell in Java in a fixed order. A cell's bits
 * therefore do not depend on K or on its neighbours (see {@link HostBlas}, and the tests).
 *
 * <h2>Numerics against {@link Dl4jCellTrainer}</h2>
 * The same initial weights, the same ND4J ops for activations and updaters (DL4J M2.1's {@code sgd_updater},
 * {@code nesterovs_updater}, {@code adam_updater}), derivatives with the same bits (see {@link #backprop}), the
 * same gradient division by the minibatch size and the same loss conventions (MCXENT on a softmax with the 1e-10
 * probability clip; MSE as the squared error over the outputs, mean over examples). What differs is rounding:
 * DL4J multiplies in other orientations (other OpenBLAS kernels), adds the bias after the product, sums the bias
 * gradient with an ND4J reduction, computes the softmax in libnd4j and accumulates losses and norms in float;
 * here the softmax uses Java's {@code exp} rounded to the cell's precision and losses and norms are accumulated in
 * double. Training amplifies such differences where its dynamics are chaotic (float32, large steps, deep ReLU
 * networks): there the two paths, like DL4J in float32 and in float64, part after some epochs.
 */
final class BatchedNetwork implements AutoCloseable {
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

    private final int cells;
    private final int depth;
    private final int features;
    private final int outputs;
    private final int[] fanIn;
    private final int[] fanOut;
    private final long[] offset;
    private final long parameters;
    private final int maxRows;
    private final boolean single;
    private final Activation hidden;
    private final boolean classification;

    private final HostArray params;
    private final HostArray gradients;
    private final INDArray paramMatrix;
    private final INDArray gradientMatrix;
    private final HostArray input;
    private final HostArray[] pre;
    private final HostArray[] post;
    private final HostArray eps;
    private final List<UpdaterGroup> groups = new ArrayList<>();
    private final Map<Integer, Views> views = new HashMap<>();
    private int onesAt = -1;

    /**
     * @param updaters one per cell (row order); cells with equal settings must be contiguous
     * @param maxRows  the most examples one pass holds per cell (minibatch, probe batch, evaluation chunk)
     */
    BatchedNetwork(int features, int outputs, int depth, int width, Activation hidden, boolean classification,
                   Precision precision, List<UpdaterSettings> updaters, int maxRows) {
        this.cells = updaters.size();
        this.depth = depth;
        this.features = features;
        this.outputs = outputs;
        this.hidden = hidden;
        this.classification = classification;
        this.single = precision == Precision.FLOAT32;
        this.maxRows = maxRows;
        int layers = depth + 1;
        fanIn = new int[layers];
        fanOut = new int[layers];
        offset = new long[layers];
        long p = 0;
        for (int l = 0; l < layers; l++) {
            fanIn[l] = l == 0 ? features : width;
            fanOut[l] = l == depth ? outputs : width;
            offset[l] = p;
            p += (long) (fanIn[l] + 1) * fanOut[l];
        }
        parameters = p;
        long columns = (long) cells * maxRows;
        List<HostArray> allocated = new ArrayList<>();
        try {
            params = track(allocated, new HostArray(precision, cells * parameters));
            gradients = track(allocated, new HostArray(precision, cells * parameters));
            input = track(allocated, new HostArray(precision, columns * (features + 1)));
            pre = new HostArray[layers];
            post = new HostArray[depth];
            for (int l = 0; l < layers; l++) {
                pre[l] = track(allocated, new HostArray(precision, fanOut[l] * columns));
                if (l < depth) {
                    post[l] = track(allocated, new HostArray(precision, (fanOut[l] + 1) * columns));
                }
            }
            eps = track(allocated, new HostArray(precision, Math.max(features, width) * columns));
            paramMatrix = params.matrix(cells, parameters);
            gradientMatrix = gradients.matrix(cells, parameters);
            int from = 0;
            for (int k = 1; k <= cells; k++) {
                if (k == cells || !updaters.get(k).equals(updaters.get(from))) {
                    groups.add(track(allocated, new UpdaterGroup(updaters.get(from), from, k, precision)));
                    from = k;
                }
            }
        } catch (RuntimeException | Error e) {
            allocated.forEach(HostArray::close);
            throw e;
        }
    }

    private static <T> T track(List<HostArray> allocated, T value) {
        if (value instanceof HostArray array) {
            allocated.add(array);
        } else if (value instanceof UpdaterGroup group) {
            allocated.addAll(group.state);
        }
        return value;
    }

    int cells() {
        return cells;
    }

    int layers() {
        return depth + 1;
    }

    int fanIn(int layer) {
        return fanIn[layer];
    }

    int fanOut(int layer) {
        return fanOut[layer];
    }

    /** Parameters per cell (weights and biases of every layer), as DL4J counts them. */
    long parameters() {
        return parameters;
    }

    /** Bytes of native memory this network holds. */
    long bytes() {
        long values = params.length() + gradients.length() + input.length() + eps.length();
        for (HostArray array : pre) {
            values += array.length();
        }
        for (HostArray array : post) {
            values += array.length();
        }
        for (UpdaterGroup group : groups) {
            for (HostArray array : group.state) {
                values += array.length();
            }
        }
        return values * (single ? 4 : 8);
    }

    /**
     * Bytes of native memory a network of {@code cells} cells with one optimizer holds (see {@link #bytes()}), for
     * choosing how many cells fit in a task's memory.
     */
    static long bytes(int cells, int features, int outputs, int depth, int width, Precision precision,
                      Optimizer optimizer, int maxRows) {
        long p = 0;
        long units = 0;
        for (int l = 0; l <= depth; l++) {
            int in = l == 0 ? features : width;
            int out = l == depth ? outputs : width;
            p += (long) (in + 1) * out;
            units += out + (l < depth ? out + 1 : 0);
        }
        int states = switch (optimizer) {
            case SGD -> 0;
            case MOMENTUM -> 1;
            case ADAM -> 2;
        };
        long columns = (long) cells * maxRows;
        long values = cells * p * (2 + states) + columns * (features + 1 + units + Math.max(features, width));
        return values * (precision == Precision.FLOAT32 ? 4 : 8);
    }

    // ---- parameters

    /** Sets layer {@code layer} of cell {@code cell}: row-major {@code fanIn × fanOut} weights and one bias. */
    void setLayer(int cell, int layer, double[] weights, double bias) {
        long at = cell * parameters + offset[layer];
        int n = fanIn[layer] * fanOut[layer];
        for (int i = 0; i < n; i++) {
            params.set(at + i, weights[i]);
        }
        params.fill(at + n, fanOut[layer], bias);
    }

    /** Layer {@code layer}'s weights of cell {@code cell}, row-major {@code fanIn × fanOut}. */
    double[] weights(int cell, int layer) {
        return read(params, cell * parameters + offset[layer], fanIn[layer] * fanOut[layer]);
    }

    /** Layer {@code layer}'s biases of cell {@code cell}. */
    double[] biases(int cell, int layer) {
        return read(params, cell * parameters + offset[layer] + (long) fanIn[layer] * fanOut[layer], fanOut[layer]);
    }

    /** A copy of one cell's parameters, to put back later with {@link #restore}. */
    INDArray snapshot(int cell) {
        return paramMatrix.getRow(cell).dup();
    }

    void restore(int cell, INDArray snapshot) {
        paramMatrix.getRow(cell).assign(snapshot);
    }

    /**
     * Zeroes a cell's parameters, gradients and updater state. A masked cell then computes zeros through every
     * shared elementwise operation (its products are skipped): no NaN, infinity or subnormal values.
     */
    void zero(int cell) {
        paramMatrix.getRow(cell).assign(0);
        gradientMatrix.getRow(cell).assign(0);
        for (UpdaterGroup group : groups) {
            if (cell >= group.from && cell < group.to) {
                group.zero(cell - group.from);
            }
        }
    }

    /** LSUV's rescaling: divides layer {@code layer}'s weights (not its biases) of a cell by {@code divisor}. */
    void divideWeights(int cell, int layer, double divisor) {
        long at = cell * parameters + offset[layer];
        double d = round(divisor);
        for (long i = at; i < at + (long) fanIn[layer] * fanOut[layer]; i++) {
            params.set(i, round(params.get(i) / d));
        }
    }

    // ---- passes

    /**
     * Copies each cell's examples into the input: {@code x} is row-major {@code rows × features}, {@code rowsOf}
     * gives the dataset row of each example; with {@code shared}, all cells read cell 0's block.
     */
    void load(float[] x, int rows, Rows rowsOf, boolean shared, boolean[] on) {
        int width = features + 1;
        for (int k = 0; k < (shared ? 1 : cells); k++) {
            if (!shared && !on[k]) {
                continue;
            }
            long base = (long) k * rows * width;
            for (int e = 0; e < rows; e++) {
                int row = rowsOf.row(k, e);
                long at = base + (long) e * width;
                for (int f = 0; f < features; f++) {
                    input.set(at + f, x[row * features + f]);
                }
                input.set(at + features, 1.0);
            }
        }
    }

    /**
     * Forward pass through layers 0..{@code last} of the cells that are on, over {@code rows} loaded examples.
     * Leaves preactivations in {@code pre}, hidden activations in {@code post}.
     */
    void forward(int rows, boolean shared, boolean[] on, int last) {
        Views v = views(rows);
        int ld = cells * rows;
        for (int l = 0; l <= last; l++) {
            for (int k = 0; k < cells; k++) {
                if (!on[k]) {
                    continue;
                }
                long w = k * parameters + offset[l];
                long column = (long) k * rows;
                if (l == 0) {
                    HostBlas.gemm(true, true, fanOut[0], rows, features + 1, params, w, fanOut[0],
                            input, shared ? 0 : column * (features + 1), features + 1, pre[0], column, ld);
                } else {
                    HostBlas.gemm(true, false, fanOut[l], rows, fanIn[l] + 1, params, w, fanOut[l],
                            post[l - 1], column, ld, pre[l], column, ld);
                }
            }
            if (l < depth) {
                activate(v.pre[l], v.post[l]);
            }
        }
    }

    /**
     * The output layer after a full forward pass: per cell the sum of the examples' losses and, for
     * classification, the number classified correctly. With {@code gradient}, ∂loss/∂z of each example (not divided
     * by the rows, as DL4J's output layer) replaces the output preactivations.
     */
    void output(int rows, float[] y, Rows rowsOf, boolean[] on, boolean gradient, double[] lossSum, long[] correct) {
        int ld = cells * rows;
        HostArray z = pre[depth];
        double[] values = new double[outputs];
        double clipLow = round(1e-10);
        double clipHigh = round(1.0 - 1e-10);
        for (int k = 0; k < cells; k++) {
            if (!on[k]) {
                continue;
            }
            double loss = 0;
            long right = 0;
            for (int e = 0; e < rows; e++) {
                long column = (long) k * rows + e;
                int labels = rowsOf.row(k, e) * outputs;
                if (classification) {
                    softmax(z, column, ld, values);
                    double example = 0;
                    int predicted = 0;
                    int actual = 0;
                    for (int o = 0; o < outputs; o++) {
                        double p = values[o];
                        double clipped = p < clipLow ? clipLow : p > clipHigh ? clipHigh : p;
                        example += y[labels + o] * Math.log(clipped);
                        if (p > values[predicted]) {
                            predicted = o;
                        }
                        if (y[labels + o] > y[labels + actual]) {
                            actual = o;
                        }
                        if (gradient) {
                            // MCXENT on a softmax: p·Σy − y, and Σy = 1 for one-hot labels
                            z.set(o * (long) ld + column, round(p - y[labels + o]));
                        }
                    }
                    loss -= example;
                    if (predicted == actual) {
                        right++;
                    }
                } else {
                    double example = 0;
                    for (int o = 0; o < outputs; o++) {
                        long at = o * (long) ld + column;
                        double out = z.get(at);
                        double difference = y[labels + o] - out;
                        example += difference * difference;
                        if (gradient) {
                            // MSE: 2(out − y) / outputs, rounded where DL4J's float ops round
                            z.set(at, round(round(round(out - y[labels + o]) * 2) / outputs));
                        }
                    }
                    loss += example / outputs;
                }
            }
            lossSum[k] += loss;
            if (correct != null) {
                correct[k] += right;
            }
        }
    }

    /** Softmax of one example's output preactivations, in the cell's precision, into {@code into}. */
    private void softmax(HostArray z, long column, int ld, double[] into) {
        double max = Double.NEGATIVE_INFINITY;
        for (int o = 0; o < outputs; o++) {
            into[o] = z.get(o * (long) ld + column);
            max = Math.max(max, into[o]);
        }
        double sum = 0;
        for (int o = 0; o < outputs; o++) {
            into[o] = round(Math.exp(round(into[o] - max)));
            sum = round(sum + into[o]);
        }
        for (int o = 0; o < outputs; o++) {
            into[o] = round(into[o] / sum);
        }
    }

    /**
     * Backward pass after {@link #output} with gradients: leaves every on cell's gradient (summed over the
     * examples, biases included) in its gradient row. With {@code stats}, also reports ∂L/∂input of every layer.
     */
    void backward(int rows, boolean shared, boolean[] on, GradientInputs stats) {
        Views v = views(rows);
        int ld = cells * rows;
        for (int l = depth; l >= 0; l--) {
            boolean inputGradient = l > 0 || stats != null;
            for (int k = 0; k < cells; k++) {
                if (!on[k]) {
                    continue;
                }
                long column = (long) k * rows;
                long g = k * parameters + offset[l];
                if (l == 0) {
                    HostBlas.gemm(true, true, features + 1, fanOut[0], rows,
                            input, shared ? 0 : column * (features + 1), features + 1,
                            pre[0], column, ld, gradients, g, fanOut[0]);
                } else {
                    HostBlas.gemm(false, true, fanIn[l] + 1, fanOut[l], rows, post[l - 1], column, ld,
                            pre[l], column, ld, gradients, g, fanOut[l]);
                }
                if (inputGradient) {
                    HostBlas.gemm(false, false, fanIn[l], rows, fanOut[l], params, g, fanOut[l],
                            pre[l], column, ld, eps, column, ld);
                }
            }
            if (stats != null) {
                stats.accept(l, eps, ld);
            }
            if (l > 0) {
                backprop(v.pre[l - 1], v.post[l - 1], v.eps[l - 1]);
            }
        }
    }

    /** Receives ∂L/∂input of layer l: {@code fanIn × (cells·rows)}, leading dimension {@code ld}. */
    @FunctionalInterface
    interface GradientInputs {
        void accept(int layer, HostArray values, int ld);
    }

    /** One training update from the gradients of a {@code rows}-example minibatch, as DL4J makes it. */
    void update(int rows, int iteration) {
        gradients.array().divi(rows);
        for (UpdaterGroup group : groups) {
            group.apply(group.gradientRows, iteration);
        }
        params.array().subi(gradients.array());
    }

    /** L2 norm of a cell's gradient row, accumulated in double. */
    double gradientNorm(int cell) {
        double sum = 0;
        long from = cell * parameters;
        for (long i = from; i < from + parameters; i++) {
            double g = gradients.get(i);
            sum += g * g;
        }
        return Math.sqrt(sum);
    }

    /**
     * Per-layer statistics of the cells that are on, measured during one probe pass: call after {@link #forward}
     * and before {@link #output} with gradients, which overwrites the output preactivations.
     */
    LayerProbe measureForward(int rows, boolean[] on, LayerStats.Phase phase, int epoch) {
        LayerProbe probe = new LayerProbe(rows, phase, epoch);
        int ld = cells * rows;
        for (int k = 0; k < cells; k++) {
            if (!on[k]) {
                continue;
            }
            for (int l = 0; l <= depth; l++) {
                double[] z = transposed(pre[l], fanOut[l], ld, (long) k * rows, rows);
                double[] a;
                if (l < depth) {
                    a = transposed(post[l], fanOut[l], ld, (long) k * rows, rows);
                } else if (classification) {
                    a = new double[rows * outputs];
                    double[] p = new double[outputs];
                    for (int e = 0; e < rows; e++) {
                        softmax(pre[l], (long) k * rows + e, ld, p);
                        System.arraycopy(p, 0, a, e * outputs, outputs);
                    }
                } else {
                    a = z;
                }
                probe.forward(k, l, weights(k, l), z, a);
            }
        }
        return probe;
    }

    /** Statistics of one probe pass, forward values first, gradients after the backward pass. */
    final class LayerProbe implements GradientInputs {
        private final int rows;
        private final LayerStats.Phase phase;
        private final int epoch;
        private final double[][][] forward = new double[cells][depth + 1][];
        private final Double[][][] flags = new Double[cells][depth + 1][];
        private final double[][] gradInputVar = new double[cells][depth + 1];

        LayerProbe(int rows, LayerStats.Phase phase, int epoch) {
            this.rows = rows;
            this.phase = phase;
            this.epoch = epoch;
        }

        void forward(int k, int l, double[] w, double[] z, double[] a) {
            boolean isHidden = l < depth;
            Activation.Family family = hidden.family();
            forward[k][l] = new double[] {Diagnostics.mean(w), Math.sqrt(Diagnostics.variance(w)),
                    Diagnostics.mean(a), Diagnostics.variance(a), Diagnostics.variance(z)};
            flags[k][l] = new Double[] {
                    isHidden && family == Activation.Family.RECTIFIER
                            ? Diagnostics.deadFraction(z, rows, fanOut[l]) : null,
                    isHidden && family == Activation.Family.SATURATING
                            ? Diagnostics.saturatedFraction(a, hidden) : null,
                    Diagnostics.symmetry(w, fanIn[l], fanOut[l])};
        }

        @Override
        public void accept(int layer, HostArray values, int ld) {
            for (int k = 0; k < cells; k++) {
                if (forward[k][layer] != null) {
                    double[] g = transposed(values, fanIn[layer], ld, (long) k * rows, rows);
                    for (int i = 0; i < g.length; i++) {
                        g[i] /= rows;
                    }
                    gradInputVar[k][layer] = Diagnostics.variance(g);
                }
            }
        }

        /** The statistics of cell k; call after the backward pass. */
        List<LayerStats> of(int k) {
            List<LayerStats> stats = new ArrayList<>();
            for (int l = 0; l <= depth; l++) {
                double[] f = forward[k][l];
                double[] gw = read(gradients, k * parameters + offset[l], fanIn[l] * fanOut[l]);
                for (int i = 0; i < gw.length; i++) {
                    gw[i] /= rows;
                }
                stats.add(new LayerStats(l, phase, fanIn[l], fanOut[l], f[0], f[1], f[2], f[3], f[4],
                        flags[k][l][0], flags[k][l][1], Diagnostics.variance(gw), gradInputVar[k][l],
                        flags[k][l][2], epoch, null, // probe-pair correlation: not measured by this trainer yet
                        LayerStats.Placement.dense(l < depth ? LayerRole.HIDDEN : LayerRole.OUTPUT, null)));
            }
            return stats;
        }
    }

    /** Preactivation variance of layer {@code layer} of cell k after a forward pass (LSUV), bias-corrected. */
    double preactivationVariance(int k, int layer, int rows) {
        double[] z = transposed(pre[layer], fanOut[layer], cells * rows, (long) k * rows, rows);
        // ND4J's varNumber(): the sample variance, returned in the array's own precision
        return round(Diagnostics.variance(z) * z.length / (z.length - 1));
    }

    // ---- internals

    /** Rounds to the cells' precision: float arithmetic is double arithmetic rounded after every operation. */
    private double round(double value) {
        return single ? (float) value : value;
    }

    private void activate(INDArray z, INDArray a) {
        switch (hidden) {
            case RELU -> Nd4j.getExecutioner().exec(new RectifiedLinear(z, a));
            case LEAKY_RELU -> Nd4j.getExecutioner().exec(new LeakyReLU(z, a, Activation.LEAKY_RELU_ALPHA));
            case TANH -> Nd4j.getExecutioner().exec(new Tanh(z, a));
            case SIGMOID -> Nd4j.getExecutioner().exec(new Sigmoid(z, a));
            case ELU -> Nd4j.exec(new ELU(z, a, 1.0));
            case SELU -> Nd4j.getExecutioner().exec(new SELU(z, a));
            case SOFTSIGN -> Nd4j.getExecutioner().exec(new SoftSign(z, a));
            case IDENTITY -> a.assign(z);
            default -> throw new AssertionError(hidden);
        }
    }

    /**
     * ∂L/∂z from z, a = f(z) and ∂L/∂a, written over z.
     *
     * <p>tanh and sigmoid use {@code (1 − a²)·g} and {@code (a·(1 − a))·g} as three plain elementwise ops: the same
     * bits as DL4J's {@code tanh_bp} and {@code sigmoid_bp} (checked in float and double), which evaluate f again and
     * loop over a lambda, 5-7× slower. ReLU uses {@code step(z)·g}, 2.5× cheaper than {@code relu_bp}: the same
     * values, except that an inactive unit passes −0 rather than +0 for a negative g, and NaN rather than 0 for an
     * infinite g (a gradient that has already overflowed). The others use the ops DL4J's activations use in M2.1.
     */
    private void backprop(INDArray z, INDArray a, INDArray gradient) {
        switch (hidden) {
            case RELU -> {
                Nd4j.getExecutioner().exec(new Step(z, z));
                Nd4j.getExecutioner().exec(new MulOp(z, gradient, z));
            }
            case TANH -> {
                Nd4j.getExecutioner().exec(new MulOp(a, a, z));
                Nd4j.getExecutioner().exec(new ScalarReverseSubtraction(z, null, z, 1.0));
                Nd4j.getExecutioner().exec(new MulOp(z, gradient, z));
            }
            case SIGMOID -> {
                Nd4j.getExecutioner().exec(new ScalarReverseSubtraction(a, null, z, 1.0));
                Nd4j.getExecutioner().exec(new MulOp(z, a, z));
                Nd4j.getExecutioner().exec(new MulOp(z, gradient, z));
            }
            case LEAKY_RELU -> Nd4j.exec(new LeakyReLUBp(z, gradient, z, Activation.LEAKY_RELU_ALPHA));
            case ELU -> Nd4j.exec(new EluBp(z, gradient, z));
            case SELU -> Nd4j.exec(new SeluBp(z, gradient, z));
            case SOFTSIGN -> Nd4j.exec(new SoftSignBp(z, gradient, z));
            case IDENTITY -> z.assign(gradient);
            default -> throw new AssertionError(hidden);
        }
    }

    /** ND4J views over the first values of each buffer for passes of {@code rows} examples per cell. */
    private Views views(int rows) {
        if (rows < 1 || rows > maxRows) {
            throw new IllegalArgumentException("a pass holds 1 to " + maxRows + " rows per cell, got " + rows);
        }
        if (onesAt != rows) {
            // the ones row of [Aᵀ; 1] sits right after the units' rows, so it moves with the column count
            long columns = (long) cells * rows;
            for (int l = 0; l < depth; l++) {
                post[l].fill(fanOut[l] * columns, columns, 1.0);
            }
            onesAt = rows;
        }
        return views.computeIfAbsent(rows, r -> {
            long columns = (long) cells * r;
            INDArray[] z = new INDArray[depth + 1];
            INDArray[] a = new INDArray[depth];
            INDArray[] e = new INDArray[depth];
            for (int l = 0; l <= depth; l++) {
                z[l] = pre[l].view(0, fanOut[l] * columns);
                if (l < depth) {
                    a[l] = post[l].view(0, fanOut[l] * columns);
                    e[l] = eps.view(0, fanOut[l] * columns);
                }
            }
            return new Views(z, a, e);
        });
    }

    private record Views(INDArray[] pre, INDArray[] post, INDArray[] eps) {
    }

    /** Block {@code [0, units) × [column, column + rows)} of a units × ld buffer, as row-major rows × units. */
    private static double[] transposed(HostArray buffer, int units, int ld, long column, int rows) {
        double[] values = new double[rows * units];
        for (int u = 0; u < units; u++) {
            long at = (long) u * ld + column;
            for (int e = 0; e < rows; e++) {
                values[e * units + u] = buffer.get(at + e);
            }
        }
        return values;
    }

    private static double[] read(HostArray buffer, long from, int count) {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = buffer.get(from + i);
        }
        return values;
    }

    @Override
    public void close() {
        params.close();
        gradients.close();
        input.close();
        for (HostArray array : pre) {
            array.close();
        }
        for (HostArray array : post) {
            array.close();
        }
        eps.close();
        for (UpdaterGroup group : groups) {
            group.state.forEach(HostArray::close);
        }
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
        void apply(INDArray gradient, int iteration) {
            if (config instanceof Adam adam) {
                // DL4J's AdamUpdater passes (gradient, v, m): the second moment first
                Nd4j.exec(new AdamUpdater(gradient, second, first, adam.getLearningRate(iteration, 0),
                        adam.getBeta1(), adam.getBeta2(), adam.getEpsilon(), iteration));
            } else if (config instanceof Nesterovs nesterovs) {
                Nd4j.exec(new NesterovsUpdater(gradient, first, nesterovs.getLearningRate(iteration, 0),
                        nesterovs.currentMomentum(iteration, 0)));
            } else {
                Nd4j.exec(new SgdUpdater(gradient, config.getLearningRate(iteration, 0)));
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
