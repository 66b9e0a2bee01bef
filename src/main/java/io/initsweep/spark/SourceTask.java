package io.initsweep.spark;

import io.initsweep.data.Dataset;
import io.initsweep.grid.SourceCell;
import io.initsweep.train.SourceResult;
import io.initsweep.train.CellTrainerFactory;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

import java.util.Map;

/**
 * What an executor runs for one source network: train it as its plain cell and return its result with the model
 * file's bytes to the driver, which commits the file ({@link SourceFiles}). Nothing is written here, so a retried
 * task leaves nothing behind.
 */
final class SourceTask implements Function<SourceCell, SourceResult> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<Map<String, Dataset>> datasets;
    private final String runId;
    private final int cores;
    private final CellTrainerFactory trainers;

    SourceTask(Broadcast<Map<String, Dataset>> datasets, String runId, int cores, CellTrainerFactory trainers) {
        this.datasets = datasets;
        this.runId = runId;
        this.cores = cores;
        this.trainers = trainers;
    }

    @Override
    public SourceResult call(SourceCell source) {
        Dataset dataset = datasets.value().get(source.cell().datasetSha256());
        SourceResult trained = CellTask.transferTrainer(trainers.create(cores, false)).trainSource(source, dataset);
        return new SourceResult(source, trained.result().withProvenance(trained.result().provenance()
                .withTask(SparkEnv.get().executorId(), runId)), trained.model());
    }
}
