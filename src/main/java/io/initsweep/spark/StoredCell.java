package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.data.DatasetSpec;
import io.initsweep.grid.SourceRef;
import io.initsweep.schema.RunRows;
import io.initsweep.train.SourceModel;
import io.initsweep.schema.Tables;
import io.initsweep.spec.CellSettings;
import io.initsweep.train.EpochMetrics;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A cell as the warehouse stored it: what its {@code runs} row recorded (every setting replay needs, its dataset
 * and fingerprint, where and how it ran) and its epochs. Replay rebuilds the cell from this alone.
 *
 * @param sweep         the sweep
 * @param cellId        the cell
 * @param seed          its seed index
 * @param settings      its settings, decoded by the settings registry
 * @param coordinates   its grid coordinates
 * @param dataset       the dataset as its label names it
 * @param dataSeed      the data seed
 * @param datasetSha256 the fingerprint of the data it trained on
 * @param status        ok, diverged or failed
 * @param error         the error of a failed cell, else null
 * @param backend       the ND4J backend it ran on
 * @param nativeThreads native threads it ran with
 * @param host          where it ran
 * @param runId         the run that trained it
 * @param batchCells    cells it was trained with as one batched computation, itself included (1: alone); null if
 *                      its row was written before {@code runs} recorded it (version 4), when cells trained alone
 * @param epochs        its epochs, in order
 * @param source        a transfer cell's source network; null for any other cell
 * @param sourceSha256  SHA-256 of the source's model file as the cell read it; null for any other cell
 */
public record StoredCell(String sweep, String cellId, long seed, CellSettings settings, Map<String, String> coordinates,
                         DatasetSpec dataset, long dataSeed, String datasetSha256, String status, String error,
                         String backend, int nativeThreads, String host, String runId, Integer batchCells,
                         List<EpochMetrics> epochs, SourceRef source, String sourceSha256) {

    public StoredCell {
        Objects.requireNonNull(cellId, "cellId is null");
        coordinates = Map.copyOf(coordinates);
        epochs = List.copyOf(epochs);
    }

    /**
     * The model file of a transfer cell's source, as the sweep committed it, checked against the hash the cell
     * recorded: replay trains from exactly the network the cell trained from.
     *
     * @throws InitsweepException BAD_DATA naming the file if it is missing or its bytes changed
     */
    public SourceModel sourceModel(Warehouse warehouse) throws IOException {
        if (source == null) {
            throw new IllegalStateException("cell " + cellId + " used no source network");
        }
        SourceFiles files = new SourceFiles(warehouse, sweep);
        SourceModel model = files.read(source.sourceId()).orElseThrow(() -> new InitsweepException(
                FailureKind.BAD_DATA, files.location(source.sourceId()) + ": no such file: the model file of source "
                + source.sourceId() + ", which cell " + cellId + " keeps layers of"));
        if (!model.sha256().equals(sourceSha256)) {
            throw new InitsweepException(FailureKind.BAD_DATA, model.name() + ": the source's model file changed "
                    + "since cell " + cellId + " trained from it: its SHA-256 is " + model.sha256() + ", recorded "
                    + sourceSha256);
        }
        return model;
    }

    /**
     * The stored cell with this id, in the given sweep if one is named.
     *
     * @throws InitsweepException of kind NOT_FOUND if no sweep of the warehouse has it
     */
    public static StoredCell find(Warehouse warehouse, String cellId, String sweep) throws IOException {
        List<String> sweeps = sweep != null ? List.of(sweep) : warehouse.sweeps();
        for (String name : sweeps) {
            List<Row> runs = warehouse.read(Tables.RUNS, name).where(functions.col("cell_id").equalTo(cellId))
                    .collectAsList();
            if (!runs.isEmpty()) {
                Row run = runs.get(0);
                List<EpochMetrics> epochs = new ArrayList<>();
                for (Row row : warehouse.read(Tables.EPOCHS, name).where(functions.col("cell_id").equalTo(cellId)
                        .and(functions.col("run_id").equalTo(run.<String>getAs("run_id")))).orderBy("epoch")
                        .collectAsList()) {
                    epochs.add(RunRows.epoch(row));
                }
                return new StoredCell(name, cellId, run.<Long>getAs("seed"), RunRows.settings(run),
                        RunRows.coordinates(run.getAs("grid_point")), DatasetSpec.parse(run.getAs("dataset")),
                        run.<Long>getAs("data_seed"), run.getAs("dataset_sha256"), run.getAs("status"),
                        run.getAs("error"), run.getAs("backend"), run.<Integer>getAs("native_threads"),
                        run.getAs("host"), run.getAs("run_id"), run.<Integer>getAs("batch_cells"), epochs,
                        RunRows.source(run), RunRows.source(run) == null ? null : run.getAs("source_sha256"));
            }
        }
        throw new InitsweepException(FailureKind.NOT_FOUND, "no cell " + cellId
                + (sweep == null ? "" : " in sweep " + sweep) + " in " + warehouse.root());
    }
}
