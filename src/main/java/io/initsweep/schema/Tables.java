package io.initsweep.schema;

import io.initsweep.init.SchemeKind;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.Setting;
import io.initsweep.spec.SettingType;
import io.initsweep.spec.Settings;
import io.initsweep.stats.SchemeComparison;
import io.initsweep.theory.CellTheory;
import io.initsweep.theory.LayerPrediction;
import io.initsweep.theory.MeanField;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.LayerStats;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

/**
 * The three result tables. Each is defined once here: columns, types, meaning and how a value is computed.
 * Every table carries {@code sweep}, {@code cell_id} and {@code run_id} so rows join and can be traced to the
 * invocation that wrote them.
 */
public final class Tables {
    private Tables() {
    }

    /** A per-epoch row: the cell's result and one epoch. */
    public record EpochRow(CellResult result, EpochMetrics epoch) {
    }

    /** A per-layer row: the cell's result and one layer at one phase. */
    public record LayerRow(CellResult result, LayerStats layer) {
    }

    // runs version 5: the cnn settings, widths and beta (issue 16), after version 4's batch_cells and transfer
    // source columns; a catalog registered at version 4 re-creates the table with them
    public static final Table<CellResult> RUNS = new Table<>("runs", 5,
            "one row per cell: its settings, outcome and provenance", runColumns());

    public static final Table<EpochRow> EPOCHS = new Table<>("epochs", 1,
            "one row per cell and epoch; epoch 0 is the network before any update", epochColumns());

    public static final Table<LayerRow> LAYERS = new Table<>("layers", 4,
            "one row per cell, layer and phase (init, training, final): signal propagation on the probe batch",
            layerColumns());

    public static final Table<SchemeComparison.Row> SCHEME_COMPARISON = new Table<>("scheme_comparison", 1,
            "per sweep and context (every setting but scheme and seed), each pair of schemes compared on the final "
                    + "test loss of their ok seeds", comparisonColumns());

    /** The tables a sweep writes cell by cell. */
    public static List<Table<?>> all() {
        return List.of(RUNS, EPOCHS, LAYERS);
    }

    /** Every table of the warehouse, derived ones included. */
    public static List<Table<?>> catalog() {
        return List.of(RUNS, EPOCHS, LAYERS, SCHEME_COMPARISON);
    }

    public static List<EpochRow> epochRows(CellResult result) {
        return result.epochs().stream().map(e -> new EpochRow(result, e)).toList();
    }

    public static List<LayerRow> layerRows(CellResult result) {
        return result.layers().stream().map(l -> new LayerRow(result, l)).toList();
    }

