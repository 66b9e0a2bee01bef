package io.initsweep.theory;

import org.apache.commons.math3.analysis.UnivariateFunction;
import org.apache.commons.math3.analysis.solvers.BrentSolver;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * What mean-field theory predicts for a deep, wide network of one nonlinearity at weight variance σ_w² and bias
 * variance σ_b² (Poole et al. 2016; Schoenholz et al. 2017; Pennington, Schoenholz and Ganguli 2017): the fixed
 * points of the variance and correlation maps of {@link MeanFieldMap}, the slopes there, the depth scales and the
 * phase. Nullable fields are null where the quantity does not exist; {@link #note} then says why.
 *
 * @param nonlinearity   φ's label
 * @param sigmaW2        σ_w² = fan_in·Var(W)
 * @param sigmaB2        σ_b² = Var(b)
 * @param qStar          q*, the stable fixed point of the length map, {@code q* = V(q*)}; 0 when σ_b = 0 and the
 *                       variance decays to 0; null when the variance grows without bound or every q is a fixed point
 * @param cStar          c*, the stable fixed point of the correlation map {@code c ↦ C(q*, c)/q*}: 1 in the ordered
 *                       phase and at criticality, below 1 in the chaotic phase (Poole et al. 2016, Sec. 3)
 * @param chi1           χ1 = σ_w² ∫Dz φ'(√q*·z)², the slope of the correlation map at c = 1 and the factor by which
 *                       each layer multiplies the back-propagated gradient's second moment (Poole et al. 2016, Sec. 3;
 *                       Schoenholz et al. 2017, Sec. 4)
 * @param chiQ           χ_q = dV/dq at q* ({@link MeanFieldMap#varianceSlope}, Schoenholz et al. 2017, Sec. 3)
 * @param chiC           χ_c = σ_w² ∫Dz1 Dz2 φ'(u1)φ'(u2) at (q*, c*), the slope of the correlation map at c*
 *                       (Schoenholz et al. 2017, Sec. 3); equals χ1 when c* = 1
 * @param xiQ            ξ_q = −1/ln χ_q, the depth over which |q_l − q*| shrinks by e (Schoenholz et al. 2017,
 *                       Sec. 3); +∞ when χ_q = 1
 * @param xiC            ξ_c = −1/ln χ_c, the depth over which |c_l − c*|, the memory of how two inputs were
 *                       correlated, shrinks by e (Schoenholz et al. 2017, Sec. 3); +∞ at criticality
 * @param phase          ordered (χ1 &lt; 1), critical (|χ1 − 1| ≤ {@value #CRITICAL_TOLERANCE}) or chaotic
 *                       (χ1 &gt; 1); null without a fixed point
 * @param trainableDepth {@value #TRAINABLE_DEPTH_FACTOR}·ξ_c, the depth up to which Schoenholz et al. 2017 (Sec. 5,
 *                       Fig. 5-6) found networks trainable; +∞ at criticality
 * @param note           why a field is null, or which limit a field is; null when nothing needs saying
 */
public record MeanField(String nonlinearity, double sigmaW2, double sigmaB2, Double qStar, Double cStar, Double chi1,
                        Double chiQ, Double chiC, Double xiQ, Double xiC, Phase phase, Double trainableDepth,
                        String note) implements Serializable {

    /**
     * How far χ1 may be from 1 for the phase to be {@link Phase#CRITICAL}. At |χ1 − 1| = 10⁻³ the depth scale is
     * ξ = −1/ln χ1 ≈ 1000 layers: no network initsweep trains can tell such a point from the critical line, while
     * the quadrature error on χ1 (below 1e-12, see {@link GaussianQuadrature#DEFAULT_POINTS}) is far smaller.
     */
    public static final double CRITICAL_TOLERANCE = 1e-3;

    /** Trainable depth in units of ξ_c: Schoenholz et al. 2017 (Sec. 5) found training fails beyond about 6ξ_c. */
    public static final double TRAINABLE_DEPTH_FACTOR = 6.0;

    /** A slope within this of 1 is 1: the rounding of the quadrature's weight sums, not a finite depth scale. */
    static final double UNIT_SLOPE = 1e-12;

    /** The length map's fixed point is searched on (0, Q_MAX]; beyond it the variance is taken to grow forever. */
    static final double Q_MAX = 1e12;
    private static final double Q_MIN = 1e-12;

    /** The phases of Poole et al. 2016 and Schoenholz et al. 2017, by χ1. */
    public enum Phase {
        /** χ1 &lt; 1: inputs become correlated (c* = 1) and gradients vanish with depth. */
        ORDERED,
        /** χ1 = 1: the edge of chaos; ξ_c diverges and gradients neither vanish nor explode. */
        CRITICAL,
        /** χ1 &gt; 1: nearby inputs decorrelate (c* &lt; 1) and gradients explode with depth. */
        CHAOTIC;

        public String canonicalName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The phase of a network whose χ1 is {@code chi1}, with {@link #CRITICAL_TOLERANCE}. */
        public static Phase of(double chi1) {
            if (Math.abs(chi1 - 1.0) <= CRITICAL_TOLERANCE) {
                return CRITICAL;
            }
            return chi1 < 1.0 ? ORDERED : CHAOTIC;
        }
    }

    public MeanField {
        Objects.requireNonNull(nonlinearity, "nonlinearity is null");
    }

    /** The prediction for φ at (σ_w², σ_b²), with the default quadrature. */
    public static MeanField of(Nonlinearity phi, double sigmaW2, double sigmaB2) {
        return of(MeanFieldMap.of(phi, sigmaW2, sigmaB2));
    }

    /**
     * The prediction for a map.
     *
     * <p>The fixed point q*: V is increasing in q for every {@link StandardNonlinearity}, so the length map's
     * iteration from any start moves monotonically to the nearest fixed point in its direction. q* is the first
     * q &gt; 0 at which V(q) − q turns from positive to non-positive, found on a doubling grid from 1e-12 to 1e12
     * and refined by Brent's method; when q = 0 is itself a fixed point (σ_b = 0, φ(0) = 0) that attracts (slope
     * ≤ 1 there), q* = 0.
     *
     * <p>The correlation fixed point c*: by Mehler's (Hermite) expansion, {@code E[φ(u1)φ(u2)] = Σ_n a_n² c^n}
     * with a_n the Hermite coefficients of φ(√q*·z), a power series with non-negative coefficients; so the
     * correlation map is increasing and convex on [0, 1], with C(0) ≥ 0 and a fixed point at c = 1 whose slope is
     * χ1. If χ1 ≤ 1, c* = 1; if χ1 &gt; 1 there is exactly one other fixed point in [0, 1), found by Brent's method.
     */
    public static MeanField of(MeanFieldMap map) {
        Objects.requireNonNull(map, "map is null");
        double atZero = map.variance(0.0); // σ_w²·φ(0)² + σ_b²
        if (atZero == 0.0) {
            if (everyVarianceIsFixed(map)) {
                return degenerate(map);
            }
            if (map.varianceSlope(0.0) <= 1.0 + UNIT_SLOPE) {
                return atFixedPoint(map, 0.0, "q* = 0: with sigma_b = 0 and phi(0) = 0 the variance decays to 0; "
                        + "chi1 and chi_q are the q -> 0+ limits, c* = 1 and chi_c = chi1 the sigma_b -> 0+ limits "
                        + "(at q = 0 the correlation map is 0/0)");
            }
        }
        Double qStar = stableFixedPoint(map, atZero);
        if (qStar == null) {
            return new MeanField(map.nonlinearity().label(), map.sigmaW2(), map.sigmaB2(), null, null, null, null,
                    null, null, null, null, null, "no finite fixed point q*: V(q) > q for every q up to "
                    + Q_MAX + ", so the pre-activation variance grows without bound with depth");
        }
        return atFixedPoint(map, qStar, null);
    }

    /**
     * χ1 alone, without the correlation fixed point: what {@link #of(MeanFieldMap)} gives as {@link #chi1}, found
     * the same way, at the cost of one-dimensional integrals only (c* needs two-dimensional ones). Null where
     * there is no finite q*. For tracing the order-to-chaos line, where c* = 1.
     */
    public static Double chi1(MeanFieldMap map) {
        Objects.requireNonNull(map, "map is null");
        double atZero = map.variance(0.0);
        if (atZero == 0.0) {
            if (everyVarianceIsFixed(map)) {
                return map.gradientFactor(1.0);
            }
            if (map.varianceSlope(0.0) <= 1.0 + UNIT_SLOPE) {
                return map.gradientFactor(MeanFieldMap.ZERO_LIMIT);
            }
        }
        Double qStar = stableFixedPoint(map, atZero);
        return qStar == null ? null : map.gradientFactor(Math.max(qStar, MeanFieldMap.ZERO_LIMIT));
    }

    /** ξ = −1/ln χ for a contracting slope χ &lt; 1; +∞ for χ ≥ 1 (within {@value #UNIT_SLOPE}). */
    public static double depthScale(double chi) {
        if (chi >= 1.0 - UNIT_SLOPE) {
            return Double.POSITIVE_INFINITY;
        }
        return -1.0 / Math.log(chi);
    }

    private static MeanField atFixedPoint(MeanFieldMap map, double qStar, String note) {
        double q = Math.max(qStar, MeanFieldMap.ZERO_LIMIT);
        double chi1 = map.gradientFactor(q);
        double chiQ = map.varianceSlope(q);
        double cStar = 1.0;
        double chiC = chi1;
        if (chi1 > 1.0 + UNIT_SLOPE && qStar > 0) {
            cStar = correlationFixedPoint(map, qStar);
            chiC = cStar == 1.0 ? chi1 : map.correlationSlope(qStar, cStar);
        }
        double xiC = depthScale(chiC);
        return new MeanField(map.nonlinearity().label(), map.sigmaW2(), map.sigmaB2(), qStar, cStar, chi1, chiQ,
                chiC, depthScale(chiQ), xiC, Phase.of(chi1), TRAINABLE_DEPTH_FACTOR * xiC, note);
    }

    /** V(q) = q for all q: a positively homogeneous φ (ReLU, leaky ReLU, identity) at σ_w²·E[φ(z)²] = 1, σ_b = 0. */
    private static MeanField degenerate(MeanFieldMap map) {
        MeanField any = atFixedPoint(map, 1.0, null); // nothing depends on q: evaluate at q = 1
        return new MeanField(any.nonlinearity(), any.sigmaW2(), any.sigmaB2(), null, any.cStar(), any.chi1(),
                any.chiQ(), any.chiC(), Double.POSITIVE_INFINITY, any.xiC(), any.phase(), any.trainableDepth(),
                "every q is a fixed point (V(q) = q: phi is positively homogeneous, sigma_w^2 E[phi(z)^2] = 1 and "
                        + "sigma_b = 0), so q* is undefined and every layer keeps the first layer's variance; "
                        + "chi1, chi_q, c* and chi_c do not depend on q");
    }

    private static boolean everyVarianceIsFixed(MeanFieldMap map) {
        for (double q : new double[] {1e-6, 1.0, 1e6}) {
            if (Math.abs(map.variance(q) - q) > UNIT_SLOPE * q) {
                return false;
            }
        }
        return true;
    }

    /** The first zero of V(q) − q above 0 where it turns from positive to non-positive; null if none up to Q_MAX. */
    private static Double stableFixedPoint(MeanFieldMap map, double atZero) {
        UnivariateFunction excess = q -> map.variance(q) - q;
        double previous = 0.0; // V(0) − 0 > 0 here, or 0 with an unstable fixed point at 0 (then start above it)
        if (atZero == 0.0) {
            previous = Q_MIN;
        }
        for (double q = previous == 0.0 ? Q_MIN : 2 * Q_MIN; q <= Q_MAX; q *= 2) {
            double value = excess.value(q);
            if (value == 0.0) {
                return q;
            }
            if (value < 0.0) {
                return solve(excess, previous, q);
            }
            previous = q;
        }
        return null;
    }

    /** c* &lt; 1 of a chaotic map (χ1 &gt; 1): C(q*, c)/q* − c is ≥ 0 at 0 and negative just below 1. */
    private static double correlationFixedPoint(MeanFieldMap map, double qStar) {
        UnivariateFunction excess = c -> map.covariance(qStar, c) / qStar - c;
        if (excess.value(0.0) <= 0.0) {
            return 0.0; // C(0) = (σ_w² E[φ]² + σ_b²)/q* is 0 only for odd φ with σ_b = 0
        }
        double lower = 0.0;
        for (int digits = 1; digits <= 8; digits++) {
            double c = 1.0 - Math.pow(10, -digits);
            if (excess.value(c) < 0.0) {
                return solve(excess, lower, c);
            }
            lower = c;
        }
        return 1.0; // within 1e-8 of 1: χ1 is so close to 1 that the quadrature cannot place c* below it
    }

    private static double solve(UnivariateFunction f, double lower, double upper) {
        return new BrentSolver(1e-15, 1e-300, 0.0).solve(1000, f, lower, upper);
    }
}
