package io.initsweep.model;

import java.io.Serializable;

/**
 * A fixed (not learned) factor every residual branch's output is multiplied by before it is added to the stream:
 * {@code x ← x + s·F(x)}. Either a constant, or {@code 1/sqrt(depth)}: with L blocks whose branches preserve the
 * stream's variance, {@code s² = 1/L} keeps the final stream's variance at {@code (1 + 1/L)^L ≤ e} times the
 * stem's, where {@code s = 1} doubles it with every block (the scaling studied by Hanin and Rolnick 2018 and
 * Arpit et al. 2019, "How to initialize your network? Robust initialization for WeightNorm & ResNets").
 *
 * @param constant the factor, or the numerator over √depth
 * @param perSqrtDepth whether the factor is divided by √depth
 */
public record BranchScale(double constant, boolean perSqrtDepth) implements Serializable {
    public static final BranchScale ONE = new BranchScale(1.0, false);
    public static final BranchScale INVERSE_SQRT_DEPTH = new BranchScale(1.0, true);
    /** How {@link #INVERSE_SQRT_DEPTH} is written in a spec and stored. */
    public static final String INVERSE_SQRT_DEPTH_TEXT = "1/sqrt(depth)";

    public BranchScale {
        if (!(constant > 0) || !Double.isFinite(constant)) {
            throw new IllegalArgumentException("a branch scale must be a finite number > 0, got " + constant);
        }
    }

    public static BranchScale of(double constant) {
        return new BranchScale(constant, false);
    }

    /** The factor in a network of {@code blocks} residual blocks. */
    public double value(int blocks) {
        return perSqrtDepth ? constant / Math.sqrt(blocks) : constant;
    }
}