    private static List<Column<CellResult>> runColumns() {
        List<Column<CellResult>> c = new ArrayList<>();
        c.add(new Column<>("sweep", StringType, false, "sweep name", r -> r.cell().sweep()));
        c.add(new Column<>("cell_id", StringType, false,
                "16 hex digits of SHA-256 of everything that determines the cell's training", r -> r.cell().cellId()));
        c.add(new Column<>("point_id", StringType, false,
                "the same hash without the seed: all seeds of one grid point share it", r -> r.cell().pointId()));
        c.add(new Column<>("grid_point", StringType, false,
                "the cell's grid coordinates as text, e.g. 'scheme=he_normal depth=8 activation=relu'",
                r -> r.cell().pointLabel()));
        c.add(new Column<>("run_id", StringType, false, "the invocation that trained the cell",
                r -> r.provenance().runId()));
        c.add(new Column<>("status", StringType, false, "ok, diverged or failed", r -> r.status().canonicalName()));
        c.add(new Column<>("error", StringType, true, "the exception of a failed cell", CellResult::error));

        for (Setting<?> setting : Settings.stored()) {
            c.add(settingColumn(setting));
            if (setting == Settings.SCHEME) {
                c.addAll(schemeColumns());
            }
            if (setting == Settings.WIDTHS) {
                c.add(new Column<>("beta", DoubleType, true, "Hanin & Rolnick's beta = sum over the hidden layers of "
                        + "1/width (cnn: 1/channels of each convolution layer, the analogue); null for residual "
                        + "networks (table version 5)", r -> settings(r).beta()));
            }
        }
        c.add(new Column<>("seed", LongType, false, "seed index from the spec", r -> r.cell().seed()));
        c.add(new Column<>("init_seed", LongType, false, "seed of the weight draws", r -> r.cell().initSeed()));
        c.add(new Column<>("order_seed", LongType, false, "seed of the minibatch order", r -> r.cell().orderSeed()));
        c.addAll(sourceColumns());

        c.add(new Column<>("dataset", StringType, false, "dataset label with its parameters",
                r -> r.dataset().name()));
        c.add(new Column<>("dataset_sha256", StringType, false,
                "SHA-256 of the data as read plus every preprocessing setting", r -> r.dataset().sha256()));
        c.add(new Column<>("task", StringType, false, "classification or regression",
                r -> r.dataset().task().canonicalName()));
        c.add(new Column<>("features", IntegerType, false, "input features", r -> r.dataset().features()));
        c.add(new Column<>("outputs", IntegerType, false, "classes, or regression targets",
                r -> r.dataset().outputs()));
        c.add(new Column<>("train_rows", IntegerType, false, "training examples", r -> r.dataset().trainRows()));
        c.add(new Column<>("test_rows", IntegerType, false, "test examples", r -> r.dataset().testRows()));

        c.add(new Column<>("epochs_run", IntegerType, false,
                "training epochs started (ok: all; diverged: up to the diverging one)", CellResult::epochsRun));
        c.add(new Column<>("diverged_epoch", IntegerType, true,
                "first epoch with a NaN or infinite loss (0 = at initialization)", CellResult::divergedEpoch));
        c.add(new Column<>("initial_test_loss", DoubleType, true, "test loss before any update",
                CellResult::initialTestLoss));
        c.add(new Column<>("final_train_loss", DoubleType, true, "mean minibatch loss of the last epoch (ok only)",
                CellResult::finalTrainLoss));
        c.add(new Column<>("final_test_loss", DoubleType, true, "test loss after the last epoch (ok only)",
                CellResult::finalTestLoss));
        c.add(new Column<>("final_test_accuracy", DoubleType, true,
                "test accuracy after the last epoch (ok classification only)", CellResult::finalTestAccuracy));
        c.add(new Column<>("best_test_loss", DoubleType, true, "lowest finite test loss of any epoch",
                CellResult::bestTestLoss));
        c.add(new Column<>("epochs_to_target", IntegerType, true,
                "first epoch whose test loss <= target_loss; null if never", CellResult::epochsToTarget));
        c.add(new Column<>("act_var_ratio", DoubleType, true,
                "at init: last hidden layer's activation variance / first's (vanishing << 1 << exploding); "
                        + "residual: the stream's variance after the last block / the stem's output's",
                CellResult::actVarRatio));
        c.add(new Column<>("grad_var_ratio", DoubleType, true,
                "at init: first hidden layer's weight-gradient variance / last's (residual: the stem's / the last "
                        + "branch layer's)", CellResult::gradVarRatio));

        c.addAll(theoryColumns());

        c.add(new Column<>("wall_seconds", DoubleType, false, "time to build, train and evaluate the network",
                CellResult::wallSeconds));
        c.add(new Column<>("finished_at", TimestampType, false, "when the cell finished",
                r -> Timestamp.from(r.finishedAt())));
        c.add(new Column<>("backend", StringType, false, "ND4J backend: cpu or cuda", r -> r.provenance().backend()));
        c.add(new Column<>("blas_vendor", StringType, false, "BLAS library ND4J used",
                r -> r.provenance().blasVendor()));
        c.add(new Column<>("native_threads", IntegerType, false,
                "native (OpenMP/BLAS) threads; same seed gives the same bits only at the same count",
                r -> r.provenance().nativeThreads()));
        c.add(new Column<>("device", StringType, false, "CPU model or GPU name", r -> r.provenance().device()));
        c.add(new Column<>("dl4j_version", StringType, false, "Deeplearning4j version",
                r -> r.provenance().dl4jVersion()));
        c.add(new Column<>("java_version", StringType, false, "JVM version", r -> r.provenance().javaVersion()));
        c.add(new Column<>("os", StringType, false, "operating system and architecture", r -> r.provenance().os()));
        c.add(new Column<>("host", StringType, false, "host that trained the cell", r -> r.provenance().host()));
        c.add(new Column<>("executor_id", StringType, true,
                "Spark executor that trained the cell ('driver' in local mode); data-parallel: every executor, "
                        + "comma-separated",
                r -> r.provenance().executorId()));
        // version 4 (cells grouped into tasks, issue 13/18); nullable: rows written before have none
        c.add(new Column<>("batch_cells", IntegerType, true,
                "cells trained together with this one as one batched computation, this one included (1 = alone, "
                        + "the per-cell path; a batched cell gets the per-cell bits at one native thread); null in "
                        + "rows written before version 4", r -> r.provenance().batchCells()));
        return c;
    }

