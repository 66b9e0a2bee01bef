package io.initsweep.init;

import io.initsweep.common.Hashing;

import org.apache.commons.math3.random.Well19937c;

/**
 * The random part of a layer's biases ({@code bias-std}): an independent {@code N(0, σ_b²)} draw per unit, added
 * to the constant {@code bias-init}. This is the bias distribution of mean-field theory (Poole et al. 2016,
 * "Exponential expressivity in deep neural networks through transient chaos"; Schoenholz et al. 2017, "Deep
 * Information Propagation"), where σ_b² = Var(b) and the weights' σ_w² = fan_in·Var(W) together decide whether a
 * deep network is ordered or chaotic.
 *
 * <p>Every trainer draws biases here, so the same cell starts from the same biases whichever trainer builds it:
 * each layer (hidden layers 0..depth−1, then the output layer) draws from its own commons-math {@code Well19937c}
 * stream, seeded from the cell's init seed and the layer index, so one layer's draws never depend on another's
 * size, and the values are the same bits on every backend and thread count. The weights are drawn the same way
 * (from another stream per layer).
 */
public final class RandomBiases {
    private RandomBiases() {
    }

    /**
     * The draws of one layer: {@code std·z_i}, z_i ~ N(0, 1), i = 0 … units−1; all 0 when std is 0.
     *
     * @param std      σ_b, finite and ≥ 0
     * @param initSeed the cell's init seed
     * @param layer    0-based layer index, the output layer being {@code depth}
     * @param units    the layer's outputs
     */
    public static double[] draws(double std, long initSeed, int layer, int units) {
        if (!(std >= 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("bias std must be finite and >= 0, got " + std);
        }
        if (units < 1) {
            throw new IllegalArgumentException("a layer needs at least one unit, got " + units);
        }
        double[] draws = new double[units];
        if (std == 0) {
            return draws;
        }
        Well19937c random = new Well19937c(seed(initSeed, layer));
        for (int i = 0; i < units; i++) {
            draws[i] = std * random.nextGaussian();
        }
        return draws;
    }

    /** A layer's biases: {@code biasInit + std·z_i}. */
    public static double[] values(double biasInit, double std, long initSeed, int layer, int units) {
        double[] values = draws(std, initSeed, layer, units);
        for (int i = 0; i < units; i++) {
            values[i] += biasInit;
        }
        return values;
    }

    /** The seed of layer {@code layer}'s bias stream. */
    public static long seed(long initSeed, int layer) {
        return Hashing.seed("bias|" + initSeed + "|" + layer);
    }
}
