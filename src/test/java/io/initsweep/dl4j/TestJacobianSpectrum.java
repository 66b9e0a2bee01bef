package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;
import io.initsweep.model.Precision;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.JacobianSpectrum;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The input-output Jacobian's spectrum ({@link Propagation#jacobian}) against networks whose Jacobian is known:
 * a linear network, whose Jacobian is the product of its weight matrices at every input (its singular values from
 * Commons Math's SVD of that product, computed here independently), and an orthogonal one, every singular value
 * of which is gain^depth. Both routes are covered: the full SVD (n ≤ 128 singular values) and the Gram matrix with
 * power iteration (n &gt; 128); both multiplication orders (features ≤ width from the input, else from the top).
 * A tanh network's Jacobian is checked against central differences of its own forward pass.
 */
@Dl4jTest
class TestJacobianSpectrum {

    @BeforeAll
    static void threads() {
        Nd4jRuntime.initialize(1);
    }

    private static Fixtures.Sweep sweep(String scheme, String activation, int features, int width, int depth) {
        return Fixtures.sweep("""
                name: jacobian
                seeds: 1
                grid: {scheme: [%s]}
                model: {depth: %d, width: %d, activation: %s, bias-std: 0.3}
                training: {epochs: 1, precision: float64}
                data: {dataset: blobs, samples: 120, features: %d}
                """.formatted(scheme, depth, width, activation, features));
    }

    @ParameterizedTest(name = "{0} features, width {1}, depth {2}: {3}")
    @CsvSource({
            "5,   7,   3, svd",
            "20,  8,   3, svd",
            "150, 200, 2, gram+power-iteration",
            "300, 140, 2, gram+power-iteration",
    })
    void aLinearNetworksSpectrumIsThatOfTheProductOfItsWeights(int features, int width, int depth, String method) {
        Fixtures.Sweep sweep = sweep("xavier_normal", "identity", features, width, depth);
        Cell cell = sweep.cells().get(0);
        MultiLayerNetwork network = Networks.mlp(cell, sweep.dataset(cell).identity());
        try {
            JacobianSpectrum measured = new Propagation(network).jacobian(probe(sweep, cell));
            RealMatrix product = new Array2DRowRealMatrix(network.getLayer(0).getParam("W").toDoubleMatrix());
            for (int l = 1; l < depth; l++) {
                product = product.multiply(new Array2DRowRealMatrix(network.getLayer(l).getParam("W")
                        .toDoubleMatrix()));
            }
            double[] sigma = new SingularValueDecomposition(product).getSingularValues();
            int n = Math.min(features, width);
            assertThat(sigma).hasSize(n);
            double second = 0;
            double fourth = 0;
            for (double s : sigma) {
                second += s * s;
                fourth += s * s * s * s;
            }
            double meanSquared = second / n;
            double spread = fourth / n / (meanSquared * meanSquared) - 1;
            System.out.printf("linear %dx%d depth %d (%s): msv %.10g (exact %.10g), max %.10g (exact %.10g), "
                            + "spread %.10g (exact %.10g)%n", features, width, depth, measured.method(),
                    measured.meanSquaredSingularValue(), meanSquared, measured.maxSingularValue(), sigma[0],
                    measured.spread(), spread);
            assertThat(measured.method()).isEqualTo(method);
            assertThat(measured.points()).isEqualTo(JacobianSpectrum.PROBE_POINTS);
            assertThat(measured.singularValues()).isEqualTo(n);
            assertThat(measured.meanSquaredSingularValue()).isCloseTo(meanSquared, within(1e-10 * meanSquared));
            assertThat(measured.spread()).isCloseTo(spread, within(1e-9 * Math.max(1, spread)));
            // power iteration stops at a residual of 1e-6 of the eigenvalue; the SVD is exact
            assertThat(measured.maxSingularValue()).isCloseTo(sigma[0], within((method.equals("svd") ? 1e-10 : 1e-5)
                    * sigma[0]));
        } finally {
            network.close();
        }
    }

    /** g·Q layers of the identity activation: every singular value of the square Jacobian is g^depth. */
    @ParameterizedTest(name = "width {0}")
    @CsvSource({"64, svd", "160, gram+power-iteration"})
    void anOrthogonalNetworkIsAnExactIsometryTimesGainToTheDepth(int width, String method) {
        double gain = 1.3;
        int depth = 4;
        Fixtures.Sweep sweep = sweep("orthogonal(gain=" + gain + ")", "identity", width, width, depth);
        Cell cell = sweep.cells().get(0);
        MultiLayerNetwork network = Networks.mlp(cell, sweep.dataset(cell).identity());
        try {
            JacobianSpectrum measured = new Propagation(network).jacobian(probe(sweep, cell));
            double sigma = Math.pow(gain, depth);
            System.out.printf("orthogonal %d wide, gain %s, depth %d (%s): msv %.12g (exact %.12g), max %.12g "
                    + "(exact %.12g), spread %.3g (exact 0)%n", width, gain, depth, measured.method(),
                    measured.meanSquaredSingularValue(), sigma * sigma, measured.maxSingularValue(), sigma,
                    measured.spread());
            assertThat(measured.method()).isEqualTo(method);
            assertThat(measured.meanSquaredSingularValue()).isCloseTo(sigma * sigma, within(1e-10 * sigma * sigma));
            assertThat(measured.maxSingularValue()).isCloseTo(sigma, within(1e-10 * sigma));
            assertThat(measured.spread()).isCloseTo(0.0, within(1e-10));
        } finally {
            network.close();
        }
    }

    /** tanh: the Jacobian from the activation's own derivative equals central differences of the forward pass. */
    @Test
    void aTanhNetworksJacobianIsTheDerivativeOfItsForwardPass() {
        int features = 3;
        int width = 5;
        int depth = 3;
        Fixtures.Sweep sweep = sweep("he_normal", "tanh", features, width, depth);
        Cell cell = sweep.cells().get(0);
        MultiLayerNetwork network = Networks.mlp(cell, sweep.dataset(cell).identity());
        try {
            Propagation propagation = new Propagation(network);
            INDArray x = probe(sweep, cell).getRow(0, true);
            double[][] jacobianT = propagation.jacobianTransposed(x, depth - 1).toDoubleMatrix(); // features × width
            double h = 1e-6;
            for (int i = 0; i < features; i++) {
                INDArray up = x.dup();
                up.putScalar(0, i, x.getDouble(0, i) + h);
                INDArray down = x.dup();
                down.putScalar(0, i, x.getDouble(0, i) - h);
                double[] a = propagation.forward(up, depth - 1).activations().get(depth).toDoubleVector();
                double[] b = propagation.forward(down, depth - 1).activations().get(depth).toDoubleVector();
                for (int u = 0; u < width; u++) {
                    assertThat(jacobianT[i][u]).as("d a_%d / d x_%d", u, i).isCloseTo((a[u] - b[u]) / (2 * h),
                            within(1e-8));
                }
            }
        } finally {
            network.close();
        }
    }

    private static INDArray probe(Fixtures.Sweep sweep, Cell cell) {
        return Dl4jCellTrainer.localData(sweep.dataset(cell), Precision.FLOAT64).probeX();
    }
}
