package io.initsweep.train;

import java.io.Serializable;
import java.util.Locale;

/**
 * Signal-propagation diagnostics of one dense layer on the probe batch (the first rows of the training split,
 * the same for every cell of a dataset).
 *
 * @param layer             0-based; hidden layers 0..depth-1, then the output layer
 * @param phase             before the first update, after an epoch during training ({@code diagnostics-every}),
 *                          or after training
 * @param fanIn             inputs
 * @param fanOut            outputs
 * @param weightMean        mean of the weights
 * @param weightStd         standard deviation of the weights
 * @param activationMean    mean of the layer's output (after its nonlinearity)
 * @param activationVar     variance of the layer's output over all units and probe examples
 * @param preactivationVar  variance of {@code xW + b}
 * @param deadFraction      rectifiers: share of units whose pre-activation is never positive on the probe batch;
 *                          null for other activations
 * @param saturatedFraction tanh, sigmoid, softsign: share of outputs within 3% of the output range from an
 *                          asymptote; null for other activations
 * @param gradWeightVar     variance of ∂L/∂W on the probe batch
 * @param gradInputVar      variance of ∂L/∂x, the gradient back-propagated into the layer's input
 * @param symmetry          mean pairwise cosine similarity between the units' incoming weight vectors (1 = clones);
 *                          null for a single unit; NaN when the weights are all zero
 * @param epoch             the epoch after which it was measured: 0 at init, the last epoch trained after training
 * @param correlation       c_l of mean-field theory: the cosine between the pre-activation vectors of two probe
 *                          inputs, averaged over {@link Diagnostics#CORRELATION_PAIRS} fixed pairs
 *                          ({@link Diagnostics#pairCorrelation}); null where no pair has two non-zero vectors
 */
public record LayerStats(int layer, Phase phase, int fanIn, int fanOut, double weightMean, double weightStd,
                         double activationMean, double activationVar, double preactivationVar, Double deadFraction,
                         Double saturatedFraction, double gradWeightVar, double gradInputVar, Double symmetry,
                         int epoch, Double correlation)
        implements Serializable {

    public LayerStats {
        java.util.Objects.requireNonNull(phase, "phase is null");
        if (epoch < 0 || (phase == Phase.INIT) != (epoch == 0)) {
            throw new IllegalArgumentException("epoch " + epoch + " does not fit phase " + phase
                    + ": init rows are epoch 0, the others later");
        }
    }

    /**
     * When a layer was measured: at init (epoch 0), after an epoch during training (every
     * {@code diagnostics-every} epochs, the last excepted), or after the last epoch.
     */
    public enum Phase {
        INIT, TRAINING, FINAL;

        public String canonicalName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Phase byName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }
}
