package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.RunStatus;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 100-block residual network (200 branch layers, 16 wide) trained on the built-in blobs set: Fixup makes it
 * trainable without normalization (Zhang et al. 2019), plain He-initialized branches without normalization do
 * not (their stream's variance is 2^100 at init), and batch normalization makes the same He branches trainable
 * (De and Smith 2020). Kept small (width 16, 240 training rows, 4 epochs) so it runs in seconds per cell.
 */
@Dl4jTest
class TestResidualTraining {
    private static final String SPEC = """
            name: deep-residual
            seeds: 1
            grid:
              scheme: [fixup, he_normal]
              normalization: [none, batch]
            model: {architecture: residual, depth: 100, width: 16, activation: relu}
            training: {epochs: 4, batch-size: 32, learning-rate: 0.05}
            data: {dataset: blobs, samples: 320, classes: 3, features: 8}
            """;

    @Test
    void fixupAndBatchNormTrainA100BlockNetworkWherePlainHeBranchesDoNot() {
        Fixtures.Sweep sweep = Fixtures.sweep(SPEC);
        Dl4jCellTrainer trainer = new Dl4jCellTrainer(1, false);
        double chance = Math.log(3);
        long start = System.nanoTime();
        CellResult fixup = train(trainer, sweep, "scheme=fixup(gain=auto) normalization=none");
        CellResult plain = train(trainer, sweep, "scheme=he_normal normalization=none");
        CellResult batch = train(trainer, sweep, "scheme=he_normal normalization=batch");
        System.out.printf("100-block residual training, %.1f s for three cells; chance loss %.4f%n",
                (System.nanoTime() - start) / 1e9, chance);
        for (CellResult r : List.of(fixup, plain, batch)) {
            System.out.printf("  %-40s %-8s test loss by epoch %s%n", r.cell().pointLabel(),
                    r.status().canonicalName(), r.epochs().stream().map(e -> String.format("%.4g", e.testLoss()))
                            .toList());
        }
        assertThat(fixup.status()).isEqualTo(RunStatus.OK);
        assertThat(fixup.finalTestLoss()).isLessThan(0.5 * chance);
        assertThat(batch.status()).isEqualTo(RunStatus.OK);
        assertThat(batch.finalTestLoss()).isLessThan(0.5 * chance);
        // plain He branches: diverged, or stalled at or above the chance loss
        assertThat(plain.status() == RunStatus.DIVERGED || plain.finalTestLoss() > 0.9 * chance)
                .as("plain he_normal branches diverge or stall: %s", plain.epochs()).isTrue();
    }

    private static CellResult train(Dl4jCellTrainer trainer, Fixtures.Sweep sweep, String point) {
        Cell cell = sweep.cell(point, 0);
        return trainer.train(cell, sweep.dataset(cell));
    }
}
