package io.initsweep.dataparallel;

import io.initsweep.data.Dataset;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.dl4j.CellNetwork;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.dl4j.Networks;
import io.initsweep.grid.Cell;
import io.initsweep.model.Precision;
import io.initsweep.spark.TrainingData;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

/**
 * A data-parallel cell's data: what the evaluation reads, and the training split as a distributed collection of
 * minibatches for each epoch.
 */
public interface DistributedData extends Dl4jCellTrainer.CellData {

    /** The training split for one epoch, shuffled for that epoch, in minibatches of {@code size} examples. */
    JavaRDD<DataSet> minibatches(Cell cell, int epoch, int size, int partitions);

    /** The data of a sweep as a data-parallel cell of the given precision trains on it, wherever its rows are. */
    static DistributedData of(JavaSparkContext jsc, TrainingData data, Precision precision) {
        return data.match(memory -> inMemory(jsc, memory.rows(), precision),
                table -> new TableData(jsc, table, precision));
    }

    /** A dataset already in the driver's memory (any format but a distributed Parquet table). */
    private static DistributedData inMemory(JavaSparkContext jsc, Dataset dataset, Precision precision) {
        Dl4jCellTrainer.CellData local = Dl4jCellTrainer.localData(dataset, precision);
        return new DistributedData() {
            @Override
            public JavaRDD<DataSet> minibatches(Cell cell, int epoch, int size, int partitions) {
                int rows = dataset.trainRows();
                int[] order = Dl4jCellTrainer.epochOrder(cell, epoch, rows);
                List<DataSet> batches = new ArrayList<>();
                for (int from = 0; from < rows; from += size) {
                    int to = Math.min(rows, from + size);
                    float[] x = new float[(to - from) * dataset.features()];
                    float[] y = new float[(to - from) * dataset.outputs()];
                    for (int r = from; r < to; r++) {
                        System.arraycopy(dataset.trainX(), order[r] * dataset.features(), x,
                                (r - from) * dataset.features(), dataset.features());
                        System.arraycopy(dataset.trainY(), order[r] * dataset.outputs(), y,
                                (r - from) * dataset.outputs(), dataset.outputs());
                    }
                    batches.add(new DataSet(Networks.matrix(x, to - from, dataset.features(), precision),
                            Networks.matrix(y, to - from, dataset.outputs(), precision)));
                }
                return jsc.parallelize(batches, partitions);
            }

            @Override
            public DatasetIdentity identity() {
                return dataset.identity();
            }

            @Override
            public INDArray probeX() {
                return local.probeX();
            }

            @Override
            public INDArray probeY() {
                return local.probeY();
            }

            @Override
            public double trainLoss(CellNetwork network) {
                return local.trainLoss(network);
            }

            @Override
            public Dl4jCellTrainer.TestMetrics test(CellNetwork network) {
                return local.test(network);
            }
        };
    }
}
