package io.initsweep.report;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The console summary of a transfer sweep: every grid point's axes, and the epochs each took to the target loss. */
class TestSummary {
    @Test
    void aTransferSweepsSummaryShowsEveryAxisAndTheEpochsToTheTargetPerSchemeOfTheNewLayers() {
        Fixtures.TransferSweep sweep = Fixtures.transferSweep("""
                name: summary
                seeds: 2
                grid:
                  scheme: [he_normal, xavier_normal]
                  transfer-layers: [0, 2]
                  strategy: [fine-tune, lp-ft]
                model: {depth: 2, width: 8, activation: relu}
                training: {epochs: 10, target-loss: 0.6}
                transfer: {lp-epochs: 3}
                data: {dataset: blobs, classes: 4, features: 4, samples: 80, keep-classes: [2, 3]}
                source:
                  seeds: 1
                  model: {scheme: he_normal}
                  data: {keep-classes: [0, 1]}
                """);
        // from scratch: seed 0 reaches the target at epoch 8, seed 1 never; transfer: 3 and 4 with fine-tune, 5 and
        // 6 with lp-ft
        List<CellOutcome> outcomes = sweep.cells().stream().map(c -> new CellOutcome(c, "ok", 0.5, 0.9,
                epochs(c))).toList();
        List<Summary.Line> lines = Summary.lines(outcomes);
        assertThat(lines).hasSize(2 + 2 * 2);
        String table = Summary.render(lines, true);
        List<String> rows = table.lines().toList();
        assertThat(rows.get(0)).startsWith("scheme").contains("transfer-layers").contains("strategy")
                .endsWith("reached target  epochs to target");
        assertThat(rows).anySatisfy(r -> assertThat(r).matches("he_normal +0 +- +2 .* 1/2 +8\\.0"))
                .anySatisfy(r -> assertThat(r).matches("he_normal +2 +fine-tune +2 .* 2/2 +3\\.5"))
                .anySatisfy(r -> assertThat(r).matches("xavier_normal +2 +lp-ft +2 .* 2/2 +5\\.5"));
    }

    private static Integer epochs(Cell cell) {
        if (!cell.settings().transfers()) {
            return cell.seed() == 0 ? 8 : null;
        }
        int base = cell.settings().strategy().canonicalName().equals("lp-ft") ? 5 : 3;
        return base + (int) cell.seed();
    }
}
