package io.initsweep.dl4j.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parameters of a {@link LayerNormalization}: gain [1, n] (starting at 1), then bias [1, n] (starting at 0). */
final class LayerNormParamInitializer implements ParamInitializer {
    static final LayerNormParamInitializer INSTANCE = new LayerNormParamInitializer();

    private LayerNormParamInitializer() {
    }

    private static long units(Layer layer) {
        return ((LayerNormalization) layer).getNOut();
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return 2 * units(layer);
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return List.of(LayerNormalization.GAIN, LayerNormalization.BIAS);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of(LayerNormalization.GAIN);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of(LayerNormalization.BIAS);
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return LayerNormalization.GAIN.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return LayerNormalization.BIAS.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initialize) {
        Map<String, INDArray> views = views(units(conf.getLayer()), paramsView);
        if (initialize) {
            views.get(LayerNormalization.GAIN).assign(1.0);
            views.get(LayerNormalization.BIAS).assign(0.0);
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(units(conf.getLayer()), gradientView);
    }

    private static Map<String, INDArray> views(long units, INDArray flat) {
        INDArray vector = flat.reshape(flat.length());
        Map<String, INDArray> views = new LinkedHashMap<>();
        views.put(LayerNormalization.GAIN, vector.get(NDArrayIndex.interval(0, units)).reshape(1, units));
        views.put(LayerNormalization.BIAS, vector.get(NDArrayIndex.interval(units, 2 * units)).reshape(1, units));
        return views;
    }
}
