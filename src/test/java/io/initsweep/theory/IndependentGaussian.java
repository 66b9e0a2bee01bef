package io.initsweep.theory;

import org.apache.commons.math3.analysis.integration.IterativeLegendreGaussIntegrator;
import org.apache.commons.math3.analysis.solvers.BrentSolver;

import java.util.function.DoubleUnaryOperator;

/**
 * Gaussian expectations by another method than {@link GaussianQuadrature}: Commons Math's adaptive
 * Legendre-Gauss integration ({@code IterativeLegendreGaussIntegrator}, 32 points, subintervals doubled until two
 * stages agree to 1e-13) on [−12, 0] and [0, 12], against the density written out. Slow, and only for smooth
 * integrands (tanh); used to check the theory's values independently.
 */
final class IndependentGaussian {
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private IndependentGaussian() {
    }

    static double expectation(DoubleUnaryOperator f) {
        IterativeLegendreGaussIntegrator integrator = new IterativeLegendreGaussIntegrator(32, 1e-13, 1e-17, 2, 20);
        double negative = integrator.integrate(Integer.MAX_VALUE,
                z -> f.applyAsDouble(z) * Math.exp(-z * z / 2) * INV_SQRT_2PI, -12, 0);
        double positive = integrator.integrate(Integer.MAX_VALUE,
                z -> f.applyAsDouble(z) * Math.exp(-z * z / 2) * INV_SQRT_2PI, 0, 12);
        return negative + positive;
    }

    /** E[g(u1)·g(u2)] with u1 = √q·z1, u2 = √q·(c·z1 + √(1 − c²)·z2), nested. */
    static double pair(DoubleUnaryOperator g, double q, double c) {
        double s = Math.sqrt(q);
        double o = Math.sqrt(1 - c * c);
        return expectation(z1 -> g.applyAsDouble(s * z1)
                * expectation(z2 -> g.applyAsDouble(s * (c * z1 + o * z2))));
    }

    static double solve(DoubleUnaryOperator f, double lower, double upper) {
        return new BrentSolver(1e-14, 1e-14).solve(1000, f::applyAsDouble, lower, upper);
    }
}
