package io.initsweep.dataparallel;

import io.initsweep.common.Hashing;
import io.initsweep.dl4j.CellNetwork;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.grid.Cell;
import io.initsweep.spark.DataParallelTraining;
import io.initsweep.spark.TrainingData;
import io.initsweep.spec.CellSettings;
import io.initsweep.train.CellResult;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Trains a cell data-parallel with Deeplearning4j Spark ({@code SparkDl4jMultiLayer} for a plain MLP and a cnn,
 * {@code SparkComputationGraph} for a residual or normalized network): the training split becomes a distributed
 * collection of minibatches, and every epoch {@code workers} Spark tasks each fit {@code averaging-frequency}
 * minibatches of {@code batch-size-per-worker} examples between parameter averagings
 * ({@code ParameterAveragingTrainingMaster}, RDD training approach Direct: nothing is exported to disk).
 * Initialization, per-layer diagnostics and the per-epoch evaluation are those of a grid cell, on the driver's copy
 * of the network (a distributed table is evaluated where it lives).
 *
 * <p>Determinism: the minibatches of an epoch follow the cell's order seed, and the training master's random
 * splitting is seeded from the cell id; the same cell on the same workers, partitioning and native threads gives
 * the same numbers (tested with 2 workers). With 3 or more, the training master adds the workers' parameters in the
 * order their tasks finish, so the last bits can differ between runs; and on a multi-host cluster the balancing
 * shuffle of the minibatches may deliver them to a worker in another order.
 */
public final class DataParallelTrainer implements DataParallelTraining {
    private final JavaSparkContext jsc;
    /** A table's evaluation batches are built once per precision and kept by the executors for every cell. */
    private final Map<String, DistributedData> data = new ConcurrentHashMap<>();

    public DataParallelTrainer(JavaSparkContext jsc) {
        this.jsc = jsc;
    }

    /** Trains one cell across the cluster; its provenance names the executors that trained it. */
    @Override
    public CellResult train(Cell cell, TrainingData training, boolean recordLayers, String runId) {
        DistributedData cellData = data.computeIfAbsent(training.identity().sha256() + "|"
                + cell.settings().precision(), key -> DistributedData.of(jsc, training, cell.settings().precision()));
        Set<String> executors = new ConcurrentSkipListSet<>();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskInfo().successful()) {
                    executors.add(end.taskInfo().executorId());
                }
            }
        };
        jsc.sc().addSparkListener(listener);
        try {
            CellResult result = new Dl4jCellTrainer(1, recordLayers).train(cell, cellData,
                    (c, network) -> distributed(c, network, cellData));
            return result.withProvenance(result.provenance().withTask(String.join(",", new TreeSet<>(executors)),
                    runId));
        } finally {
            jsc.sc().removeSparkListener(listener);
        }
    }

    private Dl4jCellTrainer.EpochTraining distributed(Cell cell, CellNetwork network, DistributedData data) {
        CellSettings s = cell.settings();
        int perWorker = Math.min(s.batchSizePerWorker(), data.identity().trainRows());
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(s.workers(), perWorker)
                .batchSizePerWorker(perWorker)
                .averagingFrequency(s.averagingFrequency())
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Always)
                .saveUpdater(true)
                .rngSeed(Hashing.seed("data-parallel|" + cell.cellId()))
                .build();
        // A plain MLP and a cnn through DL4J Spark's MultiLayerNetwork wrapper, any other network through its
        // ComputationGraph one: both fit the driver's network in place, averaging the workers' parameters and
        // updater state. A cnn's minibatches are flat rows like any cell's; its input preprocessor shapes them.
        java.util.function.Consumer<org.apache.spark.api.java.JavaRDD<org.nd4j.linalg.dataset.DataSet>> fit;
        if (network instanceof CellNetwork.Mlp mlp) {
            fit = new SparkDl4jMultiLayer(jsc, mlp.network(), master)::fit;
        } else if (network instanceof CellNetwork.Cnn cnn) {
            fit = new SparkDl4jMultiLayer(jsc, cnn.network(), master)::fit;
        } else {
            fit = new SparkComputationGraph(jsc, ((CellNetwork.Graph) network).graph(), master)::fit;
        }
        return epoch -> {
            fit.accept(data.minibatches(cell, epoch, perWorker, s.workers()));
            // The driver's network now holds the averaged parameters; the epoch's loss is the whole split's.
            return data.trainLoss(network);
        };
    }
}
