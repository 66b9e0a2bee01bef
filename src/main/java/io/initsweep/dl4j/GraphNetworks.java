package io.initsweep.dl4j;

import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.Task;
import io.initsweep.dl4j.layers.LayerNormalization;
import io.initsweep.dl4j.layers.ScalarLayer;
import io.initsweep.grid.Cell;
import io.initsweep.grid.NetworkLayout;
import io.initsweep.init.RandomBiases;
import io.initsweep.model.Normalization;
import io.initsweep.spec.CellSettings;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds the DL4J {@code ComputationGraph} of a network that is not a plain MLP (a residual network, or an MLP
 * with normalization) from its {@link GraphPlan}: one vertex per node, under the node's name — dense, batch
 * normalization and activation layers of DL4J, our {@link ScalarLayer} and {@link LayerNormalization}, and
 * {@code ScaleVertex}/{@code ElementWiseVertex(Add)} for the fixed branch scale and the residual additions.
 *
 * <p>Dense layers draw their weights from the layout's formula in their place in the network ({@link SchemeWeightInit}
 * with the layer's role), each from its own stream seeded by the cell's init seed and the layer's index, exactly
 * as the MLP's layers do.
 */
final class GraphNetworks {
    /** DL4J's batch normalization parameters when {@code useLogStd} is off: the running mean and variance. */
    static final String RUNNING_MEAN = "mean";
    static final String RUNNING_VAR = "var";

    private GraphNetworks() {
    }

    static ComputationGraphConfiguration configuration(Cell cell, DatasetIdentity dataset, GraphPlan plan) {
        CellSettings s = cell.settings();
        boolean classification = dataset.task() == Task.CLASSIFICATION;
        ComputationGraphConfiguration.GraphBuilder graph = new NeuralNetConfiguration.Builder()
                .seed(cell.initSeed())
                .dataType(Networks.dataType(s.precision()))
                .updater(Networks.updater(s))
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(plan.input())
                .setInputTypes(InputType.feedForward(dataset.features()));
        int blocks = s.residual() ? s.depth() : 0;
        int blockDepth = s.residual() ? s.blockDepth() : 0;
        for (GraphPlan.Node node : plan.nodes()) {
            String[] inputs = node.inputs().toArray(String[]::new);
            if (node instanceof GraphPlan.Dense d) {
                NetworkLayout.Layer layer = d.layer();
                SchemeWeightInit init = new SchemeWeightInit(layer.scheme().label(), s.activation().canonicalName(),
                        Networks.layerSeed(cell.initSeed(), layer.index()), layer.role().name(), blocks, blockDepth);
                if (layer.isOutput()) {
                    graph.addLayer(d.name(), new OutputLayer.Builder(classification
                            ? LossFunctions.LossFunction.MCXENT : LossFunctions.LossFunction.MSE)
                            .nIn(layer.fanIn()).nOut(layer.fanOut())
                            .activation(classification ? new ActivationSoftmax() : new ActivationIdentity())
                            .weightInit(init).biasInit(s.biasInit())
                            .build(), inputs);
                } else {
                    graph.addLayer(d.name(), new DenseLayer.Builder()
                            .nIn(layer.fanIn()).nOut(layer.fanOut())
                            .activation(new ActivationIdentity())
                            .weightInit(init).biasInit(s.biasInit()).hasBias(layer.hasBias())
                            .build(), inputs);
                }
            } else if (node instanceof GraphPlan.Norm n) {
                graph.addLayer(n.name(), n.kind() == Normalization.BATCH
                        ? new BatchNormalization.Builder().nIn(n.units()).nOut(n.units())
                        .eps(Normalization.EPSILON).decay(Normalization.DECAY).useLogStd(false)
                        .activation(new ActivationIdentity()).build()
                        : new LayerNormalization.Builder(n.units()).epsilon(Normalization.EPSILON)
                        .activation(new ActivationIdentity()).build(), inputs);
            } else if (node instanceof GraphPlan.Act a) {
                graph.addLayer(a.name(), new ActivationLayer.Builder()
                        .activation(Networks.activation(a.activation())).build(), inputs);
            } else if (node instanceof GraphPlan.Scalar c) {
                ScalarLayer.Builder scalar = new ScalarLayer.Builder(s.width())
                        .activation(c.activation() == null ? new ActivationIdentity()
                                : Networks.activation(c.activation()));
                if (c.hasMultiplier()) {
                    scalar.multiplier(c.multiplier());
                }
                if (c.hasBias()) {
                    scalar.scalarBias(c.bias());
                }
                if (c.hasPostBias()) {
                    scalar.postBias(c.postBias());
                }
                graph.addLayer(c.name(), scalar.build(), inputs);
            } else if (node instanceof GraphPlan.Scale c) {
                graph.addVertex(c.name(), new ScaleVertex(c.factor()), inputs);
            } else if (node instanceof GraphPlan.Add a) {
                graph.addVertex(a.name(), new ElementWiseVertex(ElementWiseVertex.Op.Add), inputs);
            } else {
                throw new AssertionError(node);
            }
        }
        return graph.setOutputs(plan.output()).build();
    }

    /** An initialized graph, random biases included ({@code bias-std}); the caller releases it. */
    static ComputationGraph build(Cell cell, DatasetIdentity dataset, GraphPlan plan) {
        ComputationGraph graph = new ComputationGraph(configuration(cell, dataset, plan));
        graph.init();
        CellSettings s = cell.settings();
        if (s.biasStd() != 0) {
            // the MLP's draw (RandomBiases), keyed by the layout's layer index, for every dense layer with a bias
            for (GraphPlan.Node node : plan.nodes()) {
                if (node instanceof GraphPlan.Dense d && d.layer().hasBias()) {
                    INDArray bias = graph.getLayer(d.name()).getParam("b");
                    double[] values = RandomBiases.values(s.biasInit(), s.biasStd(), cell.initSeed(),
                            d.layer().index(), (int) bias.length());
                    bias.assign(Nd4j.create(values, bias.shape(), 'c').castTo(bias.dataType()));
                }
            }
        }
        return graph;
    }
}
