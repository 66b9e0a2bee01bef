package io.initsweep.theory;

import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

/**
 * The mean-field recursions of a deep, wide, fully connected network (Poole et al. 2016, "Exponential
 * expressivity in deep neural networks through transient chaos", Sec. 2; Schoenholz et al. 2017, "Deep
 * Information Propagation", Sec. 2-3) for one nonlinearity φ, weight variance {@code σ_w²} (each weight has
 * variance {@code σ_w²/fan_in}) and bias variance {@code σ_b²}, every Gaussian expectation taken by
 * {@link GaussianQuadrature}.
 *
 * <p>Notation: {@code z, z1, z2 ~ N(0, 1)} independent; for two inputs whose pre-activations have variance
 * {@code q} and correlation {@code c}, {@code u1 = √q·z1} and {@code u2 = √q·(c·z1 + √(1 − c²)·z2)}.
 *
 * <p>Each method is one formula; the fixed points and depth scales built from them are in {@link MeanField}.
 */
public final class MeanFieldMap {

    /**
     * Where a q → 0⁺ limit is taken: √q = 1e-12, small enough that every {@link StandardNonlinearity} is linear
     * on each side of 0 to double precision over the quadrature's range (|z| ≤ 10), so the value is the limit.
     */
    static final double ZERO_LIMIT = 1e-24;

    private final Nonlinearity phi;
    private final double sigmaW2;
    private final double sigmaB2;
    private final GaussianQuadrature quadrature;

    private MeanFieldMap(Nonlinearity phi, double sigmaW2, double sigmaB2, GaussianQuadrature quadrature) {
        this.phi = Objects.requireNonNull(phi, "phi is null");
        this.quadrature = Objects.requireNonNull(quadrature, "quadrature is null");
        if (!(sigmaW2 >= 0) || !Double.isFinite(sigmaW2)) {
            throw new IllegalArgumentException("sigma_w^2 must be finite and >= 0, got " + sigmaW2);
        }
        if (!(sigmaB2 >= 0) || !Double.isFinite(sigmaB2)) {
            throw new IllegalArgumentException("sigma_b^2 must be finite and >= 0, got " + sigmaB2);
        }
        this.sigmaW2 = sigmaW2;
        this.sigmaB2 = sigmaB2;
    }

    /** The map with the {@linkplain GaussianQuadrature#standard() default quadrature}. */
    public static MeanFieldMap of(Nonlinearity phi, double sigmaW2, double sigmaB2) {
        return of(phi, sigmaW2, sigmaB2, GaussianQuadrature.standard());
    }

    public static MeanFieldMap of(Nonlinearity phi, double sigmaW2, double sigmaB2, GaussianQuadrature quadrature) {
        return new MeanFieldMap(phi, sigmaW2, sigmaB2, quadrature);
    }

    public Nonlinearity nonlinearity() {
        return phi;
    }

    public double sigmaW2() {
        return sigmaW2;
    }

    public double sigmaB2() {
        return sigmaB2;
    }

    public GaussianQuadrature quadrature() {
        return quadrature;
    }

    /**
     * The length map: the next layer's pre-activation variance when this layer's is {@code q},
     * <pre>  V(q) = σ_w² ∫Dz φ(√q·z)² + σ_b²  </pre>
     * (Poole et al. 2016, eq. 3; Schoenholz et al. 2017, Sec. 2).
     */
    public double variance(double q) {
        checkVariance(q);
        double s = Math.sqrt(q);
        return sigmaW2 * quadrature.expectation(z -> square(phi.value(s * z)), 1 / s) + sigmaB2;
    }

    /**
     * The gradient factor at pre-activation variance {@code q}: what one layer multiplies the back-propagated
     * gradient's second moment by (equal widths),
     * <pre>  χ(q) = σ_w² ∫Dz φ'(√q·z)²  </pre>
     * At the fixed point q* this is χ1, which is also the slope of the correlation map at c = 1 (Poole et al. 2016,
     * Sec. 3; Schoenholz et al. 2017, Sec. 3 and Sec. 4 for back-propagation).
     */
    public double gradientFactor(double q) {
        checkVariance(q);
        double s = Math.sqrt(q);
        return sigmaW2 * quadrature.expectation(z -> square(phi.derivative(s * z)), 1 / s);
    }

