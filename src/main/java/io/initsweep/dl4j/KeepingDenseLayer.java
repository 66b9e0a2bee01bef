package io.initsweep.dl4j;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's dense layer that keeps the pre-activations of its training forward pass for the backward pass that
 * follows. DL4J's {@code BaseLayer.backpropGradient} computes {@code z = xW + b} again from the same input and
 * parameters — the same product and bias add, so the same bits — because its forward pass applies the activation
 * over z in place. This layer copies z before the activation instead (one copy for a product, a result copy and a
 * bias add) and hands the copy to that backward pass: each training step of a cell makes one product fewer per
 * hidden layer and gets the bits it got before (tested against golden results and against {@code fit()}).
 *
 * <p>The copy lives in the workspace of the forward pass's activations, which DL4J keeps open through the
 * backward pass that reads those activations. It serves only the first backward pass after a training forward
 * pass; any other forward pass or pre-activation call discards it, so a stale z is never used.
 */
final class KeepingDenseLayer extends DenseLayer {
    private transient INDArray kept;

    private KeepingDenseLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * Replaces an initialized network's dense layers by keeping ones over the same configuration, parameter views
     * and gradient views (call {@code initGradientsView()} first); the network's other layers, parameters and
     * gradients are untouched.
     */
    static void install(MultiLayerNetwork network) {
        if (network.getFlattenedGradients() == null) {
            throw new IllegalStateException("the network's gradient views are not made yet: call initGradientsView()");
        }
        Layer[] layers = network.getLayers().clone();
        DataType dataType = network.params().dataType();
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] instanceof DenseLayer dense && !(dense instanceof KeepingDenseLayer)) {
                KeepingDenseLayer keeping = new KeepingDenseLayer(dense.conf(), dataType);
                keeping.setIndex(dense.getIndex());
                keeping.setListeners(dense.getListeners());
                keeping.setParamsViewArray(dense.params());
                keeping.setParamTable(dense.paramTable());
                keeping.setBackpropGradientsViewArray(dense.getGradientsViewArray());
                keeping.setCacheMode(dense.getCacheMode());
                layers[i] = keeping;
            }
        }
        network.setLayers(layers);
    }

    /** DL4J's {@code BaseLayer.activate}, with a copy of z taken before the activation overwrites it. */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        kept = null;
        INDArray z = preOutput(training, workspaceMgr);
        INDArray kept = training ? workspaceMgr.dup(ArrayType.ACTIVATIONS, z) : null;
        INDArray ret = layerConf().getActivationFn().getActivation(z, training);
        if (maskArray != null) {
            applyMask(ret);
        }
        this.kept = kept;
        return ret;
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop,
                                                            LayerWorkspaceMgr workspaceMgr) {
        INDArray z = kept;
        kept = null;
        if (forBackprop && z != null && !hasLayerNorm() && maskArray == null) {
            return new Pair<>(z, z);
        }
        return super.preOutputWithPreNorm(training, forBackprop, workspaceMgr);
    }
}
