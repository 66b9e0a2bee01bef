package io.initsweep.theory;

import org.apache.commons.math3.special.Erf;

/**
 * {@code φ(x) = erf(a·x)}, whose Gaussian expectations have closed forms (Williams 1997, "Computing with infinite
 * networks"): for (u1, u2) Gaussian with variances q and covariance q·c,
 * <pre>
 *   E[φ(u1)φ(u2)]   = (2/π)·arcsin(2a²qc / (1 + 2a²q))
 *   E[φ'(u)²]       = (4a²/π) / √(1 + 4a²q)
 *   E[φ'(u1)φ'(u2)] = (4a²/π) / √((1 + 2a²q)² − (2a²qc)²)
 * </pre>
 * With a = √π/2, φ'(0) = 1, as for tanh, so its critical point at σ_b = 0 is σ_w² = 1.
 */
final class ErfNonlinearity implements Nonlinearity {
    static final double A = Math.sqrt(Math.PI) / 2;

    @Override
    public String label() {
        return "erf";
    }

    @Override
    public double value(double x) {
        return Erf.erf(A * x);
    }

    @Override
    public double derivative(double x) {
        return 2 * A / Math.sqrt(Math.PI) * Math.exp(-A * A * x * x);
    }

    /** E[φ(u1)φ(u2)]. */
    static double covariance(double q, double c) {
        return 2 / Math.PI * Math.asin(2 * A * A * q * c / (1 + 2 * A * A * q));
    }

    /** E[φ'(u)²]. */
    static double derivativeSquare(double q) {
        return 4 * A * A / Math.PI / Math.sqrt(1 + 4 * A * A * q);
    }

    /** E[φ'(u1)φ'(u2)]. */
    static double derivativeCovariance(double q, double c) {
        double s = 1 + 2 * A * A * q;
        double t = 2 * A * A * q * c;
        return 4 * A * A / Math.PI / Math.sqrt(s * s - t * t);
    }

    /** d/dq E[φ(√q·z)²], from differentiating (2/π)·arcsin(2a²q/(1 + 2a²q)). */
    static double varianceSlope(double q) {
        double s = 1 + 2 * A * A * q;
        return 4 * A * A / Math.PI / (s * Math.sqrt(1 + 4 * A * A * q));
    }
}
