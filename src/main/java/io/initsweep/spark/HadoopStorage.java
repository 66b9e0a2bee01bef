package io.initsweep.spark;

import io.initsweep.common.Hashing;
import io.initsweep.data.DataException;
import io.initsweep.data.DatasetSpec;
import io.initsweep.data.RawTable;
import io.initsweep.data.Storage;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * Dataset files through Hadoop's FileSystem (local paths, file://, hdfs://, s3a:// when its connector is on the
 * classpath) and Parquet through Spark, read on the driver once per sweep.
 */
public final class HadoopStorage implements Storage {
    private final SparkSession spark;

    public HadoopStorage(SparkSession spark) {
        this.spark = spark;
    }

    @Override
    public InputStream open(String location) {
        Path path = Warehouse.qualify(location, spark);
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            FileStatus status = fs.getFileStatus(path);
            if (status.isDirectory()) {
                throw new DataException(location, "file", null, "is a directory, not a file");
            }
            return fs.open(path);
        } catch (FileNotFoundException e) {
            throw new DataException(location, "file", null, "does not exist");
        } catch (IOException e) {
            throw new DataException(location, "cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public RawTable readParquet(DatasetSpec spec, String location) {
        List<Path> files = dataFiles(location);
        String label = spec.text("label");
        Dataset<Row> first = read(files.get(0), location);
        StructField labelField = field(first, label, location);
        boolean regression = spec.text("task").equals("regression");
        if (!(labelField.dataType() instanceof NumericType)
                && (regression || !labelField.dataType().equals(DataTypes.StringType))) {
            throw new DataException(location, "schema", label, "has type " + labelField.dataType().simpleString()
                    + "; labels must be numeric" + (regression ? "" : " or strings"));
        }
        String vector = spec.text("vector-column");
        List<String> features = new ArrayList<>();
        if (vector != null) {
            DataType type = field(first, vector, location).dataType();
            if (!(type instanceof ArrayType array) || !(array.elementType() instanceof NumericType)) {
                throw new DataException(location, "schema", vector, "has type " + type.simpleString()
                        + "; vector-column must be an array of numbers");
            }
        } else if (spec.texts("features") != null) {
            for (String name : spec.texts("features")) {
                DataType type = field(first, name, location).dataType();
                if (!(type instanceof NumericType)) {
                    throw new DataException(location, "schema", name, "has type " + type.simpleString()
                            + "; features must be numeric");
                }
                features.add(name);
            }
        } else {
            for (StructField f : first.schema().fields()) {
                if (!f.name().equals(label) && f.dataType() instanceof NumericType) {
                    features.add(f.name());
                }
            }
            if (features.isEmpty()) {
                throw new DataException(location, "schema", null, "has no numeric column besides the label " + label);
            }
        }

        List<float[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int width = vector != null ? -1 : features.size();
        for (Path file : files) {
            Dataset<Row> frame = file.equals(files.get(0)) ? first : read(file, location);
            List<org.apache.spark.sql.Column> columns = new ArrayList<>();
            columns.add(frame.col(label).cast(regression ? "double" : labelField.dataType().equals(DataTypes.StringType)
                    ? "string" : "double"));
            if (vector != null) {
                columns.add(frame.col(vector).cast("array<double>"));
            } else {
                features.forEach(f -> columns.add(frame.col(f).cast("double")));
            }
            for (Row row : frame.select(columns.toArray(org.apache.spark.sql.Column[]::new)).collectAsList()) {
                String where = "row " + rows.size();
                if (row.isNullAt(0)) {
                    throw new DataException(location, where, label, "the label is missing");
                }
                Object labelValue = row.get(0);
                labels.add(labelValue instanceof Double d && d == Math.rint(d) && !regression
                        ? Long.toString(d.longValue()) : labelValue.toString());
                float[] x;
                if (vector != null) {
                    if (row.isNullAt(1)) {
                        throw new DataException(location, where, vector, "the vector is missing");
                    }
                    List<Object> values = row.getList(1);
                    if (width < 0) {
                        width = values.size();
                    } else if (values.size() != width) {
                        throw new DataException(location, where, vector, "has " + values.size()
                                + " values but row 0 has " + width + " (ragged vectors)");
                    }
                    x = new float[width];
                    for (int i = 0; i < width; i++) {
                        x[i] = finite(values.get(i), location, where, vector + "[" + i + "]");
                    }
                } else {
                    x = new float[width];
                    for (int i = 0; i < width; i++) {
                        x[i] = finite(row.isNullAt(i + 1) ? null : row.get(i + 1), location, where, features.get(i));
                    }
                }
                rows.add(x);
            }
        }
        if (rows.isEmpty()) {
            throw new DataException(location, "file", null, "has no rows");
        }
        if (width < 1) {
            throw new DataException(location, "schema", vector, "vectors are empty");
        }
        float[] x = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, x, r * width, width);
        }
        String sha = hash(files, location);
        if (regression) {
            float[] targets = new float[labels.size()];
            for (int r = 0; r < targets.length; r++) {
                targets[r] = Float.parseFloat(labels.get(r));
            }
            return RawTable.regression(rows.size(), width, x, targets, 1, sha);
        }
        boolean text = labelField.dataType().equals(DataTypes.StringType);
        return classification(labels, text, spec.optionalCount("classes"), rows.size(), width, x, sha, location, label);
    }

