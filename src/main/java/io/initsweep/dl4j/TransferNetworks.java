package io.initsweep.dl4j;

import io.initsweep.data.DatasetIdentity;
import io.initsweep.grid.Cell;
import io.initsweep.train.SourceModel;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Builds a transfer cell's network: the network the cell would have from scratch — every layer drawn by its scheme
 * from its own stream ({@link Networks#weightInit}: the cell's init seed and the layer index), random biases
 * included — with its first {@code transfer-layers} layers' weights and biases then replaced by the source's, bit
 * for bit. The new layers therefore hold exactly the draws of the from-scratch cell of the same seed, and follow
 * their scheme's formula as any cell's layers do.
 */
final class TransferNetworks {
    private TransferNetworks() {
    }

    /**
     * @param file the model file of the cell's source, verified against its recorded hash before it is read
     * @throws io.initsweep.data.DataException if the file is not a model or its layers do not fit the cell
     * @throws IllegalStateException if the file's bytes do not have the recorded hash
     */
    static CellNetwork build(Cell cell, DatasetIdentity dataset, SourceModel file) {
        try (SourceNetwork source = SourceNetwork.open(file.verified())) {
            source.checkFits(cell, dataset);
            MultiLayerNetwork network = Networks.mlp(cell, dataset);
            source.copyInto(network, cell.settings().transferLayers());
            return new CellNetwork.Mlp(network);
        }
    }
}
