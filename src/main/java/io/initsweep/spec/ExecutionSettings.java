package io.initsweep.spec;

import java.io.Serializable;

/**
 * How a sweep runs, as opposed to what each cell computes; none of it enters a cell id.
 *
 * @param coresPerCell  cores (spark.task.cpus) and native threads each cell trains with
 * @param commitSeconds longest time a finished cell waits before it is committed to the tables
 * @param dataParallel  grid mode (false: cells in tasks) or data-parallel (cells one after another, each trained
 *                      across the cluster with parameter averaging)
 * @param cellsPerTask  most cells one task trains (cells that may share a batch; others one per task)
 */
public record ExecutionSettings(int coresPerCell, int commitSeconds, boolean dataParallel, int cellsPerTask)
        implements Serializable {
    /** Default of {@code cells-per-task}, chosen from a measurement: see {@link Settings#CELLS_PER_TASK}. */
    public static final int DEFAULT_CELLS_PER_TASK = 16;
    public static final ExecutionSettings DEFAULT = new ExecutionSettings(1, 10, false, DEFAULT_CELLS_PER_TASK);

    public ExecutionSettings {
        if (coresPerCell < 1) {
            throw new IllegalArgumentException("cores-per-cell must be >= 1, got " + coresPerCell);
        }
        if (commitSeconds < 1) {
            throw new IllegalArgumentException("commit-seconds must be >= 1, got " + commitSeconds);
        }
        if (cellsPerTask < 1) {
            throw new IllegalArgumentException("cells-per-task must be >= 1, got " + cellsPerTask);
        }
    }
}
