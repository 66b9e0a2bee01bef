package io.initsweep.spec;

import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.model.Architecture;
import io.initsweep.model.BranchScale;
import io.initsweep.model.Normalization;
import io.initsweep.model.Optimizer;
import io.initsweep.model.Precision;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything that determines how one cell trains, apart from its seed and its dataset: a value for every
 * cell-scoped {@link Setting} (the spec's fixed values with one value of each grid axis applied, defaults for the
 * rest). {@link #canonical()} is the text that cell ids are hashed from.
 *
 * <p>Values are kept by setting key, so the object serializes to executors with its plain values; the typed
 * accessors below are shorthands for {@link #get(Setting)}.
 */
public final class CellSettings implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Set values by key; a key that is absent takes the setting's default. Values may be null (no target loss). */
    private final Map<String, Object> values;

    private CellSettings(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The value of a setting in this cell: as set, else its default (which may depend on other settings). */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        if (values.containsKey(setting.key())) {
            return (T) values.get(setting.key());
        }
        return setting.defaultFor(this);
    }

    /**
     * Whether a setting takes effect in this cell (momentum only with the momentum optimizer, ...): its controller's
     * value allows it, and its controller itself applies (freeze needs strategy fine-tune, which needs a transfer).
     */
    public boolean applies(Setting<?> setting) {
        Setting<?> controller = setting.controller();
        return controller == null || (setting.appliesUnder(get(controller)) && applies(controller));
    }

    /** Whether the setting was given a value other than its default. */
    public boolean isDefault(Setting<?> setting) {
        return Objects.equals(get(setting), setting.defaultFor(this));
    }

    /** Whether a setting belongs in identity texts (cell id, init seed) of this cell. */
    boolean identifies(Setting<?> setting) {
        return applies(setting) && (setting.inIdAtDefault() || !isDefault(setting));
    }

    public SchemeSpec scheme() {
        return get(Settings.SCHEME);
    }

    public List<LayerInit> layerInit() {
        return get(Settings.LAYER_INIT);
    }

    public double biasInit() {
        return get(Settings.BIAS_INIT);
    }

    /** σ_b of the random part of the biases; 0 for constant biases. */
    public double biasStd() {
        return get(Settings.BIAS_STD);
    }

    /** Epochs between per-layer measurements during training; 0 for init and after training only. */
    public int diagnosticsEvery() {
        return get(Settings.DIAGNOSTICS_EVERY);
    }

    public int depth() {
        return get(Settings.DEPTH);
    }

    public int width() {
        return get(Settings.WIDTH);
    }

    public Activation activation() {
        return get(Settings.ACTIVATION);
    }

    public Architecture architecture() {
        return get(Settings.ARCHITECTURE);
    }

    public boolean residual() {
        return architecture() == Architecture.RESIDUAL;
    }

    public Normalization normalization() {
        return get(Settings.NORMALIZATION);
    }

    /** Dense layers per residual branch (residual networks only). */
    public int blockDepth() {
        return get(Settings.BLOCK_DEPTH);
    }

    /** The fixed factor on residual branches (residual networks only). */
    public BranchScale branchScale() {
        return get(Settings.BRANCH_SCALE);
    }

    /** Whether the cell is a convolutional network. */
    public boolean cnn() {
        return architecture() == Architecture.CNN;
    }

    /** Output channels of every convolution layer (cnn only; {@link #hiddenWidths()} has them per layer). */
    public int channels() {
        return get(Settings.CHANNELS);
    }

    /** Kernel height and width (cnn only). */
    public int kernel() {
        return get(Settings.KERNEL);
    }

    /** Convolution layers k, 2k, ... have stride 2; 0 for none (cnn only). */
    public int downsampleEvery() {
        return get(Settings.DOWNSAMPLE_EVERY);
    }

    /** The {@code widths} list as given; empty where it is not. */
    public List<Integer> widths() {
        return get(Settings.WIDTHS);
    }

    /**
     * The width of every hidden layer, input side first: {@code widths} where given, else {@code width} (mlp) or
     * {@code channels} (cnn) for each of the {@code depth} layers; a residual network's stem and branch layers all
     * have {@code width}.
     */
    public List<Integer> hiddenWidths() {
        if (!widths().isEmpty()) {
            return widths();
        }
        return java.util.Collections.nCopies(hiddenLayers(), cnn() ? channels() : width());
    }

    /**
     * Hanin and Rolnick 2018's {@code β = Σ_l 1/n_l} over the hidden layers' widths ("How to Start Training: The
     * Effect of Initialization and Architecture", NeurIPS 2018): in a ReLU network initialized with variance
     * 2/fan_in, the variance of the squared length of the activations grows like exp(5β) (their failure mode FM2),
     * so networks of one depth that narrow or widen differ by it. A cnn counts channels (each channel is one
     * "unit" whose weights are shared over the positions; the paper's analysis is for fully connected layers, so
     * there it is the analogue, not a theorem). Null for a residual network, where the paper governs the same
     * failure mode by the sum of the branch scales instead.
     */
    public Double beta() {
        if (residual()) {
            return null;
        }
        double beta = 0;
        for (int width : hiddenWidths()) {
            beta += 1.0 / width;
        }
        return beta;
    }

    /**
     * Layers before the output layer, the numbering {@code layer-init} uses: {@code depth} in an MLP (its hidden
     * layers) and in a cnn (its convolution layers); in a residual network the stem (layer 0) and
     * {@code block-depth} layers per block (block b's layer j is {@code 1 + b·block-depth + j}). The output layer
     * comes next.
     */
    public int hiddenLayers() {
        return residual() ? 1 + depth() * blockDepth() : depth();
    }

    public Optimizer optimizer() {
        return get(Settings.OPTIMIZER);
    }

    public double learningRate() {
        return get(Settings.LEARNING_RATE);
    }

    public double momentum() {
        return get(Settings.MOMENTUM);
    }

    public int batchSize() {
        return get(Settings.BATCH_SIZE);
    }

    public int epochs() {
        return get(Settings.EPOCHS);
    }

    /** The test loss that counts as reached; null for none. */
    public Double targetLoss() {
        return get(Settings.TARGET_LOSS);
    }

    public long dataSeed() {
        return get(Settings.DATA_SEED);
    }

    public Precision precision() {
        return get(Settings.PRECISION);
    }

    public boolean dataParallel() {
        return get(Settings.MODE) == ExecutionMode.DATA_PARALLEL;
    }

    public int workers() {
        return get(Settings.WORKERS);
    }

    public int averagingFrequency() {
        return get(Settings.AVERAGING_FREQUENCY);
    }

    public int batchSizePerWorker() {
        return get(Settings.BATCH_SIZE_PER_WORKER);
    }

    /** Dense layers copied from the source network; 0 for a cell that trains from scratch. */
    public int transferLayers() {
        return get(Settings.TRANSFER_LAYERS);
    }

    /** Whether the cell starts from a source network's layers. */
    public boolean transfers() {
        return transferLayers() > 0;
    }

    /** Which task the source was trained on (transfer cells only). */
    public SourceData sourceData() {
        return get(Settings.SOURCE_DATA);
    }

    public TransferStrategy strategy() {
        return get(Settings.STRATEGY);
    }

    /** Whether a fine-tuned transfer cell keeps its copied layers frozen. */
    public boolean freeze() {
        return get(Settings.FREEZE);
    }

    /** lp-ft: epochs of the first stage. */
    public int lpEpochs() {
        return get(Settings.LP_EPOCHS);
    }

    /** lp-ft: step size of the first stage. */
    public double lpLearningRate() {
        return get(Settings.LP_LEARNING_RATE);
    }

    /**
     * The scheme dense layer {@code index} uses: hidden layers 0..{@link #hiddenLayers()}−1, then the output layer.
     */
    public SchemeSpec schemeOf(int index) {
        for (LayerInit override : layerInit()) {
            if (override.covers(index, hiddenLayers())) {
                return override.scheme();
            }
        }
        return scheme();
    }

    /** {@code 0-1:he_normal;output:xavier_normal}, or empty when no layer is overridden. */
    public String layerInitLabel() {
        return LayerInit.label(layerInit());
    }

    /**
     * Every training-determining setting as canonical text, sorted by key: the cell-id settings that apply to this
     * cell. A setting that does not apply (momentum of another optimizer) leaves no trace, so it does not split
     * cells; a setting added after the first release appears only where it differs from its default, so the
     * cells of specs that do not use it keep their ids.
     */
    public Map<String, String> canonical() {
        Map<String, String> map = new TreeMap<>();
        for (Setting<?> setting : Settings.with(Setting.Role.CELL_ID)) {
            if (identifies(setting)) {
                map.put(setting.idKey(), setting.canonical(get(setting)));
            }
        }
        return map;
    }

    /**
     * The settings that shape the initial network as canonical {@code key=value} pairs, in declaration order:
     * first those of the first release (the text seeds were always hashed from), then, where they differ from their
     * defaults, those added since (callers append them after the data's shape, where they leave old seeds alone).
     *
     * @param legacy true for the first group, false for the second
     */
    public List<String> initSeedParts(boolean legacy) {
        return Settings.with(Setting.Role.INIT_SEED).stream()
                .filter(s -> s.inIdAtDefault() == legacy && identifies(s))
                .map(s -> s.key() + "=" + s.canonical(get(s)))
                .toList();
    }

    /** A builder holding these values. */
    public Builder toBuilder() {
        return new Builder(values);
    }

    public static Builder builder() {
        return new Builder(Map.of());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CellSettings other && resolved().equals(other.resolved());
    }

    @Override
    public int hashCode() {
        return resolved().hashCode();
    }

    /** Every cell setting's effective value, by key (nulls as the text none). */
    private Map<String, String> resolved() {
        Map<String, String> map = new TreeMap<>();
        for (Setting<?> s : Settings.ALL) {
            if (s.scope() == Setting.Scope.CELL) {
                map.put(s.key(), s.canonical(get(s)));
            }
        }
        return map;
    }

    @Override
    public String toString() {
        return canonical().toString();
    }

    /** Mutable builder; grid expansion copies the base settings and sets one axis at a time. */
    public static final class Builder {
        private final Map<String, Object> values;

        private Builder(Map<String, Object> values) {
            this.values = new LinkedHashMap<>(values);
        }

        /** Sets a value (null only where the setting allows absence, such as no target loss). */
        public <T> Builder set(Setting<T> setting, T value) {
            if (setting.scope() != Setting.Scope.CELL) {
                throw new IllegalArgumentException(setting.key() + " is a sweep-wide setting, not a cell's");
            }
            values.put(setting.key(), value);
            return this;
        }

        /** Sets a value whose type was checked by the setting's parser. */
        @SuppressWarnings("unchecked")
        public Builder setParsed(Setting<?> setting, Object value) {
            return set((Setting<Object>) setting, value);
        }

        /** The value set so far, or the setting's plain default. */
        @SuppressWarnings("unchecked")
        public <T> T get(Setting<T> setting) {
            return values.containsKey(setting.key()) ? (T) values.get(setting.key()) : setting.defaultValue();
        }

        public CellSettings build() {
            return new CellSettings(values);
        }
    }
}