    /**
     * The source network of a transfer cell (issue 17; table version 4): null for every other cell, and in rows
     * written before. With {@code transfer_layers}, {@code source_data}, {@code strategy} and {@code freeze} (the
     * settings' columns) they say what a cell kept and how it trained.
     */
    private static List<Column<CellResult>> sourceColumns() {
        List<Column<CellResult>> c = new ArrayList<>();
        c.add(new Column<>("source_id", StringType, true, "transfer cells: the source network's id, 16 hex digits of "
                + "SHA-256 of its settings, dataset and source seed (from-model: of the file's bytes); its model file "
                + "is stored under it", r -> r.cell().source() == null ? null : r.cell().source().sourceId()));
        c.add(new Column<>("source_point_id", StringType, true, "transfer cells: the same without the source seed: "
                + "the source replicates of one source definition share it",
                r -> r.cell().source() == null ? null : r.cell().source().pointId()));
        c.add(new Column<>("source_seed", LongType, true, "transfer cells: the source seed (source.seeds); null for a "
                + "from-model network", r -> r.cell().source() == null ? null : r.cell().source().seed()));
        c.add(new Column<>("source_sha256", StringType, true, "transfer cells: SHA-256 of the source's model file as "
                + "the cell read it", CellResult::sourceSha256));
        return c;
    }

    private static List<Column<EpochRow>> epochColumns() {
        List<Column<EpochRow>> c = new ArrayList<>();
        c.add(new Column<>("sweep", StringType, false, "sweep name", r -> r.result().cell().sweep()));
        c.add(new Column<>("cell_id", StringType, false, "the cell", r -> r.result().cell().cellId()));
        c.add(new Column<>("run_id", StringType, false, "the invocation that trained the cell",
                r -> r.result().provenance().runId()));
        c.add(new Column<>("epoch", IntegerType, false, "0 = before any update", r -> r.epoch().epoch()));
        c.add(new Column<>("train_loss", DoubleType, false,
                "grid: mean minibatch loss during the epoch; data-parallel: loss of the training split after the "
                        + "epoch (epoch 0: loss of the training split at init)",
                r -> r.epoch().trainLoss()));
        c.add(new Column<>("test_loss", DoubleType, false, "loss on the test split after the epoch",
                r -> r.epoch().testLoss()));
        c.add(new Column<>("test_accuracy", DoubleType, true, "test accuracy (classification)",
                r -> r.epoch().testAccuracy()));
        c.add(new Column<>("grad_norm", DoubleType, false,
                "L2 norm of the mean loss's gradient on the probe batch after the epoch", r -> r.epoch().gradNorm()));
        return c;
    }

    private static List<Column<LayerRow>> layerColumns() {
        List<Column<LayerRow>> c = new ArrayList<>();
        c.add(new Column<>("sweep", StringType, false, "sweep name", r -> r.result().cell().sweep()));
        c.add(new Column<>("cell_id", StringType, false, "the cell", r -> r.result().cell().cellId()));
        c.add(new Column<>("run_id", StringType, false, "the invocation that trained the cell",
                r -> r.result().provenance().runId()));
        c.add(new Column<>("layer", IntegerType, false, "the layer the row belongs to, 0-based: hidden layers "
                + "(mlp: 0..depth-1; residual: the stem 0, then block b's branch layer j at 1 + b·block_depth + j; "
                + "cnn: the convolution layers 0..depth-1), then the output layer", r -> r.layer().layer()));
        c.add(new Column<>("is_output", BooleanType, false, "whether the row belongs to the output layer",
                r -> r.layer().layer() == r.result().cell().settings().hiddenLayers()));
        c.add(new Column<>("phase", StringType, false, "init (before the first update), training (after an epoch, "
                + "every diagnostics-every epochs) or final (after training)", r -> r.layer().phase().canonicalName()));
        c.add(new Column<>("fan_in", IntegerType, false, "inputs of the layer", r -> r.layer().fanIn()));
        c.add(new Column<>("fan_out", IntegerType, false, "outputs of the layer", r -> r.layer().fanOut()));
        c.add(new Column<>("weight_mean", DoubleType, true, "mean of W (normalization: of its gain γ; null for "
                + "residual_add)", r -> r.layer().weightMean()));
        c.add(new Column<>("weight_std", DoubleType, true, "std of W (normalization: of γ; null for residual_add)",
                r -> r.layer().weightStd()));
        c.add(new Column<>("activation_mean", DoubleType, false, "mean of the layer's output on the probe batch, as "
                + "the next layer reads it (residual_add: the residual stream after the block)",
                r -> r.layer().activationMean()));
        c.add(new Column<>("activation_var", DoubleType, false, "variance of the layer's output on the probe batch",
                r -> r.layer().activationVar()));
        c.add(new Column<>("preactivation_var", DoubleType, true, "variance of xW + b (normalization: of its input; "
                + "null for residual_add)", r -> r.layer().preactivationVar()));
        c.add(new Column<>("dead_fraction", DoubleType, true,
                "rectifier networks: share of units whose input to the nonlinearity applied to this row's output is "
                        + "never positive on the probe batch", r -> r.layer().deadFraction()));
        c.add(new Column<>("saturated_fraction", DoubleType, true,
                "tanh/sigmoid/softsign networks: share of that nonlinearity's outputs within 3% of the range from an "
                        + "asymptote", r -> r.layer().saturatedFraction()));
        c.add(new Column<>("grad_weight_var", DoubleType, true, "variance of dL/dW on the probe batch "
                + "(normalization: of dL/dγ; null for residual_add)", r -> r.layer().gradWeightVar()));
        c.add(new Column<>("grad_input_var", DoubleType, false,
                "variance of dL/dx, the gradient back-propagated into the layer's input (residual_add: into the "
                        + "block's input)", r -> r.layer().gradInputVar()));
        c.add(new Column<>("symmetry", DoubleType, true,
                "mean pairwise cosine similarity of the units' incoming weights (convolution: of the flattened "
                        + "filters, one per output channel; 1 = clones)",
                r -> r.layer().symmetry()));
        c.addAll(layerTheoryColumns());
        c.addAll(structureColumns());
        c.addAll(convolutionColumns());
        return c;
    }

