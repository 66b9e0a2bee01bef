package io.initsweep.train;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The singular values of a network's input-output Jacobian at initialization: how a small change of the input is
 * stretched on its way through the hidden layers. Dynamical isometry (Saxe, McClelland and Ganguli 2014;
 * Pennington, Schoenholz and Ganguli 2017, "Resurrecting the sigmoid in deep learning through dynamical isometry")
 * is every singular value near 1: then the back-propagated gradient keeps its norm and its direction through depth.
 *
 * <p>The Jacobian: {@code J = ∂a_{L−1}/∂x}, the derivative of the last hidden layer's output (after its
 * nonlinearity) with respect to the network's input, a {@code width × features} matrix, at each of the first
 * {@link #PROBE_POINTS} rows of the probe batch. Through layers {@code z_l = a_{l−1}W_l + b_l},
 * {@code a_l = φ(z_l)}: {@code Jᵀ = W_0 D_0 W_1 D_1 ⋯ W_{L−1} D_{L−1}} with {@code D_l = diag(φ'(z_l))}. The
 * output layer is left out: its few outputs (one per class) would cap the rank of J, and it is one fixed linear map
 * that the propagation theory does not describe. J has {@code n = min(features, width)} singular values σ_i.
 *
 * <p>Per probe point: the mean squared singular value {@code Σσ_i²/n = ‖J‖_F²/n}; the largest singular value; and
 * the spread {@code Var(σ²)/E[σ²]² = (Σσ_i⁴/n)/(Σσ_i²/n)² − 1}, the squared coefficient of variation of the
 * eigenvalues of {@code JJᵀ}: 0 for an isometry (all σ_i equal), and about L for a product of L Gaussian matrices
 * (Pennington et al. 2017, Sec. 2). Mean-field theory predicts {@code ‖J‖_F²/features} as the product over layers
 * of the gradient-variance ratio (see {@code LayerPrediction}). The columns are the means over the probe points.
 *
 * <p>How: with {@code n ≤} {@link #FULL_SPECTRUM_LIMIT}, the full SVD of J (Commons Math's
 * {@link SingularValueDecomposition}); beyond, the {@code n × n} Gram matrix G (JᵀJ or JJᵀ), whose trace is
 * {@code Σσ²} and whose squared Frobenius norm is {@code Σσ⁴} exactly, and whose largest eigenvalue
 * {@code σ_max²} power iteration finds (until the residual {@code ‖Gv − ρv‖ ≤ 10⁻⁶·ρ}).
 *
 * @param points                    probe points averaged over
 * @param singularValues            n = min(features, width), singular values per point
 * @param meanSquaredSingularValue  mean over points of {@code Σσ_i²/n}
 * @param maxSingularValue          mean over points of the largest σ_i
 * @param spread                    mean over points of {@code Var(σ²)/E[σ²]²}; NaN when every σ_i is 0
 * @param method                    {@code svd} or {@code gram+power-iteration}
 */
public record JacobianSpectrum(int points, int singularValues, double meanSquaredSingularValue,
                               double maxSingularValue, double spread, String method) implements Serializable {

    /** Rows of the probe batch the Jacobian is taken at. */
    public static final int PROBE_POINTS = 4;

    /** Largest n computed by a full SVD in Java; beyond, the Gram matrix and power iteration. */
    public static final int FULL_SPECTRUM_LIMIT = 128;

    public static final String SVD = "svd";
    public static final String POWER_ITERATION = "gram+power-iteration";

    public JacobianSpectrum {
        Objects.requireNonNull(method, "method is null");
    }

    /** One probe point's spectrum summary. */
    public record Point(int singularValues, double meanSquared, double max, double spread) implements Serializable {
    }

    /**
     * The summary of a matrix's singular values by a full SVD; NaN for a matrix with a non-finite entry.
     *
     * @param matrix row-major {@code rows × columns}
     */
    public static Point ofMatrix(double[] matrix, int rows, int columns) {
        if (matrix.length != rows * columns) {
            throw new IllegalArgumentException("a " + rows + "x" + columns + " matrix has " + rows * columns
                    + " values, got " + matrix.length);
        }
        for (double v : matrix) {
            if (!Double.isFinite(v)) {
                return new Point(Math.min(rows, columns), Double.NaN, Double.NaN, Double.NaN); // overflowed
            }
        }
        double[][] data = new double[rows][columns];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(matrix, r * columns, data[r], 0, columns);
        }
        double[] sigma = new SingularValueDecomposition(new Array2DRowRealMatrix(data, false)).getSingularValues();
        double second = 0;
        double fourth = 0;
        double max = 0;
        for (double s : sigma) {
            double square = s * s;
            second += square;
            fourth += square * square;
            max = Math.max(max, s);
        }
        return summary(sigma.length, second, fourth, max * max);
    }

    /**
     * The summary from the n×n Gram matrix's trace (Σσ²), squared Frobenius norm (Σσ⁴) and largest eigenvalue
     * (σ_max²).
     */
    public static Point ofGram(int n, double trace, double frobeniusSquared, double largestEigenvalue) {
        return summary(n, trace, frobeniusSquared, largestEigenvalue);
    }

    private static Point summary(int n, double second, double fourth, double maxSquared) {
        double meanSquared = second / n;
        double spread = (fourth / n) / (meanSquared * meanSquared) - 1;
        return new Point(n, meanSquared, Math.sqrt(Math.max(0, maxSquared)), spread);
    }

    /** The mean over probe points; null if any point's spectrum is not finite (an exploding network). */
    public static JacobianSpectrum mean(List<Point> points, String method) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("no probe points");
        }
        double meanSquared = 0;
        double max = 0;
        double spread = 0;
        for (Point p : points) {
            if (!Double.isFinite(p.meanSquared()) || !Double.isFinite(p.max())) {
                return null;
            }
            meanSquared += p.meanSquared() / points.size();
            max += p.max() / points.size();
            spread += p.spread() / points.size();
        }
        return new JacobianSpectrum(points.size(), points.get(0).singularValues(), meanSquared, max, spread, method);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "JacobianSpectrum(%d points, n=%d, msv=%.6g, max=%.6g, spread=%.6g, %s)",
                points, singularValues, meanSquaredSingularValue, maxSingularValue, spread, method);
    }
}
