package io.initsweep.train;

import io.initsweep.model.LayerKind;
import io.initsweep.model.LayerRole;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * Signal-propagation diagnostics of one layer on the probe batch (the first rows of the training split, the same for
 * every cell of a dataset). Most rows are dense layers; networks with normalization or residual blocks also get a
 * row per normalization layer and per block ({@link Placement#kind()}), where the weight and pre-activation columns
 * mean what {@code README.md} says for that kind, or are null.
 *
 * @param layer             the dense layer the row belongs to: 0-based, hidden layers first, then the output layer
 *                          (see {@code NetworkLayout} for the numbering of residual networks)
 * @param phase             before the first update, after an epoch during training ({@code diagnostics-every}),
 *                          or after training
 * @param fanIn             inputs
 * @param fanOut            outputs
 * @param weightMean        mean of the weights (a normalization layer: of its gain γ); null without weights
 * @param weightStd         standard deviation of the weights (or γ); null without weights
 * @param activationMean    mean of the layer's output as the next layer reads it (after its nonlinearity, if one
 *                          follows it directly)
 * @param activationVar     variance of that output over all units and probe examples
 * @param preactivationVar  variance of {@code xW + b} (a normalization layer: of its input); null for a block's end
 * @param deadFraction      rectifiers: share of units whose input to the next nonlinearity is never positive on the
 *                          probe batch; null where no nonlinearity follows or for other activations
 * @param saturatedFraction tanh, sigmoid, softsign: share of the next nonlinearity's outputs within 3% of the
 *                          output range from an asymptote; null otherwise
 * @param gradWeightVar     variance of ∂L/∂W (or ∂L/∂γ) on the probe batch; null without weights
 * @param gradInputVar      variance of ∂L/∂x, the gradient back-propagated into the layer's input (a block's end:
 *                          into the block's input, the residual stream before the block)
 * @param symmetry          mean pairwise cosine similarity between the units' incoming weight vectors (1 = clones);
 *                          null for a single unit or without weights; NaN when the weights are all zero
 * @param epoch             the epoch after which it was measured: 0 at init, the last epoch trained after training
 * @param correlation       c_l of mean-field theory: the cosine between the pre-activation vectors of two probe
 *                          inputs, averaged over {@link Diagnostics#CORRELATION_PAIRS} fixed pairs
 *                          ({@link Diagnostics#pairCorrelation}); null where no pair has two non-zero vectors or the
 *                          row has no pre-activation
 * @param placement         what the row measures and where it sits, with what only some kinds of rows have
 * @param convolution       a convolution layer's geometry and per-channel statistics; null for other rows
 */
public record LayerStats(int layer, Phase phase, int fanIn, int fanOut, Double weightMean, Double weightStd,
                         double activationMean, double activationVar, Double preactivationVar, Double deadFraction,
                         Double saturatedFraction, Double gradWeightVar, double gradInputVar, Double symmetry,
                         int epoch, Double correlation, Placement placement, Convolution convolution)
        implements Serializable {

    public LayerStats {
        Objects.requireNonNull(phase, "phase is null");
        Objects.requireNonNull(placement, "placement is null");
        if (epoch < 0 || (phase == Phase.INIT) != (epoch == 0)) {
            throw new IllegalArgumentException("epoch " + epoch + " does not fit phase " + phase
                    + ": init rows are epoch 0, the others later");
        }
        if ((convolution != null) != (placement.kind() == LayerKind.CONVOLUTION)) {
            throw new IllegalArgumentException("exactly the convolution rows have convolution statistics");
        }
    }

    /** A row of any kind but a convolution. */
    public LayerStats(int layer, Phase phase, int fanIn, int fanOut, Double weightMean, Double weightStd,
                      double activationMean, double activationVar, Double preactivationVar, Double deadFraction,
                      Double saturatedFraction, Double gradWeightVar, double gradInputVar, Double symmetry,
                      int epoch, Double correlation, Placement placement) {
        this(layer, phase, fanIn, fanOut, weightMean, weightStd, activationMean, activationVar, preactivationVar,
                deadFraction, saturatedFraction, gradWeightVar, gradInputVar, symmetry, epoch, correlation,
                placement, null);
    }

    /**
     * A convolution layer's geometry and its statistics per output channel (issue 16), index c being channel c.
     * The row's own columns summarize them: its dead fraction is the share of channels dead on every example and at
     * every position (a channel shares its weights over the positions, so it is the unit that dies), its saturated
     * fraction, activation and pre-activation variances are over all channels and positions, its symmetry is the
     * mean pairwise cosine of the flattened filters.
     *
     * @param kernel               kernel height and width
     * @param stride               1, or 2 where the layer downsamples
     * @param outHeight            output rows
     * @param outWidth             output columns
     * @param channelDeadFraction  rectifier networks: per channel, the share of its (example, position) values whose
     *                             pre-activation is not positive (1 = a dead channel); null otherwise
     * @param channelSaturatedFraction saturating networks: per channel, the share of its outputs within 3% of the
     *                             range from an asymptote; null otherwise
     * @param channelActivationVar per channel, the variance of its output over examples and positions
     * @param channelGradWeightVar per channel, the variance of ∂L/∂W over its filter's C_in·k·k weights
     */
    public record Convolution(int kernel, int stride, int outHeight, int outWidth, double[] channelDeadFraction,
                              double[] channelSaturatedFraction, double[] channelActivationVar,
                              double[] channelGradWeightVar) implements Serializable {
        public Convolution {
            Objects.requireNonNull(channelActivationVar, "channelActivationVar is null");
            Objects.requireNonNull(channelGradWeightVar, "channelGradWeightVar is null");
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

    /** Whether this row measures a dense layer (the rows every network has). */
    public boolean dense() {
        return placement.kind() == LayerKind.DENSE;
    }

    /** Whether this row measures a layer initialized by a scheme: a dense or a convolution layer. */
    public boolean weighted() {
        return placement.kind() == LayerKind.DENSE || placement.kind() == LayerKind.CONVOLUTION;
    }

    /**
     * The kind and place of a row, and the statistics of residual blocks and normalization layers (issue 15; null
     * on rows of other kinds).
     *
     * @param kind           dense, normalization or residual_add
     * @param role           a dense layer's role (hidden, stem, branch, branch_last, output); null for other rows
     * @param block          the residual block, or null outside any block
     * @param streamVar      residual_add: variance of the residual stream after the block
     * @param branchVar      residual_add: variance of the branch's output as it is added (after its fixed scale and
     *                       learnable multiplier)
     * @param branchRatio    residual_add: branchVar over the variance of the stream entering the block (null if that
     *                       is 0)
     * @param branchScale    residual_add: the block's learnable branch multiplier (fixup, skipinit, rezero), else
     *                       null
     * @param normStatistics normalization: what the probe measurement normalized by: {@code probe_batch} (batch
     *                       normalization in training mode, the probe batch's own mean and variance) or
     *                       {@code per_example} (layer normalization)
     * @param normVarMean    normalization: mean of the variances it divides by (per unit over the probe batch, or
     *                       per example over the units), ε excluded
     * @param normRunningVarMean batch normalization: mean of its running variance, what inference divides by
     */
    public record Placement(LayerKind kind, LayerRole role, Integer block, Double streamVar, Double branchVar,
                            Double branchRatio, Double branchScale, String normStatistics, Double normVarMean,
                            Double normRunningVarMean) implements Serializable {
        public Placement {
            Objects.requireNonNull(kind, "kind is null");
        }

        /** A convolution layer's row (its role is hidden: every convolution of a cnn comes before the output). */
        public static Placement convolution() {
            return new Placement(LayerKind.CONVOLUTION, LayerRole.HIDDEN, null, null, null, null, null, null, null,
                    null);
        }

        /** A dense layer's row. */
        public static Placement dense(LayerRole role, Integer block) {
            return new Placement(LayerKind.DENSE, Objects.requireNonNull(role, "role is null"), block, null, null,
                    null, null, null, null, null);
        }
    }
}
