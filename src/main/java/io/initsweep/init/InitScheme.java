package io.initsweep.init;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

import java.util.Optional;

/**
 * How one dense layer's {@code fan_in × fan_out} weight matrix is drawn: a resolved scheme, all gains numeric.
 * The formulas and papers are documented on {@link SchemeKind}; {@link SchemeSpec#resolve} maps each named scheme
 * to one of these.
 *
 * <p>Weights are produced in Java, from a commons-math {@code Well19937c} stream seeded per layer, in row-major
 * order ({@code w[i·fan_out + j]} connects input i to output j). Drawing them outside ND4J makes the initial
 * weights of a cell the same bits on every backend (CPU, CUDA) and every thread count.
 */
public sealed interface InitScheme {

    /** Std of a standard normal truncated to [−2, 2]: dividing by it restores the intended variance. */
    double TRUNCATED_NORMAL_STD = 0.87962566103423978;

    /** Fills {@code weights} (length fan_in·fan_out) with one draw. */
    void fill(double[] weights, int fanIn, int fanOut, RandomGenerator random);

    /** The expected mean of one entry. */
    default double mean(int fanIn, int fanOut) {
        return 0.0;
    }

    /** The expected variance of one entry. */
    double variance(int fanIn, int fanOut);

    /** The largest |w| the scheme can draw; infinite for unbounded distributions. */
    default double bound(int fanIn, int fanOut) {
        return Double.POSITIVE_INFINITY;
    }

    /** Why this scheme cannot initialize a layer of this shape, if it cannot. */
    default Optional<String> shapeProblem(int fanIn, int fanOut) {
        return Optional.empty();
    }

    /** Draws a fresh matrix from a generator seeded with {@code seed}. */
    default double[] sample(int fanIn, int fanOut, long seed) {
        double[] weights = new double[Math.multiplyExact(fanIn, fanOut)];
        fill(weights, fanIn, fanOut, new Well19937c(seed));
        return weights;
    }

    /** {@code W = c}. */
    record Constant(double value) implements InitScheme {
        @Override
        public void fill(double[] weights, int fanIn, int fanOut, RandomGenerator random) {
            java.util.Arrays.fill(weights, value);
        }

        @Override
        public double mean(int fanIn, int fanOut) {
            return value;
        }

        @Override
        public double variance(int fanIn, int fanOut) {
            return 0.0;
        }

        @Override
        public double bound(int fanIn, int fanOut) {
            return Math.abs(value);
        }
    }

    /** {@code W ~ N(0, std²)}, independent of the layer's size. */
    record Normal(double std) implements InitScheme {
        @Override
        public void fill(double[] weights, int fanIn, int fanOut, RandomGenerator random) {
            for (int i = 0; i < weights.length; i++) {
                weights[i] = std * random.nextGaussian();
            }
        }

        @Override
        public double variance(int fanIn, int fanOut) {
            return std * std;
        }
    }

    /** {@code W ~ U(−bound, bound)}, independent of the layer's size. */
    record Uniform(double bound) implements InitScheme {
        @Override
        public void fill(double[] weights, int fanIn, int fanOut, RandomGenerator random) {
            fillUniform(weights, bound, random);
        }

        @Override
        public double variance(int fanIn, int fanOut) {
            return bound * bound / 3.0;
        }

        @Override
        public double bound(int fanIn, int fanOut) {
            return bound;
        }
    }

