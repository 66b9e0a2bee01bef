package io.initsweep.data;

import java.io.InputStream;

/**
 * How the driver reaches dataset files: local paths and any Hadoop file system (the Spark layer provides it), and
 * Parquet through Spark. Implementations report a missing or unreadable location as a {@link DataException}.
 */
public interface Storage {

    /** Opens a file. @throws DataException if it is missing or cannot be read */
    InputStream open(String location);

    /**
     * Reads a Parquet file or directory into raw rows (the spec says which columns).
     *
     * @param location the {@code path} or {@code test-path} of the spec
     * @throws DataException naming the location, row and column of any problem
     */
    RawTable readParquet(DatasetSpec spec, String location);
}
