package io.initsweep.init;

import io.initsweep.model.Activation;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static io.initsweep.init.TestInitSchemes.mean;
import static io.initsweep.init.TestInitSchemes.variance;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Schemes on convolution kernels ({@code C_out × C_in × kH × kW}, DL4J's layout), checked against the formulas of
 * He et al. 2015 (fan_in = k·k·C_in) and Xiao et al. 2018 (delta-orthogonal), with a convolution written out here.
 */
class TestKernelInit {

    /**
     * Expected variances written out from the papers with the kernel's fans, fan_in = k·k·C_in and
     * fan_out = k·k·C_out, independently of {@link InitScheme#variance(KernelShape)}; relu where the gain is auto.
     */
    @ParameterizedTest(name = "{0} on {1}x{2}x{3}x{3}")
    @CsvSource({
            // label,                                                     C_out, C_in, k, expected variance
            "'he_normal',                                                 256, 128, 3, 1.736111111e-3",  // 2/(9·128)
            "'he_uniform',                                                128, 64,  5, 1.25e-3",         // 2/(25·64)
            "'lecun_normal',                                              128, 64,  3, 1.736111111e-3",  // 1/(9·64)
            "'xavier_normal',                                             256, 64,  3, 6.944444444e-4",  // 2/(9·320)
            "'xavier_uniform',                                            64,  128, 3, 1.157407407e-3",  // 2/(9·192)
            "'truncated_normal(gain=auto)',                               256, 128, 3, 1.736111111e-3",  // 2/(9·128)
            "'variance_scaling(distribution=normal,mode=fan_out,gain=1)', 256, 128, 3, 4.340277778e-4",  // 1/(9·256)
            "'normal(std=0.1)',                                           64,  64,  3, 0.01",
            "'orthogonal',                                                64,  64,  3, 1.736111111e-3",  // 1/576
            "'delta_orthogonal',                                          64,  32,  3, 1.736111111e-3",  // 1/(64·9)
            "'delta_orthogonal(gain=2)',                                  64,  64,  5, 2.5e-3",          // 4/(64·25)
    })
    void kernelVarianceMatchesTheFormulaWithTheKernelsFans(String label, int out, int in, int k, double expected) {
        KernelShape kernel = KernelShape.square(out, in, k);
        InitScheme scheme = SchemeSpec.parse(label).resolve(Activation.RELU);
        double[] w = scheme.sample(kernel, 42);
        assertThat(w).hasSize(out * in * k * k);
        assertThat(scheme.variance(kernel)).isCloseTo(expected, within(expected * 1e-6));
        // Four standard errors of a sample variance: 4·σ²·√(2/N).
        assertThat(variance(w)).isCloseTo(expected, within(4 * expected * Math.sqrt(2.0 / w.length)));
        assertThat(mean(w)).isCloseTo(0.0, within(4 * Math.sqrt(expected / w.length)));
    }

    /** The acceptance check of issue 16: measured He-normal kernel variance 2/(k·k·C_in), on a large kernel. */
    @Test
    void heNormalKernelHasVarianceTwoOverKSquaredCin() {
        KernelShape kernel = KernelShape.square(512, 256, 3); // 1,179,648 weights
        double[] w = SchemeSpec.parse("he_normal").resolve(Activation.RELU).sample(kernel, 2015);
        double expected = 2.0 / (3 * 3 * 256);
        double standardError = expected * Math.sqrt(2.0 / w.length);
        assertThat(Math.abs(variance(w) - expected)).isLessThan(4 * standardError);
        // Not the dense reading (fan_in = C_in), which would be 9 times larger.
        assertThat(variance(w)).isLessThan(2.0 / 256 / 8);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(SchemeKind.class)
    void everySchemeMatchesItsKernelFormulaAndBound(SchemeKind kind) {
        SchemeSpec spec = kind == SchemeKind.CONSTANT ? SchemeSpec.parse("constant(value=0.3)") : SchemeSpec.of(kind);
        KernelShape kernel = KernelShape.square(96, 96, 3);
        for (Activation activation : List.of(Activation.RELU, Activation.TANH)) {
            InitScheme scheme = spec.resolve(activation);
            double[] w = scheme.sample(kernel, 7);
            double expected = scheme.variance(kernel);
            assertThat(variance(w)).as("%s with %s", spec, activation)
                    .isCloseTo(expected, within(expected * 0.05 + 1e-20));
            assertThat(mean(w)).isCloseTo(scheme.mean(kernel), within(4 * Math.sqrt(expected / w.length) + 1e-9));
            double max = 0;
            for (double v : w) {
                max = Math.max(max, Math.abs(v));
            }
            assertThat(max).isLessThanOrEqualTo(scheme.bound(kernel));
        }
    }

    /**
     * Xiao et al. 2018, Algorithm 2: the centre tap H (C_out × C_in) satisfies HᵀH = g²I, and every other tap is
     * exactly zero; also with more output than input channels and with larger kernels.
     */
    @ParameterizedTest(name = "{0}x{1}x{2}x{2}, gain {3}")
    @CsvSource({"64, 64, 3, 1", "64, 16, 5, 2", "32, 1, 3, 1.4142135623730951", "48, 48, 7, 0.5", "16, 16, 1, 1"})
    void deltaOrthogonalCentreTapIsOrthogonalAndEveryOtherTapIsZero(int out, int in, int k, double gain) {
        KernelShape kernel = KernelShape.square(out, in, k);
        double[] w = new InitScheme.DeltaOrthogonal(gain).sample(kernel, 18);
        int centre = (k - 1) / 2;
        RealMatrix h = new Array2DRowRealMatrix(out, in);
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < k; y++) {
                    for (int x = 0; x < k; x++) {
                        double v = w[((o * in + i) * k + y) * k + x];
                        if (y == centre && x == centre) {
                            h.setEntry(o, i, v);
                        } else {
                            assertThat(v).as("tap (%d, %d) of %d→%d", y, x, i, o).isEqualTo(0.0);
                        }
                    }
                }
            }
        }
        RealMatrix deviation = h.transpose().multiply(h)
                .subtract(MatrixUtils.createRealIdentityMatrix(in).scalarMultiply(gain * gain));
        assertThat(maxAbs(deviation)).isLessThan(1e-12 * Math.max(1, gain * gain));
        assertThat(SchemeSpec.parse("delta_orthogonal(gain=" + gain + ")").resolve(Activation.TANH)
                .sample(kernel, 18)).containsExactly(w);
        assertThat(new InitScheme.DeltaOrthogonal(gain).sample(kernel, 19)).isNotEqualTo(w);
    }

    /**
     * The isometry the scheme exists for: 32 linear convolutions (same zero padding, 4 → 16 channels, then 16 → 16)
     * with delta-orthogonal kernels of gain 1 preserve the norm of every input; gain g multiplies it by g per layer.
     */
    @Test
    void deltaOrthogonalLinearStackPreservesEveryInputsNorm() {
        int size = 10;
        Well19937c random = new Well19937c(3);
        for (int sample = 0; sample < 4; sample++) {
            double[] input = new double[4 * size * size];
            for (int i = 0; i < input.length; i++) {
                input[i] = random.nextGaussian();
            }
            double[] signal = input;
            int channels = 4;
            for (int layer = 0; layer < 32; layer++) {
                KernelShape kernel = KernelShape.square(16, channels, 3);
                signal = convolve(signal, new InitScheme.DeltaOrthogonal(1).sample(kernel, 100 + layer), kernel, size,
                        size);
                channels = 16;
            }
            assertThat(norm(signal) / norm(input)).as("input %d", sample).isCloseTo(1.0, within(1e-12));

            double[] scaled = input;
            channels = 4;
            for (int layer = 0; layer < 3; layer++) {
                KernelShape kernel = KernelShape.square(16, channels, 3);
                scaled = convolve(scaled, new InitScheme.DeltaOrthogonal(2).sample(kernel, layer), kernel, size, size);
                channels = 16;
            }
            assertThat(norm(scaled) / norm(input)).isCloseTo(8.0, within(1e-12));
        }
        // The same stack with He-normal kernels does not keep the norm: the check above can fail.
        double[] input = new double[16 * size * size];
        for (int i = 0; i < input.length; i++) {
            input[i] = random.nextGaussian();
        }
        double[] signal = input;
        for (int layer = 0; layer < 8; layer++) {
            KernelShape kernel = KernelShape.square(16, 16, 3);
            signal = convolve(signal, SchemeSpec.parse("lecun_normal").resolve(Activation.IDENTITY)
                    .sample(kernel, layer), kernel, size, size);
        }
        assertThat(Math.abs(norm(signal) / norm(input) - 1)).isGreaterThan(0.01);
    }

    /** The flattened kernel C_out × (C_in·k·k) has orthonormal rows when wide, orthonormal columns when tall. */
    @Test
    void orthogonalKernelIsOrthogonalAsItsFlattenedMatrix() {
        double gain = 1.5;
        KernelShape wide = KernelShape.square(32, 16, 3); // 32 × 144
        RealMatrix m = matrix(new InitScheme.Orthogonal(gain).sample(wide, 4), 32, 144);
        assertThat(maxAbs(m.multiply(m.transpose()).subtract(
                MatrixUtils.createRealIdentityMatrix(32).scalarMultiply(gain * gain)))).isLessThan(1e-12);
        KernelShape tall = KernelShape.square(256, 8, 3); // 256 × 72
        RealMatrix t = matrix(new InitScheme.Orthogonal(1).sample(tall, 4), 256, 72);
        assertThat(maxAbs(t.transpose().multiply(t).subtract(MatrixUtils.createRealIdentityMatrix(72))))
                .isLessThan(1e-12);
        assertThat(new InitScheme.Orthogonal(gain).variance(wide)).isCloseTo(gain * gain / 144, within(1e-15));
    }

    /** The delta identity copies its input, times the gain, and is refused where it cannot. */
    @Test
    void identityOnAKernelIsTheDeltaIdentity() {
        KernelShape kernel = KernelShape.square(6, 6, 3);
        double[] w = new InitScheme.Identity(2).sample(kernel, 1);
        for (int o = 0; o < 6; o++) {
            for (int i = 0; i < 6; i++) {
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 3; x++) {
                        assertThat(w[kernel.index(o, i, y, x)]).isEqualTo(o == i && y == 1 && x == 1 ? 2.0 : 0.0);
                    }
                }
            }
        }
        double[] image = new double[6 * 5 * 7];
        Well19937c random = new Well19937c(8);
        for (int i = 0; i < image.length; i++) {
            image[i] = random.nextGaussian();
        }
        double[] out = convolve(image, w, kernel, 5, 7);
        for (int i = 0; i < image.length; i++) {
            assertThat(out[i]).isEqualTo(2 * image[i]);
        }

        InitScheme identity = new InitScheme.Identity(1);
        assertThat(identity.shapeProblem(KernelShape.square(8, 4, 3))).contains("identity init on a convolution "
                + "(the delta identity) needs as many output as input channels, got C_in → C_out = 4 → 8");
        assertThat(identity.shapeProblem(KernelShape.square(8, 8, 2))).contains("identity init on a convolution "
                + "(the delta identity) needs a kernel with a centre tap (odd sizes), got 2×2");
        assertThatThrownBy(() -> identity.sample(KernelShape.square(8, 4, 3), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 → 8");
    }

    @Test
    void deltaOrthogonalRefusesKernelsWithoutAnIsometry() {
        InitScheme delta = new InitScheme.DeltaOrthogonal(1);
        assertThat(delta.shapeProblem(KernelShape.square(8, 16, 3))).contains("delta_orthogonal init needs at least "
                + "as many output as input channels (an isometry of the input channels, Xiao et al. 2018), got "
                + "C_in → C_out = 16 → 8");
        assertThat(delta.shapeProblem(new KernelShape(16, 16, 3, 4))).contains(
                "delta_orthogonal init needs a kernel with a centre tap (odd sizes), got 3×4");
        assertThat(delta.shapeProblem(KernelShape.square(16, 8, 3))).isEmpty();
        assertThatThrownBy(() -> delta.sample(KernelShape.square(8, 16, 3), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 → 8");
        // A dense layer of any shape is fine: there it is the orthogonal scheme.
        assertThat(delta.shapeProblem(64, 10)).isEmpty();
    }

    @Test
    void kernelLayoutIsOutInRowColumnRowMajor() {
        KernelShape kernel = new KernelShape(4, 3, 5, 7);
        assertThat(kernel.fanIn()).isEqualTo(3 * 5 * 7);
        assertThat(kernel.fanOut()).isEqualTo(4 * 5 * 7);
        assertThat(kernel.size()).isEqualTo(420);
        assertThat(kernel.index(0, 0, 0, 1)).isEqualTo(1);
        assertThat(kernel.index(0, 0, 1, 0)).isEqualTo(7);
        assertThat(kernel.index(0, 1, 0, 0)).isEqualTo(35);
        assertThat(kernel.index(1, 0, 0, 0)).isEqualTo(105);
        assertThat(kernel.index(3, 2, 4, 6)).isEqualTo(419);
        assertThat(kernel.centreRow()).isEqualTo(2);
        assertThat(kernel.centreColumn()).isEqualTo(3);
        assertThatThrownBy(() -> new KernelShape(4, 0, 3, 3)).hasMessageContaining("4×0×3×3");
    }

    /**
     * A 2-D convolution as DL4J's ConvolutionLayer computes it (cross-correlation, stride 1, zero "same" padding
     * of (k−1)/2), over a {@code C_in × height × width} image, with the kernel in {@link KernelShape}'s layout.
     */
    static double[] convolve(double[] image, double[] w, KernelShape kernel, int height, int width) {
        int padY = (kernel.height() - 1) / 2;
        int padX = (kernel.width() - 1) / 2;
        double[] out = new double[kernel.outChannels() * height * width];
        for (int o = 0; o < kernel.outChannels(); o++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double sum = 0;
                    for (int i = 0; i < kernel.inChannels(); i++) {
                        for (int dy = 0; dy < kernel.height(); dy++) {
                            int sy = y + dy - padY;
                            if (sy < 0 || sy >= height) {
                                continue;
                            }
                            for (int dx = 0; dx < kernel.width(); dx++) {
                                int sx = x + dx - padX;
                                if (sx >= 0 && sx < width) {
                                    sum += w[kernel.index(o, i, dy, dx)] * image[(i * height + sy) * width + sx];
                                }
                            }
                        }
                    }
                    out[(o * height + y) * width + x] = sum;
                }
            }
        }
        return out;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static RealMatrix matrix(double[] w, int rows, int cols) {
        RealMatrix m = new Array2DRowRealMatrix(rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m.setEntry(r, c, w[r * cols + c]);
            }
        }
        return m;
    }

    private static double maxAbs(RealMatrix m) {
        double max = 0;
        for (int r = 0; r < m.getRowDimension(); r++) {
            for (int c = 0; c < m.getColumnDimension(); c++) {
                max = Math.max(max, Math.abs(m.getEntry(r, c)));
            }
        }
        return max;
    }
}
