package io.initsweep.theory;

import io.initsweep.model.Activation;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The mean-field quantities against closed forms (ReLU, erf, SELU/ELU), against an independent integrator (tanh)
 * and against the papers' landmarks (tanh's critical point σ_w² = 1 at σ_b = 0; SELU's fixed point q* = 1).
 */
class TestMeanField {
    private static final Nonlinearity RELU = Nonlinearity.of(Activation.RELU);
    private static final Nonlinearity TANH = Nonlinearity.of(Activation.TANH);
    private static final Nonlinearity ERF = new ErfNonlinearity();

    // ---------------------------------------------------------------- ReLU: closed forms

    /** Below criticality V(q) = σ_w²q/2 + σ_b², so q* = σ_b²/(1 − σ_w²/2), and φ'² = 1(z > 0) gives χ1 = σ_w²/2. */
    @ParameterizedTest(name = "relu sigma_w^2={0} sigma_b^2={1}")
    @CsvSource({"0.5, 0.1", "1.0, 0.5", "1.5, 0.05", "1.99, 1.0"})
    void reluMatchesItsClosedFormsBelowCriticality(double sigmaW2, double sigmaB2) {
        MeanField m = MeanField.of(RELU, sigmaW2, sigmaB2);
        double chi = sigmaW2 / 2;
        assertThat(m.qStar()).isCloseTo(sigmaB2 / (1 - chi), within(1e-12 * sigmaB2 / (1 - chi)));
        assertThat(m.chi1()).isCloseTo(chi, within(1e-14));
        assertThat(m.chiQ()).isCloseTo(chi, within(1e-13)); // the length map is linear with slope σ_w²/2
        assertThat(m.cStar()).isEqualTo(1.0);
        assertThat(m.chiC()).isEqualTo(m.chi1());
        assertThat(m.xiC()).isCloseTo(-1 / Math.log(chi), within(1e-10 * m.xiC()));
        assertThat(m.xiQ()).isCloseTo(-1 / Math.log(chi), within(1e-8 * m.xiQ()));
        assertThat(m.trainableDepth()).isEqualTo(6 * m.xiC());
        assertThat(m.phase()).isEqualTo(MeanField.Phase.ORDERED);
        assertThat(m.note()).isNull();
    }

    /**
     * The arc-cosine kernel (Cho and Saul 2009): for ReLU, {@code E[φ(u1)φ(u2)] = q/(2π)·(√(1−c²) + (π − arccos c)·c)}
     * and {@code E[φ'(u1)φ'(u2)] = (π − arccos c)/(2π)}. The kinks lie along two lines through the origin, which
     * is what the iterated quadrature has to place at panel ends.
     */
    @ParameterizedTest(name = "q={0} c={1}")
    @CsvSource({"0.3, -0.9", "0.3, 0.0", "2.0, -0.3", "2.0, 0.5", "2.0, 0.9", "2.0, 0.999", "40.0, 0.9999", "1.0, 1.0",
            "1.0, -1.0"})
    void reluCovarianceIsTheArcCosineKernel(double q, double c) {
        MeanFieldMap map = MeanFieldMap.of(RELU, 2.0, 0.1);
        double angle = Math.acos(c);
        double kernel = q / (2 * Math.PI) * (Math.sqrt(1 - c * c) + (Math.PI - angle) * c);
        assertThat(map.covariance(q, c)).isCloseTo(2.0 * kernel + 0.1, within(1e-13 * q));
        assertThat(map.correlationSlope(q, c)).isCloseTo(2.0 * (Math.PI - angle) / (2 * Math.PI), within(1e-13));
    }

    @Test
    void reluWithoutAFiniteFixedPointSaysSo() {
        for (double sigmaW2 : new double[] {2.0, 2.5}) {
            MeanField m = MeanField.of(RELU, sigmaW2, 0.1); // V(q) − q = (σ_w²/2 − 1)q + σ_b² > 0 for every q
            assertThat(m.qStar()).isNull();
            assertThat(m.chi1()).isNull();
            assertThat(m.xiC()).isNull();
            assertThat(m.phase()).isNull();
            assertThat(m.trainableDepth()).isNull();
            assertThat(m.note()).startsWith("no finite fixed point q*");
        }
        MeanField unstableZero = MeanField.of(RELU, 3.0, 0.0); // q = 0 is a fixed point, but repelling
        assertThat(unstableZero.qStar()).isNull();
        assertThat(unstableZero.note()).startsWith("no finite fixed point q*");
    }

