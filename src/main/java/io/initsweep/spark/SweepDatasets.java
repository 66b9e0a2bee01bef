package io.initsweep.spark;

import io.initsweep.data.DataException;
import io.initsweep.data.Dataset;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.DatasetKind;
import io.initsweep.data.Datasets;
import io.initsweep.grid.Grid;
import io.initsweep.spec.Settings;
import io.initsweep.spec.SweepSpec;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The datasets of a sweep, one per data seed. A Parquet table in a data-parallel sweep stays distributed
 * ({@link ParquetData}): that is the case the mode exists for, a table too large for one JVM. Everything else is
 * read into the driver's memory, validated there and shipped to the cells.
 */
public final class SweepDatasets {
    private SweepDatasets() {
    }

    /**
     * @throws DataException naming the file, row or column of the first problem
     */
    public static Map<Long, DatasetIdentity> load(SparkSession spark, SweepSpec sweep) {
        Map<Long, DatasetIdentity> datasets = new LinkedHashMap<>();
        if (distributed(sweep)) {
            for (long seed : Grid.dataSeeds(sweep)) {
                datasets.put(seed, ParquetData.load(spark, sweep.dataset(), seed, sweep.sweepValue(Settings.PRECISION)));
            }
        } else {
            datasets.putAll(Datasets.load(sweep.dataset(), Grid.dataSeeds(sweep), new HadoopStorage(spark)));
        }
        return datasets;
    }

    /** Whether the sweep's rows stay on the executors. */
    public static boolean distributed(SweepSpec sweep) {
        return sweep.execution().dataParallel() && sweep.dataset().kind() == DatasetKind.PARQUET;
    }

    /** The data a data-parallel cell trains on. */
    public static DistributedData distributedData(JavaSparkContext jsc, DatasetIdentity identity,
                                           io.initsweep.model.Precision precision) {
        return identity instanceof ParquetData parquet ? parquet
                : DistributedData.inMemory(jsc, (Dataset) identity, precision);
    }
}
