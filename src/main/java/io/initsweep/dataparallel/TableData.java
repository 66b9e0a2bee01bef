package io.initsweep.dataparallel;

import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.Task;
import io.initsweep.dl4j.CellNetwork;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.dl4j.Networks;
import io.initsweep.grid.Cell;
import io.initsweep.model.Precision;
import io.initsweep.spark.DistributedTable;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * A distributed Parquet table as ND4J minibatches, made and evaluated on the executors where its rows live. The
 * evaluation batches of both splits are built once per table and precision and kept by the executors.
 */
final class TableData implements DistributedData {
    private static final int EVALUATION_BATCH = 1024;

    private final JavaSparkContext jsc;
    private final DistributedTable table;
    private final Precision precision;
    private final JavaRDD<DataSet> trainEvaluation;
    private final JavaRDD<DataSet> testEvaluation;
    private final INDArray probeX;
    private final INDArray probeY;

    TableData(JavaSparkContext jsc, DistributedTable table, Precision precision) {
        this.jsc = jsc;
        this.table = table;
        this.precision = precision;
        this.trainEvaluation = table.train().javaRDD().mapPartitions(batches(table.encoding(), EVALUATION_BATCH,
                precision)).persist(StorageLevel.MEMORY_AND_DISK());
        this.testEvaluation = table.test().javaRDD().mapPartitions(batches(table.encoding(), EVALUATION_BATCH,
                precision)).persist(StorageLevel.MEMORY_AND_DISK());
        DatasetIdentity identity = table.identity();
        this.probeX = Networks.matrix(table.probeX(), table.probeRows(), identity.features(), precision);
        this.probeY = Networks.matrix(table.probeY(), table.probeRows(), identity.outputs(), precision);
    }

    @Override
    public JavaRDD<DataSet> minibatches(Cell cell, int epoch, int size, int partitions) {
        return table.epoch(cell.orderSeed(), epoch, partitions).javaRDD()
                .mapPartitions(batches(table.encoding(), size, precision));
    }

    /** Rows to minibatches of {@code size} examples; static, so the closure holds only what it names. */
    private static FlatMapFunction<Iterator<Row>, DataSet> batches(DistributedTable.RowEncoding encoding, int size,
                                                                   Precision precision) {
        return rows -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public DataSet next() {
                List<Row> chunk = new ArrayList<>(size);
                while (rows.hasNext() && chunk.size() < size) {
                    chunk.add(rows.next());
                }
                float[] x = new float[chunk.size() * encoding.features()];
                float[] y = new float[chunk.size() * encoding.outputs()];
                for (int r = 0; r < chunk.size(); r++) {
                    encoding.encode(chunk.get(r), x, y, r);
                }
                return new DataSet(Networks.matrix(x, chunk.size(), encoding.features(), precision),
                        Networks.matrix(y, chunk.size(), encoding.outputs(), precision));
            }
        };
    }

    @Override
    public DatasetIdentity identity() {
        return table.identity();
    }

    @Override
    public INDArray probeX() {
        return probeX;
    }

    @Override
    public INDArray probeY() {
        return probeY;
    }

    @Override
    public double trainLoss(CellNetwork network) {
        return score(trainEvaluation, network)[0];
    }

    @Override
    public Dl4jCellTrainer.TestMetrics test(CellNetwork network) {
        double[] score = score(testEvaluation, network);
        return new Dl4jCellTrainer.TestMetrics(score[0],
                table.identity().task() == Task.CLASSIFICATION ? score[1] : null);
    }

    /**
     * Mean loss and accuracy of the network over a split, computed where the split lives. The partition sums are
     * added in partition order on the driver: DL4J's {@code calculateScore} adds them in the order tasks finish,
     * which changes the last bits from run to run.
     */
    private double[] score(JavaRDD<DataSet> split, CellNetwork network) {
        CellNetwork.Blueprint blueprint = network.blueprint();
        Broadcast<INDArray> parameters = jsc.broadcast(network.params().dup());
        try {
            List<double[]> partitions = new ArrayList<>(split.mapPartitionsWithIndex((index, batches) -> {
                CellNetwork copy = blueprint.restore(parameters.value());
                double loss = 0;
                double correct = 0;
                long examples = 0;
                while (batches.hasNext()) {
                    DataSet batch = batches.next();
                    int n = batch.numExamples();
                    loss += copy.score(batch) * n;
                    if (batch.getLabels().columns() > 1) {
                        correct += copy.output(batch.getFeatures()).argMax(1)
                                .eq(batch.getLabels().argMax(1)).castTo(DataType.DOUBLE).sumNumber().doubleValue();
                    }
                    examples += n;
                }
                return List.of(new double[] {index, examples, loss, correct}).iterator();
            }, true).collect());
            partitions.sort(Comparator.comparingDouble(p -> p[0]));
            double loss = 0;
            double correct = 0;
            double examples = 0;
            for (double[] p : partitions) {
                examples += p[1];
                loss += p[2];
                correct += p[3];
            }
            return new double[] {loss / examples, correct / examples};
        } finally {
            parameters.destroy();
        }
    }
}