    /** He init without biases: V(q) = q for every q; critical, with infinite depth scales. */
    @Test
    void reluAtHeInitWithoutBiasesIsCriticalWithEveryVarianceAFixedPoint() {
        MeanField m = MeanField.of(RELU, 2.0, 0.0);
        assertThat(m.qStar()).isNull();
        assertThat(m.note()).startsWith("every q is a fixed point");
        assertThat(m.chi1()).isCloseTo(1.0, within(1e-14));
        assertThat(m.cStar()).isEqualTo(1.0);
        assertThat(m.phase()).isEqualTo(MeanField.Phase.CRITICAL);
        assertThat(m.xiQ()).isInfinite();
        assertThat(m.xiC()).isInfinite();
        assertThat(m.trainableDepth()).isInfinite();
    }

    @Test
    void reluWithoutBiasesBelowCriticalityDecaysToZero() {
        MeanField m = MeanField.of(RELU, 1.5, 0.0);
        assertThat(m.qStar()).isEqualTo(0.0);
        assertThat(m.chi1()).isCloseTo(0.75, within(1e-14));
        assertThat(m.chiQ()).isCloseTo(0.75, within(1e-13));
        assertThat(m.xiC()).isCloseTo(-1 / Math.log(0.75), within(1e-10));
        assertThat(m.note()).startsWith("q* = 0");
    }

    // ---------------------------------------------------------------- erf: closed forms

    @ParameterizedTest(name = "q={0} c={1}")
    @CsvSource({"0.1, 0.2", "1.0, -0.5", "1.0, 0.95", "30.0, 0.2", "400.0, 0.99"})
    void erfMapsMatchTheirClosedForms(double q, double c) {
        MeanFieldMap map = MeanFieldMap.of(ERF, 1.7, 0.2);
        assertThat(map.variance(q)).isCloseTo(1.7 * ErfNonlinearity.covariance(q, 1) + 0.2, within(1e-13));
        assertThat(map.gradientFactor(q)).isCloseTo(1.7 * ErfNonlinearity.derivativeSquare(q), within(1e-13));
        assertThat(map.varianceSlope(q)).isCloseTo(1.7 * ErfNonlinearity.varianceSlope(q), within(1e-13));
        assertThat(map.covariance(q, c)).isCloseTo(1.7 * ErfNonlinearity.covariance(q, c) + 0.2, within(1e-13));
        assertThat(map.correlationSlope(q, c))
                .isCloseTo(1.7 * ErfNonlinearity.derivativeCovariance(q, c), within(1e-13));
    }

    /**
     * q*, c*, χ1, χ_c and ξ_c against fixed points solved from the closed forms (Brent's method on the arcsine
     * kernel, no quadrature), on both sides of criticality.
     */
    @ParameterizedTest(name = "erf sigma_w^2={0} sigma_b^2={1}")
    @CsvSource({"0.5, 0.2, ORDERED", "0.9, 0.01, ORDERED", "1.5, 0.05, ORDERED", "2.0, 0.05, CHAOTIC",
            "4.0, 0.3, CHAOTIC", "2.5, 0.0, CHAOTIC"})
    void erfFixedPointsMatchThoseOfTheClosedForms(double sigmaW2, double sigmaB2, MeanField.Phase phase) {
        MeanField m = MeanField.of(ERF, sigmaW2, sigmaB2);
        double qStar = IndependentGaussian.solve(q -> sigmaW2 * ErfNonlinearity.covariance(q, 1) + sigmaB2 - q,
                1e-9, 100);
        double chi1 = sigmaW2 * ErfNonlinearity.derivativeSquare(qStar);
        double cStar = 1.0;
        if (chi1 > 1) {
            double excess0 = sigmaB2 / qStar; // C(0) − 0: the arcsine kernel is 0 at c = 0
            cStar = excess0 == 0 ? 0.0 : IndependentGaussian.solve(
                    c -> (sigmaW2 * ErfNonlinearity.covariance(qStar, c) + sigmaB2) / qStar - c, 0, 1 - 1e-6);
        }
        double chiC = sigmaW2 * ErfNonlinearity.derivativeCovariance(qStar, cStar);
        assertThat(m.phase()).isEqualTo(phase);
        assertThat(m.qStar()).isCloseTo(qStar, within(1e-11 * qStar));
        assertThat(m.chi1()).isCloseTo(chi1, within(1e-11));
        assertThat(m.chiQ()).isCloseTo(sigmaW2 * ErfNonlinearity.varianceSlope(qStar), within(1e-11));
        assertThat(m.cStar()).isCloseTo(cStar, within(1e-10));
        assertThat(m.chiC()).isCloseTo(chiC, within(1e-10));
        assertThat(m.xiC()).isCloseTo(-1 / Math.log(chiC), within(1e-8 * m.xiC()));
    }

