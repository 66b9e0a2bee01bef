package io.initsweep.theory;

import io.initsweep.model.Activation;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The Gaussian expectations the theory is built on, against moments and distribution functions. */
class TestGaussianQuadrature {
    private final GaussianQuadrature quadrature = GaussianQuadrature.standard();
    private final NormalDistribution normal = new NormalDistribution();

    @Test
    void momentsAndTheMomentGeneratingFunction() {
        assertThat(quadrature.expectation(z -> 1.0, 1)).isCloseTo(1.0, within(1e-15));
        assertThat(quadrature.expectation(z -> z, 1)).isCloseTo(0.0, within(1e-16));
        assertThat(quadrature.expectation(z -> z * z, 1)).isCloseTo(1.0, within(1e-14));
        assertThat(quadrature.expectation(z -> Math.pow(z, 6), 1)).isCloseTo(15.0, within(1e-12));
        assertThat(quadrature.expectation(z -> Math.exp(1.5 * z), 1)).isCloseTo(Math.exp(1.125), within(1e-13));
    }

    /** A step at the kink is integrated exactly, wherever the kink is and however fine the scale. */
    @Test
    void stepsAtTheKinkGiveTheNormalDistributionFunction() {
        for (double t : new double[] {-2.5, -0.3, 0.0, 0.7, 4.0}) {
            assertThat(quadrature.expectation(z -> z > t ? 1.0 : 0.0, t, 1))
                    .isCloseTo(1 - normal.cumulativeProbability(t), within(1e-15));
            assertThat(quadrature.expectation(z -> z > t ? z : 0.0, t, 1e-9)) // E[z; z > t] = pdf(t)
                    .isCloseTo(normal.density(t), within(1e-15));
        }
    }

    /** tanh(√q·z)² at q = 1e8 turns over within 1e-4 of 0: E = 1 − E[sech²(√q·z)] ≈ 1 − 2·pdf(0)/√q. */
    @Test
    void narrowFeaturesAtTheKinkAreResolved() {
        double q = 1e8;
        double s = Math.sqrt(q);
        double sech2Integral = 2.0 / s; // ∫ sech²(s·z) dz
        double expected = 1 - normal.density(0) * sech2Integral; // pdf is flat over the feature, to O(1/q)
        assertThat(quadrature.expectation(z -> {
            double t = Math.tanh(s * z);
            return t * t;
        }, 1 / s)).isCloseTo(expected, within(1e-8));
    }

    /** Every built-in activation's derivative matches a central difference of its value away from its kink. */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void derivativesMatchCentralDifferences(Activation activation) {
        Nonlinearity phi = Nonlinearity.of(activation);
        double h = 1e-6;
        for (double x : new double[] {-3.0, -0.7, -0.01, 0.01, 0.5, 2.5}) {
            double difference = (phi.value(x + h) - phi.value(x - h)) / (2 * h);
            assertThat(phi.derivative(x)).as("%s'(%s)", activation, x).isCloseTo(difference, within(1e-8));
        }
        assertThat(phi.label()).isEqualTo(activation.canonicalName());
    }

    @Test
    void badArgumentsAreRefusedWithTheValue() {
        assertThatThrownBy(() -> GaussianQuadrature.withPoints(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> quadrature.expectation(z -> z, -1.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1.0");
    }
}
