package io.initsweep.dl4j.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The computation of a {@link LayerNormalization}; see there for the formulas. */
final class LayerNormalizationImpl extends BaseLayer<LayerNormalization> {

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

    /** x̂ and σ (a column: one per example) of the current input. */
    private INDArray[] normalized(LayerWorkspaceMgr workspaces, ArrayType type) {
        INDArray mean = input.mean(true, 1);
        INDArray std = Transforms.sqrt(input.var(false, 1).reshape(input.rows(), 1).addi(layerConf().getEpsilon()),
                false);
        INDArray xHat = workspaces.dup(type, input, 'c').subiColumnVector(mean).diviColumnVector(std);
        return new INDArray[] {xHat, std};
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaces) {
        assertInputSet(false);
        INDArray y = normalized(workspaces, ArrayType.ACTIVATIONS)[0];
        y.muliRowVector(getParam(LayerNormalization.GAIN)).addiRowVector(getParam(LayerNormalization.BIAS));
        return layerConf().getActivationFn().getActivation(y, training);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaces) {
        assertInputSet(true);
        INDArray[] n = normalized(workspaces, ArrayType.BP_WORKING_MEM);
        INDArray xHat = n[0];
        INDArray std = n[1];
        INDArray gain = getParam(LayerNormalization.GAIN);
        INDArray y = xHat.mulRowVector(gain).addiRowVector(getParam(LayerNormalization.BIAS));
        INDArray dy = layerConf().getActivationFn().backprop(y, epsilon.dup('c')).getFirst();

        INDArray gainGradient = gradientViews.get(LayerNormalization.GAIN);
        gainGradient.assign(dy.mul(xHat).sum(true, 0));
        INDArray biasGradient = gradientViews.get(LayerNormalization.BIAS);
        biasGradient.assign(dy.sum(true, 0));
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(LayerNormalization.GAIN, gainGradient);
        gradient.gradientForVariable().put(LayerNormalization.BIAS, biasGradient);

        // ∂L/∂x = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / σ, g = γ ⊙ ∂L/∂y, means over each example's units
        INDArray g = dy.mulRowVector(gain);
        INDArray meanG = g.mean(true, 1);
        INDArray meanGx = g.mul(xHat).mean(true, 1);
        INDArray inputGradient = workspaces.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(),
                input.shape(), 'c');
        inputGradient.assign(g.subiColumnVector(meanG).subi(xHat.mulColumnVector(meanGx)).diviColumnVector(std));
        return new Pair<>(gradient, inputGradient);
    }
}
