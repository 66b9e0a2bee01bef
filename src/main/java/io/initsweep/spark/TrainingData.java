package io.initsweep.spark;

import io.initsweep.data.Dataset;
import io.initsweep.data.DatasetIdentity;

import java.util.Objects;
import java.util.function.Function;

/**
 * The data a sweep's cells train on, decided once when the sweep's datasets are loaded ({@link SweepDatasets}):
 * rows in the driver's memory, shipped to the executors, or a table that stays distributed on them. Code that must
 * treat the two differently matches over this sealed type with {@link #match}, which takes one case per kind: a
 * third kind could not be forgotten anywhere. (Java 17's switch has no type patterns; they are a preview there.)
 */
public sealed interface TrainingData permits TrainingData.InMemory, DistributedTable {

    /** What the data is, wherever it lives: for cell ids, network shapes and the tables. */
    DatasetIdentity identity();

    /** Applies the case for this data's kind. */
    <R> R match(Function<InMemory, R> inMemory, Function<DistributedTable, R> distributed);

    /** Rows read and prepared on the driver: every generated or file dataset but a data-parallel Parquet table. */
    record InMemory(Dataset rows) implements TrainingData {
        public InMemory {
            Objects.requireNonNull(rows, "rows is null");
        }

        @Override
        public DatasetIdentity identity() {
            return rows.identity();
        }

        @Override
        public <R> R match(Function<InMemory, R> inMemory, Function<DistributedTable, R> distributed) {
            return inMemory.apply(this);
        }

        @Override
        public String toString() {
            return rows.toString();
        }
    }
}
