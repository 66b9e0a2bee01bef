package io.initsweep.theory;

import io.initsweep.model.Activation;

/**
 * A pointwise nonlinearity φ and its derivative φ', all mean-field theory needs of an activation.
 *
 * <p>The theory never uses φ'': ReLU and the other rectifiers have none, and every quantity that the papers write
 * with φ'' is rewritten here by Gaussian integration by parts into one that uses φ and φ' only (see
 * {@link MeanFieldMap#varianceSlope}). So a nonlinearity only has to be absolutely continuous, with φ' defined
 * almost everywhere; the value of φ' at a kink is irrelevant (a Gaussian puts no mass on a point).
 */
public interface Nonlinearity {

    /** A name for messages and tables, e.g. {@code tanh}. */
    String label();

    /** φ(x). */
    double value(double x);

    /** φ'(x), anywhere φ is differentiable; at a kink either one-sided value. */
    double derivative(double x);

    /** The function DL4J applies for this activation (see {@link StandardNonlinearity} for the constants). */
    static Nonlinearity of(Activation activation) {
        return StandardNonlinearity.of(activation);
    }
}
