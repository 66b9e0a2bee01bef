package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;
import io.initsweep.model.Activation;
import io.initsweep.theory.MeanField;
import io.initsweep.theory.Nonlinearity;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.RunStatus;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Schoenholz et al. 2017 (Sec. 5): a random network trains when its depth is within about 6ξ_c and fails far
 * beyond it, because over ξ_c layers it forgets how its inputs were correlated, and its gradients vanish.
 *
 * <p>A tanh network in the ordered phase with σ_w² = 1, σ_b² = 0.5 has ξ_c ≈ 1.4, so 6ξ_c ≈ 8.4 layers. A network
 * a quarter that deep and one five times deeper are trained identically (plain SGD, float64, 3 blobs of 8
 * features): the shallow one learns, the deep one stays at chance. Biases {@code N(0, σ_b²)} come from the
 * {@code bias-std} setting.
 *
 * <p>No control at criticality: trained the same way, 43 layers at the critical σ_w² (2.8432 for σ_b² = 0.5)
 * reached a test loss of 0.53 once and 1.28 for a σ_w² differing in the 7th digit: at that depth, plain SGD at
 * this learning rate is on a knife's edge even where ξ_c is infinite.
 */
@Dl4jTest
class TestTrainableDepth {
    private static final double SIGMA_W2 = 1.0;
    private static final double SIGMA_B2 = 0.5;
    private static final double CHANCE = Math.log(3); // cross-entropy of a uniform guess among 3 balanced classes

    private final Dl4jCellTrainer trainer = new Dl4jCellTrainer(1, false);

    @Test
    void depthWellBeyondSixXiCFailsToTrainWhereDepthWellWithinItTrains() {
        MeanField theory = MeanField.of(Nonlinearity.of(Activation.TANH), SIGMA_W2, SIGMA_B2);
        assertThat(theory.phase()).isEqualTo(MeanField.Phase.ORDERED);
        double trainable = theory.trainableDepth();
        assertThat(trainable).isBetween(6.0, 12.0);
        int shallow = (int) Math.floor(trainable / 4);
        int deep = (int) Math.ceil(5 * trainable);

        CellResult within = train(shallow);
        CellResult beyond = train(deep);
        System.out.printf("6 xi_c = %.2f layers: depth %d test loss %.4f accuracy %.3f; depth %d test loss %.4f "
                        + "accuracy %.3f (chance %.4f)%n", trainable, shallow, within.finalTestLoss(),
                within.finalTestAccuracy(), deep, beyond.finalTestLoss(), beyond.finalTestAccuracy(), CHANCE);

        assertThat(within.status()).isEqualTo(RunStatus.OK);
        assertThat(within.finalTestLoss()).isLessThan(0.3 * CHANCE);
        assertThat(within.finalTestAccuracy()).isGreaterThan(0.9);
        assertThat(beyond.status()).isEqualTo(RunStatus.OK);
        assertThat(beyond.finalTestLoss()).isGreaterThan(0.95 * CHANCE);
        assertThat(beyond.finalTestAccuracy()).isLessThan(0.5);
    }

    private CellResult train(int depth) {
        Fixtures.Sweep sweep = Fixtures.sweep("""
                name: trainable-depth
                seeds: 1
                grid: {scheme: [{variance_scaling: {gain: %s}}]}
                model: {depth: %d, width: 64, activation: tanh, bias-std: %s}
                training: {epochs: 10, batch-size: 16, learning-rate: 0.05, precision: float64}
                data: {dataset: blobs, samples: 400, features: 8}
                """.formatted(Math.sqrt(SIGMA_W2), depth, Math.sqrt(SIGMA_B2)));
        Cell cell = sweep.cells().get(0);
        CellResult result = trainer.train(cell, sweep.dataset(cell));
        double biasStd = Math.sqrt(SIGMA_B2);
        assertThat(result.theory().meanField()).isEqualTo(MeanField.of(Nonlinearity.of(Activation.TANH), SIGMA_W2,
                biasStd * biasStd));
        return result;
    }
}
