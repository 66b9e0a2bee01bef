package io.initsweep.spec;

import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.model.Architecture;
import io.initsweep.model.BranchScale;
import io.initsweep.model.Normalization;
import io.initsweep.model.Optimizer;
import io.initsweep.model.Precision;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static io.initsweep.spec.Setting.Role.CELL_ID;
import static io.initsweep.spec.Setting.Role.CONTEXT;
import static io.initsweep.spec.Setting.Role.INIT_SEED;
import static io.initsweep.spec.Setting.Role.REPLAY;
import static io.initsweep.spec.Setting.Role.RUNTIME;
import static io.initsweep.spec.Setting.Section.DATA;
import static io.initsweep.spec.Setting.Section.EXECUTION;
import static io.initsweep.spec.Setting.Section.MODEL;
import static io.initsweep.spec.Setting.Section.TRAINING;
import static io.initsweep.spec.Setting.Section.TRANSFER;

/**
 * Every setting of a sweep spec, each declared once. Their order is the order of the {@code runs} columns and of
 * the spec reference in the README.
 *
 * <p>Adding a setting: declare it here with its roles (and {@code inIdAtDefault()} only never: a new setting must
 * leave existing cell ids alone), use it where the network is built or trained, and give it a non-default sample in
 * {@code TestSettingsRegistry}. Everything else (parser, ids, runs column, replay, comparison context, views, the
 * README's table) follows from the declaration.
 */
public final class Settings {
    private Settings() {
    }

    public static final Setting<SchemeSpec> SCHEME = Setting.builder("scheme", MODEL, SettingType.scheme())
            .axis().required().inIdAtDefault()
            .description("initialization scheme of every dense and convolution layer (see below)")
            .column("scheme", "canonical scheme label with its parameters, e.g. normal(std=0.01)")
            .roles(CELL_ID, INIT_SEED, REPLAY).build();

    public static final Setting<List<LayerInit>> LAYER_INIT = Setting.builder("layer-init", MODEL,
                    SettingType.layerInit())
            .defaultValue(List.of()).inIdAtDefault()
            .description("per-layer scheme overrides (below)")
            .nullableColumn("layer_init", "per-layer overrides, e.g. '0-1:he_normal;output:xavier_normal'; "
                    + "null if none")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    public static final Setting<Double> BIAS_INIT = Setting.builder("bias-init", MODEL, SettingType.number())
            .axis().defaultValue(0.0).inIdAtDefault()
            .description("constant every bias starts at")
            .column("bias_init", "constant the biases start at")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    /**
     * Random biases: every bias of every layer, the output layer included, is {@code bias-init} plus an independent
     * N(0, bias-std²) draw, drawn by initsweep from the cell's init seed, one stream per layer
     * ({@link io.initsweep.init.RandomBiases}). σ_b = bias-std is the bias scale of mean-field theory (Poole et al.
     * 2016; Schoenholz et al. 2017), which with the weights' σ_w places a network in the ordered or the chaotic
     * phase. It shapes the initial network, so it is in the cell id and the init seed (where it is not 0: cells of
     * specs without it keep their ids and weights) and held equal when schemes are compared.
     */
    public static final Setting<Double> BIAS_STD = Setting.builder("bias-std", MODEL,
                    SettingType.number(v -> v >= 0, "must be >= 0"))
            .axis().defaultValue(0.0)
            .description("std σ_b of a normal draw added to every bias (output layer included) at init, seeded by "
                    + "the init seed; 0 = constant biases")
            .column("bias_std", "std of the N(0, bias_std^2) draw added to every bias at init (sigma_b); 0 = none")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    public static final Setting<Integer> DEPTH = Setting.builder("depth", MODEL, SettingType.integer(1, 1000))
            .axis().required().inIdAtDefault()
            .description("hidden layers (mlp), residual blocks (residual) or convolution layers (cnn), 1..1000")
            .column("depth", "hidden layers (mlp), residual blocks (residual) or convolution layers (cnn)")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    public static final Setting<Integer> WIDTH = Setting.builder("width", MODEL, SettingType.integer(1, 65536))
            .axis().defaultValue(64).inIdAtDefault()
            .description("units per hidden layer (mlp, residual), 1..65536")
            .column("width", "units per hidden layer (mlp, residual; not used by cnn cells or where widths is given)")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    public static final Setting<Activation> ACTIVATION = Setting.builder("activation", MODEL,
                    SettingType.choice(List.of(Activation.values()), Activation::canonicalName))
            .axis().required().inIdAtDefault()
            .description("hidden-layer nonlinearity: `relu`, `leaky_relu` (α = 0.01), `tanh`, `sigmoid`, `elu`, "
                    + "`selu`, `softsign`, `identity`")
            .column("activation", "hidden-layer nonlinearity")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    // Residual networks and normalization (issue 15). Declared together, after the first release's model settings:
    // none is in the id at its default, so every cell of a spec that does not use them keeps its id and seeds.