    /**
     * A convolution layer's geometry and its statistics per output channel (issue 16; table version 4), null on
     * other rows. Per-channel values are arrays indexed by channel, in the layer's row, rather than a row per
     * channel: the table stays one row per layer and phase (the grain every view and query of it has), a 64-channel
     * layer costs four arrays instead of 64 rows repeating the row's keys, and a per-channel view is one
     * {@code posexplode} away (the {@code layer_channels} view).
     */
    private static List<Column<LayerRow>> convolutionColumns() {
        List<Column<LayerRow>> c = new ArrayList<>();
        c.add(new Column<>("kernel", IntegerType, true, "convolution: kernel height and width",
                r -> conv(r) == null ? null : conv(r).kernel()));
        c.add(new Column<>("stride", IntegerType, true, "convolution: 1, or 2 where the layer downsamples",
                r -> conv(r) == null ? null : conv(r).stride()));
        c.add(new Column<>("out_height", IntegerType, true, "convolution: output rows",
                r -> conv(r) == null ? null : conv(r).outHeight()));
        c.add(new Column<>("out_width", IntegerType, true, "convolution: output columns",
                r -> conv(r) == null ? null : conv(r).outWidth()));
        DataType doubles = org.apache.spark.sql.types.DataTypes.createArrayType(DoubleType, false);
        c.add(new Column<>("channel_dead_fraction", doubles, true, "convolution, rectifier networks: per output "
                + "channel, the share of its (probe example, position) pre-activations that are not positive (1 = a "
                + "dead channel; dead_fraction is the share of such channels)",
                r -> conv(r) == null ? null : conv(r).channelDeadFraction()));
        c.add(new Column<>("channel_saturated_fraction", doubles, true, "convolution, tanh/sigmoid/softsign "
                + "networks: per output channel, the share of its outputs within 3% of the range from an asymptote",
                r -> conv(r) == null ? null : conv(r).channelSaturatedFraction()));
        c.add(new Column<>("channel_activation_var", doubles, true, "convolution: per output channel, the "
                + "variance of its output over the probe examples and positions",
                r -> conv(r) == null ? null : conv(r).channelActivationVar()));
        c.add(new Column<>("channel_grad_weight_var", doubles, true, "convolution: per output channel, the "
                + "variance of dL/dW over its filter's C_in·k·k weights on the probe batch",
                r -> conv(r) == null ? null : conv(r).channelGradWeightVar()));
        return c;
    }

    private static LayerStats.Convolution conv(LayerRow r) {
        return r.layer().convolution();
    }

