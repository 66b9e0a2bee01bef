package io.initsweep.spark;

import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.train.CellTrainer;
import io.initsweep.train.CellTrainerFactory;

import org.apache.spark.TaskContext;

import java.util.Set;

/**
 * DL4J trainers that fail on purpose, to test the failure handling without any switch in the production code.
 *
 * @param failTraining     cells whose training throws inside DL4J's trainer: a failed row, through its own path
 * @param failFirstAttempt cells whose first task attempt dies: Spark retries the task
 * @param failEveryAttempt cells whose every task attempt dies: Spark gives up and the sweep's job fails
 */
public record FaultyTrainers(Set<String> failTraining, Set<String> failFirstAttempt, Set<String> failEveryAttempt)
        implements CellTrainerFactory {
    public FaultyTrainers {
        failTraining = Set.copyOf(failTraining);
        failFirstAttempt = Set.copyOf(failFirstAttempt);
        failEveryAttempt = Set.copyOf(failEveryAttempt);
    }

    public static FaultyTrainers failingTraining(String... cells) {
        return new FaultyTrainers(Set.of(cells), Set.of(), Set.of());
    }

    public static FaultyTrainers failingFirstAttempt(String... cells) {
        return new FaultyTrainers(Set.of(), Set.of(cells), Set.of());
    }

    public static FaultyTrainers failingEveryAttempt(String... cells) {
        return new FaultyTrainers(Set.of(), Set.of(), Set.of(cells));
    }

    @Override
    public CellTrainer create(int nativeThreads, boolean recordLayers) {
        Dl4jCellTrainer dl4j = new Dl4jCellTrainer(nativeThreads, recordLayers);
        return (cell, dataset) -> {
            String id = cell.cellId();
            if (failEveryAttempt.contains(id)) {
                throw new IllegalStateException("injected failure of every attempt of cell " + id);
            }
            if (failFirstAttempt.contains(id) && TaskContext.get().attemptNumber() == 0) {
                throw new IllegalStateException("injected failure of the first attempt of cell " + id);
            }
            if (failTraining.contains(id)) {
                return dl4j.train(cell, Dl4jCellTrainer.localData(dataset, cell.settings().precision()),
                        (c, network) -> {
                            throw new IllegalStateException("injected training failure of cell " + id);
                        });
            }
            return dl4j.train(cell, dataset);
        };
    }
}
