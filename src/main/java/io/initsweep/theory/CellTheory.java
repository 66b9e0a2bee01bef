package io.initsweep.theory;

import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Mean-field theory beside one cell's measurements: the network-level prediction ({@link MeanField}) and the
 * per-layer one ({@link LayerPrediction}), or why the theory does not apply.
 *
 * <p>Which parts apply:
 * <ul>
 *   <li>Per-layer predictions need every hidden layer's scheme to be {@linkplain WeightVariance applicable} and
 *       zero-mean biases; layers may differ in width and scheme (the recursion takes each layer's own σ_w²).
 *   <li>The network-level prediction (q*, c*, χ1, depth scales, phase) describes a stack of identical layers: it
 *       needs the hidden-to-hidden layers 1 … depth−1 to share one σ_w² (layer 0 maps the data in; its σ_w² only
 *       sets where the recursion starts; with depth 1 it is layer 0's). The output layer is never part of it.
 * </ul>
 *
 * @param sigmaW2       the σ_w² of {@link #meanField}; null where there is none
 * @param sigmaB2       σ_b², the biases' variance
 * @param meanField     the network-level prediction; null where not applicable
 * @param layers        the hidden layers' predictions, input first; empty where not applicable
 * @param notApplicable why the theory, or its network-level part, does not apply; null where it does
 */
public record CellTheory(Double sigmaW2, double sigmaB2, MeanField meanField, List<LayerPrediction> layers,
                         String notApplicable) implements Serializable {

    /** A hidden layer as the theory needs it: its scheme and its shape. */
    public record HiddenLayer(SchemeSpec scheme, int fanIn, int fanOut) implements Serializable {
        public HiddenLayer {
            Objects.requireNonNull(scheme, "scheme is null");
        }
    }

    public CellTheory {
        layers = List.copyOf(layers);
        if (meanField == null && notApplicable == null) {
            throw new IllegalArgumentException("a cell without a mean-field prediction needs the reason");
        }
    }

    /**
     * The prediction for a network of {@code activation} whose hidden layers are {@code hidden} (input first),
     * biases {@code biasInit + N(0, biasStd²)}, on data of mean square {@code inputMeanSquare} (over examples
     * and features).
     */
    public static CellTheory of(Activation activation, double biasInit, double biasStd, double inputMeanSquare,
                                List<HiddenLayer> hidden) {
        Objects.requireNonNull(activation, "activation is null");
        Objects.requireNonNull(hidden, "hidden is null");
        if (!(biasStd >= 0) || !Double.isFinite(biasStd)) {
            throw new IllegalArgumentException("bias std must be finite and >= 0, got " + biasStd);
        }
        double sigmaB2 = biasStd * biasStd;
        if (hidden.isEmpty()) {
            return notApplicable(sigmaB2, "no hidden layers");
        }
        if (biasInit != 0.0) {
            return notApplicable(sigmaB2, "bias-init " + biasInit + " gives every unit the same non-zero bias; "
                    + "the theory assumes biases of mean 0");
        }
        List<LayerPrediction.Layer> layers = new ArrayList<>();
        for (int l = 0; l < hidden.size(); l++) {
            HiddenLayer layer = hidden.get(l);
            WeightVariance variance = WeightVariance.of(layer.scheme(), activation, layer.fanIn(), layer.fanOut());
            if (!variance.applicable()) {
                return notApplicable(sigmaB2, "layer " + l + " (" + layer.scheme().label() + "): "
                        + variance.notApplicable());
            }
            layers.add(new LayerPrediction.Layer(layer.fanIn(), layer.fanOut(), variance.sigmaW2()));
        }
        Nonlinearity phi = Nonlinearity.of(activation);
        List<LayerPrediction> predictions = LayerPrediction.propagate(phi, sigmaB2, inputMeanSquare, layers);

        int first = layers.size() == 1 ? 0 : 1;
        double sigmaW2 = layers.get(first).sigmaW2();
        for (int l = first + 1; l < layers.size(); l++) {
            double other = layers.get(l).sigmaW2();
            if (Math.abs(other - sigmaW2) > 1e-12 * Math.max(other, sigmaW2)) {
                return new CellTheory(null, sigmaB2, null, predictions, "hidden layers " + first + " and " + l
                        + " have different sigma_w^2 (" + rounded(sigmaW2) + ", " + rounded(other) + "): q*, chi1 "
                        + "and the depth scales describe a stack of identical layers");
            }
        }
        return new CellTheory(sigmaW2, sigmaB2, MeanField.of(phi, sigmaW2, sigmaB2), predictions, null);
    }

    /** Why a theory column is null: the cell's reason, else the mean-field note (e.g. no finite q*). */
    public String reason() {
        if (notApplicable != null) {
            return notApplicable;
        }
        return meanField.note();
    }

    /** Six significant digits: 2.0000000000000004 (fan_in·2/fan_in) reads as 2. */
    private static String rounded(double value) {
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    private static CellTheory notApplicable(double sigmaB2, String reason) {
        return new CellTheory(null, sigmaB2, null, List.of(), reason);
    }
}