    // ---------------------------------------------------------------- SELU and ELU: closed forms with a kink

    /**
     * For {@code φ(x) = λx} (x &gt; 0), {@code λα(e^x − 1)} (x ≤ 0), with {@code E[e^(az); z < 0] = e^(a²/2)Φ(−a)}:
     * {@code E[φ(√q·z)²] = λ²(q/2 + α²(e^(2q)Φ(−2√q) − 2e^(q/2)Φ(−√q) + 1/2))} and
     * {@code E[φ'(√q·z)²] = λ²(1/2 + α²e^(2q)Φ(−2√q))}. φ' jumps at 0 for SELU (λ to λα), the case that made
     * Gauss-Hermite quadrature converge only algebraically.
     */
    @ParameterizedTest(name = "{0} q={1}")
    @CsvSource({"SELU, 0.05", "SELU, 1.0", "SELU, 9.3", "ELU, 0.3", "ELU, 4.0"})
    void exponentialUnitsMatchTheirClosedForms(Activation activation, double q) {
        boolean selu = activation == Activation.SELU;
        double lambda = selu ? StandardNonlinearity.SELU_LAMBDA : 1.0;
        double alpha = selu ? StandardNonlinearity.SELU_ALPHA : StandardNonlinearity.ELU_ALPHA;
        NormalDistribution normal = new NormalDistribution();
        double s = Math.sqrt(q);
        double negativeTail = Math.exp(2 * q) * normal.cumulativeProbability(-2 * s);
        double variance = lambda * lambda * (q / 2 + alpha * alpha
                * (negativeTail - 2 * Math.exp(q / 2) * normal.cumulativeProbability(-s) + 0.5));
        double chi = lambda * lambda * (0.5 + alpha * alpha * negativeTail);
        MeanFieldMap map = MeanFieldMap.of(Nonlinearity.of(activation), 1.0, 0.0);
        assertThat(map.variance(q)).isCloseTo(variance, within(1e-12 * variance));
        assertThat(map.gradientFactor(q)).isCloseTo(chi, within(1e-12 * chi));
    }

    /** Klambauer et al. 2017 chose SELU's λ and α so that a unit Gaussian pre-activation maps to unit variance. */
    @Test
    void seluWithLecunWeightsHasItsSelfNormalizingFixedPoint() {
        MeanField m = MeanField.of(Nonlinearity.of(Activation.SELU), 1.0, 0.0);
        assertThat(m.qStar()).isCloseTo(1.0, within(1e-12));
    }

    // ---------------------------------------------------------------- tanh: independent integration

