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

/**
 * Learnable scalars on a whole activation: {@code y = φ(m·x + c) + d} with one scalar multiplier {@code m}, one
 * scalar bias {@code c} before the layer's activation φ (identity unless set) and one scalar bias {@code d} after
 * it, each optional and each shared by every unit and example. These are the parameters of the initializations made
 * for residual networks, which DL4J has no layer for: SkipInit's and ReZero's branch multiplier starting at 0,
 * Fixup's multiplier starting at 1 and its scalar biases starting at 0 (Zhang et al. 2019, Section 3: "add a scalar
 * multiplier … and a scalar bias before each convolution, linear, and element-wise activation layer"); one layer
 * {@code φ(x + c) + d} holds the biases before a nonlinearity and before the dense layer after it.
 *
 * <p>Gradients (summed over the minibatch like every DL4J layer's; the updater divides): with {@code z = m·x + c},
 * {@code g = ∂L/∂y} and {@code δ = ∂L/∂z = φ'(z)·g}: {@code ∂L/∂d = Σ g}, {@code ∂L/∂m = Σ δ·x},
 * {@code ∂L/∂c = Σ δ} and {@code ∂L/∂x = m·δ}. {@code TestScalarLayers} checks them against central finite
 * differences.
 *
 * <p>Parameters, in this order, each of shape [1, 1] and present only if configured: {@value #MULTIPLIER},
 * {@value #BIAS}, {@value #POST_BIAS}.
 */
public final class ScalarLayer extends FeedForwardLayer {
    private static final long serialVersionUID = 1L;

    public static final String MULTIPLIER = "m";
    public static final String BIAS = "c";
    public static final String POST_BIAS = "d";

    private boolean hasMultiplier;
    private double multiplierStart;
    private boolean hasScalarBias;
    private double scalarBiasStart;
    private boolean hasPostBias;
    private double postBiasStart;

    /** For DL4J's JSON deserialization. */
    @SuppressWarnings("unused")
    private ScalarLayer() {
    }

    private ScalarLayer(Builder builder) {
        super(builder);
        this.hasMultiplier = builder.multiplier;
        this.multiplierStart = builder.multiplierStart;
        this.hasScalarBias = builder.bias;
        this.scalarBiasStart = builder.biasStart;
        this.hasPostBias = builder.postBias;
        this.postBiasStart = builder.postBiasStart;
        if (!hasMultiplier && !hasScalarBias && !hasPostBias) {
            throw new IllegalArgumentException("a scalar layer needs a multiplier or a bias");
        }
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                      Collection<TrainingListener> listeners, int layerIndex,
                                                      INDArray layerParamsView, boolean initializeParams,
                                                      DataType networkDataType) {
        return LayerWiring.wired(new ScalarLayerImpl(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
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
        List<String> keys = new ArrayList<>(3);
        if (hasMultiplier) {
            keys.add(MULTIPLIER);
        }
        if (hasScalarBias) {
            keys.add(BIAS);
        }
        if (hasPostBias) {
            keys.add(POST_BIAS);
        }
        return keys;
    }

    /** A parameter's starting value. */
    double start(String key) {
        return switch (key) {
            case MULTIPLIER -> multiplierStart;
            case BIAS -> scalarBiasStart;
            case POST_BIAS -> postBiasStart;
            default -> throw new IllegalArgumentException("no parameter " + key);
        };
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

    public boolean isHasPostBias() {
        return hasPostBias;
    }

    public void setHasPostBias(boolean hasPostBias) {
        this.hasPostBias = hasPostBias;
    }

    public double getPostBiasStart() {
        return postBiasStart;
    }

    public void setPostBiasStart(double postBiasStart) {
        this.postBiasStart = postBiasStart;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScalarLayer other && super.equals(o) && hasMultiplier == other.hasMultiplier
                && hasScalarBias == other.hasScalarBias && hasPostBias == other.hasPostBias
                && Double.compare(multiplierStart, other.multiplierStart) == 0
                && Double.compare(scalarBiasStart, other.scalarBiasStart) == 0
                && Double.compare(postBiasStart, other.postBiasStart) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), hasMultiplier, multiplierStart, hasScalarBias,
                scalarBiasStart, hasPostBias, postBiasStart);
    }

    /** Builds a scalar layer of {@code units} units (nIn = nOut). */
    public static final class Builder extends FeedForwardLayer.Builder<Builder> {
        private boolean multiplier;
        private double multiplierStart;
        private boolean bias;
        private double biasStart;
        private boolean postBias;
        private double postBiasStart;

        public Builder(int units) {
            nIn(units);
            nOut(units);
        }

        /** A learnable multiplier m starting at {@code initial}. */
        public Builder multiplier(double initial) {
            multiplier = true;
            multiplierStart = initial;
            return this;
        }

        /** A learnable bias c before the activation, starting at {@code initial}. */
        public Builder scalarBias(double initial) {
            bias = true;
            biasStart = initial;
            return this;
        }

        /** A learnable bias d after the activation, starting at {@code initial}. */
        public Builder postBias(double initial) {
            postBias = true;
            postBiasStart = initial;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public ScalarLayer build() {
            return new ScalarLayer(this);
        }
    }
}
