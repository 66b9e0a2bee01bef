package io.initsweep.init;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

import java.util.Optional;

/**
 * How one layer's weights are drawn: a resolved scheme, all gains numeric. The formulas and papers are documented
 * on {@link SchemeKind}; {@link SchemeSpec#resolve} maps each named scheme to one of these.
 *
 * <p>Two kinds of layer: a dense layer's {@code fan_in × fan_out} matrix ({@link #fill(double[], int, int,
 * RandomGenerator)}, row-major: {@code w[i·fan_out + j]} connects input i to output j), and a convolution kernel
 * ({@link #fill(double[], KernelShape, RandomGenerator)}, in the layout of {@link KernelShape}:
 * {@code C_out × C_in × kH × kW}, DL4J's). A kernel has {@code fan_in = C_in·kH·kW} and
 * {@code fan_out = C_out·kH·kW}; a scheme that draws every entry independently draws a kernel exactly as a dense
 * layer of those fans, while orthogonal, identity and delta-orthogonal init have a structure of their own there.
 *
 * <p>Weights are produced in Java, from a commons-math {@code Well19937c} stream seeded per layer. Drawing them
 * outside ND4J makes the initial weights of a cell the same bits on every backend (CPU, CUDA) and every thread
 * count.
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

    /**
     * Fills a convolution kernel ({@code weights.length = kernel.size()}, laid out as {@link KernelShape} says).
     * By default every entry is drawn independently, as for a dense layer with the kernel's fans: only the fans
     * enter the distribution, not the entries' positions. Orthogonal, identity and delta-orthogonal init override
     * it with the kernel's structure.
     */
    default void fill(double[] weights, KernelShape kernel, RandomGenerator random) {
        fill(weights, kernel.fanIn(), kernel.fanOut(), random);
    }

    /** The expected mean of one kernel entry. */
    default double mean(KernelShape kernel) {
        return mean(kernel.fanIn(), kernel.fanOut());
    }

    /** The expected variance of one kernel entry (over the whole kernel, every tap counted). */
    default double variance(KernelShape kernel) {
        return variance(kernel.fanIn(), kernel.fanOut());
    }

    /** The largest |w| the scheme can draw for this kernel. */
    default double bound(KernelShape kernel) {
        return bound(kernel.fanIn(), kernel.fanOut());
    }

    /** Why this scheme cannot initialize a convolution with this kernel, if it cannot. */
    default Optional<String> shapeProblem(KernelShape kernel) {
        return Optional.empty();
    }

    /** Draws a fresh kernel from a generator seeded with {@code seed}. */
    default double[] sample(KernelShape kernel, long seed) {
        shapeProblem(kernel).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        double[] weights = new double[kernel.size()];
        fill(weights, kernel, new Well19937c(seed));
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

    /**
     * {@code W = gain·Q}, Q Haar-distributed orthogonal (orthonormal columns if tall, rows if wide). A kernel is
     * drawn as its flattened {@code C_out × (C_in·kH·kW)} matrix (see {@link KernelShape}).
     */
    record Orthogonal(double gain) implements InitScheme {
        @Override
        public void fill(double[] weights, int fanIn, int fanOut, RandomGenerator random) {
            orthogonal(weights, fanIn, fanOut, gain, random);
        }

        @Override
        public double variance(int fanIn, int fanOut) {
            return gain * gain / Math.max(fanIn, fanOut);
        }

        @Override
        public double bound(int fanIn, int fanOut) {
            return gain;
        }

        @Override
        public void fill(double[] weights, KernelShape kernel, RandomGenerator random) {
            orthogonal(weights, kernel.outChannels(), kernel.fanIn(), gain, random);
        }

        @Override
        public double variance(KernelShape kernel) {
            return variance(kernel.outChannels(), kernel.fanIn());
        }

        @Override
        public double bound(KernelShape kernel) {
            return gain;
        }
    }

    /**
     * Xiao et al. 2018's delta-orthogonal kernel: {@code gain·H} at the centre tap, zeros at every other tap, where
     * H is a Haar-distributed {@code C_out × C_in} matrix with orthonormal columns ({@code HᵀH = I}): each
     * position's input channel vector is mapped isometrically, so a linear network of such layers preserves every
     * input's norm. The paper needs {@code C_out ≥ C_in} (no isometry exists otherwise) and a centre tap (odd
     * kernel sizes); other kernels are refused. On a dense layer, which is a 1×1 convolution, it is
     * {@link Orthogonal} with the same gain, drawn identically.
     */
    record DeltaOrthogonal(double gain) implements InitScheme {
        @Override
        public void fill(double[] weights, int fanIn, int fanOut, RandomGenerator random) {
            new Orthogonal(gain).fill(weights, fanIn, fanOut, random);
        }

        @Override
        public double variance(int fanIn, int fanOut) {
            return new Orthogonal(gain).variance(fanIn, fanOut);
        }

        @Override
        public double bound(int fanIn, int fanOut) {
            return gain;
        }

        @Override
        public Optional<String> shapeProblem(KernelShape kernel) {
            if (!kernel.hasCentre()) {
                return Optional.of("delta_orthogonal init needs a kernel with a centre tap (odd sizes), got "
                        + kernel.height() + "×" + kernel.width());
            }
            if (kernel.inChannels() > kernel.outChannels()) {
                return Optional.of("delta_orthogonal init needs at least as many output as input channels (an "
                        + "isometry of the input channels, Xiao et al. 2018), got C_in → C_out = "
                        + kernel.inChannels() + " → " + kernel.outChannels());
            }
            return Optional.empty();
        }

        @Override
        public void fill(double[] weights, KernelShape kernel, RandomGenerator random) {
            shapeProblem(kernel).ifPresent(problem -> {
                throw new IllegalArgumentException(problem);
            });
            int out = kernel.outChannels();
            int in = kernel.inChannels();
            double[] centre = new double[out * in];
            orthogonal(centre, out, in, gain, random); // tall or square: orthonormal columns
            java.util.Arrays.fill(weights, 0.0);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    weights[kernel.index(o, i, kernel.centreRow(), kernel.centreColumn())] = centre[o * in + i];
                }
            }
        }

        /** The centre tap's squared entries sum to {@code gain²·C_in}, spread over all {@code C_out·C_in·kH·kW}. */
        @Override
        public double variance(KernelShape kernel) {
            return gain * gain / ((double) kernel.outChannels() * kernel.taps());
        }

        @Override
        public double bound(KernelShape kernel) {
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

        /** The delta identity: {@code gain} from each input channel to the same output channel at the centre tap. */
        @Override
        public void fill(double[] weights, KernelShape kernel, RandomGenerator random) {
            shapeProblem(kernel).ifPresent(problem -> {
                throw new IllegalArgumentException(problem);
            });
            java.util.Arrays.fill(weights, 0.0);
            for (int c = 0; c < kernel.outChannels(); c++) {
                weights[kernel.index(c, c, kernel.centreRow(), kernel.centreColumn())] = gain;
            }
        }

        @Override
        public Optional<String> shapeProblem(KernelShape kernel) {
            if (kernel.inChannels() != kernel.outChannels()) {
                return Optional.of("identity init on a convolution (the delta identity) needs as many output as "
                        + "input channels, got C_in → C_out = " + kernel.inChannels() + " → "
                        + kernel.outChannels());
            }
            if (!kernel.hasCentre()) {
                return Optional.of("identity init on a convolution (the delta identity) needs a kernel with a "
                        + "centre tap (odd sizes), got " + kernel.height() + "×" + kernel.width());
            }
            return Optional.empty();
        }

        /** C of the {@code C·C·kH·kW} entries are {@code gain}. */
        @Override
        public double mean(KernelShape kernel) {
            return gain * probability(kernel);
        }

        @Override
        public double variance(KernelShape kernel) {
            double p = probability(kernel);
            return gain * gain * p * (1 - p);
        }

        @Override
        public double bound(KernelShape kernel) {
            return gain;
        }

        private static double probability(KernelShape kernel) {
            return 1.0 / ((double) kernel.inChannels() * kernel.taps());
        }
    }

    /**
     * Writes {@code gain·Q} row-major into {@code out}, Q a Haar-distributed {@code rows × cols} matrix with
     * orthonormal columns when {@code rows ≥ cols}, orthonormal rows otherwise: the Q factor of a standard Gaussian
     * matrix (of the tall orientation), its columns multiplied by the signs of R's diagonal.
     */
    private static void orthogonal(double[] out, int rows, int cols, double gain, RandomGenerator random) {
        boolean tall = rows >= cols;
        int longSide = tall ? rows : cols;
        int shortSide = tall ? cols : rows;
        double[][] gaussian = new double[longSide][shortSide];
        for (int r = 0; r < longSide; r++) {
            for (int c = 0; c < shortSide; c++) {
                gaussian[r][c] = random.nextGaussian();
            }
        }
        QRDecomposition qr = new QRDecomposition(new Array2DRowRealMatrix(gaussian, false));
        RealMatrix q = qr.getQ();
        RealMatrix r = qr.getR();
        for (int c = 0; c < shortSide; c++) {
            // Without the sign of R's diagonal, Q is not uniformly distributed (Mezzadri 2007).
            double sign = r.getEntry(c, c) < 0 ? -gain : gain;
            for (int row = 0; row < longSide; row++) {
                double value = sign * q.getEntry(row, c);
                if (tall) {
                    out[row * cols + c] = value;
                } else {
                    out[c * cols + row] = value;
                }
            }
        }
    }

    private static void fillUniform(double[] weights, double bound, RandomGenerator random) {
        for (int i = 0; i < weights.length; i++) {
            weights[i] = bound * (2.0 * random.nextDouble() - 1.0);
        }
    }
}