    /**
     * The kind and place of a layers row, and the statistics of residual blocks and normalization layers (issue
     * 15; table version 3). Rows written before have none: read back, kind is null for them (they are all dense).
     */
    private static List<Column<LayerRow>> structureColumns() {
        List<Column<LayerRow>> c = new ArrayList<>();
        c.add(new Column<>("kind", StringType, false, "dense, convolution, normalization or residual_add (the end of "
                + "a residual block)", r -> r.layer().placement().kind().canonicalName()));
        c.add(new Column<>("role", StringType, true, "dense and convolution rows: hidden (mlp and cnn), stem, branch, "
                + "branch_last or output",
                r -> r.layer().placement().role() == null ? null : r.layer().placement().role().canonicalName()));
        c.add(new Column<>("block", IntegerType, true, "the residual block (0-based); null outside any block",
                r -> r.layer().placement().block()));
        c.add(new Column<>("stream_var", DoubleType, true, "residual_add: variance of the residual stream after "
                + "the block", r -> r.layer().placement().streamVar()));
        c.add(new Column<>("branch_var", DoubleType, true, "residual_add: variance of the branch's output as it is "
                + "added (after its fixed scale and learnable multiplier)", r -> r.layer().placement().branchVar()));
        c.add(new Column<>("branch_ratio", DoubleType, true, "residual_add: branch_var / variance of the stream "
                + "entering the block", r -> r.layer().placement().branchRatio()));
        c.add(new Column<>("branch_scale", DoubleType, true, "residual_add: the block's learnable branch multiplier "
                + "(fixup, skipinit, rezero)", r -> r.layer().placement().branchScale()));
        c.add(new Column<>("norm_statistics", StringType, true, "normalization: what the probe measurement "
                + "normalized by: probe_batch (batch norm in training mode) or per_example (layer norm)",
                r -> r.layer().placement().normStatistics()));
        c.add(new Column<>("norm_var_mean", DoubleType, true, "normalization: mean of the variances it divided by "
                + "on the probe batch", r -> r.layer().placement().normVarMean()));
        c.add(new Column<>("norm_running_var_mean", DoubleType, true, "batch normalization: mean of its running "
                + "variance, what inference divides by", r -> r.layer().placement().normRunningVarMean()));
        return c;
    }

    // ---- mean-field theory beside the measurements (from runs and layers version 3). One block per table, kept
    // together so that other column additions merge around it.

    /**
     * The runs columns of mean-field theory and of the Jacobian's spectrum. Nullable: null where the theory does
     * not apply ({@code theory_note} says why), or where a quantity does not exist (no finite q*). A double column
     * may hold +Infinity, which Parquet and Spark keep; each column says what it means there.
     */
    private static List<Column<CellResult>> theoryColumns() {
        List<Column<CellResult>> c = new ArrayList<>();
        c.add(new Column<>("input_mean_square", DoubleType, true,
                "theory: E[x^2] of the probe batch over examples and features, where the per-layer recursion starts",
                r -> theory(r) == null ? null : theory(r).inputMeanSquare()));
        c.add(new Column<>("sigma_w2", DoubleType, true,
                "theory: sigma_w^2 = fan_in * Var(W) of the hidden-to-hidden layers, from the scheme's formula; null "
                        + "where the theory does not apply or the hidden layers differ",
                r -> theory(r) == null ? null : theory(r).sigmaW2()));
        c.add(new Column<>("sigma_b2", DoubleType, true, "theory: sigma_b^2 = Var(b) = bias_std^2",
                r -> theory(r) == null ? null : theory(r).sigmaB2()));
        c.add(meanField("q_star", "theory: q*, the fixed point of the pre-activation variance through depth (0: it "
                + "decays to 0)", MeanField::qStar));
        c.add(meanField("c_star", "theory: c*, the fixed point of the correlation of two inputs through depth (1 in "
                + "the ordered phase, below 1 in the chaotic one; only a limit where q* = 0)", MeanField::cStar));
        c.add(meanField("chi1", "theory: chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2], what each layer multiplies the "
                + "gradient's variance by at the fixed point (< 1 vanishing, > 1 exploding)", MeanField::chi1));
        c.add(meanField("chi_q", "theory: chi_q, the slope of the variance map at q*", MeanField::chiQ));
        c.add(meanField("chi_c", "theory: chi_c, the slope of the correlation map at c* (= chi1 when c* = 1)",
                MeanField::chiC));
        c.add(meanField("xi_q", "theory: xi_q = -1/ln(chi_q), layers over which the variance forgets where it "
                + "started; +Infinity when chi_q = 1", MeanField::xiQ));
        c.add(meanField("xi_c", "theory: xi_c = -1/ln(chi_c), layers over which two inputs' correlation forgets "
                + "where it started; +Infinity at criticality (the edge of chaos)", MeanField::xiC));
        c.add(new Column<>("theory_phase", StringType, true,
                "theory: ordered (chi1 < 1), critical (|chi1 - 1| <= 0.001) or chaotic (chi1 > 1)",
                r -> meanField(r) == null || meanField(r).phase() == null ? null
                        : meanField(r).phase().canonicalName()));
        c.add(meanField("trainable_depth", "theory: 6 xi_c, the depth beyond which Schoenholz et al. (2017) found "
                + "networks untrainable; +Infinity at criticality (no depth limit)", MeanField::trainableDepth));
        c.add(new Column<>("predicted_jacobian_msv", DoubleType, true,
                "theory: predicted jacobian_msv, features * prod(predicted_grad_ratio) / min(features, width); "
                        + "+Infinity beyond the double range",
                r -> theory(r) == null ? null : theory(r).predictedJacobianMeanSquare()));
        c.add(new Column<>("theory_note", StringType, true,
                "why theory columns are null (or what a limit means): the theory does not apply, a quantity does not "
                        + "exist; 'not computed' for a cell that failed before its network was built; null if "
                        + "nothing needs saying",
                r -> theory(r) == null ? "not computed" : theory(r).reason()));
        c.add(new Column<>("jacobian_msv", DoubleType, true,
                "at init: mean squared singular value of J = d(last hidden layer's output)/d(input), over its "
                        + "min(features, width) singular values, mean over 4 probe points (1 = isometric on average)",
                r -> r.jacobian() == null ? null : r.jacobian().meanSquaredSingularValue()));
        c.add(new Column<>("jacobian_max_sv", DoubleType, true,
                "at init: largest singular value of J, mean over the probe points",
                r -> r.jacobian() == null ? null : r.jacobian().maxSingularValue()));
        c.add(new Column<>("jacobian_sv_spread", DoubleType, true,
                "at init: Var(s^2)/E[s^2]^2 over J's singular values s, mean over the probe points (0 = dynamical "
                        + "isometry; about depth for Gaussian linear layers)",
                r -> r.jacobian() == null ? null : r.jacobian().spread()));
        return c;
    }

