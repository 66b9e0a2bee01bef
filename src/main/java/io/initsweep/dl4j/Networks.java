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

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
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
 * ({@code depth} dense layers and an output layer, no normalization) as a {@code MultiLayerNetwork}, exactly as
 * before residual networks existed; a cnn as a {@code MultiLayerNetwork} of convolutions ({@link #cnn}); anything
 * else — a residual network, an MLP with normalization — as a {@code ComputationGraph} from its {@link GraphPlan}
 * ({@link GraphNetworks}). All follow the cell's {@link NetworkLayout}.
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
        if (layout.cnn()) {
            return new CellNetwork.Cnn(cnn(cell, dataset, layout), layout,
                    evaluationRows(layout, cell.settings().precision()));
        }
        GraphPlan plan = GraphPlan.of(layout, cell.settings().activation());
        return new CellNetwork.Graph(GraphNetworks.build(cell, dataset, plan), plan);
    }

    /** Whether a network is the MLP of the first release, built as a MultiLayerNetwork. */
    static boolean plainMlp(NetworkLayout layout) {
        return layout.architecture() == io.initsweep.model.Architecture.MLP
                && layout.normalization() == Normalization.NONE;
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
     * The initialized MultiLayerNetwork of a cnn cell (see {@link NetworkLayout}), random biases included; the caller
     * releases it. The rows stay flat ({@code C·H·W} values, row-major in {@code [C, H, W]} order, as every dataset
     * holds them): {@code InputType.convolutionalFlat} puts DL4J's {@code FeedForwardToCnnPreProcessor} before the
     * first convolution, which reshapes each row in 'c' order to {@code [C, H, W]} (NCHW, DL4J's convolution format),
     * so minibatches, evaluation, data-parallel training and replay treat a cnn's data as any other cell's.
     *
     * <p>A MultiLayerNetwork rather than a graph: the network is a chain, and a chain keeps the direct training step
     * ({@link Dl4jCellTrainer.Step}, the same bits as {@code fit}, tested) and DL4J Spark's
     * {@code SparkDl4jMultiLayer} for data-parallel cells.
     */
    public static MultiLayerNetwork cnn(Cell cell, DatasetIdentity dataset, NetworkLayout layout) {
        CellSettings s = cell.settings();
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(cell.initSeed())
                .dataType(dataType(s.precision()))
                .updater(updater(s))
                .convolutionMode(ConvolutionMode.Same)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list();
        NetworkLayout.Conv first = layout.layer(0).conv();
        for (NetworkLayout.Layer layer : layout.layers()) {
            if (layer.isOutput()) {
                break;
            }
            NetworkLayout.Conv conv = layer.conv();
            list.layer(new ConvolutionLayer.Builder(conv.kernel().height(), conv.kernel().width())
                    .stride(conv.stride(), conv.stride())
                    .convolutionMode(ConvolutionMode.Same)
                    .nIn(conv.kernel().inChannels()).nOut(conv.kernel().outChannels())
                    .activation(activation(s.activation()))
                    .weightInit(weightInit(cell, layer.index()))
                    .biasInit(s.biasInit())
                    .build());
        }
        list.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
        NetworkLayout.Layer output = layout.output();
        boolean classification = dataset.task() == Task.CLASSIFICATION;
        list.layer(new OutputLayer.Builder(classification ? LossFunctions.LossFunction.MCXENT
                : LossFunctions.LossFunction.MSE)
                .nIn(output.fanIn()).nOut(output.fanOut())
                .activation(classification ? new ActivationSoftmax() : new ActivationIdentity())
                .weightInit(weightInit(cell, output.index()))
                .biasInit(s.biasInit())
                .build());
        list.setInputType(InputType.convolutionalFlat(first.inHeight(), first.inWidth(),
                first.kernel().inChannels()));
        MultiLayerNetwork network = new MultiLayerNetwork(list.build());
        network.init();
        if (s.biasStd() != 0) {
            // the MLP's draw (RandomBiases) keyed by the layout's layer index; network layer depth is the pooling
            for (NetworkLayout.Layer layer : layout.layers()) {
                INDArray bias = network.getLayer(cnnNetworkLayer(layout, layer.index())).getParam("b");
                double[] values = RandomBiases.values(s.biasInit(), s.biasStd(), cell.initSeed(), layer.index(),
                        (int) bias.length());
                bias.assign(Nd4j.create(values, bias.shape(), 'c').castTo(bias.dataType()));
            }
        }
        return network;
    }

    /** The MultiLayerNetwork layer of a cnn's layout layer: the same index, but the output after the pooling layer. */
    static int cnnNetworkLayer(NetworkLayout layout, int index) {
        return index == layout.outputIndex() ? index + 1 : index;
    }

    /**
     * Examples a cnn evaluates at once (loss and accuracy on whole splits): enough that one pass's largest buffers,
     * the widest layer's unrolled patches ({@code H'·W'·C_in·k²} values) and its output, stay within
     * {@value #EVALUATION_BYTES} bytes. A whole 60,000-image split at once would need tens of GB. A function of the
     * layout only, so a cell's numbers do not depend on the memory of the machine it ran on.
     */
    static int evaluationRows(NetworkLayout layout, io.initsweep.model.Precision precision) {
        long perExample = 1;
        for (NetworkLayout.Layer layer : layout.layers()) {
            if (layer.isConvolution()) {
                NetworkLayout.Conv conv = layer.conv();
                long positions = (long) conv.outHeight() * conv.outWidth();
                perExample = Math.max(perExample, positions * conv.kernel().inChannels() * conv.kernel().taps()
                        + positions * conv.kernel().outChannels()
                        + (long) conv.kernel().inChannels() * conv.inHeight() * conv.inWidth());
            }
        }
        long bytes = perExample * (precision == io.initsweep.model.Precision.FLOAT64 ? 8 : 4);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, EVALUATION_BYTES / bytes));
    }

    /** The memory one evaluation pass of a cnn may take for its largest layer (see {@link #evaluationRows}). */
    static final long EVALUATION_BYTES = 256L << 20;

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
