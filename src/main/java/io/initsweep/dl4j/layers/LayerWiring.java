package io.initsweep.dl4j.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

/**
 * What DL4J asks of every custom layer's {@code instantiate}: the new layer gets its listeners, its index, the view of
 * the network's flat parameter array it lives in, its parameters cut from that view, and its configuration. One
 * place, so the custom layers differ only in what differs.
 */
final class LayerWiring {
    private LayerWiring() {
    }

    static <L extends Layer> L wired(L layer, ParamInitializer initializer, NeuralNetConfiguration conf,
                                     Collection<TrainingListener> listeners, int layerIndex,
                                     INDArray layerParamsView, boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> params = initializer.init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }
}
