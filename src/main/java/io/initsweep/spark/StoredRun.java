package io.initsweep.spark;

import java.time.Instant;
import java.util.Objects;

/**
 * What a sweep's {@code runs} row says about a cell, as the commands that summarize a sweep need it.
 *
 * @param cellId            the cell
 * @param status            ok, diverged or failed
 * @param finalTestLoss     null unless ok
 * @param finalTestAccuracy null unless ok and a classification
 * @param epochsToTarget    null if the target loss was not reached or not set
 * @param finishedAt        when the cell finished
 */
public record StoredRun(String cellId, String status, Double finalTestLoss, Double finalTestAccuracy,
                        Integer epochsToTarget, Instant finishedAt) {
    public StoredRun {
        Objects.requireNonNull(cellId, "cellId is null");
        Objects.requireNonNull(status, "status is null");
        Objects.requireNonNull(finishedAt, "finishedAt is null");
    }

    public boolean failed() {
        return "failed".equals(status);
    }
}
