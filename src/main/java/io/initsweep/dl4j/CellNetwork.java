package io.initsweep.dl4j;

import io.initsweep.grid.Cell;
import io.initsweep.model.Activation;
import io.initsweep.spec.CellSettings;
import io.initsweep.train.JacobianSpectrum;
import io.initsweep.train.LayerStats;
import io.initsweep.train.TrainingStage;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A cell's DL4J network, whatever its architecture: a plain MLP is a {@code MultiLayerNetwork} ({@link Mlp}, the
 * path every cell took before residual networks and normalization existed, unchanged to the bit), a cnn a
 * {@code MultiLayerNetwork} of convolutions ({@link Cnn}), anything else a {@code ComputationGraph} built from a
 * {@link GraphPlan} ({@link Graph}). Training, evaluation and diagnostics go
 * through this type only; data-parallel training picks DL4J Spark's wrapper by the variant.
 *
 * <p>Not thread-safe: one network per cell and thread.
 */
public sealed interface CellNetwork permits CellNetwork.Mlp, CellNetwork.Cnn, CellNetwork.Graph {

    /** All parameters as one flat view (training updates it in place). */
    INDArray params();

    /** Mean loss of a dataset, in inference mode (batch normalization uses its running statistics). */
    double score(DataSet data);

    /** The output layer's activations for {@code features}, in inference mode. */
    INDArray output(INDArray features);

    /**
     * {@link #score} of a dataset and, where {@code withOutput}, {@link #output} of its features: the same numbers,
     * computed with as few forward passes as the network allows.
     */
    Scored scoreWithOutput(DataSet data, boolean withOutput);

    /** A mean loss and the output it was computed from (null where not asked for). */
    record Scored(double loss, INDArray output) {
    }

    /**
     * L2 norm of the gradient of the mean loss on a batch, as training computes it (DL4J's gradient is the sum over
     * the batch; its updater divides).
     */
    double gradientNorm(INDArray features, INDArray labels);

    /** The one-minibatch update this network trains with, for a cell trained in one stage. */
    default MinibatchStep step(CellSettings settings) {
        return step(settings, new TrainingStage(1, settings.epochs(), 0, settings.learningRate()));
    }

    /**
     * The one-minibatch update of one training stage: the stage's leading layers frozen, its step size, a fresh
     * optimizer state.
     */
    MinibatchStep step(CellSettings settings, TrainingStage stage);

    /**
     * Data-dependent initialization on the probe batch, before anything is measured or trained: LSUV's rescaling
     * for the layers that use it, and batch normalization's running statistics set to the probe batch's (see
     * {@link GraphPropagation#calibrate}).
     */
    void prepare(Cell cell, INDArray probe);

    /**
     * Per-layer statistics on the probe batch ({@code hidden}: the hidden nonlinearity), measured after
     * {@code epoch} (0 at init).
     */
    List<LayerStats> measure(INDArray probeX, INDArray probeY, Activation hidden, LayerStats.Phase phase, int epoch);

    /**
     * The singular values of the input-output Jacobian on the first probe rows ({@link Propagation#jacobian}), or
     * null where this network does not measure it (residual and normalized networks: not yet).
     */
    JacobianSpectrum jacobian(INDArray probeX);

    /** What rebuilds this network elsewhere (on Spark executors): its configuration as DL4J JSON. */
    Blueprint blueprint();

    /**
     * Frees parameters, gradients and updater state now rather than at the next GC; keeps the thread's workspaces
     * (see {@link Dl4jCellTrainer#release}).
     */
    void release();

    /** One parameter update on a minibatch; returns the minibatch's loss before the update. */
    @FunctionalInterface
    interface MinibatchStep {
        double fit(INDArray features, INDArray labels);
    }

    /**
     * A network's configuration, serializable, from which a copy with given parameters is made.
     *
     * @param graph          whether it is a ComputationGraph
     * @param json           DL4J's JSON of the configuration
     * @param evaluationRows a cnn's examples per evaluation pass ({@link Cnn}); 0 for other networks
     */
    record Blueprint(boolean graph, String json, int evaluationRows) implements Serializable {
        public Blueprint {
            Objects.requireNonNull(json, "json is null");
        }

        /** A copy of the network holding {@code params} (not copied: the caller keeps them alive). */
        public CellNetwork restore(INDArray params) {
            if (graph) {
                ComputationGraph copy = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
                copy.init(params, false);
                return new Graph(copy, null);
            }
            MultiLayerNetwork copy = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
            copy.init(params, false);
            return evaluationRows > 0 ? new Cnn(copy, null, evaluationRows) : new Mlp(copy);
        }
    }

    /** A plain MLP: DL4J's MultiLayerNetwork, trained by {@link Dl4jCellTrainer.Step}. */
    record Mlp(MultiLayerNetwork network) implements CellNetwork {
        public Mlp {
            Objects.requireNonNull(network, "network is null");
        }

