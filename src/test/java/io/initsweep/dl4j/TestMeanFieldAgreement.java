package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.model.Activation;
import io.initsweep.model.Precision;
import io.initsweep.theory.CellTheory;
import io.initsweep.theory.LayerPrediction;
import io.initsweep.theory.MeanField;
import io.initsweep.theory.MeanFieldMap;
import io.initsweep.theory.Nonlinearity;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.JacobianSpectrum;
import io.initsweep.train.LayerStats;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mean-field theory against deep networks at initialization: 30 hidden layers of 512 units, float64, 3 seeds,
 * weights {@code N(0, σ_w²/fan_in)} ({@code variance_scaling} with gain σ_w), biases {@code N(0, σ_b²)} from the
 * {@code bias-std} setting, measured through the {@code layers} table's own code ({@link Propagation#measure}) on
 * the probe batch and predicted by the trainer's own call of the theory ({@link Dl4jCellTrainer#theory}), for tanh
 * and ReLU on both sides of criticality. The input has 256 features, so that layer 0 is wide too.
 *
 * <p>What is compared, per hidden layer l (0-based), each as the mean over seeds of a log ratio:
 * <ul>
 *   <li>Pre-activation variance: the table's {@code preactivation_var} against {@link LayerPrediction}'s q_l,
 *       the recursion run from the probe batch's mean square. Mean-field theory is exact as width → ∞; at width
 *       N the log of a layer's variance carries a random error that accumulates over the layers below it, with
 *       variance about 5(l+1)/N for ReLU at criticality (Hanin and Rolnick 2018, "How to start training"), the
 *       worst case here. Tolerance: {@code 0.1 + 2.5·√(5(l+1)/(N·seeds))} (0.22 at layer 0, 0.85 at layer 29).
 *       Contracting maps (tanh, ordered ReLU with σ_b &gt; 0) stay far inside it; exploding ReLU uses it.
 *   <li>The one-step variance map: {@code preactivation_var[l]} against {@code V(preactivation_var[l−1])}, the
 *       theory's map applied to the measured layer below, which has no accumulated error: each layer within
 *       0.25 (one layer of ReLU at width 512 scatters by about √(5/N) ≈ 0.1 per seed), the average over layers
 *       and seeds within 0.04.
 *   <li>The gradient factor, defined as the ratio of the table's {@code grad_input_var} of consecutive layers,
 *       {@code grad_input_var[l] / grad_input_var[l+1]} (the variance of ∂L/∂a_{l−1} over that of ∂L/∂a_l;
 *       for the last hidden layer, l+1 is the output layer). It is what layer l multiplies the back-propagated
 *       gradient's variance by: {@code ∂L/∂a_{l−1} = (φ'(z_l) ⊙ ∂L/∂a_l)·W_lᵀ} sums fan_out terms of weight
 *       variance σ_w²/fan_in, so the ratio is {@code (fan_out/fan_in)·σ_w²·E[φ'(z_l)²]}, which is χ1 at the
 *       fixed point with equal widths (Schoenholz et al. 2017, Sec. 4). Each layer within 0.2; averaged over
 *       layers and seeds within 0.02, tight enough to tell chaotic tanh's χ1 = 1.048 from 1.
 *   <li>The input-output Jacobian's mean squared singular value ({@link Propagation#jacobian}, 256 singular values
 *       per probe point: the Gram matrix and power iteration) against the product of the predicted gradient
 *       factors ({@link CellTheory#predictedJacobianMeanSquare}): a forward perturbation is multiplied by the same
 *       factor per layer as the back-propagated gradient's variance. Its log carries the 30 layers' errors at
 *       once; the mean over seeds within 0.3.
 *   <li>The correlation c_l of 16 fixed pairs of probe inputs (the table's {@code correlation}) against the
 *       theory's correlation map applied to the measured layer below,
 *       {@code c_l ≈ C(q_{l−1}, c_{l−1})/V(q_{l−1})}: each layer within 0.08 (the map of the pairs' mean is not the
 *       mean of the map: measured worst 0.047), averaged within 0.01; and where q* &gt; 0 and the network is at
 *       least 3ξ_c deep, the last layer's c within 0.03 of c* (measured: ordered tanh and ReLU 1.000 and 0.9995
 *       against 1, chaotic tanh σ_w² = 4, σ_b² = 0.5 0.721 against 0.730). Where q* = 0 (σ_b = 0, ordered tanh)
 *       c* = 1 is only a limit: the network is linear there and keeps the correlation (−0.19 at layer 29).
 * </ul>
 */
@Dl4jTest
class TestMeanFieldAgreement {
    private static final int DEPTH = 30;
    private static final int WIDTH = 512;
    private static final int SEEDS = 3;

    @BeforeAll
    static void threads() {
        Nd4jRuntime.initialize(1);
    }

    @ParameterizedTest(name = "{0} sigma_w^2={1} sigma_b^2={2}: {3}")
    @CsvSource({
            "tanh, 0.8, 0.0,  ordered",
            "tanh, 1.3, 0.3,  ordered",
            "tanh, 2.0, 0.05, chaotic",
            "tanh, 4.0, 0.5,  chaotic",
            "relu, 1.6, 0.1,  ordered",
            "relu, 1.9, 0.0,  ordered",
            "relu, 2.0, 0.0,  critical",
            "relu, 2.4, 0.0,  unbounded",
            "relu, 2.2, 0.1,  unbounded",
    })
    void measuredVarianceAndGradientFactorFollowTheory(String activationName, double sigmaW2, double sigmaB2,
                                                       String phase) {
        Activation activation = Activation.byName(activationName).orElseThrow();
        Fixtures.Sweep sweep = Fixtures.sweep("""
                name: meanfield
                seeds: %d
                grid: {scheme: [{variance_scaling: {gain: %s}}]}
                model: {depth: %d, width: %d, activation: %s, bias-std: %s}
                training: {epochs: 1, precision: float64}
                data: {dataset: blobs, samples: 170, features: 256}
                """.formatted(SEEDS, Math.sqrt(sigmaW2), DEPTH, WIDTH, activationName, Math.sqrt(sigmaB2)));
        double[][] logVariance = new double[SEEDS][DEPTH];
        double[][] logOneStep = new double[SEEDS][DEPTH];
        double[][] logGradient = new double[SEEDS][DEPTH];
        double logJacobian = 0;
        double[][] correlationOneStep = new double[SEEDS][DEPTH];
        double lastCorrelation = 0;
        MeanField networkLevel = null;
        List<Cell> cells = sweep.cells();
        assertThat(cells).hasSize(SEEDS);
        for (int seed = 0; seed < SEEDS; seed++) {
            Cell cell = cells.get(seed);
            var data = Dl4jCellTrainer.localData(sweep.dataset(cell), Precision.FLOAT64);
            MultiLayerNetwork network = Networks.mlp(cell, sweep.dataset(cell).identity());
            List<LayerStats> measured;
            JacobianSpectrum jacobian;
            try {
                Propagation propagation = new Propagation(network);
                measured = propagation.measure(data.probeX(), data.probeY(), activation, LayerStats.Phase.INIT, 0);
                jacobian = propagation.jacobian(data.probeX());
            } finally {
                Dl4jCellTrainer.release(network);
            }
            INDArray x = data.probeX();
            CellTheory theory = Dl4jCellTrainer.theory(cell, sweep.dataset(cell).identity(), x);
            assertThat(theory.inputMeanSquare()).isCloseTo(x.mul(x).meanNumber().doubleValue(),
                    org.assertj.core.api.Assertions.within(1e-12));
            assertThat(theory).isEqualTo(CellTheory.of(activation, 0.0, Math.sqrt(sigmaB2), theory.inputMeanSquare(),
                    hiddenLayers(cell, sweep)));
            assertThat(jacobian.singularValues()).isEqualTo(256);
            assertThat(jacobian.method()).isEqualTo(JacobianSpectrum.POWER_ITERATION);
            logJacobian += Math.log(jacobian.meanSquaredSingularValue() / theory.predictedJacobianMeanSquare())
                    / SEEDS;
            assertThat(theory.sigmaW2()).isCloseTo(sigmaW2, org.assertj.core.api.Assertions.within(1e-12));
            MeanField meanField = theory.meanField();
            networkLevel = meanField;
            assertThat(meanField.phase() == null ? "unbounded" : meanField.phase().canonicalName()).isEqualTo(phase);
            List<LayerPrediction> predicted = theory.layers();
            lastCorrelation += measured.get(DEPTH - 1).correlation() / SEEDS;
            for (int l = 0; l < DEPTH; l++) {
                double variance = measured.get(l).preactivationVar();
                logVariance[seed][l] = Math.log(variance / predicted.get(l).preactivationVar());
                if (l > 0) {
                    double mapped = MeanFieldMap.of(Nonlinearity.of(activation), predicted.get(l).sigmaW2(), sigmaB2)
                            .variance(measured.get(l - 1).preactivationVar());
                    logOneStep[seed][l] = Math.log(variance / mapped);
                    MeanFieldMap map = MeanFieldMap.of(Nonlinearity.of(activation), predicted.get(l).sigmaW2(),
                            sigmaB2);
                    double below = measured.get(l - 1).preactivationVar();
                    correlationOneStep[seed][l] = measured.get(l).correlation()
                            - map.covariance(below, measured.get(l - 1).correlation()) / map.variance(below);
                }
                double factor = measured.get(l).gradInputVar() / measured.get(l + 1).gradInputVar();
                logGradient[seed][l] = Math.log(factor / predicted.get(l).gradVarRatio());
            }
        }
        double oneStepAverage = 0;
        double gradientAverage = 0;
        for (int l = 0; l < DEPTH; l++) {
            double variance = meanOverSeeds(logVariance, l);
            double oneStep = meanOverSeeds(logOneStep, l);
            double gradient = meanOverSeeds(logGradient, l);
            double tolerance = 0.1 + 2.5 * Math.sqrt(5.0 * (l + 1) / (WIDTH * SEEDS));
            assertThat(Math.abs(variance)).as("layer %d: log(measured/predicted pre-activation variance)", l)
                    .isLessThanOrEqualTo(tolerance);
            assertThat(Math.abs(oneStep)).as("layer %d: log(measured/one-step-predicted variance)", l)
                    .isLessThanOrEqualTo(0.25);
            assertThat(Math.abs(gradient)).as("layer %d: log(measured/predicted gradient factor)", l)
                    .isLessThanOrEqualTo(0.2);
            oneStepAverage += l > 0 ? oneStep / (DEPTH - 1) : 0;
            gradientAverage += gradient / DEPTH;
        }
        System.out.printf("%s sigma_w^2=%s sigma_b^2=%s (%s): mean log ratio over layers and seeds: one-step "
                + "variance %+.4f, gradient factor %+.4f; layer 29 variance %+.4f; Jacobian msv %+.4f%n",
                activationName, sigmaW2, sigmaB2, phase, oneStepAverage, gradientAverage,
                meanOverSeeds(logVariance, DEPTH - 1), logJacobian);
        assertThat(Math.abs(logJacobian)).as("log(measured/predicted Jacobian msv)").isLessThanOrEqualTo(0.3);
        double worstCorrelation = 0;
        double correlationAverage = 0;
        for (int l = 1; l < DEPTH; l++) {
            worstCorrelation = Math.max(worstCorrelation, Math.abs(meanOverSeeds(correlationOneStep, l)));
            correlationAverage += meanOverSeeds(correlationOneStep, l) / (DEPTH - 1);
        }
        System.out.printf("  correlation: one-step map worst layer %.4f, average %+.4f; layer 29 c = %.4f, c* = %s, "
                + "xi_c = %s%n", worstCorrelation, correlationAverage, lastCorrelation, networkLevel.cStar(),
                networkLevel.xiC());
        assertThat(worstCorrelation).as("correlation: one-step map, worst layer").isLessThanOrEqualTo(0.08);
        assertThat(Math.abs(correlationAverage)).as("correlation: one-step map, averaged").isLessThanOrEqualTo(0.01);
        if (networkLevel.qStar() != null && networkLevel.qStar() > 0 && (DEPTH - 1) / networkLevel.xiC() >= 3) {
            assertThat(lastCorrelation).as("layer %d's correlation after %.1f xi_c", DEPTH - 1,
                    (DEPTH - 1) / networkLevel.xiC()).isCloseTo(networkLevel.cStar(),
                    org.assertj.core.api.Assertions.within(0.03));
        }
        assertThat(Math.abs(oneStepAverage)).as("one-step variance map, averaged").isLessThanOrEqualTo(0.04);
        assertThat(Math.abs(gradientAverage)).as("gradient factor, averaged").isLessThanOrEqualTo(0.02);
    }

    private static List<CellTheory.HiddenLayer> hiddenLayers(Cell cell, Fixtures.Sweep sweep) {
        int[][] shapes = Grid.layout(cell.settings(), sweep.dataset(cell).identity()).shapes();
        List<CellTheory.HiddenLayer> hidden = new ArrayList<>();
        for (int l = 0; l < cell.settings().depth(); l++) {
            hidden.add(new CellTheory.HiddenLayer(cell.settings().schemeOf(l), shapes[l][0], shapes[l][1]));
        }
        return hidden;
    }

    private static double meanOverSeeds(double[][] values, int layer) {
        double sum = 0;
        for (double[] seed : values) {
            sum += seed[layer];
        }
        return sum / values.length;
    }
}