    /** {@code Var(W) = gain²/n}, n by {@code mode}, from a normal, uniform or corrected truncated normal. */
    record VarianceScaling(SchemeKind.Distribution distribution, SchemeKind.FanMode mode, double gain)
            implements InitScheme {
        @Override
        public void fill(double[] weights, int fanIn, int fanOut, RandomGenerator random) {
            double std = Math.sqrt(variance(fanIn, fanOut));
            switch (distribution) {
                case NORMAL -> {
                    for (int i = 0; i < weights.length; i++) {
                        weights[i] = std * random.nextGaussian();
                    }
                }
                case UNIFORM -> fillUniform(weights, std * Math.sqrt(3.0), random);
                case TRUNCATED_NORMAL -> {
                    double scale = std / TRUNCATED_NORMAL_STD;
                    for (int i = 0; i < weights.length; i++) {
                        double z;
                        do {
                            z = random.nextGaussian();
                        } while (Math.abs(z) > 2.0); // rejection keeps the exact truncated shape (accepts 95.4%)
                        weights[i] = scale * z;
                    }
                }
                default -> throw new AssertionError(distribution);
            }
        }

        @Override
        public double variance(int fanIn, int fanOut) {
            return gain * gain / mode.fan(fanIn, fanOut);
        }

        @Override
        public double bound(int fanIn, int fanOut) {
            double std = Math.sqrt(variance(fanIn, fanOut));
            return switch (distribution) {
                case NORMAL -> Double.POSITIVE_INFINITY;
                case UNIFORM -> std * Math.sqrt(3.0);
                case TRUNCATED_NORMAL -> 2.0 * std / TRUNCATED_NORMAL_STD;
            };
        }
    }

    /** {@code W = gain·Q}, Q Haar-distributed orthogonal (orthonormal columns if tall, rows if wide). */
    record Orthogonal(double gain) implements InitScheme {
        @Override
        public void fill(double[] weights, int fanIn, int fanOut, RandomGenerator random) {
            boolean tall = fanIn >= fanOut;
            int rows = tall ? fanIn : fanOut;
            int cols = tall ? fanOut : fanIn;
            double[][] gaussian = new double[rows][cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    gaussian[r][c] = random.nextGaussian();
                }
            }
            QRDecomposition qr = new QRDecomposition(new Array2DRowRealMatrix(gaussian, false));
            RealMatrix q = qr.getQ();
            RealMatrix r = qr.getR();
            for (int c = 0; c < cols; c++) {
                // Without the sign of R's diagonal, Q is not uniformly distributed (Mezzadri 2007).
                double sign = r.getEntry(c, c) < 0 ? -gain : gain;
                for (int row = 0; row < rows; row++) {
                    double value = sign * q.getEntry(row, c);
                    if (tall) {
                        weights[row * fanOut + c] = value;
                    } else {
                        weights[c * fanOut + row] = value;
                    }
                }
            }
        }

        @Override
        public double variance(int fanIn, int fanOut) {
            return gain * gain / Math.max(fanIn, fanOut);
        }

        @Override
        public double bound(int fanIn, int fanOut) {
            return gain;
        }
    }

    /** {@code W = gain·I}; square layers only. */
    record Identity(double gain) implements InitScheme {
        @Override
        public void fill(double[] weights, int fanIn, int fanOut, RandomGenerator random) {
            shapeProblem(fanIn, fanOut).ifPresent(problem -> {
                throw new IllegalArgumentException(problem);
            });
            java.util.Arrays.fill(weights, 0.0);
            for (int i = 0; i < fanIn; i++) {
                weights[i * fanOut + i] = gain;
            }
        }

        @Override
        public double mean(int fanIn, int fanOut) {
            return gain / fanOut;
        }

        @Override
        public double variance(int fanIn, int fanOut) {
            double p = 1.0 / fanOut;
            return gain * gain * p * (1 - p);
        }

        @Override
        public double bound(int fanIn, int fanOut) {
            return gain;
        }

        @Override
        public Optional<String> shapeProblem(int fanIn, int fanOut) {
            return fanIn == fanOut ? Optional.empty() : Optional.of(
                    "identity init needs a square layer, got fan_in × fan_out = " + fanIn + "×" + fanOut);
        }
    }

    private static void fillUniform(double[] weights, double bound, RandomGenerator random) {
        for (int i = 0; i < weights.length; i++) {
            weights[i] = bound * (2.0 * random.nextDouble() - 1.0);
        }
    }
}
