package io.initsweep.train;

import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;

import java.util.ArrayList;
import java.util.List;

/**
 * Trains one cell. Implementations never throw for a cell's own failure: divergence is a {@link RunStatus#DIVERGED}
 * result and an exception inside training a {@link RunStatus#FAILED} one, so one bad cell never stops a sweep.
 */
public interface CellTrainer {
    CellResult train(Cell cell, Dataset dataset);

    /**
     * Trains the cells of one task, all on {@code dataset}: a single cell, or cells that
     * {@link io.initsweep.grid.CellBatches#compatible may share a batch}. One result per cell, in the order given; as
     * with {@link #train(Cell, Dataset)}, a cell's failure or divergence is its own result and never stops the
     * others. A trainer may train the cells together only where each gets the very bits it gets alone, so the
     * grouping never changes a result. The default trains them one after another.
     */
    default List<CellResult> trainGroup(List<Cell> cells, Dataset dataset) {
        List<CellResult> results = new ArrayList<>(cells.size());
        for (Cell cell : cells) {
            results.add(train(cell, dataset));
        }
        return results;
    }
}