        @Override
        public INDArray params() {
            return network.params();
        }

        @Override
        public double score(DataSet data) {
            return network.score(data, false);
        }

        @Override
        public INDArray output(INDArray features) {
            return network.output(features, false);
        }

        /**
         * One forward pass. DL4J's {@code score(DataSet)} and {@code output()} would each run the whole network;
         * both end in the output layer's {@code z = xW + b} and its activation, so the output holds the very values
         * the loss starts from: the loss is computed from it with the ops {@code LossMCXENT}/{@code LossMSE} and
         * {@code BaseOutputLayer.computeScore} apply ({@link Losses}; the same bits, guarded by golden results).
         */
        @Override
        public Scored scoreWithOutput(DataSet data, boolean withOutput) {
            INDArray output = network.output(data.getFeatures(), false);
            ILossFunction loss = ((BaseOutputLayer) network.getOutputLayer().conf().getLayer()).getLossFn();
            boolean classification = loss instanceof LossMCXENT;
            if (!classification && !(loss instanceof LossMSE)) {
                throw new IllegalStateException("no one-pass score for the loss " + loss);
            }
            return new Scored(Losses.score(output, data.getLabels(), classification) / output.rows(),
                    withOutput ? output : null);
        }

        @Override
        public double gradientNorm(INDArray features, INDArray labels) {
            // The gradient without the score computeGradientAndScore() would also compute (and this discard): the
            // same forward and backward pass, so the same bits.
            network.calculateGradients(features, labels, null, null);
            double norm = network.getFlattenedGradients().norm2Number().doubleValue() / features.rows();
            network.clear();
            return norm;
        }

        @Override
        public MinibatchStep step(CellSettings settings, TrainingStage stage) {
            return new Dl4jCellTrainer.Step(network, settings, stage)::fit;
        }

        @Override
        public void prepare(Cell cell, INDArray probe) {
            Dl4jCellTrainer.applyLsuv(cell, new Propagation(network), probe);
        }

        @Override
        public List<LayerStats> measure(INDArray probeX, INDArray probeY, Activation hidden, LayerStats.Phase phase,
                                        int epoch) {
            return new Propagation(network).measure(probeX, probeY, hidden, phase, epoch);
        }

        @Override
        public JacobianSpectrum jacobian(INDArray probeX) {
            return new Propagation(network).jacobian(probeX);
        }

        @Override
        public Blueprint blueprint() {
            return new Blueprint(false, network.getLayerWiseConfigurations().toJson(), 0);
        }

        @Override
        public void release() {
            Dl4jCellTrainer.release(network.params(), network.getFlattenedGradients(), network.getUpdater(false));
        }
    }

