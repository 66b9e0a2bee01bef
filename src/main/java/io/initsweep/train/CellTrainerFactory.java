package io.initsweep.train;

import java.io.Serializable;

/**
 * Makes the {@link CellTrainer} a task trains its cells with. The sweep's driver ships the factory to the executors
 * with every task, so it is serializable and holds no state worth shipping: the trainer itself is made where it
 * runs. The command line passes DL4J's; tests pass trainers that fail on purpose, so the failure handling is tested
 * without any switch in the production code.
 */
@FunctionalInterface
public interface CellTrainerFactory extends Serializable {
    /**
     * @param nativeThreads threads per cell (the task's cores)
     * @param recordLayers  whether to measure per-layer statistics at init and after training
     */
    CellTrainer create(int nativeThreads, boolean recordLayers);
}