    /** A column of the network-level prediction; the getter is serializable, as every column's is. */
    private static Column<CellResult> meanField(String name, String doc, Column.Getter<MeanField> quantity) {
        return new Column<>(name, DoubleType, true, doc,
                r -> meanField(r) == null ? null : quantity.apply(meanField(r)));
    }

    private static CellTheory theory(CellResult r) {
        return r.theory();
    }

    private static MeanField meanField(CellResult r) {
        return r.theory() == null ? null : r.theory().meanField();
    }

    /**
     * The layers columns added with diagnostics during training and the theory: the epoch a row was measured
     * after, the measured correlation c_l, and the theory's per-layer predictions (init rows of hidden layers).
     */
    private static List<Column<LayerRow>> layerTheoryColumns() {
        List<Column<LayerRow>> c = new ArrayList<>();
        c.add(new Column<>("epoch", IntegerType, true,
                "the epoch after which the layer was measured: 0 at init, the last epoch for final rows; null in "
                        + "rows written before version 3",
                r -> r.layer().epoch()));
        c.add(new Column<>("correlation", DoubleType, true,
                "c_l: cosine between the pre-activation vectors of two probe inputs, mean over 16 fixed pairs (rows "
                        + "2k, 2k+1); -> 1 with depth in the ordered phase, -> c* in the chaotic one",
                r -> r.layer().correlation()));
        c.add(new Column<>("predicted_q", DoubleType, true,
                "theory, init rows of hidden layers: predicted preactivation_var, q_l from the data's mean square "
                        + "(runs.input_mean_square) through each layer's sigma_w^2; +Infinity beyond the double range",
                r -> prediction(r) == null ? null : prediction(r).preactivationVar()));
        c.add(new Column<>("predicted_grad_ratio", DoubleType, true,
                "theory, init rows of hidden layers: predicted grad_input_var of this layer / of the next, "
                        + "(fan_out/fan_in) sigma_w^2 E[phi'(z)^2]; chi1 at the fixed point with equal widths",
                r -> prediction(r) == null ? null : prediction(r).gradVarRatio()));
        return c;
    }

    /** The theory's prediction for the layer of an init row, or null. */
    private static LayerPrediction prediction(LayerRow r) {
        CellTheory theory = r.result().theory();
        if (theory == null || r.layer().phase() != LayerStats.Phase.INIT
                || r.layer().layer() >= theory.layers().size()) {
            return null;
        }
        return theory.layers().get(r.layer().layer());
    }