    /**
     * A cnn: DL4J's MultiLayerNetwork of convolutions, global average pooling and the output layer
     * ({@link Networks#cnn}), trained by the MLP's {@link Dl4jCellTrainer.Step}, measured by
     * {@link ConvPropagation}. Whole splits are evaluated {@code evaluationRows} examples at a time
     * ({@link Networks#evaluationRows}): a convolution's activations and unrolled patches are hundreds of values per
     * pixel of every example, which a 60,000-image split at once would not fit.
     *
     * @param layout         its layout; null for a copy made from a {@link Blueprint}, which is only evaluated
     * @param evaluationRows examples per evaluation pass
     */
    record Cnn(MultiLayerNetwork network, io.initsweep.grid.NetworkLayout layout, int evaluationRows)
            implements CellNetwork {
        public Cnn {
            Objects.requireNonNull(network, "network is null");
            if (evaluationRows < 1) {
                throw new IllegalArgumentException("evaluation rows must be >= 1, got " + evaluationRows);
            }
        }

        @Override
        public INDArray params() {
            return network.params();
        }

        /** The mean loss over the examples: the passes' mean losses weighted by their examples, in order. */
        @Override
        public double score(DataSet data) {
            int rows = data.numExamples();
            if (rows <= evaluationRows) {
                return network.score(data, false);
            }
            double sum = 0;
            for (int from = 0; from < rows; from += evaluationRows) {
                int to = Math.min(rows, from + evaluationRows);
                DataSet part = new DataSet(rowsOf(data.getFeatures(), from, to), rowsOf(data.getLabels(), from, to));
                sum += network.score(part, false) * (to - from);
            }
            return sum / rows;
        }

        @Override
        public INDArray output(INDArray features) {
            long rows = features.rows();
            if (rows <= evaluationRows) {
                return network.output(features, false);
            }
            java.util.List<INDArray> parts = new java.util.ArrayList<>();
            for (int from = 0; from < rows; from += evaluationRows) {
                parts.add(network.output(rowsOf(features, from, (int) Math.min(rows, from + evaluationRows)), false));
            }
            return org.nd4j.linalg.factory.Nd4j.vstack(parts);
        }

        /**
         * {@link #score} and {@link #output}, each in its bounded passes: two forward passes where the MLP's one-pass
         * form would need the pooled output's loss per pass (not done yet; the numbers are the same either way).
         */
        @Override
        public Scored scoreWithOutput(DataSet data, boolean withOutput) {
            return new Scored(score(data), withOutput ? output(data.getFeatures()) : null);
        }

        private static INDArray rowsOf(INDArray matrix, int from, int to) {
            return matrix.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c');
        }

        @Override
        public double gradientNorm(INDArray features, INDArray labels) {
            network.setInput(features);
            network.setLabels(labels);
            network.computeGradientAndScore();
            double norm = network.gradient().gradient().norm2Number().doubleValue() / features.rows();
            network.clear();
            return norm;
        }

        @Override
        public MinibatchStep step(CellSettings settings, TrainingStage stage) {
            // the MLP's direct step: a chain of layers indexed as the layout's (transfer cells are plain MLPs, the
            // grid refuses a cnn with a source, so a cnn's one stage freezes nothing)
            return new Dl4jCellTrainer.Step(network, settings, stage)::fit;
        }

        @Override
        public void prepare(Cell cell, INDArray probe) {
            propagation().lsuv(cell, probe);
        }

        @Override
        public List<LayerStats> measure(INDArray probeX, INDArray probeY, Activation hidden, LayerStats.Phase phase,
                                        int epoch) {
            return propagation().measure(probeX, probeY, hidden, phase, epoch);
        }

        @Override
        public JacobianSpectrum jacobian(INDArray probeX) {
            return propagation().jacobian(probeX);
        }

        private ConvPropagation propagation() {
            if (layout == null) {
                throw new IllegalStateException("a network restored from its blueprint has no layout to measure");
            }
            return new ConvPropagation(network, layout);
        }

        @Override
        public Blueprint blueprint() {
            return new Blueprint(false, network.getLayerWiseConfigurations().toJson(), evaluationRows);
        }

        @Override
        public void release() {
            Dl4jCellTrainer.release(network.params(), network.getFlattenedGradients(), network.getUpdater(false));
        }
    }

    /**
     * A residual network or a normalized MLP: DL4J's ComputationGraph, built from its plan (null for a copy made
     * from a {@link Blueprint}, which is only evaluated), trained by {@link GraphStep}.
     */
    record Graph(ComputationGraph graph, GraphPlan plan) implements CellNetwork {
        public Graph {
            Objects.requireNonNull(graph, "graph is null");
        }

        @Override
        public INDArray params() {
            return graph.params();
        }

        @Override
        public double score(DataSet data) {
            return graph.score(data, false);
        }

        @Override
        public INDArray output(INDArray features) {
            return graph.outputSingle(false, features);
        }

        @Override
        public Scored scoreWithOutput(DataSet data, boolean withOutput) {
            return new Scored(score(data), withOutput ? output(data.getFeatures()) : null);
        }

        @Override
        public double gradientNorm(INDArray features, INDArray labels) {
            graph.setInputs(features);
            graph.setLabels(labels);
            graph.computeGradientAndScore();
            double norm = graph.gradient().gradient().norm2Number().doubleValue() / features.rows();
            graph.clear();
            return norm;
        }

        @Override
        public MinibatchStep step(CellSettings settings, TrainingStage stage) {
            if (stage.frozenLayers() > 0 || stage.learningRate() != settings.learningRate()) {
                // transfer cells are plain MLPs (the grid refuses others): a graph trains in one plain stage
                throw new IllegalStateException("a ComputationGraph cell trains in one stage without frozen layers, "
                        + "got " + stage);
            }
            return new GraphStep(graph)::fit;
        }

        @Override
        public void prepare(Cell cell, INDArray probe) {
            GraphPropagation propagation = propagation();
            propagation.lsuv(cell, probe);
            propagation.calibrate(probe);
        }

        @Override
        public List<LayerStats> measure(INDArray probeX, INDArray probeY, Activation hidden, LayerStats.Phase phase,
                                        int epoch) {
            return propagation().measure(probeX, probeY, hidden, phase, epoch);
        }

        @Override
        public JacobianSpectrum jacobian(INDArray probeX) {
            return null; // the graph's Jacobian is not measured yet; runs.jacobian_* stay null
        }

        private GraphPropagation propagation() {
            if (plan == null) {
                throw new IllegalStateException("a network restored from its blueprint has no plan to measure");
            }
            return new GraphPropagation(graph, plan);
        }

        @Override
        public Blueprint blueprint() {
            return new Blueprint(true, graph.getConfiguration().toJson(), 0);
        }

        @Override
        public void release() {
            Dl4jCellTrainer.release(graph.params(), graph.getGradientsViewArray(), graph.getUpdater(false));
        }
    }
}
