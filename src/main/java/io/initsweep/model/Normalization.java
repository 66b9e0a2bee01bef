package io.initsweep.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The normalization layer a network uses, always placed immediately before a nonlinearity: on a dense layer's
 * output {@code xW + b} in an MLP (where Ioffe and Szegedy 2015 put batch normalization, and where Yang et al. 2019
 * prove it makes gradients explode with depth), and at the start of each unit of a residual branch and of the head
 * (the pre-activation order of He et al. 2016, the one De and Smith 2020 analyse).
 *
 * <p>{@link #BATCH}: Ioffe and Szegedy 2015, {@code y = γ·(x − μ_B)/√(σ²_B + ε) + β} per unit over the minibatch
 * (ε = 1e-5), running averages (decay 0.9) for inference. {@link #LAYER}: Ba, Kiros and Hinton 2016, the same
 * with μ and σ² taken per example over the layer's units; no difference between training and inference.
 */
public enum Normalization {
    NONE("none"),
    BATCH("batch"),
    LAYER("layer");

    /** ε added to the variance, PyTorch's and DL4J's default. */
    public static final double EPSILON = 1e-5;
    /** Weight of the old value in batch normalization's running averages (PyTorch's momentum 0.1). */
    public static final double DECAY = 0.9;

    private final String canonicalName;

    Normalization(String canonicalName) {
        this.canonicalName = canonicalName;
    }

    public String canonicalName() {
        return canonicalName;
    }

    public static Optional<Normalization> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(n -> n.canonicalName.equals(wanted)).findFirst();
    }

    @Override
    public String toString() {
        return canonicalName;
    }
}
