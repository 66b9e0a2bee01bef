package io.initsweep.theory;

import io.initsweep.model.Activation;

import java.util.Objects;

/**
 * The hidden-layer activations of {@link Activation}, exactly as DL4J 1.0.0-M2.1 computes them (the {@code dl4j}
 * tests compare both on a grid of points), so that the theory predicts the networks that are measured.
 */
public enum StandardNonlinearity implements Nonlinearity {
    /** {@code max(0, x)}. */
    RELU(Activation.RELU) {
        @Override
        public double value(double x) {
            return x > 0 ? x : 0.0;
        }

        @Override
        public double derivative(double x) {
            return x > 0 ? 1.0 : 0.0;
        }
    },
    /** {@code x} for x > 0, else {@code αx} with α = {@link Activation#LEAKY_RELU_ALPHA} (DL4J's ActivationLReLU). */
    LEAKY_RELU(Activation.LEAKY_RELU) {
        @Override
        public double value(double x) {
            return x > 0 ? x : Activation.LEAKY_RELU_ALPHA * x;
        }

        @Override
        public double derivative(double x) {
            return x > 0 ? 1.0 : Activation.LEAKY_RELU_ALPHA;
        }
    },
    /** {@code tanh(x)}; φ' = 1 − tanh²(x). */
    TANH(Activation.TANH) {
        @Override
        public double value(double x) {
            return Math.tanh(x);
        }

        @Override
        public double derivative(double x) {
            double t = Math.tanh(x);
            return 1.0 - t * t;
        }
    },
    /** {@code 1/(1 + e^(−x))}; φ' = φ(1 − φ). */
    SIGMOID(Activation.SIGMOID) {
        @Override
        public double value(double x) {
            return 1.0 / (1.0 + Math.exp(-x));
        }

        @Override
        public double derivative(double x) {
            double s = value(x);
            return s * (1.0 - s);
        }
    },
    /**
     * Clevert, Unterthiner and Hochreiter 2016: {@code x} for x > 0, else {@code α(e^x − 1)} with
     * α = {@link #ELU_ALPHA}; φ' = 1, else {@code αe^x}.
     */
    ELU(Activation.ELU) {
        @Override
        public double value(double x) {
            return x > 0 ? x : ELU_ALPHA * Math.expm1(x);
        }

        @Override
        public double derivative(double x) {
            return x > 0 ? 1.0 : ELU_ALPHA * Math.exp(x);
        }
    },
    /**
     * Klambauer et al. 2017, "Self-Normalizing Neural Networks": {@code λx} for x > 0, else {@code λα(e^x − 1)}
     * with λ = {@link #SELU_LAMBDA}, α = {@link #SELU_ALPHA}.
     */
    SELU(Activation.SELU) {
        @Override
        public double value(double x) {
            return x > 0 ? SELU_LAMBDA * x : SELU_LAMBDA * SELU_ALPHA * Math.expm1(x);
        }

        @Override
        public double derivative(double x) {
            return x > 0 ? SELU_LAMBDA : SELU_LAMBDA * SELU_ALPHA * Math.exp(x);
        }
    },
    /** {@code x/(1 + |x|)}; φ' = 1/(1 + |x|)². */
    SOFTSIGN(Activation.SOFTSIGN) {
        @Override
        public double value(double x) {
            return x / (1.0 + Math.abs(x));
        }

        @Override
        public double derivative(double x) {
            double d = 1.0 + Math.abs(x);
            return 1.0 / (d * d);
        }
    },
    /** {@code x}. */
    IDENTITY(Activation.IDENTITY) {
        @Override
        public double value(double x) {
            return x;
        }

        @Override
        public double derivative(double x) {
            return 1.0;
        }
    };

    /** DL4J's ELU α: {@code ActivationELU.DEFAULT_ALPHA}, which {@code new ActivationELU()} uses. */
    public static final double ELU_ALPHA = 1.0;
    /** SELU's α as libnd4j defines it ({@code SELU_ALPHA}), Klambauer et al.'s α₀₁. */
    public static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    /** SELU's λ as libnd4j defines it ({@code SELU_LAMBDA}), Klambauer et al.'s λ₀₁. */
    public static final double SELU_LAMBDA = 1.0507009873554804934193349852946;

    private final Activation activation;

    StandardNonlinearity(Activation activation) {
        this.activation = activation;
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public String label() {
        return activation.canonicalName();
    }

    @Override
    public String toString() {
        return label();
    }

    public static StandardNonlinearity of(Activation activation) {
        Objects.requireNonNull(activation, "activation is null");
        for (StandardNonlinearity n : values()) {
            if (n.activation == activation) {
                return n;
            }
        }
        throw new AssertionError("no nonlinearity for activation " + activation);
    }
}
