package io.initsweep.dl4j;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One parameter update of a ComputationGraph, as {@code ComputationGraph.fit(features, labels)} makes it, without
 * the optimizer framework around it (the MLP's {@link Dl4jCellTrainer.Step} does the same for a
 * MultiLayerNetwork, and was measured to save a fifth of a small cell's time): the graph's own forward and backward
 * pass; the gradient divided by the minibatch size except where DL4J says a "gradient" is already an update (batch
 * normalization's running mean and variance, whose updater is a no-op); each of the graph updater's blocks' own
 * update rule applied to its slice (one block unless batch normalization adds its no-op block); the result
 * subtracted from the parameters. No regularization or gradient normalization is configured, so these are all the
 * steps {@code fit} makes; {@code TestResidualNetworks} checks the bits against {@code fit}.
 */
final class GraphStep {
    private final ComputationGraph graph;
    private final List<UpdaterBlock> blocks;
    /** [from, to) ranges of the flattened gradient that are divided by the minibatch size. */
    private final List<long[]> divided;
    private int iteration;

    GraphStep(ComputationGraph graph) {
        this.graph = graph;
        this.blocks = graph.getUpdater(true).getUpdaterBlocks();
        for (UpdaterBlock block : blocks) {
            if (block.getGradientUpdater() == null) {
                block.init();
            }
        }
        this.divided = dividedRanges(graph);
    }

    /** @return the minibatch's loss before the update */
    double fit(INDArray features, INDArray labels) {
        graph.setInputs(features);
        graph.setLabels(labels);
        graph.computeGradientAndScore();
        INDArray gradient = graph.getGradientsViewArray();
        gradient = gradient.reshape(gradient.length());
        long rows = features.rows();
        for (long[] range : divided) {
            gradient.get(NDArrayIndex.interval(range[0], range[1])).divi(rows);
        }
        for (UpdaterBlock block : blocks) {
            block.getGradientUpdater().applyUpdater(block.getGradientView(), iteration, 0);
        }
        iteration++;
        INDArray params = graph.params();
        params.reshape(params.length()).subi(gradient);
        graph.getConfiguration().setIterationCount(iteration);
        return graph.score();
    }

    /**
     * The parts of the flattened gradient that hold true gradients, found from where each layer's parameters sit in
     * the flattened parameter vector (a layer's views keep their offset into it) and which of them DL4J divides.
     */
    private static List<long[]> dividedRanges(ComputationGraph graph) {
        long base = graph.params().offset();
        long total = graph.params().length();
        Map<Long, Long> excluded = new TreeMap<>();
        for (Layer layer : graph.getLayers()) {
            for (Map.Entry<String, INDArray> p : layer.paramTable(false).entrySet()) {
                if (!layer.updaterDivideByMinibatch(p.getKey())) {
                    excluded.put(p.getValue().offset() - base, p.getValue().length());
                }
            }
        }
        List<long[]> ranges = new ArrayList<>();
        long from = 0;
        for (Map.Entry<Long, Long> e : excluded.entrySet()) {
            if (e.getKey() > from) {
                ranges.add(new long[] {from, e.getKey()});
            }
            from = e.getKey() + e.getValue();
        }
        if (from < total) {
            ranges.add(new long[] {from, total});
        }
        return ranges;
    }
}
