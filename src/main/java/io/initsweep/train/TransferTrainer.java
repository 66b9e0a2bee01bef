package io.initsweep.train;

import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;
import io.initsweep.grid.SourceCell;

/**
 * Trains source networks and the transfer cells that start from them. Like {@link CellTrainer}, it never throws
 * for a network's own failure: divergence and exceptions become results.
 */
public interface TransferTrainer extends CellTrainer {

    /**
     * Trains a source network as its plain cell trains, then writes its model file.
     *
     * @param dataset the source's dataset ({@code source.cell().datasetSha256()} is its fingerprint)
     */
    SourceResult trainSource(SourceCell source, Dataset dataset);

    /**
     * Trains a transfer cell: its first {@code transfer-layers} layers copied from {@code source} bit for bit, the
     * rest drawn by the cell's schemes, trained in the cell's {@link TrainingStage}s. A source file that is not a
     * model, or whose layers do not fit the cell, makes a failed result naming the file (the driver checks a
     * {@code from-model} file before anything trains, so this is a second line).
     *
     * @param source the model file of {@code cell.source()}
     */
    CellResult train(Cell cell, Dataset dataset, SourceModel source);
}
