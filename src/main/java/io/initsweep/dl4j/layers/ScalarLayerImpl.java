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

/** The computation of a {@link ScalarLayer}: {@code y = φ(m·x + c)}; see there for the gradients. */
final class ScalarLayerImpl extends BaseLayer<ScalarLayer> {

    ScalarLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    /** {@code z = m·x + c}, in an array of the given type. */
    private INDArray affine(LayerWorkspaceMgr workspaces, ArrayType type) {
        INDArray z = workspaces.dup(type, input, 'c');
        ScalarLayer conf = layerConf();
        if (conf.isHasMultiplier()) {
            z.muli(getParam(ScalarLayer.MULTIPLIER).getDouble(0));
        }
        if (conf.isHasScalarBias()) {
            z.addi(getParam(ScalarLayer.BIAS).getDouble(0));
        }
        return z;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaces) {
        assertInputSet(false);
        INDArray z = affine(workspaces, ArrayType.ACTIVATIONS);
        return layerConf().getActivationFn().getActivation(z, training);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaces) {
        assertInputSet(true);
        ScalarLayer conf = layerConf();
        INDArray z = affine(workspaces, ArrayType.BP_WORKING_MEM);
        // δ = ∂L/∂z = φ'(z)·ε (the activation's backprop may work in place on its arguments)
        INDArray delta = conf.getActivationFn().backprop(z, epsilon.dup('c')).getFirst();
        Gradient gradient = new DefaultGradient();
        if (conf.isHasMultiplier()) {
            INDArray view = gradientViews.get(ScalarLayer.MULTIPLIER);
            view.assign(delta.mul(input).sumNumber().doubleValue());
            gradient.gradientForVariable().put(ScalarLayer.MULTIPLIER, view);
        }
        if (conf.isHasScalarBias()) {
            INDArray view = gradientViews.get(ScalarLayer.BIAS);
            view.assign(delta.sumNumber().doubleValue());
            gradient.gradientForVariable().put(ScalarLayer.BIAS, view);
        }
        INDArray inputGradient = workspaces.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(),
                input.shape(), 'c');
        inputGradient.assign(delta);
        if (conf.isHasMultiplier()) {
            inputGradient.muli(getParam(ScalarLayer.MULTIPLIER).getDouble(0));
        }
        return new Pair<>(gradient, inputGradient);
    }
}
