package io.initsweep.report;

import io.initsweep.grid.Cell;

/**
 * A cell of a spec with what the tables say about it; {@code status} is null while the cell has no row.
 */
public record CellOutcome(Cell cell, String status, Double finalTestLoss, Double finalTestAccuracy,
                          Integer epochsToTarget) {
}