    public static final Setting<Architecture> ARCHITECTURE = Setting.builder("architecture", MODEL,
                    SettingType.choice(List.of(Architecture.values()), Architecture::canonicalName))
            .axis().defaultValue(Architecture.MLP)
            .description("`mlp`: `depth` dense layers; `residual`: a stem layer, `depth` residual blocks of "
                    + "`block-depth` dense layers each, the output layer; `cnn`: `depth` convolution layers, global "
                    + "average pooling, the output layer (below)")
            .column("architecture", "mlp, residual or cnn")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    public static final Setting<Normalization> NORMALIZATION = Setting.builder("normalization", MODEL,
                    SettingType.choice(List.of(Normalization.values()), Normalization::canonicalName))
            .axis().defaultValue(Normalization.NONE)
            .description("`none`, `batch` (Ioffe & Szegedy 2015) or `layer` (Ba et al. 2016), immediately before "
                    + "each hidden nonlinearity (below)")
            .column("normalization", "none, batch or layer")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    public static final Setting<Integer> BLOCK_DEPTH = Setting.builder("block-depth", MODEL,
                    SettingType.integer(1, 64))
            .axis().defaultValue(2).onlyWhen(ARCHITECTURE, Architecture.RESIDUAL, true)
            .description("residual: dense layers per residual branch, 1..64")
            .column("block_depth", "residual: dense layers per residual branch")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    public static final Setting<BranchScale> BRANCH_SCALE = Setting.builder("branch-scale", MODEL,
                    SettingType.branchScale())
            .axis().defaultValue(BranchScale.ONE).onlyWhen(ARCHITECTURE, Architecture.RESIDUAL, true)
            .description("residual: fixed factor on every branch's output, a number > 0 or `1/sqrt(depth)`")
            .column("branch_scale", "residual: fixed factor on every branch's output, e.g. 1 or 1/sqrt(depth)")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    // Convolutional networks (issue 16) and per-layer widths (issue 14). None is in the id at its default, so the
    // cells of specs that do not use them keep their ids and seeds; the cnn settings apply to cnn cells only and are
    // refused where the architecture is fixed to another.

