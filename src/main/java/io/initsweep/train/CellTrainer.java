package io.initsweep.train;

import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;

/**
 * Trains one cell. Implementations never throw for a cell's own failure: divergence is a {@link RunStatus#DIVERGED}
 * result and an exception inside training a {@link RunStatus#FAILED} one, so one bad cell never stops a sweep.
 */
public interface CellTrainer {
    CellResult train(Cell cell, Dataset dataset);
}
