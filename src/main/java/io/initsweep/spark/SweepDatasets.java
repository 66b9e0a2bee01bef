package io.initsweep.spark;

import io.initsweep.data.DataException;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.data.DatasetKind;
import io.initsweep.data.DatasetSpec;
import io.initsweep.data.Datasets;
import io.initsweep.grid.Grid;
import io.initsweep.spec.SweepSpec;

import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The datasets of a sweep, one per data seed, and where their rows live — decided here and nowhere else. A Parquet
 * table in a data-parallel sweep stays distributed ({@link DistributedTable}): that is the case the mode exists for,
 * a table too large for one JVM. Everything else is read into the driver's memory, validated there and shipped to
 * the cells ({@link TrainingData.InMemory}).
 */
public final class SweepDatasets {
    private SweepDatasets() {
    }

    /** @throws DataException naming the file, row or column of the first problem */
    public static Map<Long, TrainingData> load(SparkSession spark, SweepSpec sweep) {
        return load(spark, sweep.dataset(), Grid.dataSeeds(sweep), sweep.execution().dataParallel());
    }

    /**
     * The data of one dataset spec for each data seed; a replayed cell loads its own this way.
     *
     * @param dataParallel whether the cells train data-parallel (a Parquet table then stays distributed)
     * @throws DataException naming the file, row or column of the first problem
     */
    public static Map<Long, TrainingData> load(SparkSession spark, DatasetSpec spec, Iterable<Long> dataSeeds,
                                               boolean dataParallel) {
        Map<Long, TrainingData> data = new LinkedHashMap<>();
        if (dataParallel && spec.kind() == DatasetKind.PARQUET) {
            for (long seed : dataSeeds) {
                data.put(seed, DistributedTable.load(spark, spec, seed));
            }
        } else {
            Datasets.load(spec, dataSeeds, new HadoopStorage(spark))
                    .forEach((seed, rows) -> data.put(seed, new TrainingData.InMemory(rows)));
        }
        return data;
    }

    /** The identities of loaded data, by data seed: all that expanding a grid needs. */
    public static Map<Long, DatasetIdentity> identities(Map<Long, ? extends TrainingData> data) {
        Map<Long, DatasetIdentity> identities = new LinkedHashMap<>();
        data.forEach((seed, d) -> identities.put(seed, d.identity()));
        return identities;
    }
}
