package io.initsweep.dl4j;

import io.initsweep.model.Activation;
import io.initsweep.train.Diagnostics;
import io.initsweep.train.LayerStats;

import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * Forward and backward signal through a cell's network on the probe batch, layer by layer, for the {@code layers}
 * table and for LSUV. It recomputes {@code z = xW + b} and the activations from the network's own parameters,
 * activation functions and loss, because DL4J exposes post-activations only.
 */
final class Propagation {
    private final MultiLayerNetwork network;
    private final int layers;

    Propagation(MultiLayerNetwork network) {
        this.network = network;
        this.layers = network.getnLayers();
    }

    /** Pre-activations and activations of every layer; index 0 of {@code activations} is the input. */
    record Forward(List<INDArray> preactivations, List<INDArray> activations) {
    }

    Forward forward(INDArray input, int throughLayer) {
        List<INDArray> pre = new ArrayList<>();
        List<INDArray> post = new ArrayList<>();
        post.add(input);
        INDArray a = input;
        for (int l = 0; l <= throughLayer; l++) {
            INDArray z = a.mmul(weights(l)).addiRowVector(network.getLayer(l).getParam("b"));
            pre.add(z);
            a = activation(l).getActivation(z.dup(), false);
            post.add(a);
        }
        return new Forward(pre, post);
    }

    INDArray weights(int layer) {
        return network.getLayer(layer).getParam("W");
    }

    private IActivation activation(int layer) {
        return ((FeedForwardLayer) network.getLayer(layer).conf().getLayer()).getActivationFn();
    }

    /**
     * Statistics of every layer on the probe batch.
     *
     * @param hidden the hidden layers' activation (dead units and saturation are judged by it)
     */
    List<LayerStats> measure(INDArray probeX, INDArray probeY, Activation hidden, LayerStats.Phase phase) {
        int last = layers - 1;
        Forward forward = forward(probeX, last);
        int examples = probeX.rows();

        // Backward: δ_L = ∂L/∂z_L of the mean loss; ∂L/∂W_l = a_{l-1}ᵀ δ_l; ∂L/∂a_{l-1} = δ_l W_lᵀ.
        BaseOutputLayer outputConf = (BaseOutputLayer) network.getLayer(last).conf().getLayer();
        ILossFunction loss = outputConf.getLossFn();
        INDArray delta = loss.computeGradient(probeY, forward.preactivations().get(last).dup(), activation(last), null)
                .divi(examples);
        INDArray[] gradWeights = new INDArray[layers];
        INDArray[] gradInputs = new INDArray[layers];
        for (int l = last; l >= 0; l--) {
            gradWeights[l] = forward.activations().get(l).transpose().mmul(delta);
            gradInputs[l] = delta.mmul(weights(l).transpose());
            if (l > 0) {
                delta = activation(l - 1).backprop(forward.preactivations().get(l - 1).dup(), gradInputs[l].dup())
                        .getFirst();
            }
        }

        List<LayerStats> stats = new ArrayList<>();
        for (int l = 0; l <= last; l++) {
            INDArray w = weights(l);
            stats.add(layerStats(l, phase, w.rows(), w.columns(), l < last, hidden, examples, doubles(w),
                    doubles(forward.preactivations().get(l)), doubles(forward.activations().get(l + 1)),
                    doubles(gradWeights[l]), doubles(gradInputs[l])));
        }
        return stats;
    }

    /**
     * One layer's statistics from its values on the probe batch, all row-major: the weights ({@code fanIn × fanOut}),
     * the pre-activations and activations ({@code examples × fanOut}), the weight gradient ({@code fanIn × fanOut})
     * and the input gradient ({@code examples × fanIn}) of the mean loss. The one place both trainers compute them,
     * so that equal values give equal statistics.
     */
    static LayerStats layerStats(int layer, LayerStats.Phase phase, int fanIn, int fanOut, boolean isHidden,
                                 Activation hidden, int examples, double[] weights, double[] preactivations,
                                 double[] activations, double[] gradWeights, double[] gradInputs) {
        Activation.Family family = hidden.family();
        return new LayerStats(layer, phase, fanIn, fanOut,
                Diagnostics.mean(weights), Math.sqrt(Diagnostics.variance(weights)),
                Diagnostics.mean(activations), Diagnostics.variance(activations), Diagnostics.variance(preactivations),
                isHidden && family == Activation.Family.RECTIFIER
                        ? Diagnostics.deadFraction(preactivations, examples, fanOut) : null,
                isHidden && family == Activation.Family.SATURATING
                        ? Diagnostics.saturatedFraction(activations, hidden) : null,
                Diagnostics.variance(gradWeights),
                Diagnostics.variance(gradInputs),
                Diagnostics.symmetry(weights, fanIn, fanOut));
    }

    /**
     * Layer-sequential unit variance (Mishkin and Matas 2016): from the input up, divide each LSUV layer's weights
     * by the standard deviation of its pre-activation on the batch until the variance is within {@code tolerance}
     * of 1 or {@code maxIterations} rescalings were made.
     *
     * @param lsuvLayers which layers use LSUV (others keep their weights)
     * @return rescalings made per layer
     */
    int[] lsuv(INDArray batch, boolean[] lsuvLayers, double tolerance, int maxIterations) {
        int[] iterations = new int[layers];
        for (int l = 0; l < layers; l++) {
            if (!lsuvLayers[l]) {
                continue;
            }
            for (int i = 0; i < maxIterations; i++) {
                double variance = forward(batch, l).preactivations().get(l).varNumber().doubleValue();
                if (!(variance > 0) || !Double.isFinite(variance) || Math.abs(variance - 1.0) < tolerance) {
                    break; // converged, or a dead input that no rescaling of this layer can fix
                }
                weights(l).divi(Math.sqrt(variance));
                iterations[l]++;
            }
        }
        return iterations;
    }

    static double[] doubles(INDArray array) {
        return array.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
