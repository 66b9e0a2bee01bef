package io.initsweep.train;

import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The pure parts of the theory's diagnostics: pair correlations and the Jacobian's spectrum summaries. */
class TestTheoryDiagnostics {

    /** Rows (2k, 2k+1) are the pairs; the cosine is uncentered; zero rows are left out. */
    @Test
    void pairCorrelationIsTheMeanCosineOfFixedRowPairs() {
        double[] z = {
                1, 0, 0, // pair 0: cos = 1/√2
                1, 1, 0,
                1, 2, 3, // pair 1: cos = -1
                -1, -2, -3,
                0, 0, 0, // pair 2: a zero row, left out
                5, 5, 5,
                9, 9, 9, // row 6 has no partner
        };
        assertThat(Diagnostics.pairCorrelation(z, 7, 3, 16)).isCloseTo((1 / Math.sqrt(2) - 1) / 2, within(1e-15));
        assertThat(Diagnostics.pairCorrelation(z, 7, 3, 1)).isCloseTo(1 / Math.sqrt(2), within(1e-15));
        assertThat(Diagnostics.pairCorrelation(new double[6], 2, 3, 16)).isNull();
        double[] huge = {1e200, 1e200, 1e200, 1e200};
        assertThat(Diagnostics.pairCorrelation(huge, 2, 2, 16)).isCloseTo(1.0, within(1e-15));
    }

    /** σ = (4, 3): Σσ² = 25 over 2, max 4, spread (Σσ⁴/2)/(25/2)² − 1 = 168.5/156.25 − 1. */
    @Test
    void spectrumOfAKnownMatrix() {
        double[] m = {0, 3, 4, 0, 0, 0}; // 3x2 with singular values 4 and 3
        JacobianSpectrum.Point p = JacobianSpectrum.ofMatrix(m, 3, 2);
        assertThat(p.singularValues()).isEqualTo(2);
        assertThat(p.meanSquared()).isCloseTo(12.5, within(1e-13));
        assertThat(p.max()).isCloseTo(4.0, within(1e-13));
        assertThat(p.spread()).isCloseTo(168.5 / 156.25 - 1, within(1e-13));
        JacobianSpectrum.Point isometry = JacobianSpectrum.ofMatrix(new double[] {0, 2, 2, 0}, 2, 2);
        assertThat(isometry.spread()).isCloseTo(0.0, within(1e-15));
        assertThat(JacobianSpectrum.ofMatrix(new double[] {1, Double.NaN}, 1, 2).meanSquared()).isNaN();
    }

    /** The Gram route gives what the SVD gives, for a random 40x25 matrix. */
    @Test
    void gramSummaryAgreesWithTheSvd() {
        int rows = 40;
        int columns = 25;
        double[] m = new double[rows * columns];
        Well19937c random = new Well19937c(5);
        for (int i = 0; i < m.length; i++) {
            m[i] = random.nextGaussian();
        }
        JacobianSpectrum.Point svd = JacobianSpectrum.ofMatrix(m, rows, columns);
        double[][] gram = new double[columns][columns];
        for (int i = 0; i < columns; i++) {
            for (int j = 0; j < columns; j++) {
                for (int r = 0; r < rows; r++) {
                    gram[i][j] += m[r * columns + i] * m[r * columns + j];
                }
            }
        }
        double trace = 0;
        double frobenius = 0;
        for (int i = 0; i < columns; i++) {
            trace += gram[i][i];
            for (int j = 0; j < columns; j++) {
                frobenius += gram[i][j] * gram[i][j];
            }
        }
        JacobianSpectrum.Point fromGram = JacobianSpectrum.ofGram(columns, trace, frobenius, svd.max() * svd.max());
        assertThat(fromGram.meanSquared()).isCloseTo(svd.meanSquared(), within(1e-12 * svd.meanSquared()));
        assertThat(fromGram.spread()).isCloseTo(svd.spread(), within(1e-12));
        JacobianSpectrum mean = JacobianSpectrum.mean(List.of(svd, fromGram), JacobianSpectrum.SVD);
        assertThat(mean.points()).isEqualTo(2);
        assertThat(mean.singularValues()).isEqualTo(25);
        assertThat(JacobianSpectrum.mean(List.of(svd, new JacobianSpectrum.Point(25, Double.POSITIVE_INFINITY, 1, 0)),
                JacobianSpectrum.SVD)).isNull();
    }
}
