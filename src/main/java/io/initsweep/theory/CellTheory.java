package io.initsweep.theory;

import io.initsweep.grid.NetworkLayout;
import io.initsweep.init.KernelShape;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.model.Normalization;
import io.initsweep.spec.CellSettings;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * @param inputMeanSquare E[x²] of the data the recursion starts from, over examples and features
 * @param meanField     the network-level prediction; null where not applicable
 * @param layers        the hidden layers' predictions, input first; empty where not applicable
 * @param notApplicable why the theory, or its network-level part, does not apply; null where it does
 */
public record CellTheory(Double sigmaW2, double sigmaB2, double inputMeanSquare, MeanField meanField,
                         List<LayerPrediction> layers, String notApplicable) implements Serializable {

    /**
     * A hidden layer as the theory needs it: its scheme and its shape.
     *
     * @param fanIn  a dense layer's inputs; a convolution's input units {@code C_in·H·W}
     * @param fanOut a dense layer's outputs; a convolution's output units {@code C_out·H'·W'}
     * @param kernel a convolution's kernel, whose scheme formula gives σ_w²; null for a dense layer
     */
    public record HiddenLayer(SchemeSpec scheme, int fanIn, int fanOut, KernelShape kernel) implements Serializable {
        public HiddenLayer {
            Objects.requireNonNull(scheme, "scheme is null");
        }

        /** A dense layer. */
        public HiddenLayer(SchemeSpec scheme, int fanIn, int fanOut) {
            this(scheme, fanIn, fanOut, null);
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
            return notApplicable(sigmaB2, inputMeanSquare, "no hidden layers");
        }
        if (biasInit != 0.0) {
            return notApplicable(sigmaB2, inputMeanSquare, "bias-init " + biasInit + " gives every unit the same "
                    + "non-zero bias; the theory assumes biases of mean 0");
        }
        List<LayerPrediction.Layer> layers = new ArrayList<>();
        for (int l = 0; l < hidden.size(); l++) {
            HiddenLayer layer = hidden.get(l);
            WeightVariance variance = layer.kernel() != null
                    ? WeightVariance.of(layer.scheme(), activation, layer.kernel())
                    : WeightVariance.of(layer.scheme(), activation, layer.fanIn(), layer.fanOut());
            if (!variance.applicable()) {
                return notApplicable(sigmaB2, inputMeanSquare, "layer " + l + " (" + layer.scheme().label() + "): "
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
                return new CellTheory(null, sigmaB2, inputMeanSquare, null, predictions, "hidden layers " + first
                        + " and " + l + " have different sigma_w^2 (" + rounded(sigmaW2) + ", " + rounded(other)
                        + "): q*, chi1 and the depth scales describe a stack of identical layers");
            }
        }
        return new CellTheory(sigmaW2, sigmaB2, inputMeanSquare, meanField(phi, sigmaW2, sigmaB2), predictions,
                null);
    }

    /**
     * The prediction for one cell: its hidden layers' schemes (overrides included) and shapes on data of
     * {@code features} inputs, its activation and biases ({@code bias-init}, {@code bias-std}), from the mean
     * square of the data its network sees at init (the probe batch, over examples and features).
     */
    public static CellTheory forCell(CellSettings settings, int features, int outputs, double inputMeanSquare) {
        return forCell(settings, List.of(features), outputs, inputMeanSquare);
    }

    /**
     * The prediction for one cell on examples of the given shape ({@code [features]}, or {@code [C, H, W]}).
     *
     * <p>A cnn is covered by the same recursion (Xiao et al. 2018, "Dynamical Isometry and a Mean Field Theory of
     * CNNs", Sec. 2): with weights of variance σ_w²/(k²·C_in), the variance of a pre-activation at one position,
     * averaged over the positions, follows the fully connected network's map {@code q_l = σ_w²·E[φ(z)²] + σ_b²},
     * and so do its fixed point q*, χ1, the correlation map (the cosine of two inputs' pre-activations over channels
     * and positions) and the depth scales: the phase diagram of a vanilla CNN is the fully connected one. Each
     * convolution enters with σ_w² = k²·C_in·Var(W) from its kernel's formula and its units C·H·W, so a stride,
     * which leaves the forward map alone, divides the predicted gradient ratio by its square (an input position
     * then feeds fewer outputs). The paper's derivation pads circularly; initsweep pads with zeros ("same"), so the
     * prediction is exact only for positions at least l·(k−1)/2 away from the border at layer l, and a measured
     * variance over all positions runs somewhat below it where the border's positions are a noticeable share.
     */
    public static CellTheory forCell(CellSettings settings, List<Integer> inputShape, int outputs,
                                     double inputMeanSquare) {
        Objects.requireNonNull(settings, "settings is null");
        double sigmaB2 = settings.biasStd() * settings.biasStd();
        // The mean-field recursion here is that of a plain stack of dense layers (Poole et al., Schoenholz et al.);
        // residual streams and normalization layers change the recursion, and their columns stay null with why.
        if (settings.residual()) {
            return new CellTheory(null, sigmaB2, inputMeanSquare, null, List.of(), "architecture residual: the "
                    + "residual stream's recursion (Yang & Schoenholz 2017) is not implemented; this theory covers plain "
                    + "stacks of dense layers");
        }
        if (settings.transfers()) {
            return new CellTheory(null, sigmaB2, inputMeanSquare, null, List.of(), "transfer: layers 0-"
                    + (settings.transferLayers() - 1) + " hold a source network's trained weights; the theory "
                    + "describes networks whose every layer is drawn at random");
        }
        if (settings.normalization() != Normalization.NONE) {
            return new CellTheory(null, sigmaB2, inputMeanSquare, null, List.of(), "normalization "
                    + settings.normalization().canonicalName() + ": the theory covers networks without normalization "
                    + "layers");
        }
        NetworkLayout layout = NetworkLayout.of(settings, inputShape, outputs);
        List<HiddenLayer> hidden = new ArrayList<>();
        for (NetworkLayout.Layer layer : layout.layers()) {
            if (layer.isOutput()) {
                continue;
            }
            if (layer.isConvolution()) {
                NetworkLayout.Conv conv = layer.conv();
                KernelShape kernel = conv.kernel();
                hidden.add(new HiddenLayer(layer.scheme(),
                        Math.toIntExact((long) kernel.inChannels() * conv.inHeight() * conv.inWidth()),
                        Math.toIntExact(layer.outputUnits()), kernel));
            } else {
                hidden.add(new HiddenLayer(layer.scheme(), layer.fanIn(), layer.fanOut()));
            }
        }
        return of(settings.activation(), settings.biasInit(), settings.biasStd(), inputMeanSquare, hidden);
    }

    /**
     * The predicted mean squared singular value of the input-output Jacobian {@code J = ∂a_{L−1}/∂x} (see
     * {@code train.JacobianSpectrum}): a perturbation of the input of squared norm 1 in a random direction reaches
     * the last hidden layer with squared norm {@code Π_l gradVarRatio_l} (each layer multiplies it by
     * {@code (fan_out/fan_in)·σ_{w,l}²·∫Dz φ'(√q_l·z)²}, the same factor as the back-propagated gradient's
     * variance), so {@code ‖J‖_F² = features·Π_l gradVarRatio_l}, spread over {@code n = min(features, width)}
     * singular values. Null without per-layer predictions; +∞ or 0 beyond the range of a double.
     */
    public Double predictedJacobianMeanSquare() {
        if (layers.isEmpty()) {
            return null;
        }
        double product = 1;
        for (LayerPrediction layer : layers) {
            product *= layer.gradVarRatio();
        }
        int features = layers.get(0).fanIn();
        int width = layers.get(layers.size() - 1).fanOut();
        return product * features / Math.min(features, width);
    }

    /** Why a theory column is null: the cell's reason, else the mean-field note (e.g. no finite q*). */
    public String reason() {
        if (notApplicable != null) {
            return notApplicable;
        }
        return meanField.note();
    }

    /**
     * The network-level prediction, computed once per (φ, σ_w², σ_b²) in this JVM: it is the same for every seed,
     * depth and dataset of a grid point, and a chaotic point's c* takes tens of milliseconds (two-dimensional
     * integrals), where the per-layer recursion takes well under one. Bounded: the least recently used go first.
     */
    private static MeanField meanField(Nonlinearity phi, double sigmaW2, double sigmaB2) {
        String key = phi.label() + "|" + Double.doubleToLongBits(sigmaW2) + "|" + Double.doubleToLongBits(sigmaB2);
        synchronized (MEAN_FIELDS) {
            MeanField cached = MEAN_FIELDS.get(key);
            if (cached != null) {
                return cached;
            }
        }
        MeanField computed = MeanField.of(phi, sigmaW2, sigmaB2); // outside the lock: other cells go on meanwhile
        synchronized (MEAN_FIELDS) {
            MEAN_FIELDS.put(key, computed);
        }
        return computed;
    }

    private static final Map<String, MeanField> MEAN_FIELDS = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, MeanField> eldest) {
            return size() > 4096;
        }
    };

    /** Six significant digits: 2.0000000000000004 (fan_in·2/fan_in) reads as 2. */
    private static String rounded(double value) {
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** A cell whose theory could not be computed, with the reason (the theory's own failure). */
    public static CellTheory failed(double biasStd, double inputMeanSquare, String reason) {
        return notApplicable(biasStd * biasStd, inputMeanSquare, "the theory's computation failed: " + reason);
    }

    private static CellTheory notApplicable(double sigmaB2, double inputMeanSquare, String reason) {
        return new CellTheory(null, sigmaB2, inputMeanSquare, null, List.of(), reason);
    }
}
