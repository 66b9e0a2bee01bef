package io.initsweep.spec;

import java.io.Serializable;

/**
 * How a sweep runs, as opposed to what each cell computes; none of it enters a cell id.
 *
 * @param coresPerCell  cores (spark.task.cpus) and native threads each cell trains with
 * @param commitSeconds longest time a finished cell waits before it is committed to the tables
 * @param dataParallel  grid mode (false: one cell per task) or data-parallel (cells one after another, each
 *                      trained across the cluster with parameter averaging)
 */
public record ExecutionSettings(int coresPerCell, int commitSeconds, boolean dataParallel) implements Serializable {
    public static final ExecutionSettings DEFAULT = new ExecutionSettings(1, 10, false);

    public ExecutionSettings {
        if (coresPerCell < 1) {
            throw new IllegalArgumentException("cores-per-cell must be >= 1, got " + coresPerCell);
        }
        if (commitSeconds < 1) {
            throw new IllegalArgumentException("commit-seconds must be >= 1, got " + commitSeconds);
        }
    }
}