    /**
     * q*, χ1, χ_q, c*, χ_c against Commons Math's adaptive Legendre-Gauss integration. χ_q is checked in the
     * papers' form {@code σ_w² E[φ'² + φφ'']} with tanh'' = −2 tanh·(1 − tanh²), which the theory never evaluates
     * (it integrates by parts instead), so this also checks that derivation.
     */
    @ParameterizedTest(name = "tanh sigma_w^2={0} sigma_b^2={1}")
    @CsvSource({"0.7, 0.1, ORDERED", "1.5, 0.3, ORDERED", "2.0, 0.05, CHAOTIC", "4.0, 0.5, CHAOTIC"})
    void tanhMatchesIndependentIntegration(double sigmaW2, double sigmaB2, MeanField.Phase phase) {
        MeanField m = MeanField.of(TANH, sigmaW2, sigmaB2);
        double qStar = IndependentGaussian.solve(q -> sigmaW2 * IndependentGaussian.expectation(
                z -> square(Math.tanh(Math.sqrt(q) * z))) + sigmaB2 - q, 1e-6, sigmaW2 + sigmaB2 + 1);
        double s = Math.sqrt(qStar);
        double chi1 = sigmaW2 * IndependentGaussian.expectation(z -> square(sech2(s * z)));
        double chiQ = sigmaW2 * IndependentGaussian.expectation(z -> {
            double t = Math.tanh(s * z);
            return square(sech2(s * z)) + t * (-2 * t * sech2(s * z));
        });
        assertThat(m.phase()).isEqualTo(phase);
        assertThat(m.qStar()).isCloseTo(qStar, within(1e-10 * qStar));
        assertThat(m.chi1()).isCloseTo(chi1, within(1e-10));
        assertThat(m.chiQ()).isCloseTo(chiQ, within(1e-10));
        if (phase == MeanField.Phase.CHAOTIC) {
            double cStar = IndependentGaussian.solve(c -> (sigmaW2 * IndependentGaussian.pair(Math::tanh, qStar, c)
                    + sigmaB2) / qStar - c, 0, 0.999);
            double chiC = sigmaW2 * IndependentGaussian.pair(x -> sech2(x), qStar, cStar);
            assertThat(m.cStar()).isCloseTo(cStar, within(1e-8));
            assertThat(m.chiC()).isCloseTo(chiC, within(1e-8));
        } else {
            assertThat(m.cStar()).isEqualTo(1.0);
            assertThat(m.chiC()).isEqualTo(m.chi1());
        }
    }

    /**
     * The order-to-chaos line of tanh (Poole et al. 2016, Fig. 2; Schoenholz et al. 2017, Fig. 1): through
     * σ_w² = 1 at σ_b² = 0, rising with σ_b². Each critical σ_w² found from the theory's χ1 = 1 is checked with
     * the independent integrator.
     */
    @Test
    void tanhCriticalLinePassesThroughOneAndRisesWithBiasVariance() {
        MeanField atOrigin = MeanField.of(TANH, 1.0, 0.0);
        assertThat(atOrigin.phase()).isEqualTo(MeanField.Phase.CRITICAL);
        assertThat(atOrigin.chi1()).isCloseTo(1.0, within(1e-12));
        assertThat(MeanField.of(TANH, 0.9, 0.0).phase()).isEqualTo(MeanField.Phase.ORDERED);
        assertThat(MeanField.of(TANH, 1.5, 0.0).phase()).isEqualTo(MeanField.Phase.CHAOTIC);

        List<Double> line = new ArrayList<>();
        for (double sigmaB2 : new double[] {0.01, 0.05, 0.1, 0.3}) {
            double critical = IndependentGaussian.solve(w -> MeanField.of(TANH, w, sigmaB2).chi1() - 1, 1, 5);
            double qStar = MeanField.of(TANH, critical, sigmaB2).qStar();
            double chi1 = critical * IndependentGaussian.expectation(z -> square(sech2(Math.sqrt(qStar) * z)));
            assertThat(chi1).as("independent chi1 at sigma_b^2 = %s", sigmaB2).isCloseTo(1.0, within(1e-9));
            line.add(critical);
        }
        assertThat(line).isSorted().allSatisfy(w -> assertThat(w).isGreaterThan(1.0));
        assertThat(line.get(0)).isLessThan(line.get(3) - 0.5);
    }

