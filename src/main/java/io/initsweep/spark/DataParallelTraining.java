package io.initsweep.spark;

import io.initsweep.grid.Cell;
import io.initsweep.train.CellResult;

/**
 * Trains one cell across the cluster (execution mode data-parallel). Implemented where Spark and DL4J meet on
 * purpose ({@code io.initsweep.dataparallel}) and handed to {@link SweepRunner} by the composition root, so this
 * package schedules data-parallel cells without depending on DL4J.
 */
@FunctionalInterface
public interface DataParallelTraining {
    /**
     * @param recordLayers whether to measure the layers table
     * @param runId        the invocation, for the result's provenance
     * @return the cell's result; never throws for the cell's own failure (a failed result instead)
     */
    CellResult train(Cell cell, TrainingData data, boolean recordLayers, String runId);
}
