package io.initsweep.spark;

import io.initsweep.data.Dataset;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.dl4j.Networks;
import io.initsweep.grid.Cell;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.Hashing;
import io.initsweep.train.CellResult;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Trains a cell data-parallel with Deeplearning4j Spark: the training split becomes a distributed collection of
 * minibatches, and every epoch {@code workers} Spark tasks each fit {@code averaging-frequency} minibatches of
 * {@code batch-size-per-worker} examples between parameter averagings ({@code ParameterAveragingTrainingMaster},
 * RDD training approach Direct: nothing is exported to disk). Initialization, per-layer diagnostics and the
 * per-epoch evaluation are those of a grid cell, on the driver's copy of the network.
 *
 * <p>Determinism: the minibatches of an epoch follow the cell's order seed, and the training master's random
 * splitting is seeded from the cell id; the same cell on the same workers, partitioning and native threads gives
 * the same numbers (tested). How the executors are scheduled does not enter the arithmetic.
 */
public final class DataParallelTrainer {
    private final JavaSparkContext jsc;
    private final Dl4jCellTrainer evaluation;

    public DataParallelTrainer(JavaSparkContext jsc, boolean recordLayers) {
        this.jsc = jsc;
        this.evaluation = new Dl4jCellTrainer(1, recordLayers);
    }

    /** Trains one cell across the cluster; its provenance names the executors that trained it. */
    public CellResult train(Cell cell, Dataset dataset, String runId) {
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
            CellResult result = evaluation.train(cell, dataset, this::distributed);
            return result.withProvenance(result.provenance().withTask(String.join(",", new TreeSet<>(executors)),
                    runId));
        } finally {
            jsc.sc().removeSparkListener(listener);
        }
    }

    private Dl4jCellTrainer.EpochTraining distributed(Cell cell, MultiLayerNetwork network, Dataset dataset) {
        CellSettings s = cell.settings();
        int perWorker = Math.min(s.batchSizePerWorker(), dataset.trainRows());
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(s.workers(), perWorker)
                .batchSizePerWorker(perWorker)
                .averagingFrequency(s.averagingFrequency())
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Always)
                .saveUpdater(true)
                .rngSeed(Hashing.seed("data-parallel|" + cell.cellId()))
                .build();
        SparkDl4jMultiLayer sparkNetwork = new SparkDl4jMultiLayer(jsc, network, master);
        DataSet trainingSplit = new DataSet(matrix(dataset.trainX(), dataset.trainRows(), dataset.features(), s),
                matrix(dataset.trainY(), dataset.trainRows(), dataset.outputs(), s));
        return epoch -> {
            JavaRDD<DataSet> minibatches = jsc.parallelize(minibatches(cell, dataset, epoch, perWorker), s.workers());
            sparkNetwork.fit(minibatches);
            // The driver's network now holds the averaged parameters; the epoch's loss is the whole split's.
            return network.score(trainingSplit, false);
        };
    }

    /** The training split in the cell's epoch order, cut into minibatches of {@code size} examples. */
    static List<DataSet> minibatches(Cell cell, Dataset dataset, int epoch, int size) {
        int rows = dataset.trainRows();
        int[] order = Dl4jCellTrainer.epochOrder(cell, epoch, rows);
        List<DataSet> batches = new ArrayList<>();
        for (int from = 0; from < rows; from += size) {
            int to = Math.min(rows, from + size);
            float[] x = new float[(to - from) * dataset.features()];
            float[] y = new float[(to - from) * dataset.outputs()];
            for (int r = from; r < to; r++) {
                System.arraycopy(dataset.trainX(), order[r] * dataset.features(), x, (r - from) * dataset.features(),
                        dataset.features());
                System.arraycopy(dataset.trainY(), order[r] * dataset.outputs(), y, (r - from) * dataset.outputs(),
                        dataset.outputs());
            }
            batches.add(new DataSet(matrix(x, to - from, dataset.features(), cell.settings()),
                    matrix(y, to - from, dataset.outputs(), cell.settings())));
        }
        return batches;
    }

    private static INDArray matrix(float[] values, int rows, int columns, CellSettings settings) {
        return Nd4j.create(values, new long[] {rows, columns}, 'c').castTo(Networks.dataType(settings.precision()));
    }
}
