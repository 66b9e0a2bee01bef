package io.initsweep.dl4j;

import io.initsweep.data.DataException;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.grid.NetworkLayout;
import io.initsweep.spec.CellSettings;
import io.initsweep.train.SourceModel;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A source network read from its model file: the chain of its layers from the input to the output layer, each with
 * its configuration and parameters, whichever DL4J class saved it. Transfer cells copy the first of these layers.
 *
 * <p>The file format is DL4J's {@link ModelSerializer} zip ({@code configuration.json} and
 * {@code coefficients.bin}; initsweep saves no updater state). A user's {@code from-model} file may hold a
 * {@code MultiLayerNetwork} or a {@code ComputationGraph} whose layers form a chain (one input, each vertex a layer
 * reading the one before). Everything that can be wrong with a file is a {@link DataException} naming the file and
 * what is wrong, so the command refuses it with exit code 2 before anything trains.
 *
 * <p>Not thread-safe; close it (or let a transfer cell's build close it) when the layers are copied.
 */
public final class SourceNetwork implements AutoCloseable {
    private final String name;
    private final String kind;
    private final List<ChainLayer> layers;
    private final Model model;

    /**
     * One layer of the chain.
     *
     * @param name         how messages name it: {@code layer 2}, or a graph's {@code layer 'dense_2'}
     * @param conf         its DL4J configuration
     * @param preprocessor what reshapes its input first, or null
     * @param params       its parameters by DL4J name ({@code W}, {@code b})
     */
    record ChainLayer(String name, org.deeplearning4j.nn.conf.layers.Layer conf, InputPreProcessor preprocessor,
                      Map<String, INDArray> params) {
    }

    private SourceNetwork(String name, String kind, List<ChainLayer> layers, Model model) {
        this.name = name;
        this.kind = kind;
        this.layers = List.copyOf(layers);
        this.model = model;
    }

    /**
     * Writes a trained network as a model file: {@link ModelSerializer}'s zip, without updater state (a transfer
     * cell starts its own optimization).
     */
    public static byte[] write(CellNetwork network) {
        Model model = network instanceof CellNetwork.Mlp mlp ? mlp.network()
                : ((CellNetwork.Graph) network).graph();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(model, bytes, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to memory", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a user's {@code from-model} file from the local file system, as the driver does before anything
     * trains.
     *
     * @param sourceId the id the file's hash gives it ({@code grid.Sources#fromModel}); may be computed after this
     *                 call from the returned model's hash, so any text will do until then
     * @throws DataException naming the file when it is missing or cannot be read
     */
    public static SourceModel read(Path file, String sourceId) {
        try {
            return SourceModel.of(sourceId, file.toString(), Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new DataException(file.toString(), "file", null, "no such file (source.from-model)");
        } catch (IOException e) {
            throw new DataException(file.toString(), "cannot be read (source.from-model): " + e.getMessage(), e);
        }
    }

    /**
     * Opens a model file.
     *
     * @throws DataException naming the file when it is not a DL4J model: not a zip archive, an archive without a
     *                       network's configuration or parameters, a configuration DL4J cannot read, a graph whose
     *                       layers do not form a chain
     */
    public static SourceNetwork open(SourceModel file) {
        String name = file.name();
        Map<String, byte[]> entries = entries(file.bytes(), name);
        byte[] configuration = entries.get(ModelSerializer.CONFIGURATION_JSON);
        if (configuration == null || !entries.containsKey(ModelSerializer.COEFFICIENTS_BIN)) {
            throw notAModel(name, "a zip archive without a network's " + (configuration == null
                    ? ModelSerializer.CONFIGURATION_JSON : ModelSerializer.COEFFICIENTS_BIN) + " (it holds "
                    + entries.keySet() + ")");
        }
        String json = new String(configuration, StandardCharsets.UTF_8);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw notAModel(name, ModelSerializer.CONFIGURATION_JSON + " is not JSON: " + e.getMessage());
        }
        try {
            if (root != null && root.has("confs")) {
                MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(
                        new ByteArrayInputStream(file.bytes()), false);
                return new SourceNetwork(name, "MultiLayerNetwork", chain(network), network);
            }
            if (root != null && root.has("vertices")) {
                ComputationGraph graph = ModelSerializer.restoreComputationGraph(
                        new ByteArrayInputStream(file.bytes()), false);
                return new SourceNetwork(name, "ComputationGraph", chain(graph, name), graph);
            }
        } catch (DataException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw notAModel(name, "DL4J cannot restore it: " + e);
        }
        throw notAModel(name, ModelSerializer.CONFIGURATION_JSON + " is neither a MultiLayerConfiguration nor a "
                + "ComputationGraphConfiguration (it has neither 'confs' nor 'vertices')");
    }

    /**
     * Checks a user's {@code from-model} file against every transfer cell of a sweep, as {@code run} does on the
     * driver after reading the data and before anything trains or is written: the file is a DL4J model, and its
     * first {@code transfer-layers} layers fit each cell ({@link #checkFits}).
     *
     * @param datasets the cells' datasets by fingerprint
     * @throws DataException naming the file and the first mismatch
     */
    public static void checkFromModel(SourceModel file, Collection<Cell> cells,
                                      Map<String, ? extends DatasetIdentity> datasets) {
        try (SourceNetwork network = open(file)) {
            Set<String> checked = new HashSet<>();
            for (Cell cell : cells) {
                if (cell.source() == null) {
                    continue;
                }
                // the settings and the dataset decide the fit; seeds do not
                if (checked.add(cell.settings().canonical() + "|" + cell.datasetSha256())) {
                    DatasetIdentity dataset = datasets.get(cell.datasetSha256());
                    if (dataset == null) {
                        throw new IllegalArgumentException("no dataset " + cell.datasetSha256() + " for cell "
                                + cell.cellId());
                    }
                    network.checkFits(cell, dataset);
                }
            }
        }
    }

    /**
     * What {@code validate} can check of a {@code from-model} file without data: it exists, is a DL4J model whose
     * layers form a chain, and has as many layers before its output layer as the grid's largest
     * {@code transfer-layers}. Shapes against the data are {@code run}'s ({@link #checkFromModel}).
     *
     * @throws DataException naming the file and the problem
     */
    public static void checkFromModel(Path file, int mostTransferLayers) {
        try (SourceNetwork network = open(read(file, "from-model"))) {
            if (mostTransferLayers > network.hiddenLayers()) {
                throw new DataException(file.toString(), "layers", null, "transfer-layers " + mostTransferLayers
                        + " but the " + network.kind() + " has " + network.hiddenLayers() + " layer(s) before its "
                        + "output layer");
            }
        }
    }

    private static Map<String, byte[]> entries(byte[] bytes, String name) {
        Map<String, byte[]> entries = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        } catch (IOException e) {
            throw notAModel(name, "not a readable zip archive: " + e.getMessage());
        }
        if (entries.isEmpty()) {
            throw notAModel(name, "not a zip archive (" + bytes.length + " bytes)");
        }
        return entries;
    }

    private static DataException notAModel(String name, String problem) {
        return new DataException(name, "file", null, "not a DL4J model file (ModelSerializer's zip): " + problem);
    }

    private static List<ChainLayer> chain(MultiLayerNetwork network) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        List<ChainLayer> chain = new ArrayList<>();
        for (int i = 0; i < network.getnLayers(); i++) {
            chain.add(new ChainLayer("layer " + i, conf.getConf(i).getLayer(), conf.getInputPreProcess(i),
                    network.getLayer(i).paramTable()));
        }
        return chain;
    }

    /** A graph's layers in the order the signal meets them, refused unless they form one chain. */
    private static List<ChainLayer> chain(ComputationGraph graph, String name) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw new DataException(name, "graph", null, "a ComputationGraph with inputs " + conf.getNetworkInputs()
                    + " and outputs " + conf.getNetworkOutputs() + "; transfer keeps layers of a chain with one "
                    + "input and one output");
        }
        List<ChainLayer> chain = new ArrayList<>();
        String previous = conf.getNetworkInputs().get(0);
        for (int index : graph.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex vertex = graph.getVertices()[index];
            if (vertex.isInputVertex()) {
                continue;
            }
            String vertexName = vertex.getVertexName();
            GraphVertex vertexConf = conf.getVertices().get(vertexName);
            List<String> inputs = conf.getVertexInputs().get(vertexName);
            if (!vertex.hasLayer() || !(vertexConf instanceof org.deeplearning4j.nn.conf.graph.LayerVertex layerVertex)) {
                throw new DataException(name, "vertex '" + vertexName + "'", null, "is a "
                        + vertexConf.getClass().getSimpleName() + ", not a layer; transfer keeps layers of a chain");
            }
            if (!List.of(previous).equals(inputs)) {
                throw new DataException(name, "vertex '" + vertexName + "'", null, "reads " + inputs + " where a "
                        + "chain would read ['" + previous + "']; transfer keeps layers of a chain");
            }
            chain.add(new ChainLayer("layer '" + vertexName + "'", layerVertex.getLayerConf().getLayer(),
                    layerVertex.getPreProcessor(), vertex.getLayer().paramTable()));
            previous = vertexName;
        }
        if (!previous.equals(conf.getNetworkOutputs().get(0))) {
            throw new DataException(name, "graph", null, "its output '" + conf.getNetworkOutputs().get(0)
                    + "' is not the end of its chain ('" + previous + "')");
        }
        return chain;
    }

    /** Where the network came from, for messages. */
    public String name() {
        return name;
    }

    /** The DL4J class that saved it. */
    public String kind() {
        return kind;
    }

    /** Layers before its output layer. */
    public int hiddenLayers() {
        return layers.size() - 1;
    }

    /**
     * Checks that this network can give a transfer cell its first {@code transfer-layers} layers: the network reads
     * examples of the data's size, has that many layers before its output layer, and each of them is a dense
     * layer with the shape, activation, bias and floating-point type of the cell's layer in its place.
     *
     * @throws DataException naming the file, the layer and the mismatch
     */
    public void checkFits(Cell cell, DatasetIdentity dataset) {
        CellSettings settings = cell.settings();
        ChainLayer first = layers.get(0);
        if (first.conf() instanceof FeedForwardLayer input && input.getNIn() != dataset.features()) {
            throw new DataException(name, first.name(), null, "the network takes " + input.getNIn() + " inputs per "
                    + "example but the data (" + dataset.name() + ") has " + dataset.features() + " features (shape "
                    + dataset.inputShape() + ")");
        }
        int kept = settings.transferLayers();
        if (kept > hiddenLayers()) {
            throw new DataException(name, "layers", null, "transfer-layers " + kept + " but the " + kind + " has "
                    + hiddenLayers() + " layer(s) before its output layer");
        }
        NetworkLayout layout = Grid.layout(settings, dataset);
        DataType type = Networks.dataType(settings.precision());
        IActivation activation = Networks.activation(settings.activation());
        for (int i = 0; i < kept; i++) {
            ChainLayer layer = layers.get(i);
            NetworkLayout.Layer target = layout.layer(i);
            String where = layer.name();
            if (layer.conf().getClass() != DenseLayer.class) {
                throw new DataException(name, where, null, "is a " + layer.conf().getClass().getSimpleName()
                        + "; a transfer cell keeps dense layers (DenseLayer) only");
            }
            DenseLayer dense = (DenseLayer) layer.conf();
            if (dense.getNIn() != target.fanIn() || dense.getNOut() != target.fanOut()) {
                throw new DataException(name, where, null, "maps " + dense.getNIn() + " to " + dense.getNOut()
                        + " units but the cell's layer " + i + " maps " + target.fanIn() + " to " + target.fanOut()
                        + " (" + dataset.features() + " features, width " + settings.width() + "); set the cell's "
                        + "width to the network's");
            }
            if (!Objects.equals(dense.getActivationFn(), activation)) {
                throw new DataException(name, where, null, "has activation " + dense.getActivationFn() + " but the "
                        + "cell's hidden layers use " + settings.activation().canonicalName());
            }
            if (!dense.hasBias() || dense.hasLayerNorm()) {
                throw new DataException(name, where, null, (dense.hasBias() ? "has layer normalization"
                        : "has no bias") + "; the cell's dense layers have a bias and no normalization");
            }
            if (layer.preprocessor() != null) {
                throw new DataException(name, where, null, "reshapes its input first ("
                        + layer.preprocessor().getClass().getSimpleName() + "); the cell's dense layers read flat "
                        + "rows");
            }
            INDArray weights = layer.params().get("W");
            if (weights.dataType() != type) {
                throw new DataException(name, where, null, "holds " + weights.dataType() + " parameters but the "
                        + "cell trains in " + settings.precision().canonicalName() + "; kept layers are copied bit "
                        + "for bit");
            }
        }
    }

    /**
     * Copies the first {@code kept} layers' weights and biases into a network of the same shapes, bit for bit.
     * {@link #checkFits} first.
     */
    void copyInto(MultiLayerNetwork target, int kept) {
        for (int i = 0; i < kept; i++) {
            Map<String, INDArray> source = layers.get(i).params();
            for (String param : List.of("W", "b")) {
                INDArray into = target.getLayer(i).getParam(param);
                INDArray from = source.get(param);
                if (!java.util.Arrays.equals(into.shape(), from.shape()) || into.dataType() != from.dataType()) {
                    throw new IllegalStateException(name + ": " + layers.get(i).name() + "'s " + param + " is "
                            + from.dataType() + java.util.Arrays.toString(from.shape()) + ", the cell's "
                            + into.dataType() + java.util.Arrays.toString(into.shape()));
                }
                into.assign(from);
            }
        }
    }

    /** A kept layer's parameter, for tests: {@code W} or {@code b} of chain layer {@code index}. */
    INDArray param(int index, String param) {
        return layers.get(index).params().get(param);
    }

    @Override
    public void close() {
        if (model instanceof MultiLayerNetwork network) {
            Dl4jCellTrainer.release(network);
        } else if (model instanceof ComputationGraph graph) {
            Dl4jCellTrainer.release(graph.params(), graph.getGradientsViewArray(), graph.getUpdater(false));
        }
    }

    @Override
    public String toString() {
        return name + " (" + kind + ", " + layers.size() + " layers)";
    }
}