    @Test
    void tanhWithoutBiasesHasZeroVarianceFixedPointUpToCriticalityAndUncorrelatedChaosBeyond() {
        MeanField ordered = MeanField.of(TANH, 0.5, 0.0);
        assertThat(ordered.qStar()).isEqualTo(0.0);
        assertThat(ordered.chi1()).isCloseTo(0.5, within(1e-12)); // tanh'(0)² = 1: the linear regime
        assertThat(ordered.chiQ()).isCloseTo(0.5, within(1e-12));
        assertThat(ordered.cStar()).isEqualTo(1.0);
        assertThat(ordered.xiC()).isCloseTo(-1 / Math.log(0.5), within(1e-10));
        assertThat(ordered.note()).startsWith("q* = 0");

        MeanField critical = MeanField.of(TANH, 1.0, 0.0);
        assertThat(critical.qStar()).isEqualTo(0.0);
        assertThat(critical.xiQ()).isInfinite(); // q decays as a power law, not exponentially
        assertThat(critical.xiC()).isInfinite();
        assertThat(critical.trainableDepth()).isInfinite();

        MeanField chaotic = MeanField.of(TANH, 2.0, 0.0);
        assertThat(chaotic.qStar()).isPositive();
        assertThat(chaotic.cStar()).isCloseTo(0.0, within(1e-12)); // odd φ, no bias: C(0) = 0
        assertThat(chaotic.phase()).isEqualTo(MeanField.Phase.CHAOTIC);
        assertThat(chaotic.xiC()).isFinite();
    }

    // ---------------------------------------------------------------- every activation

    @ParameterizedTest
    @EnumSource(Activation.class)
    void everyActivationHasAConsistentPrediction(Activation activation) {
        double sigmaW2 = activation.recommendedGain() * activation.recommendedGain();
        MeanField m = MeanField.of(Nonlinearity.of(activation), sigmaW2, 0.05);
        MeanFieldMap map = MeanFieldMap.of(Nonlinearity.of(activation), sigmaW2, 0.05);
        if (m.qStar() == null) {
            // the positively homogeneous ones at their recommended gain are critical (σ_w²·E[φ(z)²] = 1), and a
            // bias then adds σ_b² per layer without end
            assertThat(activation).isIn(Activation.RELU, Activation.LEAKY_RELU, Activation.IDENTITY);
            assertThat(map.variance(1.0)).isCloseTo(1.05, within(1e-12));
            assertThat(m.note()).startsWith("no finite fixed point");
            return;
        }
        assertThat(map.variance(m.qStar())).isCloseTo(m.qStar(), within(1e-12 * m.qStar()));
        assertThat(m.cStar()).isBetween(0.0, 1.0);
        assertThat(m.chi1()).isPositive();
        assertThat(m.phase()).isNotNull();
        assertThat(m.cStar() < 1).isEqualTo(m.phase() == MeanField.Phase.CHAOTIC);
        assertThat(m.chiC()).isLessThanOrEqualTo(1.0 + 1e-12);
        if (m.cStar() < 1) {
            assertThat(map.covariance(m.qStar(), m.cStar()) / m.qStar()).isCloseTo(m.cStar(), within(1e-12));
        }
    }

    @Test
    void phaseUsesTheDocumentedToleranceAroundOne() {
        assertThat(MeanField.Phase.of(1.0)).isEqualTo(MeanField.Phase.CRITICAL);
        assertThat(MeanField.Phase.of(1 + 0.9 * MeanField.CRITICAL_TOLERANCE)).isEqualTo(MeanField.Phase.CRITICAL);
        assertThat(MeanField.Phase.of(1 - 0.9 * MeanField.CRITICAL_TOLERANCE)).isEqualTo(MeanField.Phase.CRITICAL);
        assertThat(MeanField.Phase.of(1.002)).isEqualTo(MeanField.Phase.CHAOTIC);
        assertThat(MeanField.Phase.of(0.998)).isEqualTo(MeanField.Phase.ORDERED);
        assertThat(MeanField.depthScale(1.0)).isInfinite();
        assertThat(MeanField.depthScale(0.0)).isEqualTo(0.0);
        assertThat(MeanField.depthScale(Math.exp(-0.25))).isCloseTo(4.0, within(1e-12));
    }

    @Test
    void badVariancesAreRefusedWithTheValue() {
        assertThatThrownBy(() -> MeanField.of(TANH, -1.0, 0.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sigma_w^2").hasMessageContaining("-1.0");
        assertThatThrownBy(() -> MeanField.of(TANH, 1.0, Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sigma_b^2").hasMessageContaining("NaN");
        assertThatThrownBy(() -> MeanFieldMap.of(TANH, 1.0, 0.0).covariance(1.0, 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
    }

    private static double sech2(double x) {
        double t = Math.tanh(x);
        return 1 - t * t;
    }

    private static double square(double x) {
        return x * x;
    }
}
