package io.initsweep.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The hidden-layer nonlinearities a sweep can use, by their canonical lowercase names.
 *
 * <p>The family decides which per-layer diagnostic is meaningful: rectifiers can have dead units (never positive
 * on the probe batch), saturating functions can have saturated outputs.
 */
public enum Activation {
    RELU("relu", Family.RECTIFIER),
    LEAKY_RELU("leaky_relu", Family.RECTIFIER),
    TANH("tanh", Family.SATURATING),
    SIGMOID("sigmoid", Family.SATURATING),
    ELU("elu", Family.RECTIFIER),
    SELU("selu", Family.RECTIFIER),
    SOFTSIGN("softsign", Family.SATURATING),
    IDENTITY("identity", Family.LINEAR);

    /** Negative-side slope of leaky_relu; DL4J's ActivationLReLU default and PyTorch's, so results compare. */
    public static final double LEAKY_RELU_ALPHA = 0.01;

    public enum Family { RECTIFIER, SATURATING, LINEAR }

    private final String canonicalName;
    private final Family family;

    Activation(String canonicalName, Family family) {
        this.canonicalName = canonicalName;
        this.family = family;
    }

    public String canonicalName() {
        return canonicalName;
    }

    public Family family() {
        return family;
    }

    /**
     * The gain that keeps the forward signal's variance through this nonlinearity, as used by {@code gain: auto}:
     * relu √2 (He et al. 2015), leaky_relu √(2/(1+α²)), tanh 5/3, selu, identity and sigmoid 1 (the values of
     * PyTorch's {@code calculate_gain}). elu and softsign have no established gain; 1 is used.
     */
    public double recommendedGain() {
        return switch (this) {
            case RELU -> Math.sqrt(2.0);
            case LEAKY_RELU -> Math.sqrt(2.0 / (1.0 + LEAKY_RELU_ALPHA * LEAKY_RELU_ALPHA));
            case TANH -> 5.0 / 3.0;
            case SIGMOID, SELU, IDENTITY, ELU, SOFTSIGN -> 1.0;
        };
    }

    /**
     * Whether an output value counts as saturated: its distance to the nearest asymptote is below 3% of the
     * function's output range (tanh and softsign: |a| > 0.94; sigmoid: a < 0.03 or a > 0.97).
     */
    public boolean isSaturated(double output) {
        return switch (this) {
            case TANH, SOFTSIGN -> Math.abs(output) > 1.0 - 0.03 * 2.0;
            case SIGMOID -> output < 0.03 || output > 0.97;
            default -> false;
        };
    }

    public static Optional<Activation> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(a -> a.canonicalName.equals(wanted)).findFirst();
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(Activation::canonicalName).toList());
    }

    @Override
    public String toString() {
        return canonicalName;
    }
}