    /**
     * The slope of the length map, {@code dV/dq}; at q* it is χ_q, the rate at which q approaches q*
     * (Schoenholz et al. 2017, Sec. 3, where it is written {@code χ1 + σ_w² ∫Dz φ''(√q*·z) φ(√q*·z)}).
     * Computed without φ'', which ReLU does not have: differentiating under the integral,
     * <pre>  dV/dq = σ_w² ∫Dz 2φ(√q·z) φ'(√q·z) z/(2√q) = (σ_w²/√q) ∫Dz z·φ(√q·z)·φ'(√q·z)  </pre>
     * and Gaussian integration by parts ({@code ∫Dz z·g(z) = ∫Dz g'(z)}, Stein's lemma) turns this back into the
     * papers' form {@code σ_w² ∫Dz [φ'(√q·z)² + φ(√q·z)φ''(√q·z)]} wherever φ'' exists. At {@code q = 0} the
     * right-hand limit is returned (evaluated at q = {@value #ZERO_LIMIT}).
     */
    public double varianceSlope(double q) {
        checkVariance(q);
        double s = Math.sqrt(Math.max(q, ZERO_LIMIT));
        return sigmaW2 / s * quadrature.expectation(z -> z * phi.value(s * z) * phi.derivative(s * z), 1 / s);
    }

    /**
     * The covariance map: the next layer's pre-activation covariance of two inputs whose pre-activations have
     * variance {@code q} each and correlation {@code c},
     * <pre>  C(q, c) = σ_w² ∫Dz1 Dz2 φ(u1) φ(u2) + σ_b²  </pre>
     * (Poole et al. 2016, Sec. 2; Schoenholz et al. 2017, Sec. 2). At the fixed point the correlation map is
     * {@code c ↦ C(q*, c)/q*}.
     */
    public double covariance(double q, double c) {
        checkVariance(q);
        checkCorrelation(c);
        return sigmaW2 * pairExpectation(phi::value, q, c) + sigmaB2;
    }

    /**
     * The slope of the correlation map at the fixed point, {@code ∂(C(q, c)/q)/∂c}; at (q*, c*) it is χ_c:
     * <pre>  χ_c = σ_w² ∫Dz1 Dz2 φ'(u1) φ'(u2)  </pre>
     * (Schoenholz et al. 2017, Sec. 3; by Price's theorem ∂E[φ(u1)φ(u2)]/∂Cov(u1, u2) = E[φ'(u1)φ'(u2)], and
     * Cov(u1, u2) = q·c). At c = 1 it equals {@link #gradientFactor}.
     */
    public double correlationSlope(double q, double c) {
        checkVariance(q);
        checkCorrelation(c);
        return sigmaW2 * pairExpectation(phi::derivative, q, c);
    }

    /**
     * {@code E[g(u1)·g(u2)]} as an iterated integral, {@code E_z1[g(√q·z1)·E_z2[g(√q·(c·z1 + √(1−c²)·z2))]]},
     * so that each one-dimensional integrand has its kink where a panel ends: the inner one at
     * {@code z2 = −c·z1/√(1−c²)}, the outer one at {@code z1 = 0} (the inner expectation is smooth in z1, a
     * Gaussian smoothing of g over width √(1−c²)/|c|, which sets the outer integrand's finest feature).
     */
    private double pairExpectation(DoubleUnaryOperator g, double q, double c) {
        double s = Math.sqrt(q);
        double orthogonal = Math.sqrt(Math.max(0.0, 1.0 - c * c));
        if (orthogonal == 0.0) {
            return quadrature.expectation(z -> g.applyAsDouble(s * z) * g.applyAsDouble(c * s * z), 1 / s);
        }
        double innerScale = 1 / (s * orthogonal);
        double outerScale = Math.min(1 / s, orthogonal / Math.abs(c));
        return quadrature.expectation(z1 -> {
            double g1 = g.applyAsDouble(s * z1);
            if (g1 == 0.0) {
                return 0.0; // a rectifier's zero side: the inner integral cannot change the product
            }
            return g1 * quadrature.expectation(z2 -> g.applyAsDouble(s * (c * z1 + orthogonal * z2)),
                    -c * z1 / orthogonal, innerScale);
        }, outerScale);
    }

    private static double square(double x) {
        return x * x;
    }

    private static void checkVariance(double q) {
        if (!(q >= 0) || Double.isInfinite(q)) {
            throw new IllegalArgumentException("variance must be finite and >= 0, got " + q);
        }
    }

    private static void checkCorrelation(double c) {
        if (!(c >= -1 && c <= 1)) {
            throw new IllegalArgumentException("correlation must be in [-1, 1], got " + c);
        }
    }

    @Override
    public String toString() {
        return "MeanFieldMap(" + phi.label() + ", sigma_w^2=" + sigmaW2 + ", sigma_b^2=" + sigmaB2 + ")";
    }
}
