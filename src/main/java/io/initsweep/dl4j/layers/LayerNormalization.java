package io.initsweep.dl4j.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Layer normalization as a layer of its own (Ba, Kiros and Hinton 2016, "Layer Normalization"): per example,
 * {@code y = γ ⊙ (x − μ)/√(σ² + ε) + β} with μ and σ² the mean and (biased) variance of the example's
 * {@code n} units, and a learnable gain γ (starting at 1) and bias β (starting at 0) per unit. DL4J 1.0.0-M2.1 has
 * it only inside a dense layer ({@code DenseLayer.hasLayerNorm}, normalizing that layer's own output); a residual
 * branch in pre-activation order normalizes the stream it reads, which needs it standalone.
 *
 * <p>Gradients (summed over the minibatch): with {@code x̂ = (x − μ)/σ} and {@code g = γ ⊙ ∂L/∂y},
 * {@code ∂L/∂γ = Σ_examples ∂L/∂y ⊙ x̂}, {@code ∂L/∂β = Σ_examples ∂L/∂y} and
 * {@code ∂L/∂x = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂))/σ}, means over the example's units. {@code TestScalarLayers}
 * checks them against central finite differences.
 *
 * <p>Parameters, in this order: {@value #GAIN} [1, n], {@value #BIAS} [1, n].
 */
public final class LayerNormalization extends FeedForwardLayer {
    private static final long serialVersionUID = 1L;

    public static final String GAIN = "gain";
    public static final String BIAS = "bias";

    private double epsilon = 1e-5;

    /** For DL4J's JSON deserialization. */
    @SuppressWarnings("unused")
    private LayerNormalization() {
    }

    private LayerNormalization(Builder builder) {
        super(builder);
        this.epsilon = builder.epsilon;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                      Collection<TrainingListener> listeners, int layerIndex,
                                                      INDArray layerParamsView, boolean initializeParams,
                                                      DataType networkDataType) {
        return LayerWiring.wired(new LayerNormalizationImpl(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return LayerNormParamInitializer.INSTANCE;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType output = getOutputType(-1, inputType);
        long perExample = output.arrayElementsPerExample();
        return new LayerMemoryReport.Builder(layerName, LayerNormalization.class, inputType, output)
                .standardMemory(2 * nOut, 0)
                .workingMemory(0, 0, 2 * perExample, 3 * perExample)
                .cacheMemory(0, 0)
                .build();
    }

    public double getEpsilon() {
        return epsilon;
    }

    public void setEpsilon(double epsilon) {
        this.epsilon = epsilon;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerNormalization other && super.equals(o)
                && Double.compare(epsilon, other.epsilon) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(super.hashCode(), epsilon);
    }

    /** Builds a layer normalization of {@code units} units. */
    public static final class Builder extends FeedForwardLayer.Builder<Builder> {
        private double epsilon = 1e-5;

        public Builder(int units) {
            nIn(units);
            nOut(units);
        }

        /** ε added to the variance (default 1e-5, PyTorch's). */
        public Builder epsilon(double value) {
            epsilon = value;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public LayerNormalization build() {
            return new LayerNormalization(this);
        }
    }
}
