package io.initsweep.spark;

import io.initsweep.common.Hashing;
import io.initsweep.data.DataException;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.DatasetSpec;
import io.initsweep.data.Task;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.dl4j.Networks;
import io.initsweep.grid.Cell;
import io.initsweep.model.Precision;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Parquet table trained on data-parallel without ever being collected to the driver: the executors read it,
 * split it (or take the separate test table), standardize it with statistics of the training split computed by
 * Spark, turn it into minibatches and evaluate on it; the driver holds only those statistics, the label index and
 * the 256-row probe batch. Its fingerprint is SHA-256 over per-file content hashes computed on the executors.
 *
 * <p>Reproducibility: every random choice — subsample, split, probe rows, each epoch's order and partitioning — is
 * a seeded hash of the row's content, never of its position. Spark's {@code rand}, {@code randomSplit} and range
 * partitioning depend on how files are packed into partitions (so on the cluster's cores) and on internal RDD ids
 * (so on what ran before in the JVM); a replay with them trained on other minibatches from epoch 3 on. Identical rows
 * get the same key, which is harmless: swapping them changes nothing.
 */
public final class ParquetData implements DistributedData, DatasetIdentity, Serializable {
    private static final int EVALUATION_BATCH = 1024;

    private final transient SparkSession spark;
    private final transient Dataset<Row> train;
    private final transient JavaRDD<DataSet> trainEvaluation;
    private final transient JavaRDD<DataSet> testEvaluation;
    private final transient INDArray probeX;
    private final transient INDArray probeY;
    private final String name;
    private final String sha256;
    private final Task task;
    private final int features;
    private final int outputs;
    private final int trainRows;
    private final int testRows;
    private final Rows rows;

    private ParquetData(SparkSession spark, Dataset<Row> train, Dataset<Row> test, String name, String sha256,
                        Task task, int features, int outputs, Rows rows) {
        this.spark = spark;
        this.train = train;
        this.name = name;
        this.sha256 = sha256;
        this.task = task;
        this.features = features;
        this.outputs = outputs;
        this.rows = rows;
        this.trainEvaluation = train.javaRDD().mapPartitions(rows.batches(EVALUATION_BATCH))
                .persist(StorageLevel.MEMORY_AND_DISK());
        this.testEvaluation = test.javaRDD().mapPartitions(rows.batches(EVALUATION_BATCH))
                .persist(StorageLevel.MEMORY_AND_DISK());
        this.trainRows = Math.toIntExact(train.count());
        this.testRows = Math.toIntExact(test.count());
        // The probe batch is the only sample of rows the driver ever holds.
        DataSet probe = rows.batch(train.orderBy(key("probe"), functions.col("x"), functions.col("y"))
                .limit(Dl4jCellTrainer.probeRows()).collectAsList());
        this.probeX = probe.getFeatures();
        this.probeY = probe.getLabels();
    }

    /**
     * Reads and validates the table and computes what the driver keeps of it.
     *
     * @throws DataException naming the table and column of any problem
     */
    public static ParquetData load(SparkSession spark, DatasetSpec spec, long dataSeed, Precision precision) {
        String path = spec.text("path");
        Dataset<Row> all = normalize(read(spark, path), spec, path);
        Dataset<Row> train;
        Dataset<Row> test;
        Integer subsample = spec.optionalCount("subsample");
        if (subsample != null) {
            all = all.orderBy(key("subsample|" + dataSeed), functions.col("x"), functions.col("y")).limit(subsample);
        }
        if (spec.text("test-path") != null) {
            train = all;
            test = normalize(read(spark, spec.text("test-path")), spec, spec.text("test-path"));
        } else {
            double f = spec.number("test-fraction");
            Column inTest = unit(key("split|" + dataSeed)).lt(f);
            train = all.where(functions.not(inTest));
            test = all.where(inTest);
        }
        boolean regression = spec.text("task").equals("regression");
        int width = ((Number) train.select(functions.max(functions.size(functions.col("x")))).first().get(0))
                .intValue();
        long ragged = train.where(functions.size(functions.col("x")).notEqual(width)).count()
                + test.where(functions.size(functions.col("x")).notEqual(width)).count();
        if (ragged > 0) {
            throw new DataException(path, ragged + " rows", null, "do not have " + width + " features");
        }

        // Standardization from the training split only, computed by the executors.
        double[] mean = new double[width];
        double[] scale = new double[width];
        Arrays.fill(scale, 1);
        if (spec.flag("standardize")) {
            List<Column> stats = new ArrayList<>();
            for (int i = 0; i < width; i++) {
                stats.add(functions.avg(functions.col("x").getItem(i)));
                stats.add(functions.stddev_pop(functions.col("x").getItem(i)));
            }
            Row row = train.agg(stats.get(0), stats.subList(1, stats.size()).toArray(Column[]::new)).first();
            for (int i = 0; i < width; i++) {
                mean[i] = row.getDouble(2 * i);
                double std = row.getDouble(2 * i + 1);
                scale[i] = std > 1e-12 ? 1 / std : 1;
            }
        }
        Map<String, Integer> index = new TreeMap<>();
        int outputs;
        if (regression) {
            outputs = 1;
        } else if (all.schema().apply("y").dataType().equals(DataTypes.StringType)) {
            for (Row r : train.select("y").union(test.select("y")).distinct().collectAsList()) {
                index.put(r.getString(0), 0);
            }
            int i = 0;
            for (Map.Entry<String, Integer> e : index.entrySet()) {
                e.setValue(i++);
            }
            outputs = index.size();
        } else {
            Dataset<Row> labels = train.select("y").union(test.select("y"));
            long bad = labels.where(functions.col("y").lt(0).or(functions.col("y")
                    .notEqual(functions.floor(functions.col("y"))))).count();
            if (bad > 0) {
                throw new DataException(path, bad + " rows", spec.text("label"), "have labels that are not class "
                        + "indices 0, 1, 2, ...");
            }
            int max = (int) labels.agg(functions.max("y")).first().getDouble(0);
            Integer classes = spec.optionalCount("classes");
            if (classes != null && max >= classes) {
                throw new DataException(path, "labels", spec.text("label"), "label " + max
                        + " is out of range for classes " + classes + " (0.." + (classes - 1) + ")");
            }
            outputs = classes != null ? classes : max + 1;
        }
        Rows rows = new Rows(width, outputs, regression, mean, scale, index, precision);
        String sha = Hashing.sha256Hex(fileHashes(spark, path) + "|" + (spec.text("test-path") == null ? "-"
                : fileHashes(spark, spec.text("test-path"))) + "|" + spec.label() + "|data-seed=" + dataSeed
                + "|distributed");
        train = train.persist(StorageLevel.MEMORY_AND_DISK());
        return new ParquetData(spark, train, test, spec.label(), sha,
                regression ? Task.REGRESSION : Task.CLASSIFICATION, width, outputs, rows);
    }

    /** The table as two columns: {@code x} (array of double features) and {@code y} (label). */
    private static Dataset<Row> normalize(Dataset<Row> frame, DatasetSpec spec, String path) {
        String label = spec.text("label");
        StructField labelField = field(frame, label, path);
        boolean regression = spec.text("task").equals("regression");
        boolean textLabels = labelField.dataType().equals(DataTypes.StringType) && !regression;
        if (!(labelField.dataType() instanceof NumericType) && !textLabels) {
            throw new DataException(path, "schema", label, "has type " + labelField.dataType().simpleString()
                    + "; labels must be numeric" + (regression ? "" : " or strings"));
        }
        Column x;
        List<String> checked = new ArrayList<>();
        if (spec.text("vector-column") != null) {
            String vector = spec.text("vector-column");
            DataType type = field(frame, vector, path).dataType();
            if (!(type instanceof ArrayType array) || !(array.elementType() instanceof NumericType)) {
                throw new DataException(path, "schema", vector, "has type " + type.simpleString()
                        + "; vector-column must be an array of numbers");
            }
            x = functions.col(vector).cast("array<double>");
            checked.add(vector);
        } else {
            List<String> names = spec.texts("features") != null ? spec.texts("features")
                    : Arrays.stream(frame.schema().fields()).filter(f -> !f.name().equals(label)
                    && f.dataType() instanceof NumericType).map(StructField::name).toList();
            for (String name : names) {
                if (!(field(frame, name, path).dataType() instanceof NumericType)) {
                    throw new DataException(path, "schema", name, "has type "
                            + field(frame, name, path).dataType().simpleString() + "; features must be numeric");
                }
            }
            x = functions.array(names.stream().map(n -> functions.col(n).cast("double")).toArray(Column[]::new));
            checked.addAll(names);
        }
        checked.add(label);
        Column missing = functions.lit(false);
        for (String name : checked) {
            missing = missing.or(functions.col(name).isNull());
        }
        long nulls = frame.where(missing).count();
        if (nulls > 0) {
            throw new DataException(path, nulls + " rows", null, "have a missing value in "
                    + String.join(", ", checked));
        }
        return frame.select(x.as("x"), (textLabels ? functions.col(label) : functions.col(label).cast("double"))
                .as("y"));
    }

    /** A 64-bit key from the row's content and a seed: the same for the same row wherever it is read. */
    private static Column key(String purpose) {
        return functions.xxhash64(functions.lit(Hashing.seed(purpose)), functions.col("x"), functions.col("y"));
    }

    /** The key as a uniform number in [0, 1). */
    private static Column unit(Column key) {
        return functions.pmod(key, functions.lit(1L << 53)).cast("double").divide((double) (1L << 53));
    }

    private static Dataset<Row> read(SparkSession spark, String path) {
        try {
            return spark.read().parquet(Warehouse.qualify(path, spark).toString());
        } catch (RuntimeException e) {
            throw new DataException(path, "is not readable Parquet: " + e.getMessage().lines().findFirst()
                    .orElse(e.toString()), e);
        }
    }

    private static StructField field(Dataset<Row> frame, String name, String path) {
        return Arrays.stream(frame.schema().fields()).filter(f -> f.name().equals(name)).findFirst().orElseThrow(() ->
                new DataException(path, "schema", name, "no such column; columns are "
                        + String.join(", ", frame.columns())));
    }

    /** SHA-256 of every data file, computed where the files are read, combined in name order. */
    private static String fileHashes(SparkSession spark, String path) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String> hashes = new ArrayList<>(jsc.binaryFiles(Warehouse.qualify(path, spark).toString())
                .filter(f -> {
                    String name = f._1().substring(f._1().lastIndexOf('/') + 1);
                    return !name.startsWith("_") && !name.startsWith(".");
                })
                .map(f -> {
                    java.security.MessageDigest digest = Hashing.sha256();
                    try (java.io.DataInputStream in = f._2().open()) {
                        byte[] buffer = new byte[1 << 16];
                        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                            digest.update(buffer, 0, n);
                        }
                    }
                    return f._1().substring(f._1().lastIndexOf('/') + 1) + ":"
                            + java.util.HexFormat.of().formatHex(digest.digest());
                }).collect());
        hashes.sort(null);
        return String.join(",", hashes);
    }

    @Override
    public JavaRDD<DataSet> minibatches(Cell cell, int epoch, int size, int partitions) {
        // Hash partitioning by an explicit count is left alone by adaptive execution; sorting within each
        // partition makes the order independent of the order shuffle blocks arrive in.
        Column order = key("epoch|" + cell.orderSeed() + "|" + epoch);
        return train.withColumn("_order", order).repartition(partitions, functions.col("_order"))
                .sortWithinPartitions("_order", "x", "y").drop("_order").javaRDD().mapPartitions(rows.batches(size));
    }

    @Override
    public double trainLoss(MultiLayerNetwork network) {
        return score(trainEvaluation, network)[0];
    }

    @Override
    public Dl4jCellTrainer.TestMetrics test(MultiLayerNetwork network) {
        double[] score = score(testEvaluation, network);
        return new Dl4jCellTrainer.TestMetrics(score[0], task == Task.CLASSIFICATION ? score[1] : null);
    }

    /**
     * Mean loss and accuracy of the network over a split, computed where the split lives. The partition sums are
     * added in partition order on the driver: DL4J's {@code calculateScore} adds them in the order tasks finish,
     * which changes the last bits from run to run.
     */
    private double[] score(JavaRDD<DataSet> split, MultiLayerNetwork network) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String configuration = network.getLayerWiseConfigurations().toJson();
        Broadcast<INDArray> parameters = jsc.broadcast(network.params().dup());
        try {
            List<double[]> partitions = new ArrayList<>(split.mapPartitionsWithIndex((index, batches) -> {
                MultiLayerNetwork copy = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(configuration));
                copy.init(parameters.value(), false);
                double loss = 0;
                double correct = 0;
                long examples = 0;
                while (batches.hasNext()) {
                    DataSet batch = batches.next();
                    int n = batch.numExamples();
                    loss += copy.score(batch, false) * n;
                    if (batch.getLabels().columns() > 1) {
                        correct += copy.output(batch.getFeatures(), false).argMax(1)
                                .eq(batch.getLabels().argMax(1)).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sumNumber().doubleValue();
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

    @Override
    public DatasetIdentity identity() {
        return this;
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
    public String name() {
        return name;
    }

    @Override
    public String sha256() {
        return sha256;
    }

    @Override
    public Task task() {
        return task;
    }

    @Override
    public int features() {
        return features;
    }

    @Override
    public int outputs() {
        return outputs;
    }

    @Override
    public int trainRows() {
        return trainRows;
    }

    @Override
    public int testRows() {
        return testRows;
    }

    @Override
    public String toString() {
        return name + " [" + task.canonicalName() + ", " + trainRows + "+" + testRows + " rows, " + features
                + " features, " + outputs + " outputs, distributed, sha256 " + sha256.substring(0, 12) + "]";
    }

    /** Row → example conversion, shipped to the executors: standardization, label index, one-hot. */
    record Rows(int features, int outputs, boolean regression, double[] mean, double[] scale,
                Map<String, Integer> labelIndex, Precision precision) implements Serializable {

        FlatMapFunction<Iterator<Row>, DataSet> batches(int size) {
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
                    return batch(chunk);
                }
            };
        }

        DataSet batch(List<Row> chunk) {
            float[] x = new float[chunk.size() * features];
            float[] y = new float[chunk.size() * outputs];
            for (int r = 0; r < chunk.size(); r++) {
                List<Double> values = chunk.get(r).getList(0);
                for (int f = 0; f < features; f++) {
                    x[r * features + f] = (float) ((values.get(f) - mean[f]) * scale[f]);
                }
                Object label = chunk.get(r).get(1);
                if (regression) {
                    y[r * outputs] = ((Number) label).floatValue();
                } else {
                    int c = label instanceof String s ? labelIndex.get(s) : ((Number) label).intValue();
                    y[r * outputs + c] = 1f;
                }
            }
            return new DataSet(Networks.matrix(x, chunk.size(), features, precision),
                    Networks.matrix(y, chunk.size(), outputs, precision));
        }
    }
}
