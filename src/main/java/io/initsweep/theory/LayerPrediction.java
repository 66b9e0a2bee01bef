package io.initsweep.theory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What mean-field theory predicts for one hidden layer of a given network at initialization, starting from the
 * data: the recursion of {@link MeanFieldMap} run layer by layer with each layer's own σ_w² and shape, so layers
 * of different widths and schemes are covered.
 *
 * <p>Layer {@code l} computes {@code z_l = a_{l−1}·W_l + b_l}, {@code a_l = φ(z_l)}, {@code a_{−1} = x}, with
 * {@code Var(W_l) = σ_{w,l}²/fan_in_l} and {@code Var(b_l) = σ_b²}.
 *
 * @param layer            0-based hidden layer index (as in the {@code layers} table)
 * @param fanIn            inputs of the layer
 * @param fanOut           outputs (units) of the layer
 * @param sigmaW2          σ_{w,l}² = fan_in·Var(W_l)
 * @param preactivationVar predicted variance of the layer's pre-activations over units and examples:
 *                         {@code q_0 = σ_{w,0}²·E[x²] + σ_b²} from the data's mean square E[x²] (over examples and
 *                         features), then {@code q_l = σ_{w,l}² ∫Dz φ(√q_{l−1}·z)² + σ_b²} (Poole et al. 2016,
 *                         eq. 3); +∞ beyond the range of a double. Compare with the {@code layers} table's
 *                         {@code preactivation_var}
 * @param gradVarRatio     predicted ratio of the back-propagated gradient's variance at this layer's input to that
 *                         at the next layer's input, {@code grad_input_var[l] / grad_input_var[l+1]} in the
 *                         {@code layers} table (the next layer may be the output layer):
 *                         <pre>  (fan_out/fan_in)·σ_{w,l}²·∫Dz φ'(√q_l·z)²  </pre>
 *                         because {@code ∂L/∂a_{l−1} = (φ'(z_l) ⊙ ∂L/∂a_l)·W_lᵀ} sums fan_out terms of weight
 *                         variance σ_{w,l}²/fan_in, with φ'(z_l) independent of ∂L/∂a_l in the mean-field limit
 *                         (Schoenholz et al. 2017, Sec. 4). With equal widths at the fixed point this is χ1
 */
public record LayerPrediction(int layer, int fanIn, int fanOut, double sigmaW2, double preactivationVar,
                              double gradVarRatio) implements Serializable {

    /** A dense hidden layer's shape and weight variance, the input of {@link #propagate}. */
    public record Layer(int fanIn, int fanOut, double sigmaW2) implements Serializable {
        public Layer {
            if (fanIn < 1 || fanOut < 1) {
                throw new IllegalArgumentException("a layer needs fan_in, fan_out >= 1, got " + fanIn + "x" + fanOut);
            }
            if (!(sigmaW2 >= 0) || !Double.isFinite(sigmaW2)) {
                throw new IllegalArgumentException("sigma_w^2 must be finite and >= 0, got " + sigmaW2);
            }
        }
    }

    /**
     * Runs the recursion through {@code layers} (the hidden layers, input first).
     *
     * @param inputMeanSquare E[x²] of the data the network sees, over examples and features
     */
    public static List<LayerPrediction> propagate(Nonlinearity phi, double sigmaB2, double inputMeanSquare,
                                                  List<Layer> layers) {
        return propagate(phi, sigmaB2, inputMeanSquare, layers, GaussianQuadrature.standard());
    }

    public static List<LayerPrediction> propagate(Nonlinearity phi, double sigmaB2, double inputMeanSquare,
                                                  List<Layer> layers, GaussianQuadrature quadrature) {
        Objects.requireNonNull(phi, "phi is null");
        Objects.requireNonNull(layers, "layers is null");
        if (!(inputMeanSquare >= 0) || !Double.isFinite(inputMeanSquare)) {
            throw new IllegalArgumentException("input mean square must be finite and >= 0, got " + inputMeanSquare);
        }
        List<LayerPrediction> predictions = new ArrayList<>(layers.size());
        double q = 0;
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            if (l > 0 && layer.fanIn() != layers.get(l - 1).fanOut()) {
                throw new IllegalArgumentException("layer " + l + " has fan_in " + layer.fanIn()
                        + " but layer " + (l - 1) + " has " + layers.get(l - 1).fanOut() + " outputs");
            }
            MeanFieldMap map = MeanFieldMap.of(phi, layer.sigmaW2(), sigmaB2, quadrature);
            // the first layer is linear in the data; every later one applies the length map to the layer below.
            // A variance beyond the double range stays +∞ in the prediction (the network overflows there too);
            // the maps take it as the largest double, where their integrals have reached their limits.
            q = l == 0 ? layer.sigmaW2() * inputMeanSquare + sigmaB2 : map.variance(Math.min(q, Double.MAX_VALUE));
            if (Double.isNaN(q)) {
                q = Double.POSITIVE_INFINITY; // the integrand overflowed (∞ times a density of 0 at the far nodes)
            }
            double ratio = (double) layer.fanOut() / layer.fanIn() * map.gradientFactor(Math.min(q, Double.MAX_VALUE));
            predictions.add(new LayerPrediction(l, layer.fanIn(), layer.fanOut(), layer.sigmaW2(), q, ratio));
        }
        return List.copyOf(predictions);
    }
}