    private static RawTable classification(List<String> labels, boolean text, Integer classes, int rows, int width,
                                           float[] x, String sha, String location, String column) {
        int[] indices = new int[labels.size()];
        int count;
        if (text) {
            List<String> distinct = new ArrayList<>(new TreeSet<>(labels));
            for (int r = 0; r < indices.length; r++) {
                indices[r] = distinct.indexOf(labels.get(r));
            }
            count = distinct.size();
        } else {
            int max = -1;
            for (int r = 0; r < indices.length; r++) {
                double value = Double.parseDouble(labels.get(r));
                if (value != Math.rint(value) || value < 0) {
                    throw new DataException(location, "row " + r, column, "label " + labels.get(r)
                            + " is not a class index 0, 1, 2, ...");
                }
                if (classes != null && value >= classes) {
                    throw new DataException(location, "row " + r, column, "label " + labels.get(r)
                            + " is out of range for classes " + classes + " (0.." + (classes - 1) + ")");
                }
                indices[r] = (int) value;
                max = Math.max(max, indices[r]);
            }
            count = classes != null ? classes : max + 1;
        }
        return RawTable.classification(rows, width, x, indices, count, sha);
    }

    private static float finite(Object value, String location, String where, String column) {
        if (value == null) {
            throw new DataException(location, where, column, "the value is missing");
        }
        double d = ((Number) value).doubleValue();
        if (!Double.isFinite(d) || Math.abs(d) > Float.MAX_VALUE) {
            throw new DataException(location, where, column, d + " is not a finite number");
        }
        return (float) d;
    }

    private static StructField field(Dataset<Row> frame, String name, String location) {
        return Arrays.stream(frame.schema().fields()).filter(f -> f.name().equals(name)).findFirst().orElseThrow(() ->
                new DataException(location, "schema", name, "no such column; columns are "
                        + String.join(", ", frame.columns())));
    }

    private Dataset<Row> read(Path file, String location) {
        try {
            return spark.read().parquet(file.toString());
        } catch (RuntimeException e) {
            throw new DataException(location, "is not readable Parquet: " + e.getMessage(), e);
        }
    }

    /** The Parquet data files of a file or directory, sorted by name so rows always come in the same order. */
    private List<Path> dataFiles(String location) {
        Path path = Warehouse.qualify(location, spark);
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            FileStatus status = fs.getFileStatus(path);
            if (!status.isDirectory()) {
                return List.of(status.getPath());
            }
            List<Path> files = new ArrayList<>();
            for (FileStatus child : fs.listStatus(path)) {
                String name = child.getPath().getName();
                if (child.isFile() && !name.startsWith("_") && !name.startsWith(".") && child.getLen() > 0) {
                    files.add(child.getPath());
                }
            }
            if (files.isEmpty()) {
                throw new DataException(location, "directory", null, "holds no Parquet files");
            }
            files.sort(Comparator.comparing(Path::getName));
            return files;
        } catch (FileNotFoundException e) {
            throw new DataException(location, "file", null, "does not exist");
        } catch (IOException e) {
            throw new DataException(location, "cannot be read: " + e.getMessage(), e);
        }
    }

    /** SHA-256 over the bytes of every data file, in name order. */
    private String hash(List<Path> files, String location) {
        MessageDigest digest = Hashing.sha256();
        byte[] buffer = new byte[1 << 16];
        for (Path file : files) {
            try (InputStream in = open(file.toString())) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new DataException(location, "cannot be read: " + e.getMessage(), e);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