    /**
     * Output channels of every convolution layer of a cnn: the convolutional counterpart of {@code width} (it is
     * what the layer's fan-in {@code k²·C_in} and every scheme's variance scale with).
     */
    public static final Setting<Integer> CHANNELS = Setting.builder("channels", MODEL, SettingType.integer(1, 4096))
            .axis().defaultValue(16).onlyWhen(ARCHITECTURE, Architecture.CNN, true)
            .description("cnn: output channels of every convolution layer, 1..4096 (or per layer: `widths`)")
            .column("channels", "cnn: output channels of every convolution layer (not used where widths gives them "
                    + "per layer)")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    /**
     * The kernel's height and width. Odd only: same padding is then symmetric (PyTorch's and DL4J's "same" agree
     * and pad (k−1)/2 on every side), and the kernel has the centre tap that delta-orthogonal and delta-identity
     * init put their weights on.
     */
    public static final Setting<Integer> KERNEL = Setting.builder("kernel", MODEL,
                    SettingType.integer(1, 31, k -> k % 2 == 1, "must be odd"))
            .axis().defaultValue(3).onlyWhen(ARCHITECTURE, Architecture.CNN, true)
            .description("cnn: kernel height and width, odd, 1..31 (same padding of (kernel−1)/2 on every side)")
            .column("kernel", "cnn: kernel height and width")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    /**
     * Downsampling by strided convolution: layers k, 2k, 3k, … (0-based) have stride 2 (as the first convolution of
     * each stage in He et al. 2016's networks), the others stride 1. A stride leaves every layer a convolution drawn
     * by a scheme, whose variance map the theory covers unchanged (each output still sums k²·C_in inputs); a pooling
     * layer would add an operation that no scheme initializes and whose effect on the variance depends on the
     * spatial correlations of the signal.
     */
    public static final Setting<Integer> DOWNSAMPLE_EVERY = Setting.builder("downsample-every", MODEL,
                    SettingType.integer(0, 1000))
            .axis().defaultValue(0).onlyWhen(ARCHITECTURE, Architecture.CNN, true)
            .description("cnn: stride 2 at convolution layers k, 2k, 3k, … (0-based), halving height and width "
                    + "(rounded up); 0 = never")
            .column("downsample_every", "cnn: convolution layers k, 2k, ... have stride 2; 0 = none")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    /**
     * A width per hidden layer instead of one: mlp hidden layer l has {@code widths[l]} units, cnn convolution layer
     * l {@code widths[l]} output channels. The list has exactly {@code depth} entries and replaces {@code width}
     * (mlp) or {@code channels} (cnn), which may then not be given; residual networks have one stream width and
     * refuse it. Hanin and Rolnick 2018's β = Σ 1/width_l is recorded per cell ({@code runs.beta}).
     */
    public static final Setting<List<Integer>> WIDTHS = Setting.builder("widths", MODEL,
                    SettingType.integerList(1, 65536, 1000))
            .axis().defaultValue(List.of())
            .description("a width per hidden layer, `[w0, w1, ...]`, exactly `depth` entries: mlp units or cnn "
                    + "channels per layer, instead of `width` / `channels` (below)")
            .nullableColumn("widths", "per-layer widths, e.g. '128,64,32' (mlp units or cnn channels); null if not "
                    + "given")
            .roles(CELL_ID, INIT_SEED, CONTEXT, REPLAY).build();

