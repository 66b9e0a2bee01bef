package io.initsweep.spark;

import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;
import io.initsweep.train.CellResult;
import io.initsweep.train.CellTrainer;
import io.initsweep.train.CellTrainerFactory;
import io.initsweep.train.SourceModel;
import io.initsweep.train.TransferTrainer;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an executor runs for one partition (one task's cells: a single cell, or cells that may share a batch): train
 * them on the broadcast dataset and return one result per cell to the driver. Nothing is written here: only the
 * driver commits, so a retried or speculative task, which trains all its cells again, can never leave a duplicate
 * row behind.
 */
final class CellTask extends AbstractFunction2<TaskContext, Iterator<List<Cell>>, ArrayList<CellResult>>
        implements Serializable {
    private static final long serialVersionUID = 3L;

    private final Broadcast<Map<String, Dataset>> datasets;
    private final String runId;
    private final int cores;
    private final boolean recordLayers;
    private final CellTrainerFactory trainers;
    /** The model files of the transfer cells' sources by source id; null when no cell transfers. */
    private final Broadcast<Map<String, SourceModel>> sources;

    /**
     * @param datasets     datasets by fingerprint
     * @param runId        the invocation
     * @param cores        cores (and native threads) per cell
     * @param recordLayers whether to measure the layers table
     * @param trainers     makes the trainer on the executor
     * @param sources      the sources' model files by source id, for transfer cells; null when no cell transfers
     */
    CellTask(Broadcast<Map<String, Dataset>> datasets, String runId, int cores, boolean recordLayers,
             CellTrainerFactory trainers, Broadcast<Map<String, SourceModel>> sources) {
        this.datasets = datasets;
        this.runId = runId;
        this.cores = cores;
        this.recordLayers = recordLayers;
        this.trainers = trainers;
        this.sources = sources;
    }

    @Override
    public ArrayList<CellResult> apply(TaskContext context, Iterator<List<Cell>> groups) {
        CellTrainer trainer = trainers.create(cores, recordLayers);
        String executor = SparkEnv.get().executorId();
        ArrayList<CellResult> results = new ArrayList<>();
        while (groups.hasNext()) {
            List<Cell> cells = groups.next();
            Dataset dataset = datasets.value().get(cells.get(0).datasetSha256());
            // a transfer cell never shares a batch (grid/CellBatches): it trains alone, from its source's file
            List<CellResult> trained = cells.get(0).source() == null ? trainer.trainGroup(cells, dataset)
                    : cells.stream().map(cell -> transferTrainer(trainer).train(cell, dataset,
                    sources.value().get(cell.source().sourceId()))).toList();
            if (trained.size() != cells.size()) {
                throw new IllegalStateException(trainer + " returned " + trained.size() + " results for "
                        + cells.size() + " cells");
            }
            for (int i = 0; i < cells.size(); i++) {
                CellResult result = trained.get(i);
                if (!result.cell().cellId().equals(cells.get(i).cellId())) {
                    throw new IllegalStateException(trainer + " returned the result of cell "
                            + result.cell().cellId() + " in the place of cell " + cells.get(i).cellId());
                }
                results.add(result.withProvenance(result.provenance().withTask(executor, runId)));
            }
        }
        return results;
    }

    static TransferTrainer transferTrainer(CellTrainer trainer) {
        if (trainer instanceof TransferTrainer transfer) {
            return transfer;
        }
        throw new IllegalStateException("a sweep with transfer cells needs a TransferTrainer, got "
                + trainer.getClass().getName());
    }
}
