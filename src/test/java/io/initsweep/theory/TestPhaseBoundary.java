package io.initsweep.theory;

import io.initsweep.model.Activation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The lines of the phase diagram: where they are placed, the quantity they are defined by holds. */
class TestPhaseBoundary {
    private static final Nonlinearity TANH = Nonlinearity.of(Activation.TANH);
    private static final Nonlinearity RELU = Nonlinearity.of(Activation.RELU);

    /** tanh without biases is critical at σ_w² = 1 (Poole et al. 2016); with biases χ1 = 1 on the line found. */
    @Test
    void tanhCriticalLineHasChiOneAndPassesThroughOne() {
        assertThat(PhaseBoundary.criticalSigmaW2(TANH, 0.0, 0.25, 4.0)).isCloseTo(1.0, within(2e-3));
        for (double sigmaB2 : new double[] {0.05, 0.3}) {
            double critical = PhaseBoundary.criticalSigmaW2(TANH, sigmaB2, 0.25, 4.0);
            assertThat(critical).isGreaterThan(1.0);
            assertThat(MeanField.of(TANH, critical * (1 - 2e-3), sigmaB2).chi1()).isLessThan(1.0);
            assertThat(MeanField.of(TANH, critical * (1 + 2e-3), sigmaB2).chi1()).isGreaterThan(1.0);
        }
        assertThat(PhaseBoundary.criticalSigmaW2(TANH, 0.05, 2.0, 4.0)).as("all chaotic").isNull();
    }

    /**
     * On both sides of the line the depth lines have 6ξ_c = L, and they close in on it as L grows. On the chaotic
     * side ξ_c falls slowly (6ξ_c is still 25 at σ_w² = 10, σ_b² = 0.1), so only deep networks have a chaotic line
     * nearby; at depth 20 there is none up to σ_w² = 8.
     */
    @Test
    void tanhDepthLinesHaveSixXiCEqualToTheDepth() {
        double sigmaB2 = 0.1;
        double critical = PhaseBoundary.criticalSigmaW2(TANH, sigmaB2, 0.25, 12.0);
        for (int depth : new int[] {40, 60}) {
            double ordered = PhaseBoundary.orderedDepthSigmaW2(TANH, sigmaB2, depth, 0.25, critical);
            double chaotic = PhaseBoundary.chaoticDepthSigmaW2(TANH, sigmaB2, depth, critical, 12.0);
            assertThat(ordered).isLessThan(critical);
            assertThat(chaotic).isGreaterThan(critical);
            // placed to 1e-3 of σ_w²; 6ξ_c changes by a few percent over that near the critical line
            assertThat(MeanField.of(TANH, ordered, sigmaB2).trainableDepth()).isCloseTo(depth, within(0.05 * depth));
            assertThat(MeanField.of(TANH, chaotic, sigmaB2).trainableDepth()).isCloseTo(depth, within(0.05 * depth));
        }
        assertThat(PhaseBoundary.orderedDepthSigmaW2(TANH, sigmaB2, 60, 0.25, critical))
                .isGreaterThan(PhaseBoundary.orderedDepthSigmaW2(TANH, sigmaB2, 40, 0.25, critical));
        assertThat(PhaseBoundary.chaoticDepthSigmaW2(TANH, sigmaB2, 60, critical, 12.0))
                .isLessThan(PhaseBoundary.chaoticDepthSigmaW2(TANH, sigmaB2, 40, critical, 12.0));
        assertThat(PhaseBoundary.chaoticDepthSigmaW2(TANH, sigmaB2, 20, critical, 8.0)).isNull();
    }

    /**
     * ReLU: χ1 = σ_w²/2 below σ_w² = 2, so the ordered depth line is σ_w² = 2·exp(−6/L) whatever σ_b²; beyond 2 a
     * biased network's variance grows without bound: no c*, no chaotic depth line.
     */
    @Test
    void reluLinesMatchTheirClosedForms() {
        assertThat(PhaseBoundary.criticalSigmaW2(RELU, 0.1, 0.5, 4.0)).isCloseTo(2.0, within(5e-3));
        PhaseBoundary.Lines lines = PhaseBoundary.lines(RELU, 20, 0.5, 4.0, 0.0, 0.5, 3);
        assertThat(lines.critical()).hasSize(3).allSatisfy(p -> assertThat(p.sigmaW2()).isCloseTo(2.0, within(5e-3)));
        assertThat(lines.orderedDepth()).hasSize(3).allSatisfy(p -> assertThat(p.sigmaW2())
                .isCloseTo(2 * Math.exp(-6.0 / 20), within(5e-3)));
        assertThat(lines.chaoticDepth()).isEmpty();
        assertThat(lines.critical()).extracting(PhaseBoundary.Point::sigmaB2).containsExactly(0.0, 0.125, 0.5);
    }

    @Test
    void tanhCriticalLineRisesWithTheBiasVariance() {
        PhaseBoundary.Lines lines = PhaseBoundary.lines(TANH, 50, 0.5, 6.0, 0.0, 0.4, 5);
        assertThat(lines.critical()).hasSize(5);
        assertThat(lines.critical()).extracting(PhaseBoundary.Point::sigmaW2).isSorted();
        assertThat(lines.orderedDepth()).hasSize(5);
        assertThat(lines.chaoticDepth()).isNotEmpty();
        for (int i = 0; i < 5; i++) {
            assertThat(lines.orderedDepth().get(i).sigmaW2()).isLessThan(lines.critical().get(i).sigmaW2());
        }
    }
}
