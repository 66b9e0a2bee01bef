package io.initsweep.train;

import java.io.Serializable;
import java.util.Locale;

/**
 * Signal-propagation diagnostics of one dense layer on the probe batch (the first rows of the training split,
 * the same for every cell of a dataset).
 *
 * @param layer             0-based; hidden layers 0..depth-1, then the output layer
 * @param phase             before the first update, or after training
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
 */
public record LayerStats(int layer, Phase phase, int fanIn, int fanOut, double weightMean, double weightStd,
                         double activationMean, double activationVar, double preactivationVar, Double deadFraction,
                         Double saturatedFraction, double gradWeightVar, double gradInputVar, Double symmetry)
        implements Serializable {

    public enum Phase {
        INIT, FINAL;

        public String canonicalName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Phase byName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }
}