    private static List<Column<SchemeComparison.Row>> comparisonColumns() {
        List<Column<SchemeComparison.Row>> c = new ArrayList<>();
        c.add(new Column<>("sweep", StringType, false, "sweep name", SchemeComparison.Row::sweep));
        c.add(new Column<>("context_id", StringType, false, "hash of every setting but scheme and seed",
                r -> io.initsweep.common.Hashing.sha256Hex(r.context()).substring(0, 16)));
        c.add(new Column<>("context", StringType, false,
                "the other grid coordinates, e.g. 'depth=8 activation=relu'", SchemeComparison.Row::label));
        c.add(new Column<>("scheme_a", StringType, false, "first scheme", SchemeComparison.Row::schemeA));
        c.add(new Column<>("scheme_b", StringType, false, "second scheme", SchemeComparison.Row::schemeB));
        c.add(new Column<>("n_a", IntegerType, false, "ok seeds of scheme_a", SchemeComparison.Row::nA));
        c.add(new Column<>("n_b", IntegerType, false, "ok seeds of scheme_b", SchemeComparison.Row::nB));
        c.add(new Column<>("diverged_a", IntegerType, false, "diverged seeds of scheme_a",
                SchemeComparison.Row::divergedA));
        c.add(new Column<>("diverged_b", IntegerType, false, "diverged seeds of scheme_b",
                SchemeComparison.Row::divergedB));
        c.add(new Column<>("mean_a", DoubleType, true, "mean final test loss of scheme_a", SchemeComparison.Row::meanA));
        c.add(new Column<>("mean_b", DoubleType, true, "mean final test loss of scheme_b", SchemeComparison.Row::meanB));
        c.add(new Column<>("mean_diff", DoubleType, true, "mean_a - mean_b", SchemeComparison.Row::meanDiff));
        c.add(new Column<>("ci_low", DoubleType, true, "bootstrap 95% CI of mean_diff, lower end",
                SchemeComparison.Row::ciLow));
        c.add(new Column<>("ci_high", DoubleType, true, "bootstrap 95% CI of mean_diff, upper end",
                SchemeComparison.Row::ciHigh));
        c.add(new Column<>("u_statistic", DoubleType, true, "Mann-Whitney U of scheme_a",
                SchemeComparison.Row::uStatistic));
        c.add(new Column<>("p_value", DoubleType, true,
                "two-sided Mann-Whitney p (exact for small samples without ties)", SchemeComparison.Row::pValue));
        c.add(new Column<>("p_value_holm", DoubleType, true, "p adjusted (Holm) over the pairs of the context",
                SchemeComparison.Row::pValueHolm));
        c.add(new Column<>("rank_biserial", DoubleType, true,
                "P(a < b) - P(a > b) over pairs of seeds: +1 = scheme_a always lower loss",
                SchemeComparison.Row::rankBiserial));
        c.add(new Column<>("significant", BooleanType, false, "p_value_holm < 0.05",
                SchemeComparison.Row::significant));
        return c;
    }

    /** A setting's runs column: its value where it applies to the cell, else null. */
    private static Column<CellResult> settingColumn(Setting<?> setting) {
        return new Column<>(setting.column(), sparkType(setting.type().columnType()), setting.columnNullable(),
                setting.columnDoc(), r -> value(settings(r), setting));
    }

    @SuppressWarnings("unchecked")
    private static <T> Object value(CellSettings settings, Setting<T> setting) {
        return settings.applies(setting) ? setting.type().toColumn(settings.get(setting)) : null;
    }

    /** The scheme's parameters one column each, so queries need not parse labels. */
    private static List<Column<CellResult>> schemeColumns() {
        List<Column<CellResult>> c = new ArrayList<>();
        c.add(new Column<>("scheme_kind", StringType, false, "the scheme's name without parameters",
                r -> settings(r).scheme().kind().canonicalName()));
        c.add(new Column<>("scheme_gain", DoubleType, true, "the gain used, auto resolved for the activation",
                r -> boxed(settings(r).scheme().gain(settings(r).activation()))));
        c.add(new Column<>("scheme_std", DoubleType, true, "std of the normal scheme",
                r -> boxed(settings(r).scheme().number("std"))));
        c.add(new Column<>("scheme_bound", DoubleType, true, "bound of the uniform scheme",
                r -> boxed(settings(r).scheme().number("bound"))));
        c.add(new Column<>("scheme_value", DoubleType, true, "value of the constant scheme",
                r -> boxed(settings(r).scheme().number("value"))));
        c.add(new Column<>("scheme_mode", StringType, true, "fan mode of variance_scaling",
                r -> settings(r).scheme().word("mode")));
        c.add(new Column<>("scheme_distribution", StringType, true, "distribution of variance_scaling",
                r -> settings(r).scheme().word("distribution")));
        c.add(new Column<>("lsuv_tolerance", DoubleType, true, "LSUV's variance tolerance",
                r -> lsuv(r) ? boxed(settings(r).scheme().number("tolerance")) : null));
        c.add(new Column<>("lsuv_max_iterations", IntegerType, true, "LSUV's rescalings per layer at most",
                r -> lsuv(r) ? (int) settings(r).scheme().number("max-iterations").getAsDouble() : null));
        c.add(new Column<>("scheme_alpha", DoubleType, true, "skipinit's starting branch multiplier",
                r -> boxed(settings(r).scheme().number("alpha"))));
        return c;
    }

    /** The Spark type of a registry column type. */
    public static DataType sparkType(SettingType.ColumnType type) {
        return switch (type) {
            case STRING -> StringType;
            case INT -> IntegerType;
            case LONG -> LongType;
            case DOUBLE -> DoubleType;
            case BOOLEAN -> BooleanType;
        };
    }