    public static final Setting<Optimizer> OPTIMIZER = Setting.builder("optimizer", TRAINING,
                    SettingType.choice(List.of(Optimizer.values()), Optimizer::canonicalName))
            .axis().defaultValue(Optimizer.SGD).inIdAtDefault()
            .description("`sgd`, `momentum` (Nesterov, DL4J's Nesterovs) or `adam` (β1 0.9, β2 0.999, ε 1e-8)")
            .column("optimizer", "sgd, momentum or adam")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Double> LEARNING_RATE = Setting.builder("learning-rate", TRAINING,
                    SettingType.number(v -> v > 0, "must be > 0"))
            .axis().defaultValue(0.05).inIdAtDefault()
            .description("step size > 0")
            .column("learning_rate", "step size")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Double> MOMENTUM = Setting.builder("momentum", TRAINING,
                    SettingType.number(v -> v >= 0 && v < 1, "must be in [0, 1)"))
            .axis().defaultValue(0.9).inIdAtDefault().onlyWhen(OPTIMIZER, Optimizer.MOMENTUM, false)
            .description("Nesterov coefficient in [0, 1), used by `optimizer: momentum` only")
            .column("momentum", "Nesterov coefficient (momentum optimizer only)")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Integer> BATCH_SIZE = Setting.builder("batch-size", TRAINING,
                    SettingType.integer(1, 1 << 24))
            .axis().defaultValue(32).inIdAtDefault()
            .description("examples per update")
            .column("batch_size", "examples per update")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Integer> EPOCHS = Setting.builder("epochs", TRAINING,
                    SettingType.integer(1, 100_000))
            .axis().defaultValue(20).inIdAtDefault()
            .description("passes over the training split, 1..100000")
            .column("epochs", "epochs the cell was set to train")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Double> TARGET_LOSS = Setting.builder("target-loss", TRAINING,
                    SettingType.optionalNumber(v -> v >= 0, "must be >= 0"))
            .inIdAtDefault()
            .description("test loss that counts as reached (`epochs_to_target`)")
            .nullableColumn("target_loss", "test loss that counts as reached")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Precision> PRECISION = Setting.builder("precision", TRAINING,
                    SettingType.choice(List.of(Precision.values()), Precision::canonicalName))
            .defaultValue(Precision.FLOAT32).inIdAtDefault()
            .description("`float32` or `float64`")
            .column("precision", "float32 or float64")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    /**
     * Per-layer statistics during training, not only at init and after the last epoch. It changes what is measured,
     * not what is trained: a measurement only reads the parameters (it draws no random number and writes no
     * state), so a cell trains to the same bits at any value (tested), and the value is in no id or seed. Replay
     * compares epochs, not layers, so it is not replayed either: a {@link Setting.Role#RUNTIME} setting. It is a
     * cell's setting rather than a sweep-wide one only so that every trainer reads it from the cell it trains;
     * it is not an axis. A resumed sweep keeps the layer rows its finished cells were measured with.
     */
    public static final Setting<Integer> DIAGNOSTICS_EVERY = Setting.builder("diagnostics-every", TRAINING,
                    SettingType.integer(0, 100_000))
            .defaultValue(0)
            .description("measure the layers table also after every k-th epoch (k >= 1); 0 = at init and after "
                    + "training only")
            .roles(RUNTIME).build();

    /** In the id as {@code execution=data-parallel}, and only then: grid cells kept the ids they had before. */
    public static final Setting<ExecutionMode> MODE = Setting.builder("mode", EXECUTION,
                    SettingType.choice(List.of(ExecutionMode.values()), ExecutionMode::canonicalName))
            .defaultValue(ExecutionMode.GRID).idKey("execution")
            .description("`grid`: each cell trained within one Spark task (`cells-per-task`); `data-parallel`: "
                    + "cells one after another, each trained across the cluster (below)")
            .column("execution", "grid (the cell trained within one task) or data-parallel (across the cluster, "
                    + "parameter averaging)")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Integer> WORKERS = Setting.builder("workers", EXECUTION,
                    SettingType.integer(1, 4096))
            .axis().defaultValue(2).inIdAtDefault().onlyWhen(MODE, ExecutionMode.DATA_PARALLEL, true)
            .description("data-parallel: workers the training data is split over")
            .column("workers", "data-parallel: workers the training data was split over")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Integer> AVERAGING_FREQUENCY = Setting.builder("averaging-frequency", EXECUTION,
                    SettingType.integer(1, 1 << 20))
            .axis().defaultValue(5).inIdAtDefault().onlyWhen(MODE, ExecutionMode.DATA_PARALLEL, true)
            .description("data-parallel: minibatches each worker fits between parameter averagings")
            .column("averaging_frequency", "data-parallel: minibatches per worker between parameter averagings")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Integer> BATCH_SIZE_PER_WORKER = Setting.builder("batch-size-per-worker", EXECUTION,
                    SettingType.integer(1, 1 << 24))
            .axis().defaultFrom(s -> s.get(BATCH_SIZE), "`batch-size`").inIdAtDefault()
            .onlyWhen(MODE, ExecutionMode.DATA_PARALLEL, true)
            .description("data-parallel: examples per minibatch on each worker")
            .column("batch_size_per_worker", "data-parallel: examples per minibatch on each worker")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Long> DATA_SEED = Setting.builder("data-seed", DATA,
                    SettingType.longInteger(0, Long.MAX_VALUE))
            .axis().defaultValue(0L).inIdAtDefault()
            .description("seed of data generation, split and subsample: an axis to separate data variability "
                    + "from init variability")
            .column("data_seed", "seed of data generation, split and subsample")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Integer> CORES_PER_CELL = Setting.builder("cores-per-cell", EXECUTION,
                    SettingType.integer(1, 1024))
            .sweepWide().defaultValue(1)
            .description("cores (`spark.task.cpus`) and native threads per cell")
            .roles(RUNTIME).build();

