package io.initsweep.dl4j;

import io.initsweep.common.Hashing;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.Task;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.grid.NetworkLayout;
import io.initsweep.init.RandomBiases;
import io.initsweep.model.Activation;
import io.initsweep.model.Normalization;
import io.initsweep.model.Precision;
import io.initsweep.spec.CellSettings;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds the DL4J network of a cell, the one entry point for every architecture ({@link #build}): a plain MLP
 * ({@code depth} dense layers of {@code width} units and an output layer, no normalization) as a
 * {@code MultiLayerNetwork}, exactly as before residual networks existed; anything else — a residual network, an
 * MLP with normalization — as a {@code ComputationGraph} from its {@link GraphPlan} ({@link GraphNetworks}). Both
 * follow the cell's {@link NetworkLayout}.
 */
public final class Networks {
    private Networks() {
    }

    /** The initialized network of a cell, by its architecture; the caller releases it. */
    public static CellNetwork build(Cell cell, DatasetIdentity dataset) {
        if (cell.settings().transfers()) {
            // drawn alone it would train as if it had no source: a wrong result, never a failure
            throw new IllegalArgumentException("cell " + cell.cellId() + " keeps layers of a source network; it is "
                    + "built from the source's model file");
        }
        NetworkLayout layout = Grid.layout(cell.settings(), dataset);
        if (plainMlp(layout)) {
            return new CellNetwork.Mlp(mlp(cell, dataset));
        }
        GraphPlan plan = GraphPlan.of(layout, cell.settings().activation());
        return new CellNetwork.Graph(GraphNetworks.build(cell, dataset, plan), plan);
    }

    /** Whether a network is the MLP of the first release, built as a MultiLayerNetwork. */
    static boolean plainMlp(NetworkLayout layout) {
        return !layout.residual() && layout.normalization() == Normalization.NONE;
    }

    /**
     * The initialized MultiLayerNetwork of a plain MLP cell, random biases included ({@code bias-std}); the caller
     * closes it.
     */
    public static MultiLayerNetwork mlp(Cell cell, DatasetIdentity dataset) {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration(cell, dataset));
        network.init();
        applyRandomBiases(network, cell.settings().biasInit(), cell.settings().biasStd(), cell.initSeed());
        return network;
    }

    /** The configuration of a plain MLP cell. */
    public static MultiLayerConfiguration configuration(Cell cell, DatasetIdentity dataset) {
        CellSettings s = cell.settings();
        int[][] shapes = Grid.layout(s, dataset).shapes();
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(cell.initSeed())
                .dataType(dataType(s.precision()))
                .updater(updater(s))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list();
        for (int layer = 0; layer < s.depth(); layer++) {
            list.layer(new DenseLayer.Builder()
                    .nIn(shapes[layer][0]).nOut(shapes[layer][1])
                    .activation(activation(s.activation()))
                    .weightInit(weightInit(cell, layer))
                    .biasInit(s.biasInit())
                    .build());
        }
        boolean classification = dataset.task() == Task.CLASSIFICATION;
        list.layer(new OutputLayer.Builder(classification ? LossFunctions.LossFunction.MCXENT
                : LossFunctions.LossFunction.MSE)
                .nIn(shapes[s.depth()][0]).nOut(shapes[s.depth()][1])
                .activation(classification ? new ActivationSoftmax() : new ActivationIdentity())
                .weightInit(weightInit(cell, s.depth()))
                .biasInit(s.biasInit())
                .build());
        return list.build();
    }

    /**
     * Layer {@code index}'s weight init. Each layer draws from its own stream, seeded from the cell's init seed and
     * the layer index, so one layer's draws never depend on another layer's size.
     */
    static SchemeWeightInit weightInit(Cell cell, int index) {
        CellSettings s = cell.settings();
        return new SchemeWeightInit(s.schemeOf(index).label(), s.activation().canonicalName(),
                layerSeed(cell.initSeed(), index));
    }

    /**
     * Sets every bias of every layer, the output layer included, to {@code biasInit + N(0, std²)} as
     * {@link RandomBiases#values} draws it from the cell's init seed (the {@code bias-std} setting): computed in
     * double, then cast to the network's type, as any trainer that uses {@link RandomBiases} does. With std 0 the
     * constant biases DL4J set from {@code bias-init} are left as they are, so cells without random biases keep
     * their bits. {@link #build} calls it right after {@code init()}, before LSUV or any measurement.
     */
    static void applyRandomBiases(MultiLayerNetwork network, double biasInit, double std, long initSeed) {
        if (std == 0) {
            return;
        }
        for (int layer = 0; layer < network.getnLayers(); layer++) {
            INDArray bias = network.getLayer(layer).getParam("b");
            double[] values = RandomBiases.values(biasInit, std, initSeed, layer, (int) bias.length());
            bias.assign(Nd4j.create(values, bias.shape(), 'c').castTo(bias.dataType()));
        }
    }

    public static long layerSeed(long initSeed, int layer) {
        return Hashing.seed("layer|" + initSeed + "|" + layer);
    }

    public static DataType dataType(Precision precision) {
        return precision == Precision.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
    }

    /** Row-major examples × columns, in the network's floating-point type. */
    public static INDArray matrix(float[] values, int rows, int columns, Precision precision) {
        return Nd4j.create(values, new long[] {rows, columns}, 'c').castTo(dataType(precision));
    }

    public static IUpdater updater(CellSettings s) {
        return updater(s.optimizer(), s.learningRate(), s.momentum());
    }

    /** DL4J's updater for an optimizer, with DL4J's defaults for what a spec does not set (Adam's β1, β2, ε). */
    static IUpdater updater(io.initsweep.model.Optimizer optimizer, double learningRate, double momentum) {
        return switch (optimizer) {
            case SGD -> new Sgd(learningRate);
            case MOMENTUM -> new Nesterovs(learningRate, momentum);
            case ADAM -> new Adam(learningRate);
        };
    }

    public static IActivation activation(Activation activation) {
        return switch (activation) {
            case RELU -> new ActivationReLU();
            case LEAKY_RELU -> new ActivationLReLU(Activation.LEAKY_RELU_ALPHA);
            case TANH -> new ActivationTanH();
            case SIGMOID -> new ActivationSigmoid();
            case ELU -> new ActivationELU();
            case SELU -> new ActivationSELU();
            case SOFTSIGN -> new ActivationSoftSign();
            case IDENTITY -> new ActivationIdentity();
        };
    }
}
