package io.initsweep.spark;

import io.initsweep.data.Dataset;
import io.initsweep.dl4j.BatchedCellTrainer;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.grid.Cell;
import io.initsweep.train.CellResult;
import io.initsweep.train.CellTrainer;
import io.initsweep.train.CellTrainerFactory;

import org.apache.spark.TaskContext;

import java.util.List;
import java.util.Set;

/**
 * DL4J trainers that fail on purpose, to test the failure handling without any switch in the production code. A
 * task of several cells is trained as the production trainer trains it: as one batch where
 * {@link Dl4jCellTrainer#trainsTogether} says so, else one by one; a cell whose attempt dies takes its whole task
 * (every cell of it) down, as a real task failure does. In a batch, a first attempt dies after the batch is trained
 * (a fault mid-task: every cell's work done, none returned); every attempt dies before training.
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
        return new CellTrainer() {
            @Override
            public CellResult train(Cell cell, Dataset dataset) {
                dieIfAsked(cell);
                String id = cell.cellId();
                if (failTraining.contains(id)) {
                    return dl4j.train(cell, Dl4jCellTrainer.localData(dataset, cell.settings().precision()),
                            (c, network) -> {
                                throw new IllegalStateException("injected training failure of cell " + id);
                            });
                }
                return dl4j.train(cell, dataset);
            }

            @Override
            public List<CellResult> trainGroup(List<Cell> cells, Dataset dataset) {
                if (!Dl4jCellTrainer.trainsTogether(cells, nativeThreads)) {
                    return CellTrainer.super.trainGroup(cells, dataset); // each cell through train(), one by one
                }
                cells.forEach(this::dieIfAskedEveryAttempt);
                List<CellResult> results = new BatchedCellTrainer(nativeThreads, recordLayers, failTraining)
                        .train(cells, dataset);
                // Mid-task: the batch is trained, its results not yet returned; the attempt's work is lost.
                cells.forEach(this::dieIfAskedFirstAttempt);
                return results;
            }

            private void dieIfAsked(Cell cell) {
                dieIfAskedEveryAttempt(cell);
                dieIfAskedFirstAttempt(cell);
            }

            private void dieIfAskedEveryAttempt(Cell cell) {
                if (failEveryAttempt.contains(cell.cellId())) {
                    throw new IllegalStateException("injected failure of every attempt of cell " + cell.cellId());
                }
            }

            private void dieIfAskedFirstAttempt(Cell cell) {
                if (failFirstAttempt.contains(cell.cellId()) && TaskContext.get().attemptNumber() == 0) {
                    throw new IllegalStateException("injected failure of the first attempt of cell " + cell.cellId());
                }
            }
        };
    }
}
