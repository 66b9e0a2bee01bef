package io.initsweep.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The computation of a {@link LayerNormalization}; see there for the formulas. The training-mode forward pass keeps
 * x̂ and σ for the backward pass that follows it (in the input workspace, which lives until then), as DL4J's batch
 * normalization does, so the backward pass does not normalize again.
 */
final class LayerNormalizationImpl extends BaseLayer<LayerNormalization> {
    private INDArray xHat;
    private INDArray std;

    LayerNormalizationImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.NORMALIZATION;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaces) {
        assertInputSet(false);
        INDArray mean = input.mean(true, 1);
        INDArray sigma = Transforms.sqrt(input.var(false, 1).addi(layerConf().getEpsilon()), false)
                .reshape(input.rows(), 1);
        INDArray normalized = input.subColumnVector(mean).diviColumnVector(sigma);
        if (training) {
            xHat = workspaces.leverageTo(ArrayType.INPUT, normalized);
            std = workspaces.leverageTo(ArrayType.INPUT, sigma);
        }
        INDArray y = workspaces.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        y.assign(normalized.mulRowVector(getParam(LayerNormalization.GAIN)))
                .addiRowVector(getParam(LayerNormalization.BIAS));
        return layerConf().getActivationFn().getActivation(y, training);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaces) {
        assertInputSet(true);
        if (xHat == null) {
            throw new IllegalStateException("backpropagation without a training-mode forward pass " + layerId());
        }
        INDArray gain = getParam(LayerNormalization.GAIN);
        IActivation activation = layerConf().getActivationFn();
        INDArray dy = epsilon;
        if (!(activation instanceof ActivationIdentity)) {
            INDArray y = xHat.mulRowVector(gain).addiRowVector(getParam(LayerNormalization.BIAS));
            dy = activation.backprop(y, epsilon.dup('c')).getFirst();
        }
        INDArray dyXHat = dy.mul(xHat);
        INDArray gainGradient = gradientViews.get(LayerNormalization.GAIN);
        gainGradient.assign(dyXHat.sum(true, 0));
        INDArray biasGradient = gradientViews.get(LayerNormalization.BIAS);
        biasGradient.assign(dy.sum(true, 0));
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(LayerNormalization.GAIN, gainGradient);
        gradient.gradientForVariable().put(LayerNormalization.BIAS, biasGradient);

        // ∂L/∂x = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / σ, g = γ ⊙ ∂L/∂y, means over each example's units
        INDArray meanGx = dyXHat.muliRowVector(gain).mean(true, 1);
        INDArray inputGradient = workspaces.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(),
                input.shape(), 'c');
        inputGradient.assign(dy.mulRowVector(gain));
        inputGradient.subiColumnVector(inputGradient.mean(true, 1))
                .subi(xHat.mulColumnVector(meanGx)).diviColumnVector(std);
        return new Pair<>(gradient, inputGradient);
    }

    @Override
    public void clear() {
        super.clear();
        xHat = null;
        std = null;
    }
}
