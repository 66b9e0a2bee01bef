package io.initsweep.dl4j.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Learnable scalars on a whole activation: {@code y = φ(m·x + c)} with one scalar multiplier {@code m} and/or one
 * scalar bias {@code c} shared by every unit and example, then the layer's activation φ (identity unless set).
 * These are the parameters of the initializations made for residual networks, which DL4J has no layer for:
 * SkipInit's and ReZero's branch multiplier starting at 0, Fixup's multiplier starting at 1 and its scalar biases
 * starting at 0 (Zhang et al. 2019, Section 3: "add a scalar multiplier … and a scalar bias before each
 * convolution, linear, and element-wise activation layer").
 *
 * <p>Gradients (summed over the minibatch like every DL4J layer's, the updater divides): with
 * {@code z = m·x + c} and {@code δ = ∂L/∂z = φ'(z)·∂L/∂y}, {@code ∂L/∂m = Σ δ·x}, {@code ∂L/∂c = Σ δ} and
 * {@code ∂L/∂x = m·δ}. {@code TestScalarLayers} checks them against central finite differences.
 *
 * <p>Parameters, in this order: {@value #MULTIPLIER} (if present), then {@value #BIAS} (if present), each of shape
 * [1, 1].
 */
public final class ScalarLayer extends FeedForwardLayer {
    private static final long serialVersionUID = 1L;

    public static final String MULTIPLIER = "m";
    public static final String BIAS = "c";

    private boolean hasMultiplier;
    private double multiplierStart;
    private boolean hasScalarBias;
    private double scalarBiasStart;

    /** For DL4J's JSON deserialization. */
    @SuppressWarnings("unused")
    private ScalarLayer() {
    }

    private ScalarLayer(Builder builder) {
        super(builder);
        this.hasMultiplier = builder.multiplier;
        this.multiplierStart = builder.multiplierInit;
        this.hasScalarBias = builder.bias;
        this.scalarBiasStart = builder.biasValue;
        if (!hasMultiplier && !hasScalarBias) {
            throw new IllegalArgumentException("a scalar layer needs a multiplier, a bias or both");
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                      Collection<TrainingListener> listeners, int layerIndex,
                                                      INDArray layerParamsView, boolean initializeParams,
                                                      DataType networkDataType) {
        ScalarLayerImpl layer = new ScalarLayerImpl(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> params = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return ScalarParamInitializer.INSTANCE;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType output = getOutputType(-1, inputType);
        long perExample = output.arrayElementsPerExample();
        return new LayerMemoryReport.Builder(layerName, ScalarLayer.class, inputType, output)
                .standardMemory(parameterKeys().size(), 0)
                .workingMemory(0, 0, perExample, perExample)
                .cacheMemory(0, 0)
                .build();
    }

    /** The parameter keys, in their order in the parameter vector. */
    List<String> parameterKeys() {
        List<String> keys = new ArrayList<>(2);
        if (hasMultiplier) {
            keys.add(MULTIPLIER);
        }
        if (hasScalarBias) {
            keys.add(BIAS);
        }
        return keys;
    }

    public boolean isHasMultiplier() {
        return hasMultiplier;
    }

    public void setHasMultiplier(boolean hasMultiplier) {
        this.hasMultiplier = hasMultiplier;
    }

    public double getMultiplierStart() {
        return multiplierStart;
    }

    public void setMultiplierStart(double multiplierStart) {
        this.multiplierStart = multiplierStart;
    }

    public boolean isHasScalarBias() {
        return hasScalarBias;
    }

    public void setHasScalarBias(boolean hasScalarBias) {
        this.hasScalarBias = hasScalarBias;
    }

    public double getScalarBiasStart() {
        return scalarBiasStart;
    }

    public void setScalarBiasStart(double scalarBiasStart) {
        this.scalarBiasStart = scalarBiasStart;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScalarLayer other && super.equals(o) && hasMultiplier == other.hasMultiplier
                && hasScalarBias == other.hasScalarBias
                && Double.compare(multiplierStart, other.multiplierStart) == 0
                && Double.compare(scalarBiasStart, other.scalarBiasStart) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), hasMultiplier, multiplierStart, hasScalarBias,
                scalarBiasStart);
    }

    /** Builds a scalar layer of {@code units} units (nIn = nOut). */
    public static final class Builder extends FeedForwardLayer.Builder<Builder> {
        private boolean multiplier;
        private double multiplierInit;
        private boolean bias;
        private double biasValue;

        public Builder(int units) {
            nIn(units);
            nOut(units);
        }

        /** A learnable multiplier starting at {@code initial}. */
        public Builder multiplier(double initial) {
            multiplier = true;
            multiplierInit = initial;
            return this;
        }

        /** A learnable bias starting at {@code initial}. */
        public Builder scalarBias(double initial) {
            bias = true;
            biasValue = initial;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public ScalarLayer build() {
            return new ScalarLayer(this);
        }
    }
}
