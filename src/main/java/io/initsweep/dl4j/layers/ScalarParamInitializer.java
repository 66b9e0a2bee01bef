package io.initsweep.dl4j.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parameters of a {@link ScalarLayer}: one [1, 1] view per scalar, in its parameter keys' order. */
final class ScalarParamInitializer implements ParamInitializer {
    static final ScalarParamInitializer INSTANCE = new ScalarParamInitializer();

    private ScalarParamInitializer() {
    }

    private static ScalarLayer scalar(Layer layer) {
        return (ScalarLayer) layer;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return scalar(layer).parameterKeys().size();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return scalar(layer).parameterKeys();
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return scalar(layer).isHasMultiplier() ? List.of(ScalarLayer.MULTIPLIER) : List.of();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return scalar(layer).parameterKeys().stream().filter(k -> !k.equals(ScalarLayer.MULTIPLIER)).toList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return ScalarLayer.MULTIPLIER.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return ScalarLayer.BIAS.equals(key) || ScalarLayer.POST_BIAS.equals(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initialize) {
        ScalarLayer layer = scalar(conf.getLayer());
        Map<String, INDArray> views = views(layer, paramsView);
        if (initialize) {
            views.forEach((key, view) -> view.assign(layer.start(key)));
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(scalar(conf.getLayer()), gradientView);
    }

    private static Map<String, INDArray> views(ScalarLayer layer, INDArray flat) {
        INDArray vector = flat.reshape(flat.length());
        Map<String, INDArray> views = new LinkedHashMap<>();
        int offset = 0;
        for (String key : layer.parameterKeys()) {
            views.put(key, vector.get(NDArrayIndex.interval(offset, offset + 1)).reshape(1, 1));
            offset++;
        }
        return views;
    }
}
