package io.initsweep.spark;

import io.initsweep.common.Hashing;
import io.initsweep.data.Columns;
import io.initsweep.data.DataException;
import io.initsweep.data.DatasetSpec;
import io.initsweep.data.Storage;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

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
        Path path = qualify(location, spark);
        FileSystem fs = fileSystem(location, spark);
        try {
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

    /**
     * Reads a checked Parquet table into the driver, file by file in path order, so the rows always come in the
     * same order. Labels stay text here: they are resolved with the test file's, like every format's.
     */
    @Override
    public Columns readParquet(DatasetSpec spec, String location) {
        ParquetTable table = ParquetTable.read(spark, spec, location);
        boolean regression = spec.text("task").equals("regression");
        int width = table.features();
        List<float[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> locations = new ArrayList<>();
        for (Path file : table.files()) {
            int first = rows.size();
            for (Row row : table.file(spark, file).collectAsList()) {
                String where = "row " + (rows.size() - first) + (table.files().size() > 1 ? " of " + file.getName()
                        : "");
                // Checked for the table as a whole; a file can still lack a column the directory's schema has.
                if (row.isNullAt(0) || row.isNullAt(1) || row.getList(0).size() != width) {
                    throw new DataException(location, where, null, "has a missing value");
                }
                List<Double> values = row.getList(0);
                float[] x = new float[width];
                for (int i = 0; i < width; i++) {
                    x[i] = values.get(i).floatValue();
                }
                rows.add(x);
                labels.add(labelText(row.get(1), regression));
                locations.add(where);
            }
        }
        float[] x = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, x, r * width, width);
        }
        String[] names = new String[width];
        for (int f = 0; f < width; f++) {
            names[f] = table.featureColumns().isEmpty() ? spec.text("vector-column") + "[" + f + "]"
                    : table.featureColumns().get(f);
        }
        return new Columns(location, rows.size(), width, names, x, labels.toArray(String[]::new),
                locations.toArray(String[]::new), spec.text("label"), table.textLabels() ? "category" : "index",
                hash(table.files(), location));
    }

    /** Class indices as integers ({@code 3}, not {@code 3.0}), so the label messages quote them as written. */
    private static String labelText(Object label, boolean regression) {
        if (label instanceof Double d && !regression && d == Math.rint(d) && !Double.isInfinite(d)) {
            return Long.toString(d.longValue());
        }
        return label.toString();
    }

    /** SHA-256 over the bytes of every data file, in path order. */
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

    /**
     * A location as a Hadoop path: a plain path is a local file, anything with a scheme is a Hadoop URI.
     *
     * @throws DataException if it is not a valid path or URI
     */
    static Path qualify(String location, SparkSession spark) {
        try {
            return Warehouse.qualify(location, spark);
        } catch (IllegalArgumentException e) {
            throw new DataException(location, "location", null, "is not a valid path or URI: " + e.getMessage());
        }
    }

    /**
     * The file system of a location.
     *
     * @throws DataException naming the location when its file system is unknown or its host cannot be reached
     *                       (Hadoop reports an unknown HDFS host as an unchecked exception)
     */
    static FileSystem fileSystem(String location, SparkSession spark) {
        try {
            return qualify(location, spark).getFileSystem(spark.sparkContext().hadoopConfiguration());
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException data) {
                throw data;
            }
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof UnknownHostException)) {
                cause = cause.getCause();
            }
            if (cause instanceof UnknownHostException) {
                throw new DataException(location, "cannot be reached: unknown host " + cause.getMessage(), e);
            }
            throw new DataException(location, "cannot be reached: " + ParquetTable.firstLine(e), e);
        }
    }
}
