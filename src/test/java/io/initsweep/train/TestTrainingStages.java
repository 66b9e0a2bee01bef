package io.initsweep.train;

import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.Settings;
import io.initsweep.spec.TransferStrategy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How each kind of cell's epochs are split into stages: what is frozen when, at which step size. */
class TestTrainingStages {
    private static CellSettings.Builder cell() {
        return CellSettings.builder().set(Settings.SCHEME, SchemeSpec.parse("he_normal")).set(Settings.DEPTH, 3)
                .set(Settings.ACTIVATION, Activation.RELU).set(Settings.EPOCHS, 10)
                .set(Settings.LEARNING_RATE, 0.1);
    }

    @Test
    void aCellWithoutASourceTrainsInOneStageAsAlways() {
        assertThat(TrainingStage.of(cell().build())).containsExactly(new TrainingStage(1, 10, 0, 0.1));
    }

    @Test
    void fineTuningFreezesTheKeptLayersOnlyWhenAsked() {
        CellSettings.Builder transfer = cell().set(Settings.TRANSFER_LAYERS, 2);
        assertThat(TrainingStage.of(transfer.build())).containsExactly(new TrainingStage(1, 10, 0, 0.1));
        assertThat(TrainingStage.of(transfer.set(Settings.FREEZE, true).build()))
                .containsExactly(new TrainingStage(1, 10, 2, 0.1));
    }

    @Test
    void lpFtProbesThenFineTunesWithinTheCellsEpochs() {
        CellSettings.Builder lpft = cell().set(Settings.TRANSFER_LAYERS, 3)
                .set(Settings.STRATEGY, TransferStrategy.LP_FT);
        // defaults: half the epochs, at the cell's learning rate
        assertThat(TrainingStage.of(lpft.build())).containsExactly(new TrainingStage(1, 5, 3, 0.1),
                new TrainingStage(6, 10, 0, 0.1));
        assertThat(TrainingStage.of(lpft.set(Settings.LP_EPOCHS, 2).set(Settings.LP_LEARNING_RATE, 0.5).build()))
                .containsExactly(new TrainingStage(1, 2, 3, 0.5), new TrainingStage(3, 10, 0, 0.1));
        // freeze does not apply to lp-ft: it changes nothing there
        assertThat(TrainingStage.of(lpft.set(Settings.FREEZE, true).build()))
                .isEqualTo(TrainingStage.of(lpft.set(Settings.FREEZE, false).build()));
        assertThatThrownBy(() -> TrainingStage.of(lpft.set(Settings.LP_EPOCHS, 10).build()))
                .hasMessage("lp-epochs 10 leaves no epoch of 10 to fine-tune");
    }
}
