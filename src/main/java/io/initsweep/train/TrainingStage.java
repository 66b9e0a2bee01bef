package io.initsweep.train;

import io.initsweep.spec.CellSettings;
import io.initsweep.spec.TransferStrategy;

import java.util.List;

/**
 * A run of consecutive epochs trained the same way: which leading dense layers stay frozen and at what step size.
 * Every stage starts with a fresh optimizer state (Adam's moments, Nesterov's velocity, at iteration 0), as a new
 * optimization does: lp-ft's fine-tuning stage is Kumar et al.'s second optimization, not a continuation of the
 * probe's.
 *
 * <p>A cell trains in one stage unless it is an lp-ft transfer cell:
 * <ul>
 *   <li>from scratch ({@code transfer-layers: 0}): epochs 1..epochs, nothing frozen, {@code learning-rate};
 *   <li>{@code fine-tune}: the same, with the {@code transfer-layers} kept layers frozen throughout if
 *       {@code freeze};
 *   <li>{@code lp-ft}: epochs 1..lp-epochs with the kept layers frozen at {@code lp-learning-rate}, then epochs
 *       lp-epochs+1..epochs with every layer trained at {@code learning-rate}. {@code epochs} counts both stages,
 *       so every cell of a sweep gets the same number of passes over the data and {@code epochs_to_target}
 *       compares like with like.
 * </ul>
 *
 * @param firstEpoch   the stage's first epoch (1-based)
 * @param lastEpoch    its last epoch, included
 * @param frozenLayers leading dense layers never updated in this stage (0 = none)
 * @param learningRate the step size
 */
public record TrainingStage(int firstEpoch, int lastEpoch, int frozenLayers, double learningRate) {

    public TrainingStage {
        if (firstEpoch < 1 || lastEpoch < firstEpoch || frozenLayers < 0 || !(learningRate > 0)) {
            throw new IllegalArgumentException("not a training stage: epochs " + firstEpoch + ".." + lastEpoch
                    + ", frozen layers " + frozenLayers + ", learning rate " + learningRate);
        }
    }

    /** The stages of a cell, in order; they cover epochs 1..epochs without gap. */
    public static List<TrainingStage> of(CellSettings settings) {
        int epochs = settings.epochs();
        double rate = settings.learningRate();
        if (!settings.transfers()) {
            return List.of(new TrainingStage(1, epochs, 0, rate));
        }
        int kept = settings.transferLayers();
        if (settings.strategy() == TransferStrategy.FINE_TUNE) {
            return List.of(new TrainingStage(1, epochs, settings.freeze() ? kept : 0, rate));
        }
        int probe = settings.lpEpochs();
        if (probe >= epochs) {
            throw new IllegalArgumentException("lp-epochs " + probe + " leaves no epoch of " + epochs
                    + " to fine-tune");
        }
        return List.of(new TrainingStage(1, probe, kept, settings.lpLearningRate()),
                new TrainingStage(probe + 1, epochs, 0, rate));
    }

    /** Whether {@code epoch} belongs to this stage. */
    public boolean covers(int epoch) {
        return epoch >= firstEpoch && epoch <= lastEpoch;
    }
}