    public static final Setting<Integer> COMMIT_SECONDS = Setting.builder("commit-seconds", EXECUTION,
                    SettingType.integer(1, 86_400))
            .sweepWide().defaultValue(10)
            .description("longest time a finished cell waits before it is committed to the tables")
            .roles(RUNTIME).build();

    // Transfer (issue 17): a cell that keeps the first layers of a source network. None is in the id at its
    // default, and none seeds the initial weights: a cell that uses no source keeps its id and seeds, and a transfer
    // cell's new layers start from the very draws of its from-scratch twin (transfer-layers 0, same seed), so the two
    // differ only in the kept layers (a paired comparison). The source itself enters a transfer cell's id through
    // the grid (its source id), not through a setting.

    public static final Setting<Integer> TRANSFER_LAYERS = Setting.builder("transfer-layers", TRANSFER,
                    SettingType.integer(0, 1000))
            .axis().defaultValue(0)
            .description("dense layers copied from the source network, from the input up (its output layer never "
                    + "is); 0 = none: the cell trains from scratch (the control)")
            .column("transfer_layers", "dense layers copied from the source network (0 = trained from scratch)")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<SourceData> SOURCE_DATA = Setting.builder("source-data", TRANSFER,
                    SettingType.choice(List.of(SourceData.values()), SourceData::canonicalName))
            .axis().defaultValue(SourceData.SOURCE).onlyWhenNot(TRANSFER_LAYERS, 0, true)
            .description("`source`: the `source` section's network (its own data, or `from-model`); `target`: one "
                    + "trained the `source` section's way on the cell's own data (self-transfer)")
            .column("source_data", "source (the source section's task) or target (self-transfer)")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<TransferStrategy> STRATEGY = Setting.builder("strategy", TRANSFER,
                    SettingType.choice(List.of(TransferStrategy.values()), TransferStrategy::canonicalName))
            .axis().defaultValue(TransferStrategy.FINE_TUNE).onlyWhenNot(TRANSFER_LAYERS, 0, true)
            .description("`fine-tune`: train from the first epoch (kept layers too unless `freeze`); `lp-ft`: "
                    + "`lp-epochs` epochs of the new layers alone, then every layer (below)")
            .column("strategy", "fine-tune or lp-ft")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Boolean> FREEZE = Setting.builder("freeze", TRANSFER, SettingType.bool())
            .axis().defaultValue(false).onlyWhen(STRATEGY, TransferStrategy.FINE_TUNE, true)
            .description("fine-tune: keep the copied layers frozen (never updated) for the whole training")
            .column("freeze", "fine-tune: whether the kept layers were frozen")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Integer> LP_EPOCHS = Setting.builder("lp-epochs", TRANSFER,
                    SettingType.integer(1, 100_000))
            .axis().defaultFrom(s -> Math.max(1, s.epochs() / 2), "half of `epochs`")
            .onlyWhen(STRATEGY, TransferStrategy.LP_FT, true)
            .description("lp-ft: the first epochs (of `epochs`, fewer than it) that train the new layers alone")
            .column("lp_epochs", "lp-ft: epochs 1..lp_epochs trained the new layers alone")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    public static final Setting<Double> LP_LEARNING_RATE = Setting.builder("lp-learning-rate", TRANSFER,
                    SettingType.number(v -> v > 0, "must be > 0"))
            .axis().defaultFrom(s -> s.get(LEARNING_RATE), "`learning-rate`")
            .onlyWhen(STRATEGY, TransferStrategy.LP_FT, true)
            .description("lp-ft: step size of the first stage")
            .column("lp_learning_rate", "lp-ft: step size of the first stage")
            .roles(CELL_ID, CONTEXT, REPLAY).build();

