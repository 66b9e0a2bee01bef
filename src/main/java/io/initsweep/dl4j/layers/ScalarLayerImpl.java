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
import org.nd4j.linalg.factory.Nd4j;

/**
 * The computation of a {@link ScalarLayer}: {@code y = φ(m·x + c) + d}; see there for the gradients. Written for few
 * array operations: a residual network has several of these per block, and each ND4J operation on small arrays
 * costs about as much as its arithmetic.
 */
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

    private double scalar(String key) {
        return getParam(key).getDouble(0);
    }

    /** {@code z = m·x + c}, in a new array of the given type. */
    private INDArray affine(LayerWorkspaceMgr workspaces, ArrayType type) {
        INDArray z = workspaces.dup(type, input, 'c');
        ScalarLayer conf = layerConf();
        if (conf.isHasMultiplier()) {
            z.muli(scalar(ScalarLayer.MULTIPLIER));
        }
        if (conf.isHasScalarBias()) {
            z.addi(scalar(ScalarLayer.BIAS));
        }
        return z;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaces) {
        assertInputSet(false);
        INDArray y = layerConf().getActivationFn().getActivation(affine(workspaces, ArrayType.ACTIVATIONS), training);
        if (layerConf().isHasPostBias()) {
            y.addi(scalar(ScalarLayer.POST_BIAS));
        }
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaces) {
        assertInputSet(true);
        ScalarLayer conf = layerConf();
        Gradient gradient = new DefaultGradient();
        if (conf.isHasPostBias()) {
            set(gradient, ScalarLayer.POST_BIAS, epsilon.sumNumber().doubleValue());
        }
        IActivation activation = conf.getActivationFn();
        INDArray delta; // ∂L/∂z, in the activation-gradient workspace
        if (activation instanceof ActivationIdentity) {
            delta = conf.isHasMultiplier() ? workspaces.dup(ArrayType.ACTIVATION_GRAD, epsilon, 'c')
                    : workspaces.leverageTo(ArrayType.ACTIVATION_GRAD, epsilon);
        } else {
            INDArray z = affine(workspaces, ArrayType.BP_WORKING_MEM);
            delta = workspaces.leverageTo(ArrayType.ACTIVATION_GRAD,
                    activation.backprop(z, epsilon.dup('c')).getFirst()); // φ'(z)·ε
        }
        if (conf.isHasMultiplier()) {
            // Σ δ·x as one dot product of the flattened arrays
            set(gradient, ScalarLayer.MULTIPLIER, Nd4j.getBlasWrapper().dot(delta.reshape(delta.length()),
                    input.dup('c').reshape(input.length())));
        }
        if (conf.isHasScalarBias()) {
            set(gradient, ScalarLayer.BIAS, delta.sumNumber().doubleValue());
        }
        if (conf.isHasMultiplier()) {
            delta.muli(scalar(ScalarLayer.MULTIPLIER));
        }
        return new Pair<>(gradient, delta);
    }

    private void set(Gradient gradient, String key, double value) {
        INDArray view = gradientViews.get(key);
        view.putScalar(0, value);
        gradient.gradientForVariable().put(key, view);
    }
}
