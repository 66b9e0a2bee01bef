package io.initsweep.spark;

import io.initsweep.data.DataException;
import io.initsweep.data.DatasetSpec;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
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
import org.apache.spark.sql.types.StructType;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A Parquet file or directory named by a dataset spec, checked in one place for both ways a table is used (read
 * into the driver, or kept distributed): every data file is Parquet, the label and feature columns exist with usable
 * types, and no row has a missing, non-finite or ragged value. The table comes back as two columns, {@code x} (array
 * of double features) and {@code y} (the label: double, or string for text class labels).
 *
 * @param location   the spec's {@code path} or {@code test-path}, for messages
 * @param files      the data files, in path order (the order rows are read into the driver)
 * @param schema     the table's schema as Spark reads the whole location
 * @param normalization the two columns {@code x}, {@code y} as expressions over that schema
 * @param rows       the normalized table: {@code x}, {@code y}
 * @param featureColumns the feature columns, in {@code x}'s order; empty for a {@code vector-column}
 * @param features   values in every {@code x}
 * @param rowCount   rows in the table
 * @param textLabels whether {@code y} holds text class labels
 */
record ParquetTable(String location, List<Path> files, StructType schema, List<Column> normalization,
                    Dataset<Row> rows, List<String> featureColumns, int features, long rowCount,
                    boolean textLabels) {

    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    /**
     * Reads and checks a location: one Spark job over the table, after a look at every file's first and last bytes.
     *
     * @throws DataException naming the location, the offending file or column, and the count of bad rows
     */
    static ParquetTable read(SparkSession spark, DatasetSpec spec, String location) {
        List<Path> files = dataFiles(spark, location);
        Dataset<Row> frame;
        try {
            frame = spark.read().parquet(HadoopStorage.qualify(location, spark).toString());
        } catch (RuntimeException e) {
            throw new DataException(location, "is not readable Parquet: " + firstLine(e), e);
        }
        String label = spec.text("label");
        StructField labelField = field(frame, label, location);
        boolean regression = spec.text("task").equals("regression");
        boolean textLabels = labelField.dataType().equals(DataTypes.StringType) && !regression;
        if (!(labelField.dataType() instanceof NumericType) && !textLabels) {
            throw new DataException(location, "schema", label, "has type " + labelField.dataType().simpleString()
                    + "; labels must be numeric" + (regression ? "" : " or strings"));
        }
        Column x;
        List<String> used = new ArrayList<>();
        List<String> featureColumns = List.of();
        String vector = spec.text("vector-column");
        if (vector != null) {
            DataType type = field(frame, vector, location).dataType();
            if (!(type instanceof ArrayType array) || !(array.elementType() instanceof NumericType)) {
                throw new DataException(location, "schema", vector, "has type " + type.simpleString()
                        + "; vector-column must be an array of numbers");
            }
            x = functions.col(vector).cast("array<double>");
            used.add(vector);
        } else {
            List<String> names = spec.texts("features") != null ? spec.texts("features")
                    : Arrays.stream(frame.schema().fields()).filter(f -> !f.name().equals(label)
                    && f.dataType() instanceof NumericType).map(StructField::name).toList();
            if (names.isEmpty()) {
                throw new DataException(location, "schema", null, "has no numeric column besides the label "
                        + label);
            }
            for (String name : names) {
                DataType type = field(frame, name, location).dataType();
                if (!(type instanceof NumericType)) {
                    throw new DataException(location, "schema", name, "has type " + type.simpleString()
                            + "; features must be numeric");
                }
            }
            x = functions.array(names.stream().map(n -> functions.col(n).cast("double")).toArray(Column[]::new));
            used.addAll(names);
            featureColumns = List.copyOf(names);
        }
        used.add(label);
        Column y = textLabels ? functions.col(label) : functions.col(label).cast("double");
        List<Column> normalization = List.of(x.as("x"), y.as("y"));
        Dataset<Row> rows = frame.select(normalization.toArray(Column[]::new));

        // Every row check in one pass over the table.
        Row counts;
        try {
            counts = rows.agg(functions.count(functions.lit(1)),
                    count("x is null or y is null or exists(x, v -> v is null)"),
                    count("exists(x, v -> isnan(v) or abs(v) > " + Float.MAX_VALUE + ")"
                            + (textLabels ? "" : " or isnan(y) or abs(y) > " + Float.MAX_VALUE)),
                    functions.min(functions.size(functions.col("x"))),
                    functions.max(functions.size(functions.col("x")))).first();
        } catch (RuntimeException e) {
            throw new DataException(location, "cannot be read as one table (do its files share a schema?): "
                    + firstLine(e), e);
        }
        long total = counts.getLong(0);
        if (total == 0) {
            throw new DataException(location, "file", null, "has no rows");
        }
        if (counts.getLong(1) > 0) {
            throw new DataException(location, counts.getLong(1) + " rows", null, "have a missing value in "
                    + String.join(", ", used));
        }
        if (counts.getLong(2) > 0) {
            throw new DataException(location, counts.getLong(2) + " rows", null, "have a NaN, infinite or "
                    + "beyond-float value in " + String.join(", ", used));
        }
        int min = counts.getInt(3);
        int max = counts.getInt(4);
        if (min != max) {
            throw new DataException(location, "rows", vector, "have between " + min + " and " + max
                    + " values (ragged vectors); every row needs the same number");
        }
        if (max < 1) {
            throw new DataException(location, "schema", vector, "vectors are empty");
        }
        return new ParquetTable(location, files, frame.schema(), normalization, rows, featureColumns, max, total,
                textLabels);
    }

    /** One data file of the table, read with the table's schema and normalized like the whole. */
    Dataset<Row> file(SparkSession spark, Path file) {
        try {
            return spark.read().schema(schema).parquet(file.toString()).select(normalization.toArray(Column[]::new));
        } catch (RuntimeException e) {
            throw new DataException(location, "file " + file + " is not readable Parquet: " + firstLine(e), e);
        }
    }

    private static Column count(String condition) {
        return functions.count(functions.when(functions.expr(condition), functions.lit(1)));
    }

    /**
     * The data files of a file or directory (and its subdirectories, as Spark reads them): names starting with
     * {@code _} or {@code .} are Spark's and Hadoop's bookkeeping, empty files hold no rows. Each must be Parquet:
     * Spark would otherwise fail deep inside a task, with a stack trace instead of the file's name.
     */
    static List<Path> dataFiles(SparkSession spark, String location) {
        Path path = HadoopStorage.qualify(location, spark);
        FileSystem fs = HadoopStorage.fileSystem(location, spark);
        try {
            FileStatus status = fs.getFileStatus(path);
            List<Path> files = new ArrayList<>();
            if (status.isDirectory()) {
                collect(fs, status, files);
                if (files.isEmpty()) {
                    throw new DataException(location, "directory", null, "holds no Parquet files");
                }
                files.sort(Comparator.comparing(Path::toString));
            } else {
                files.add(status.getPath());
            }
            for (Path file : files) {
                checkMagic(fs, file, location, status.isDirectory());
            }
            return files;
        } catch (FileNotFoundException e) {
            throw new DataException(location, "file", null, "does not exist");
        } catch (IOException e) {
            throw new DataException(location, "cannot be read: " + e.getMessage(), e);
        }
    }

    private static void collect(FileSystem fs, FileStatus directory, List<Path> files) throws IOException {
        for (FileStatus child : fs.listStatus(directory.getPath())) {
            String name = child.getPath().getName();
            if (name.startsWith("_") || name.startsWith(".")) {
                continue;
            }
            if (child.isDirectory()) {
                collect(fs, child, files);
            } else if (child.getLen() > 0) {
                files.add(child.getPath());
            }
        }
    }

    /** A Parquet file starts and ends with the magic number {@code PAR1}. */
    private static void checkMagic(FileSystem fs, Path file, String location, boolean inDirectory)
            throws IOException {
        long length = fs.getFileStatus(file).getLen();
        byte[] head = new byte[MAGIC.length];
        byte[] tail = new byte[MAGIC.length];
        boolean parquet = false;
        if (length >= 3L * MAGIC.length) { // magic, footer length, magic at least
            try (FSDataInputStream in = fs.open(file)) {
                in.readFully(0, head);
                in.readFully(length - MAGIC.length, tail);
            }
            parquet = Arrays.equals(head, MAGIC) && Arrays.equals(tail, MAGIC);
        }
        if (!parquet) {
            throw new DataException(location, inDirectory ? "file " + file.getName() : "file", null,
                    (inDirectory ? "is not Parquet (" + file + ")" : "is not a Parquet file")
                            + ": it does not start and end with the magic number PAR1"
                            + (inDirectory ? "; a Parquet directory must hold only Parquet data files" : ""));
        }
    }

    private static StructField field(Dataset<Row> frame, String name, String location) {
        return Arrays.stream(frame.schema().fields()).filter(f -> f.name().equals(name)).findFirst().orElseThrow(() ->
                new DataException(location, "schema", name, "no such column; columns are "
                        + String.join(", ", frame.columns())));
    }

    static String firstLine(Throwable e) {
        String message = e.getMessage();
        return message == null ? e.toString() : message.lines().findFirst().orElse(e.toString());
    }
}
