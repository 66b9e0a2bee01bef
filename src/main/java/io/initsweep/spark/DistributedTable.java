package io.initsweep.spark;

import io.initsweep.common.Hashing;
import io.initsweep.data.DataException;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.DatasetSpec;
import io.initsweep.data.Preprocessing;
import io.initsweep.data.Task;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A Parquet table trained on data-parallel without ever being collected to the driver: the executors read it,
 * split it (or take the separate test table) and standardize it with statistics of the training split computed by
 * Spark; the driver holds only those statistics, the label index and the 256-row probe batch. Its fingerprint is
 * SHA-256 over per-file content hashes computed on the executors. Turning rows into minibatches and evaluating
 * networks on them is the data-parallel trainer's ({@code io.initsweep.dataparallel}), through {@link #encoding}.
 *
 * <p>Reproducibility: every random choice — subsample, split, probe rows, each epoch's order and partitioning — is
 * a seeded hash of the row's content, never of its position. Spark's {@code rand}, {@code randomSplit} and range
 * partitioning depend on how files are packed into partitions (so on the cluster's cores) and on internal RDD ids
 * (so on what ran before in the JVM); a replay with them trained on other minibatches from epoch 3 on. Identical rows
 * get the same key, which is harmless: swapping them changes nothing.
 */
public final class DistributedTable implements TrainingData {
    private final DatasetIdentity identity;
    private final Dataset<Row> train;
    private final Dataset<Row> test;
    private final RowEncoding encoding;
    private final float[] probeX;
    private final float[] probeY;

    private DistributedTable(DatasetIdentity identity, Dataset<Row> train, Dataset<Row> test, RowEncoding encoding,
                             float[] probeX, float[] probeY) {
        this.identity = identity;
        this.train = train;
        this.test = test;
        this.encoding = encoding;
        this.probeX = probeX;
        this.probeY = probeY;
    }

    /**
     * Reads and validates the table and computes what the driver keeps of it.
     *
     * @throws DataException naming the table and column of any problem
     */
    public static DistributedTable load(SparkSession spark, DatasetSpec spec, long dataSeed) {
        String path = spec.text("path");
        ParquetTable table = ParquetTable.read(spark, spec, path);
        List<Integer> shape = inputShape(spec, table, path);
        ParquetTable testTable = null;
        if (spec.text("test-path") != null) {
            testTable = ParquetTable.read(spark, spec, spec.text("test-path"));
            if (testTable.features() != table.features()) {
                throw new DataException(spec.text("test-path"), "rows", null, "have " + testTable.features()
                        + " features but the rows of " + path + " have " + table.features());
            }
            if (testTable.textLabels() != table.textLabels()) {
                throw new DataException(spec.text("test-path"), "schema", spec.text("label"), "holds "
                        + (testTable.textLabels() ? "text" : "numeric") + " labels but " + path + " holds "
                        + (table.textLabels() ? "text" : "numeric") + " ones");
            }
        }
        ClassSubset subset = ClassSubset.of(spec, table, testTable, path);
        Dataset<Row> all = subset == null ? table.rows() : subset.filter(table.rows());
        if (spec.optionalCount("subsample") != null) {
            int used = Preprocessing.usedRows(spec, subset == null ? table.rowCount() : all.count(), path);
            all = all.orderBy(key("subsample|" + dataSeed), functions.col("x"), functions.col("y")).limit(used);
        }
        Dataset<Row> train;
        Dataset<Row> test;
        if (testTable != null) {
            train = all;
            test = subset == null ? testTable.rows() : subset.filter(testTable.rows());
        } else {
            double f = spec.number("test-fraction");
            Column inTest = unit(key("split|" + dataSeed)).lt(f);
            train = all.where(functions.not(inTest));
            test = all.where(inTest);
        }
        boolean regression = spec.text("task").equals("regression");
        int width = table.features();

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
        } else if (subset != null) {
            outputs = subset.classes();
            index = subset.textIndex();
        } else if (table.textLabels()) {
            for (Row r : train.select("y").union(test.select("y")).distinct().collectAsList()) {
                index.put(r.getString(0), 0);
            }
            int i = 0;
            for (Map.Entry<String, Integer> e : index.entrySet()) {
                e.setValue(i++);
            }
            outputs = index.size();
        } else {
            outputs = ClassSubset.numericClassCount(spec, train.select("y").union(test.select("y")), path);
        }
        RowEncoding encoding = new RowEncoding(width, outputs, regression, mean, scale, index,
                subset == null ? null : subset.numericIndex());
        String sha = Hashing.sha256Hex(fileHashes(spark, path) + "|" + (spec.text("test-path") == null ? "-"
                : fileHashes(spark, spec.text("test-path"))) + "|" + spec.label() + "|data-seed=" + dataSeed
                + "|distributed");
        train = train.persist(StorageLevel.MEMORY_AND_DISK());
        int trainRows = Math.toIntExact(train.count());
        int testRows = Math.toIntExact(test.count());
        if (trainRows == 0 || testRows == 0) {
            throw new DataException(path, "rows", null, "the split leaves " + trainRows + " training and "
                    + testRows + " test rows (test-fraction " + spec.number("test-fraction")
                    + "); each side needs at least one");
        }
        // The probe batch is the only sample of rows the driver ever holds.
        List<Row> probe = train.orderBy(key("probe"), functions.col("x"), functions.col("y"))
                .limit(io.initsweep.data.Dataset.PROBE_ROWS).collectAsList();
        float[] probeX = new float[probe.size() * width];
        float[] probeY = new float[probe.size() * outputs];
        for (int r = 0; r < probe.size(); r++) {
            encoding.encode(probe.get(r), probeX, probeY, r);
        }
        DatasetIdentity identity = new DatasetIdentity(spec.label(), sha,
                regression ? Task.REGRESSION : Task.CLASSIFICATION, width, outputs, trainRows, testRows, shape);
        return new DistributedTable(identity, train, test, encoding, probeX, probeY);
    }

    @Override
    public DatasetIdentity identity() {
        return identity;
    }

    @Override
    public <R> R match(Function<TrainingData.InMemory, R> inMemory, Function<DistributedTable, R> distributed) {
        return distributed.apply(this);
    }

    /** The training split, kept by the executors (persisted). */
    public Dataset<Row> train() {
        return train;
    }

    public Dataset<Row> test() {
        return test;
    }

    /** How a row of {@link #train} or {@link #test} becomes standardized features and one-hot targets. */
    public RowEncoding encoding() {
        return encoding;
    }

    /** The probe batch's features, encoded: its rows × features, row-major. */
    public float[] probeX() {
        return probeX.clone();
    }

    /** The probe batch's targets, encoded: its rows × outputs, row-major. */
    public float[] probeY() {
        return probeY.clone();
    }

    public int probeRows() {
        return probeX.length / identity.features();
    }

    /**
     * The training split in the order of one epoch: hash-partitioned into {@code partitions} by a key of each row's
     * content, the cell's order seed and the epoch, and sorted by that key within each partition.
     */
    public Dataset<Row> epoch(long orderSeed, int epoch, int partitions) {
        // Hash partitioning by an explicit count is left alone by adaptive execution; sorting within each
        // partition makes the order independent of the order shuffle blocks arrive in.
        Column order = key("epoch|" + orderSeed + "|" + epoch);
        return train.withColumn("_order", order).repartition(partitions, functions.col("_order"))
                .sortWithinPartitions("_order", "x", "y").drop("_order");
    }

    /**
     * The spec's {@code image-shape}, checked against the table's feature count, or {@code [features]}.
     *
     * @throws DataException naming the table and both numbers, with the in-memory reader's message
     */
    private static List<Integer> inputShape(DatasetSpec spec, ParquetTable table, String path) {
        List<Integer> shape = spec.counts("image-shape");
        if (shape == null) {
            return List.of(table.features());
        }
        long values = (long) shape.get(0) * shape.get(1) * shape.get(2);
        if (values != table.features()) {
            throw new DataException(path, "rows", null, "image-shape " + shape + " holds " + values
                    + " values but each row has " + table.features() + " features");
        }
        return shape;
    }

    /** A 64-bit key from the row's content and a seed: the same for the same row wherever it is read. */
    private static Column key(String purpose) {
        return functions.xxhash64(functions.lit(Hashing.seed(purpose)), functions.col("x"), functions.col("y"));
    }

    /** The key as a uniform number in [0, 1). */
    private static Column unit(Column key) {
        return functions.pmod(key, functions.lit(1L << 53)).cast("double").divide((double) (1L << 53));
    }

    /** SHA-256 of every data file, computed where the files are read, combined in name order. */
    private static String fileHashes(SparkSession spark, String path) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String> hashes = new ArrayList<>(jsc.binaryFiles(HadoopStorage.qualify(path, spark).toString())
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
    public String toString() {
        return identity.name() + " [" + identity.task().canonicalName() + ", " + identity.trainRows() + "+"
                + identity.testRows() + " rows, " + identity.features() + " features, " + identity.outputs()
                + " outputs, distributed, sha256 " + identity.sha256().substring(0, 12) + "]";
    }

    /**
     * Row → example conversion, shipped to the executors: standardization, label index, one-hot.
     *
     * @param features   values per example
     * @param outputs    target columns
     * @param regression whether the label is a target value (else a class)
     * @param mean       per feature, subtracted
     * @param scale      per feature, multiplied after subtracting the mean
     * @param labelIndex text class label → class index (empty for numeric labels)
     * @param classIndex numeric class label → class index under {@code keep-classes} (−1: not kept); null when
     *                   numeric labels are the class indices
     */
    public record RowEncoding(int features, int outputs, boolean regression, double[] mean, double[] scale,
                              Map<String, Integer> labelIndex, int[] classIndex) implements Serializable {
        public RowEncoding {
            Objects.requireNonNull(mean, "mean is null");
            Objects.requireNonNull(scale, "scale is null");
            labelIndex = Map.copyOf(labelIndex);
        }

        /** Writes one row ({@code x}, {@code y}) as example {@code r} of a batch's row-major arrays. */
        public void encode(Row row, float[] x, float[] y, int r) {
            List<Double> values = row.getList(0);
            for (int f = 0; f < features; f++) {
                x[r * features + f] = (float) ((values.get(f) - mean[f]) * scale[f]);
            }
            Object label = row.get(1);
            if (regression) {
                y[r * outputs] = ((Number) label).floatValue();
            } else {
                int c = label instanceof String s ? labelIndex.get(s) : ((Number) label).intValue();
                y[r * outputs + (classIndex == null || label instanceof String ? c : classIndex[c])] = 1f;
            }
        }
    }
}
