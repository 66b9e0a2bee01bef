package io.initsweep.data;

import java.io.InputStream;

/**
 * How the driver reaches dataset files: local paths and any Hadoop file system (the Spark layer provides it), and
 * Parquet through Spark. Implementations report a missing, unreachable or unreadable location as a
 * {@link DataException} naming it.
 */
public interface Storage {

    /** Opens a file. @throws DataException if it is missing or cannot be read */
    InputStream open(String location);

    /**
     * Reads a Parquet file or directory into rows whose labels are still text (the spec says which columns).
     *
     * @param location the {@code path} or {@code test-path} of the spec
     * @throws DataException naming the location, file, row and column of any problem
     */
    Columns readParquet(DatasetSpec spec, String location);
}
