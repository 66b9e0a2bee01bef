package io.initsweep.init;

import io.initsweep.model.Activation;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Every scheme checked against its formula on sampled matrices, never against DL4J's enum of the same name. */
class TestInitSchemes {

    /**
     * Expected variance written out from the papers, independently of {@link InitScheme#variance}. For a
     * 256x256 layer (fan_in = fan_out = 256) with relu (gain √2 where auto).
     */
    @ParameterizedTest(name = "{0} on {1}x{2}")
    @CsvSource({
            // label,                                                         in,  out, expected variance
            "'normal',                                                        256, 256, 1e-4",
            "'normal(std=0.5)',                                               256, 256, 0.25",
            "'uniform',                                                       256, 256, 8.333333333e-4",
            "'uniform(bound=1)',                                              512, 512, 0.333333333",
            "'xavier_normal',                                                 256, 256, 0.00390625",
            "'xavier_uniform',                                                256, 128, 0.005208333",
            "'he_normal',                                                     256, 256, 0.0078125",
            "'he_uniform',                                                    512, 512, 0.00390625",
            "'lecun_normal',                                                  256, 256, 0.00390625",
            "'lecun_uniform',                                                 512, 512, 0.001953125",
            "'truncated_normal',                                              512, 512, 0.001953125",
            "'truncated_normal(gain=auto)',                                   512, 512, 0.00390625",
            "'orthogonal',                                                    512, 512, 0.001953125",
            "'orthogonal(gain=2)',                                            256, 256, 0.015625",
            "'variance_scaling(distribution=normal,mode=fan_out,gain=1)',     512, 256, 0.00390625",
            "'variance_scaling(distribution=uniform,mode=fan_avg,gain=auto)', 512, 512, 0.00390625",
            "'variance_scaling(distribution=truncated_normal,mode=fan_in,gain=3)', 512, 512, 0.017578125",
    })
    void sampledVarianceMatchesTheFormulaWithin5Percent(String label, int in, int out, double expected) {
        InitScheme scheme = SchemeSpec.parse(label).resolve(Activation.RELU);
        double[] w = scheme.sample(in, out, 42);
        assertThat(scheme.variance(in, out)).isCloseTo(expected, within(expected * 1e-6));
        assertThat(variance(w)).isCloseTo(expected, within(expected * 0.05));
        assertThat(mean(w)).isCloseTo(0.0, within(4 * Math.sqrt(expected / w.length)));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(SchemeKind.class)
    void everySchemeMatchesItsFormulaOn512x512(SchemeKind kind) {
        SchemeSpec spec = kind == SchemeKind.CONSTANT ? SchemeSpec.parse("constant(value=0.3)") : SchemeSpec.of(kind);
        for (Activation activation : List.of(Activation.RELU, Activation.TANH)) {
            InitScheme scheme = spec.resolve(activation);
            double[] w = scheme.sample(512, 512, 2024);
            double expected = scheme.variance(512, 512);
            assertThat(variance(w)).as("%s with %s", spec, activation)
                    .isCloseTo(expected, within(expected * 0.05 + 1e-20));
            assertThat(mean(w)).isCloseTo(scheme.mean(512, 512), within(4 * Math.sqrt(expected / w.length) + 1e-9));
            double max = 0;
            for (double v : w) {
                max = Math.max(max, Math.abs(v));
            }
            assertThat(max).isLessThanOrEqualTo(scheme.bound(512, 512));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"uniform(bound=0.3)", "xavier_uniform", "he_uniform", "lecun_uniform"})
    void uniformSchemesStayWithinTheirBoundAndFillIt(String label) {
        InitScheme scheme = SchemeSpec.parse(label).resolve(Activation.TANH);
        double[] w = scheme.sample(512, 512, 7);
        double bound = Math.sqrt(3 * scheme.variance(512, 512));
        double max = 0;
        for (double v : w) {
            max = Math.max(max, Math.abs(v));
        }
        assertThat(max).isLessThanOrEqualTo(bound).isGreaterThan(0.999 * bound);
    }

    @Test
    void truncatedNormalHasNoSampleBeyondTwoStdAndTheTargetVariance() {
        InitScheme scheme = SchemeSpec.parse("truncated_normal").resolve(Activation.RELU);
        double[] w = scheme.sample(512, 512, 3);
        double target = 1.0 / 512;
        double untruncatedStd = Math.sqrt(target) / 0.87962566103423978;
        double max = 0;
        for (double v : w) {
            max = Math.max(max, Math.abs(v));
        }
        assertThat(max).isLessThanOrEqualTo(2 * untruncatedStd).isGreaterThan(1.99 * untruncatedStd);
        assertThat(variance(w)).isCloseTo(target, within(0.05 * target));
    }

    @ParameterizedTest(name = "gain {0}")
    @ValueSource(doubles = {1.0, 2.0, 0.5})
    void orthogonalIsOrthogonalTimesGain(double gain) {
        double[] w = new InitScheme.Orthogonal(gain).sample(512, 512, 11);
        RealMatrix m = new Array2DRowRealMatrix(512, 512);
        for (int i = 0; i < 512; i++) {
            for (int j = 0; j < 512; j++) {
                m.setEntry(i, j, w[i * 512 + j]);
            }
        }
        RealMatrix gram = m.transpose().multiply(m).subtract(MatrixUtils.createRealIdentityMatrix(512)
                .scalarMultiply(gain * gain));
        assertThat(gram.getNorm()).isLessThan(1e-4 * gain * gain); // max absolute column sum
    }

    @Test
    void orthogonalNonSquareHasOrthonormalColumnsOrRows() {
        double[] tall = new InitScheme.Orthogonal(1).sample(300, 100, 5);
        assertThat(gramDeviation(tall, 300, 100, true)).isLessThan(1e-10);
        double[] wide = new InitScheme.Orthogonal(1).sample(100, 300, 5);
        assertThat(gramDeviation(wide, 100, 300, false)).isLessThan(1e-10);
    }

    @Test
    void identityIsTheScaledIdentityAndRefusesNonSquare() {
        double[] w = new InitScheme.Identity(0.5).sample(4, 4, 1);
        assertThat(w).containsExactly(0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0.5);
        assertThat(new InitScheme.Identity(1).shapeProblem(4, 5)).contains(
                "identity init needs a square layer, got fan_in × fan_out = 4×5");
        assertThatThrownBy(() -> new InitScheme.Identity(1).sample(4, 5, 1))
                .hasMessageContaining("4×5");
    }

    @Test
    void zeroAndConstantAreExact() {
        assertThat(SchemeSpec.parse("zero").resolve(Activation.RELU).sample(3, 2, 1)).containsOnly(0.0);
        assertThat(SchemeSpec.parse("constant(value=0.25)").resolve(Activation.RELU).sample(3, 2, 1))
                .containsOnly(0.25);
    }

    @Test
    void sameSeedSameDrawsDifferentSeedDifferentDraws() {
        InitScheme scheme = SchemeSpec.parse("he_normal").resolve(Activation.RELU);
        assertThat(scheme.sample(64, 64, 9)).containsExactly(scheme.sample(64, 64, 9));
        assertThat(scheme.sample(64, 64, 9)).isNotEqualTo(scheme.sample(64, 64, 10));
    }

    @Test
    void autoGainFollowsTheActivation() {
        Map<Activation, Double> expected = Map.of(Activation.RELU, Math.sqrt(2), Activation.TANH, 5.0 / 3,
                Activation.SELU, 1.0, Activation.SIGMOID, 1.0, Activation.IDENTITY, 1.0,
                Activation.LEAKY_RELU, Math.sqrt(2 / (1 + 0.01 * 0.01)));
        SchemeSpec orthogonal = SchemeSpec.parse("orthogonal(gain=auto)");
        expected.forEach((activation, gain) ->
                assertThat(orthogonal.gain(activation).getAsDouble()).isCloseTo(gain, within(1e-12)));
    }

    @Test
    void labelsAreCanonicalAndRoundTrip() {
        assertThat(SchemeSpec.parse("normal").label()).isEqualTo("normal(std=0.01)");
        assertThat(SchemeSpec.of(SchemeKind.NORMAL, Map.of("std", 0.010)).label()).isEqualTo("normal(std=0.01)");
        assertThat(SchemeSpec.parse("variance_scaling(mode=fan_avg,gain=auto)").label())
                .isEqualTo("variance_scaling(distribution=normal,mode=fan_avg,gain=auto)");
        for (SchemeKind kind : SchemeKind.values()) {
            if (kind == SchemeKind.CONSTANT) {
                continue; // needs a value
            }
            SchemeSpec spec = SchemeSpec.of(kind);
            assertThat(SchemeSpec.parse(spec.label())).isEqualTo(spec);
        }
        assertThatThrownBy(() -> SchemeSpec.parse("constant")).hasMessage("scheme constant needs parameter 'value'");
    }

    /**
     * The first 16 hex digits of SHA-256 over the bits of {@code sample(64, 32)}, {@code sample(32, 64)} and
     * {@code sample(48, 48)} with seed 7 (relu), computed by the code before kernels and delta_orthogonal were added:
     * a dense layer's initial weights, and so every stored result, stay bit for bit what they were.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "zero                        | 4fe7b59af6de3b66 4fe7b59af6de3b66 f7b586904e367814",
            "constant(value=0.3)         | f195fb5e9a0c5b9c f195fb5e9a0c5b9c 35ee97e6f650c4d9",
            "uniform                     | 8dcf67cf4384554a 8dcf67cf4384554a 091ac7d41aef0b7f",
            "normal                      | ec1b1a055d36aeb6 ec1b1a055d36aeb6 5d6ef3e672ea6bd1",
            "xavier_normal               | 2e4bb1b141badb8e 2e4bb1b141badb8e c61cbb9ac20bece7",
            "xavier_uniform              | fa0f89df4e0a6499 fa0f89df4e0a6499 1066364393c24b43",
            "he_normal                   | cfffa622d0e58b43 1bf6e9d40d49d43f bbcb5c77d995ea22",
            "he_uniform                  | 1dfe4841ee87a69d aaf8cbcdb9d31b6f d3eddc5bb120c973",
            "lecun_normal                | 620034bf64c407dc cfffa622d0e58b43 c61cbb9ac20bece7",
            "lecun_uniform               | 899b3d42f6b13add 1dfe4841ee87a69d 1066364393c24b43",
            "truncated_normal(gain=auto) | 3ed7b91724b7b446 43610235f898b661 38e510beceeab940",
            "orthogonal                  | 9d0d48aa58ccbed3 48f9fd7520759982 36e2239625999895",
            "orthogonal(gain=auto)       | 951a80c11c983cf7 9645e2dae8e2bdc8 5b005f0b3de46264",
            "lsuv                        | 9d0d48aa58ccbed3 48f9fd7520759982 36e2239625999895",
            "variance_scaling(distribution=uniform,mode=fan_avg,gain=auto) "
                    + "| 78740994c1135bff 78740994c1135bff d3eddc5bb120c973",
            // Not in the first release: a dense layer is a 1x1 convolution, drawn exactly as orthogonal.
            "delta_orthogonal            | 9d0d48aa58ccbed3 48f9fd7520759982 36e2239625999895",
            "delta_orthogonal(gain=auto) | 951a80c11c983cf7 9645e2dae8e2bdc8 5b005f0b3de46264",
    })
    void denseDrawsAreBitForBitThoseOfTheFirstRelease(String label, String golden) throws Exception {
        InitScheme scheme = SchemeSpec.parse(label).resolve(Activation.RELU);
        List<String> hashes = new java.util.ArrayList<>();
        for (int[] shape : new int[][] {{64, 32}, {32, 64}, {48, 48}}) {
            double[] w = scheme.sample(shape[0], shape[1], 7);
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(8 * w.length);
            for (double v : w) {
                bytes.putLong(Double.doubleToRawLongBits(v));
            }
            hashes.add(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes.array())).substring(0, 16));
        }
        assertThat(String.join(" ", hashes)).isEqualTo(golden);
    }

    private static double gramDeviation(double[] w, int rows, int cols, boolean columns) {
        RealMatrix m = new Array2DRowRealMatrix(rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m.setEntry(i, j, w[i * cols + j]);
            }
        }
        RealMatrix gram = columns ? m.transpose().multiply(m) : m.multiply(m.transpose());
        return gram.subtract(MatrixUtils.createRealIdentityMatrix(gram.getRowDimension())).getNorm();
    }

    static double mean(double[] w) {
        double s = 0;
        for (double v : w) {
            s += v;
        }
        return s / w.length;
    }

    static double variance(double[] w) {
        double m = mean(w);
        double s = 0;
        for (double v : w) {
            s += (v - m) * (v - m);
        }
        return s / w.length;
    }

    /**
     * Fixup (Zhang et al. 2019, Section 3) written out for L = 16 blocks on 256-wide layers with relu (g = √2):
     * the stem He's 2/256; inner branch layers He times L^(-1/(2m-2)) in std, so 2/256 · 16^(-1) for m = 2 and
     * 2/256 · 16^(-1/2) for m = 3; the last branch layer and the output layer exactly 0.
     */
    @ParameterizedTest(name = "{0}, m = {1}")
    @CsvSource({
            "STEM,        2, 0.0078125",
            "BRANCH,      2, 0.00048828125",
            "BRANCH,      3, 0.001953125",
            "BRANCH_LAST, 2, 0",
            "OUTPUT,      3, 0",
    })
    void fixupDrawsEachLayerByItsRole(io.initsweep.model.LayerRole role, int blockDepth, double expected) {
        InitScheme scheme = SchemeSpec.parse("fixup").resolve(Activation.RELU, role, 16, blockDepth);
        double[] w = scheme.sample(256, 256, 11);
        assertThat(scheme.variance(256, 256)).isCloseTo(expected, within(expected * 1e-12));
        if (expected == 0) {
            assertThat(w).containsOnly(0.0);
        } else {
            assertThat(variance(w)).isCloseTo(expected, within(expected * 0.05));
            assertThat(mean(w)).isCloseTo(0.0, within(4 * Math.sqrt(expected / w.length)));
        }
    }

    @Test
    void skipinitAndRezeroDrawHeNormalEverywhereAndStartTheirMultiplier() {
        for (io.initsweep.model.LayerRole role : List.of(io.initsweep.model.LayerRole.STEM,
                io.initsweep.model.LayerRole.BRANCH, io.initsweep.model.LayerRole.BRANCH_LAST,
                io.initsweep.model.LayerRole.OUTPUT)) {
            for (String label : List.of("skipinit", "rezero")) {
                InitScheme scheme = SchemeSpec.parse(label).resolve(Activation.RELU, role, 16, 2);
                assertThat(variance(scheme.sample(256, 256, 3))).as(label + " " + role)
                        .isCloseTo(2.0 / 256, within(2.0 / 256 * 0.05));
            }
        }
        assertThat(SchemeSpec.parse("rezero").branchMultiplier().getAsDouble()).isEqualTo(0.0);
        assertThat(SchemeSpec.parse("skipinit").branchMultiplier().getAsDouble()).isEqualTo(0.0);
        assertThat(SchemeSpec.parse("skipinit(alpha=0.1)").branchMultiplier().getAsDouble()).isEqualTo(0.1);
        assertThat(SchemeSpec.parse("fixup").branchMultiplier().getAsDouble()).isEqualTo(1.0);
        assertThat(SchemeSpec.parse("he_normal").branchMultiplier()).isEmpty();
        assertThat(SchemeSpec.parse("fixup").scalarBiases()).isTrue();
        assertThat(SchemeSpec.parse("rezero").scalarBiases()).isFalse();
        assertThat(SchemeSpec.parse("skipinit").label()).isEqualTo("skipinit(alpha=0,gain=auto)");
        assertThat(SchemeSpec.parse("fixup(gain=1)").resolve(Activation.TANH, io.initsweep.model.LayerRole.STEM, 4, 2)
                .variance(100, 100)).isCloseTo(0.01, within(1e-15));
    }

    @Test
    void residualSchemesRefuseWhatTheyCannotInitialize() {
        assertThatThrownBy(() -> SchemeSpec.parse("fixup").resolve(Activation.RELU,
                io.initsweep.model.LayerRole.BRANCH, 10, 1))
                .hasMessageContaining("fixup needs branches of at least 2 dense layers");
        assertThatThrownBy(() -> SchemeSpec.parse("rezero").resolve(Activation.RELU,
                io.initsweep.model.LayerRole.HIDDEN, 0, 0))
                .hasMessageContaining("rezero initializes residual networks, not an mlp's hidden layer");
        // every other scheme ignores the role
        assertThat(SchemeSpec.parse("he_normal").resolve(Activation.RELU, io.initsweep.model.LayerRole.BRANCH_LAST,
                10, 2)).isEqualTo(SchemeSpec.parse("he_normal").resolve(Activation.RELU));
    }
}