    /**
     * How many cells one Spark task trains. Cells that may share a batch ({@code grid/CellBatches}: plain MLPs of
     * one shape, dataset, batch size and epochs) are grouped, at most this many per task, and where the batch gives
     * each cell the per-cell path's bits (one native thread per cell) a group trains as one batched computation;
     * other cells train one per task. It changes where and how fast a cell trains, never what it computes, so it is
     * in no id or seed: a {@link Setting.Role#RUNTIME} setting, like the cores per cell. {@code runs.batch_cells}
     * records how many cells each cell trained with. The default, 16, is where the measured time of 64 seeds of a
     * 10x32 MLP stopped falling (README, "Cells trained together": K = 1, 8, 16, 32, 64).
     */
    public static final Setting<Integer> CELLS_PER_TASK = Setting.builder("cells-per-task", EXECUTION,
                    SettingType.integer(1, 4096))
            .sweepWide().defaultValue(ExecutionSettings.DEFAULT_CELLS_PER_TASK)
            .description("most cells one task trains: cells of one network shape and dataset (plain MLPs) train "
                    + "together, as one batched computation where that gives each cell its own bits (one native "
                    + "thread per cell); others one per task; 1 = one cell per task")
            .roles(RUNTIME).build();

    /** Every setting, in declaration order. */
    public static final List<Setting<?>> ALL = List.of(SCHEME, LAYER_INIT, BIAS_INIT, BIAS_STD, DEPTH, WIDTH,
            ACTIVATION, ARCHITECTURE, NORMALIZATION, BLOCK_DEPTH, BRANCH_SCALE, CHANNELS, KERNEL, DOWNSAMPLE_EVERY, WIDTHS,
            OPTIMIZER, LEARNING_RATE, MOMENTUM,
            BATCH_SIZE, EPOCHS, TARGET_LOSS, PRECISION, DIAGNOSTICS_EVERY, MODE, WORKERS,
            AVERAGING_FREQUENCY, BATCH_SIZE_PER_WORKER, DATA_SEED, CORES_PER_CELL, COMMIT_SECONDS, TRANSFER_LAYERS,
            SOURCE_DATA, STRATEGY, FREEZE, LP_EPOCHS, LP_LEARNING_RATE, CELLS_PER_TASK);

    public static Optional<Setting<?>> byKey(String key) {
        return ALL.stream().filter(s -> s.key().equals(key)).findFirst();
    }

    /** The settings of one section, in declaration order. */
    public static List<Setting<?>> in(Setting.Section section) {
        return ALL.stream().filter(s -> s.section() == section).toList();
    }

    /** The settings that may be grid axes. */
    public static List<Setting<?>> axes() {
        return ALL.stream().filter(Setting::axis).toList();
    }

    /** The settings that have a role. */
    public static List<Setting<?>> with(Setting.Role role) {
        return ALL.stream().filter(s -> s.has(role)).toList();
    }

    /** The settings stored in {@code runs}, in column order. */
    public static List<Setting<?>> stored() {
        return ALL.stream().filter(s -> s.column() != null).toList();
    }

    /** The README's settings reference, generated (a test keeps the README equal to it). */
    public static String markdown() {
        StringBuilder out = new StringBuilder("| key | section | axis | default | meaning |\n|---|---|---|---|---|\n");
        for (Setting<?> s : ALL) {
            out.append("| `").append(s.key()).append("` | ").append(s.section().key()).append(" | ")
                    .append(s.axis() ? "axis" : "").append(" | ").append(s.defaultDoc()).append(" | ")
                    .append(s.description()).append(" |\n");
        }
        return out.toString();
    }

    static List<String> keyList(List<Setting<?>> settings) {
        return Arrays.asList(settings.stream().map(Setting::key).toArray(String[]::new));
    }
}
