package io.initsweep.bench;

import io.initsweep.data.Dataset;
import io.initsweep.data.Datasets;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.dl4j.Networks;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.grid.NetworkLayout;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A benchmark cell: relu, SGD (learning rate 0.01), batch 64, 5 epochs, on 1280 Gaussian blobs of 32 features and
 * 10 classes (1024 training rows, 256 test rows), at a given width and depth: an MLP with he_normal, or a residual
 * network of {@code depth} blocks of 2 dense layers with Fixup (every structure a residual cell can have: scalar
 * biases, branch multipliers, zero-initialized layers, residual additions); or a cnn on bar images ({@link #cnn},
 * where {@code width} is the channels).
 */
record ReferenceCell(int width, int depth, Cell cell, Dataset dataset) {
    static final int EPOCHS = 5;
    static final int BATCH = 64;

    static ReferenceCell of(int width, int depth) {
        return seeds(width, depth, 1).get(0);
    }

    /** The reference cell of seeds 0..k−1: their own initial weights and minibatch orders, the same data. */
    static List<ReferenceCell> seeds(int width, int depth, int k) {
        SweepSpec spec = SpecParser.parse("""
                name: bench
                seeds: %d
                grid: {scheme: [he_normal]}
                model: {depth: %d, width: %d, activation: relu}
                training: {epochs: %d, batch-size: %d, optimizer: sgd, learning-rate: 0.01}
                data: {dataset: blobs, samples: 1280, features: 32, classes: 10, test-fraction: 0.2}
                """.formatted(k, depth, width, EPOCHS, BATCH), "bench");
        return expand(spec, width, depth);
    }

    /** A residual network of {@code blocks} Fixup blocks of 2 dense layers. */
    static ReferenceCell residual(int width, int blocks) {
        SweepSpec spec = SpecParser.parse("""
                name: bench
                seeds: 1
                grid: {scheme: [fixup]}
                model: {architecture: residual, depth: %d, block-depth: 2, width: %d, activation: relu}
                training: {epochs: %d, batch-size: %d, optimizer: sgd, learning-rate: 0.01}
                data: {dataset: blobs, samples: 1280, features: 32, classes: 10, test-fraction: 0.2}
                """.formatted(blocks, width, EPOCHS, BATCH), "bench");
        return expand(spec, width, blocks).get(0);
    }

    /**
     * A cnn of {@code depth} 3×3 convolutions of {@code channels} channels (stride 2 at layer 2, so that the
     * asymmetric same padding of a stride on an even size is compared too), global average pooling and the output
     * layer, He normal, on 1280 bar images of 16×16 in 4 classes (1024 training rows, 256 test rows).
     */
    static ReferenceCell cnn(int channels, int depth) {
        SweepSpec spec = SpecParser.parse("""
                name: bench
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {architecture: cnn, depth: %d, channels: %d, downsample-every: 2, activation: relu}
                training: {epochs: %d, batch-size: %d, optimizer: sgd, learning-rate: 0.01}
                data: {dataset: bars, samples: 1280, size: 16, test-fraction: 0.2}
                """.formatted(depth, channels, EPOCHS, BATCH), "bench");
        return expand(spec, channels, depth).get(0);
    }

    boolean isResidual() {
        return cell.settings().residual();
    }

    boolean isCnn() {
        return cell.settings().cnn();
    }

    /** The spec's cells on its dataset. */
    private static List<ReferenceCell> expand(SweepSpec spec, int width, int depth) {
        Dataset dataset = Datasets.synthetic(spec.dataset(), 0);
        List<Cell> cells = Grid.expand(spec, Map.of(0L, dataset.identity()));
        return cells.stream().map(cell -> new ReferenceCell(width, depth, cell, dataset)).toList();
    }

    String name() {
        return isResidual() ? "res " + depth + "×2×" + width : isCnn() ? "cnn " + depth + "×" + width + "ch"
                : depth + "×" + width;
    }

    /**
     * Multiply-add work of one cell, ×2 for FLOPs: per example and layer, 2·in·out forward and 4·in·out backward
     * (a convolution: its multiply-adds at every output position in place of in·out)
     * (gradients of the input and of the weights). Training: every training row each epoch; evaluation: the
     * training split once at epoch 0, the test split forward and the probe batch forward and backward after each
     * epoch and at epoch 0.
     */
    double flops() {
        // 2·in·out per dense layer; a convolution's multiply-adds at every output position
        double forwardPerExample = 2.0 * Grid.layout(cell.settings(), dataset.identity()).multiplyAdds();
        double train = 3 * forwardPerExample * dataset.trainRows() * EPOCHS;
        double evaluation = forwardPerExample * dataset.trainRows()
                + (EPOCHS + 1) * (forwardPerExample * dataset.testRows() + 3 * forwardPerExample * dataset.probeRows());
        return train + evaluation;
    }

    /**
     * Writes what the PyTorch worker needs to train the identical cell: the data, the minibatch order of every
     * epoch and the initial weights, as drawn by initsweep. Little-endian: int32 header length, JSON header, then
     * float32 and int32 arrays.
     */
    void export(Path file) throws IOException {
        NetworkLayout layout = Grid.layout(cell.settings(), dataset.identity());
        List<List<Integer>> layers = new ArrayList<>();
        List<Boolean> biases = new ArrayList<>();
        // a convolution: [C_out, C_in, k, stride, pad top, pad bottom, pad left, pad right] (DL4J's same padding,
        // which puts the odd one of an uneven total after the last row and column); null for a dense layer
        List<List<Integer>> convolutions = new ArrayList<>();
        for (NetworkLayout.Layer layer : layout.layers()) {
            layers.add(List.of(layer.fanIn(), layer.fanOut()));
            biases.add(layer.hasBias());
            NetworkLayout.Conv c = layer.conv();
            convolutions.add(c == null ? null : List.of(c.kernel().outChannels(), c.kernel().inChannels(),
                    c.kernel().height(), c.stride(), c.padTop(), c.padRows() - c.padTop(), c.padLeft(),
                    c.padColumns() - c.padLeft()));
        }
        Map<String, Object> fields = new java.util.LinkedHashMap<>(Map.of(
                "features", dataset.features(), "classes", dataset.outputs(), "train_rows", dataset.trainRows(),
                "test_rows", dataset.testRows(), "epochs", EPOCHS, "batch_size", BATCH,
                "learning_rate", cell.settings().learningRate(), "layers", layers, "has_bias", biases));
        // the residual structure, as GraphPlan builds it: blocks of block_depth [scalar bias →] relu [→ scalar
        // bias] → dense units, the branch times branch_scale, times a learnable multiplier [+ scalar bias], added
        fields.put("architecture", cell.settings().architecture().canonicalName());
        fields.put("blocks", layout.blocks());
        fields.put("block_depth", layout.blockDepth());
        fields.put("branch_scale", layout.branchScale());
        fields.put("multiplier", layout.hasBranchMultiplier() ? layout.branchMultiplier() : null);
        fields.put("scalar_biases", layout.scalarBiases());
        fields.put("convolutions", convolutions);
        fields.put("input_shape", dataset.identity().inputShape());
        String header = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(fields);
        try (OutputStream raw = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw, 1 << 16))) {
            byte[] json = header.getBytes(StandardCharsets.UTF_8);
            out.write(ints(new int[] {json.length}));
            out.write(json);
            out.write(floats(dataset.trainX()));
            out.write(ints(labels(dataset.trainY(), dataset.outputs())));
            out.write(floats(dataset.testX()));
            out.write(ints(labels(dataset.testY(), dataset.outputs())));
            for (int epoch = 1; epoch <= EPOCHS; epoch++) {
                out.write(ints(Dl4jCellTrainer.epochOrder(cell, epoch, dataset.trainRows())));
            }
            for (NetworkLayout.Layer layer : layout.layers()) {
                // a kernel in KernelShape's layout [C_out, C_in, k, k]: DL4J's, and PyTorch's Conv2d weight's
                long seed = Networks.layerSeed(cell.initSeed(), layer.index());
                double[] w = layer.isConvolution() ? layer.init().sample(layer.conv().kernel(), seed)
                        : layer.init().sample(layer.fanIn(), layer.fanOut(), seed);
                float[] f = new float[w.length];
                for (int i = 0; i < w.length; i++) {
                    f[i] = (float) w[i];
                }
                out.write(floats(f));
            }
        }
    }

    private static int[] labels(float[] oneHot, int classes) {
        int[] labels = new int[oneHot.length / classes];
        for (int r = 0; r < labels.length; r++) {
            for (int c = 0; c < classes; c++) {
                if (oneHot[r * classes + c] == 1f) {
                    labels[r] = c;
                }
            }
        }
        return labels;
    }

    private static byte[] floats(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    private static byte[] ints(int[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asIntBuffer().put(values);
        return buffer.array();
    }
}