    /**
     * The columns of every stored setting, in table order, with the scheme's kind beside it: what identifies a grid
     * point, for the views' grouping ({@code {{settings}}} in their SQL).
     */
    public static List<String> settingColumns() {
        List<String> columns = new ArrayList<>();
        for (Setting<?> setting : Settings.stored()) {
            columns.add(setting.column());
            if (setting == Settings.SCHEME) {
                columns.add("scheme_kind");
            }
        }
        return columns;
    }

    /** The columns of the settings that shape the initial network ({@code {{init_settings}}} in the views). */
    public static List<String> initSettingColumns() {
        return Settings.with(Setting.Role.INIT_SEED).stream().map(Setting::column).toList();
    }

    /**
     * What scheme_comparison holds equal: every setting in the comparison context, and the dataset's exact
     * fingerprint (data-parallel and grid cells of one table differ there too).
     */
    public static List<String> contextColumns() {
        List<String> columns = new ArrayList<>(Settings.with(Setting.Role.CONTEXT).stream().map(Setting::column)
                .toList());
        columns.add("dataset_sha256");
        return columns;
    }

    /**
     * The default each stored setting's column stands for where a row leaves it null because the row was written
     * before the setting existed: every setting that applies to every cell and has a non-null default. (Settings
     * that apply only under another's value, and absent values such as no target loss, are null on purpose.)
     * Readers fill these in, so a sweep that straddles an upgrade does not split its grid points on them.
     */
    public static Map<String, Object> settingDefaults() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        for (Setting<?> setting : Settings.stored()) {
            Object value = setting.controller() == null && setting.defaultValue() != null
                    ? columnValue(setting, setting.defaultValue()) : null;
            if (value != null) {
                defaults.put(setting.column(), value);
            }
        }
        return defaults;
    }

    @SuppressWarnings("unchecked")
    private static <T> Object columnValue(Setting<T> setting, Object value) {
        return setting.type().toColumn((T) value);
    }

    /** A table's rows with {@link #settingDefaults()} filled in (only {@code runs} has settings). */
    public static Dataset<Row> withSettingDefaults(Table<?> table, Dataset<Row> rows) {
        if (table != RUNS) {
            return rows;
        }
        for (Map.Entry<String, Object> entry : settingDefaults().entrySet()) {
            rows = rows.withColumn(entry.getKey(), functions.coalesce(functions.col(entry.getKey()),
                    functions.lit(entry.getValue())));
        }
        return rows;
    }

    /** The same for SQL: every runs column of {@code alias}, defaults filled in ({@code unique_runs}). */
    public static String runsColumnsWithDefaults(String alias) {
        Map<String, Object> defaults = settingDefaults();
        List<String> columns = new ArrayList<>();
        for (Column<CellResult> column : RUNS.columns()) {
            Object value = defaults.get(column.name());
            String qualified = alias + "." + column.name();
            columns.add(value == null ? qualified : "coalesce(" + qualified + ", " + sqlLiteral(value) + ") AS "
                    + column.name());
        }
        return String.join(", ", columns);
    }

    private static String sqlLiteral(Object value) {
        if (value instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
        if (value instanceof Double d) {
            return "double(" + d + ")";
        }
        if (value instanceof Long l) {
            return l + "L";
        }
        return String.valueOf(value);
    }

    /**
     * What identifies one row of a table: the columns a reader deduplicates on ({@code unique_*} views, as
     * {@code {{key:<table>}}} in their SQL). A layers row is one layer index, kind and block, measured at one phase
     * and epoch of one run of a cell: a residual block's row shares its last dense layer's index, and rows measured
     * during training share their phase. Columns that older rows leave null (kind: dense) are coalesced.
     */
    public static List<String> rowKey(Table<?> table) {
        if (table == RUNS) {
            return List.of("sweep", "cell_id");
        }
        if (table == EPOCHS) {
            return List.of("sweep", "cell_id", "run_id", "epoch");
        }
        if (table == LAYERS) {
            return List.of("sweep", "cell_id", "run_id", "phase", "coalesce(epoch, -1)", "layer",
                    "coalesce(kind, 'dense')", "coalesce(block, -1)");
        }
        throw new IllegalArgumentException("no row key declared for table " + table.name());
    }

    private static CellSettings settings(CellResult r) {
        return r.cell().settings();
    }

    private static boolean lsuv(CellResult r) {
        return settings(r).scheme().kind() == SchemeKind.LSUV;
    }

    private static Double boxed(java.util.OptionalDouble value) {
        return value.isPresent() ? value.getAsDouble() : null;
    }
}
