package io.initsweep.grid;

import io.initsweep.common.Hashing;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.init.SchemeKind;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Architecture;
import io.initsweep.model.Normalization;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.LayerInit;
import io.initsweep.spec.Located;
import io.initsweep.spec.Setting;
import io.initsweep.spec.Settings;
import io.initsweep.spec.SourceSpec;
import io.initsweep.spec.SpecError;
import io.initsweep.spec.SpecException;
import io.initsweep.spec.SweepSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Expands a spec into cells, deterministically: the same spec and data give the same cells, ids and seeds in
 * the same order on every machine. Cells come in spec order, the last axis varying fastest, seeds innermost.
 *
 * <p>A cell id is the first 16 hex digits of SHA-256 over a versioned, canonical text of the cell's settings
 * ({@link CellSettings#canonical()}), its seed index and its dataset fingerprint. The sweep's name is not part of
 * it: the same cell in two sweeps is the same computation.
 */
public final class Grid {
    /** Bump when the meaning of a setting changes, so old ids can never be mistaken for new results. */
    static final String ID_VERSION = "initsweep-cell-v1";

    /**
     * Cells a spec may expand to unless the user raises the limit: each cell costs the driver about a kilobyte
     * while the sweep runs (its settings, its task and its result's bookkeeping), and a typo in a grid can ask for
     * billions.
     */
    public static final long DEFAULT_MAX_CELLS = 250_000;

    private Grid() {
    }

    /** The data seeds a spec uses: the data-seed axis's values, or its one fixed value. */
    public static Set<Long> dataSeeds(SweepSpec spec) {
        Set<Long> seeds = new TreeSet<>();
        for (SweepSpec.GridAxis axis : spec.grid()) {
            if (axis.setting() == Settings.DATA_SEED) {
                axis.values().forEach(v -> seeds.add((Long) v.value()));
            }
        }
        if (seeds.isEmpty()) {
            seeds.add(spec.baseSettings().build().dataSeed());
        }
        return seeds;
    }

    /**
     * Every check that needs no data, so {@code validate} and {@code run} refuse the same specs before any data is
     * read: the grid's size against the limit, and what no network of the grid can be built as (layer overrides
     * against every depth of the grid, schemes made for residual networks on an mlp).
     *
     * @param maxCells the most cells allowed
     * @throws SpecException listing every problem, located in the spec
     */
    public static void check(SweepSpec spec, long maxCells) {
        List<SpecError> errors = new ArrayList<>();
        long cells = spec.cellCount();
        if (cells > maxCells) {
            StringBuilder product = new StringBuilder();
            spec.grid().forEach(a -> product.append(a.values().size()).append(' ').append(a.setting().key())
                    .append(" × "));
            errors.add(new SpecError(spec.source(), "grid", 0, "the grid has "
                    + (cells == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : Long.toString(cells)) + " cells ("
                    + product + spec.seeds().size() + " seeds), more than the limit of " + maxCells + "; each cell "
                    + "holds about a kilobyte of the driver's memory while the sweep runs. Shrink the grid, or raise "
                    + "the limit with --max-cells if the driver has the memory"));
        }
        errors.addAll(networkProblems(spec));
        errors.addAll(TransferChecks.problems(spec));
        if (!errors.isEmpty()) {
            throw new SpecException(new ArrayList<>(new LinkedHashSet<>(errors)));
        }
    }

    /**
     * The number of cells {@link #expand} makes of a spec, known without data: the product of the axes and seeds,
     * except in a transfer grid, where each transfer cell is crossed with every source seed (one source for a
     * {@code from-model} file) and grid points that differ only in settings that do not apply are one cell (a
     * from-scratch cell whatever its strategy or freeze, an lp-ft cell whatever its freeze). (Self-transfer sources are per target dataset, which changes the sources, not the cells.) Call it after
     * {@link #check}, which bounds the grid.
     */
    public static long cellCount(SweepSpec spec) {
        if (!spec.transfers()) {
            return spec.cellCount();
        }
        long sourceSeeds = spec.sourceNetwork() instanceof SourceSpec.Trained trained ? trained.seeds().size() : 1;
        List<Map<Setting<?>, Object>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (SweepSpec.GridAxis axis : spec.grid()) {
            List<Map<Setting<?>, Object>> next = new ArrayList<>();
            for (Map<Setting<?>, Object> point : points) {
                for (Located<Object> value : axis.values()) {
                    Map<Setting<?>, Object> extended = new LinkedHashMap<>(point);
                    extended.put(axis.setting(), value.value());
                    next.add(extended);
                }
            }
            points = next;
        }
        // points whose applicable settings are the same are one cell (a setting that does not apply leaves no trace)
        Set<Map<String, String>> distinct = new java.util.HashSet<>();
        long cells = 0;
        for (Map<Setting<?>, Object> point : points) {
            CellSettings.Builder builder = spec.baseSettings();
            point.forEach(builder::setParsed);
            CellSettings settings = builder.build();
            if (distinct.add(settings.canonical())) {
                cells += spec.seeds().size() * (settings.transfers() ? sourceSeeds : 1);
            }
        }
        return cells;
    }

    /**
     * Expands the grid, checking again what needs no data ({@link #check}, without a size limit) and what needs the
     * data's shape (identity on a non-square layer; batch normalization on a minibatch of one example).
     *
     * @param datasets the dataset for each of {@link #dataSeeds}
     * @throws SpecException listing every problem, located in the spec
     */
    public static List<Cell> expand(SweepSpec spec, Map<Long, ? extends DatasetIdentity> datasets) {
        if (spec.transfers()) {
            throw new IllegalArgumentException("spec " + spec.name() + " has transfer cells: expand it with its "
                    + "source networks (Grid.expand(spec, datasets, sources))");
        }
        return expand(spec, datasets, (settings, dataset) -> {
            throw new IllegalStateException("no transfer cell expected");
        });
    }

    /**
     * Expands a grid whose cells may transfer layers from a source network: each transfer cell is crossed with
     * every source network {@code sources} gives it (one per source seed), the source seed outside the seed, and
     * its id includes the source's ({@link #cell(String, long, CellSettings, Map, DatasetIdentity, SourceRef)}).
     * Cells that come out the same (a from-scratch cell is one cell whatever the grid's freeze or strategy, which
     * do not apply to it) are listed once, where they first appear, with the coordinates that apply to them.
     *
     * @param sources the source networks of a transfer cell; asked only for cells with {@code transfer-layers > 0}
     * @throws SpecException listing every problem, located in the spec
     */
    public static List<Cell> expand(SweepSpec spec, Map<Long, ? extends DatasetIdentity> datasets,
                                    TransferSources sources) {
        check(spec, Long.MAX_VALUE); // cheap; callers check the size with their limit first
        List<Map<Setting<?>, Located<Object>>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (SweepSpec.GridAxis axis : spec.grid()) {
            List<Map<Setting<?>, Located<Object>>> next = new ArrayList<>();
            for (Map<Setting<?>, Located<Object>> point : points) {
                for (Located<Object> value : axis.values()) {
                    Map<Setting<?>, Located<Object>> extended = new LinkedHashMap<>(point);
                    extended.put(axis.setting(), value);
                    next.add(extended);
                }
            }
            points = next;
        }

        Set<SpecError> errors = new LinkedHashSet<>();
        Map<String, Cell> cells = new LinkedHashMap<>();
        for (Map<Setting<?>, Located<Object>> point : points) {
            CellSettings.Builder builder = spec.baseSettings();
            point.forEach((setting, value) -> builder.setParsed(setting, value.value()));
            CellSettings settings = builder.build();
            // A coordinate that does not apply to the cell (freeze of a from-scratch cell, momentum of sgd) is
            // left out: it neither splits the cell nor describes it.
            Map<String, String> coordinates = new LinkedHashMap<>();
            point.keySet().stream().filter(settings::applies)
                    .forEach(setting -> coordinates.put(setting.key(), setting.canonical(settings.get(setting))));

            DatasetIdentity dataset = datasets.get(settings.dataSeed());
            if (dataset == null) {
                throw new IllegalArgumentException("no dataset for data seed " + settings.dataSeed());
            }
            errors.addAll(shapeProblems(spec, settings, dataset));
            List<SourceRef> refs = java.util.Collections.singletonList(null);
            if (settings.transfers()) {
                try {
                    refs = sources.refs(settings, dataset);
                } catch (SpecException e) {
                    errors.addAll(e.errors());
                    continue;
                }
            }
            for (SourceRef source : refs) {
                for (long seed : spec.seeds()) {
                    Cell cell = cell(spec.name(), seed, settings, coordinates, dataset, source);
                    cells.putIfAbsent(cell.cellId(), cell);
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new SpecException(new ArrayList<>(errors));
        }
        return new ArrayList<>(cells.values());
    }

    /** The source networks of transfer cells, as the grid expansion asks for them. */
    @FunctionalInterface
    public interface TransferSources {
        /**
         * The source networks a transfer cell with these settings on this dataset is crossed with, one per source
         * seed, in seed order.
         *
         * @throws SpecException where the source cannot serve the cell (its data has another number of features)
         */
        List<SourceRef> refs(CellSettings settings, DatasetIdentity dataset);
    }

    /** Builds one cell that uses no source network; exposed for replaying a cell from its recorded settings. */
    public static Cell cell(String sweep, long seed, CellSettings settings, Map<String, String> coordinates,
                            DatasetIdentity dataset) {
        return cell(sweep, seed, settings, coordinates, dataset, null);
    }

    /**
     * Builds one cell. A transfer cell's identity also holds its source: the source definition's point id (so the
     * source replicates of one grid point share its point id, as its seeds do) and the source seed beside the seed.
     * Nothing of the source enters the init or order seed: a transfer cell's new layers are drawn, and its
     * minibatches ordered, exactly as in the from-scratch cell of the same seed ({@code transfer-layers: 0}).
     *
     * @param source the cell's source network; null exactly when {@code transfer-layers} is 0
     */
    public static Cell cell(String sweep, long seed, CellSettings settings, Map<String, String> coordinates,
                            DatasetIdentity dataset, SourceRef source) {
        StringBuilder canonical = new StringBuilder(ID_VERSION).append('\n');
        settings.canonical().forEach((k, v) -> canonical.append(k).append('=').append(v).append('\n'));
        canonical.append("dataset=").append(dataset.sha256()).append('\n');
        if (source != null) {
            canonical.append("source=").append(source.pointId()).append('\n');
        }
        String identity = canonical.toString();
        String seeds = "seed=" + seed + (source == null || source.seed() == null ? ""
                : "\nsource-seed=" + source.seed());
        String cellId = Hashing.sha256Hex(identity + seeds).substring(0, 16);
        String pointId = Hashing.sha256Hex(identity).substring(0, 16);

        // The network's shape and draws: the settings of the first release in their fixed order, the data's shape,
        // then any newer shaping setting that differs from its default (so old seeds are unchanged).
        StringBuilder network = new StringBuilder("seed=").append(seed);
        settings.initSeedParts(true).forEach(part -> network.append('|').append(part));
        network.append("|in=").append(dataset.features()).append("|out=").append(dataset.outputs());
        settings.initSeedParts(false).forEach(part -> network.append('|').append(part));
        long initSeed = Hashing.seed("init|" + network);

        StringBuilder order = new StringBuilder("order|seed=").append(seed).append("|dataset=").append(dataset.sha256());
        for (Setting<?> setting : Settings.with(Setting.Role.ORDER_SEED)) {
            if (settings.applies(setting) && !settings.isDefault(setting)) {
                order.append('|').append(setting.key()).append('=').append(setting.canonical(settings.get(setting)));
            }
        }
        long orderSeed = Hashing.seed(order.toString());
        return new Cell(sweep, cellId, pointId, seed, initSeed, orderSeed, settings, coordinates, dataset.sha256(),
                source);
    }

    /**
     * What no cell of the grid can be built as: layer overrides past a network's dense layers, schemes made for
     * residual networks on an mlp or in {@code layer-init}, fixup on single-layer branches. Checked on every
     * combination of the settings that shape the network (few values each), without data.
     */
    private static List<SpecError> networkProblems(SweepSpec spec) {
        List<SpecError> errors = new ArrayList<>();
        for (Located<LayerInit> override : spec.layerInitItems()) {
            if (override.value().scheme().kind().residualOnly()) {
                errors.add(spec.error(override, override.value().scheme().kind() + " is a scheme for a whole "
                        + "residual network (it adds scalars to every block); give it as scheme, not in layer-init"));
            }
        }
        List<Located<?>> schemes = values(spec, Settings.SCHEME);
        List<Located<?>> architectures = values(spec, Settings.ARCHITECTURE);
        errors.addAll(architectureProblems(spec, architectures));
        List<Located<?>> depths = values(spec, Settings.DEPTH);
        List<Located<?>> blockDepths = values(spec, Settings.BLOCK_DEPTH);
        for (Located<?> architecture : architectures) {
            boolean residual = architecture.value() == Architecture.RESIDUAL;
            for (Located<?> scheme : schemes) {
                SchemeSpec value = (SchemeSpec) scheme.value();
                if (value.kind().residualOnly() && !residual) {
                    errors.add(spec.error(scheme, value.kind() + " is made for residual networks but a cell of "
                            + "this grid is an mlp; set architecture: residual (or give the mlp cells another "
                            + "scheme in another spec)"));
                }
                if (value.kind() == SchemeKind.FIXUP && residual) {
                    for (Located<?> blockDepth : blockDepths) {
                        if ((Integer) blockDepth.value() < 2) {
                            errors.add(spec.error(scheme, "fixup needs residual branches of at least 2 dense "
                                    + "layers (its scaling L^(-1/(2m-2)) is undefined for m = 1), but a cell has "
                                    + "block-depth " + blockDepth.value()));
                        }
                    }
                }
            }
            List<Integer> branchLengths = residual
                    ? blockDepths.stream().map(b -> (Integer) b.value()).toList() : List.of(0);
            for (Located<?> depth : depths) {
                for (int blockDepth : branchLengths) {
                    int d = (Integer) depth.value();
                    int hidden = residual ? 1 + d * blockDepth : d;
                    for (Located<LayerInit> override : spec.layerInitItems()) {
                        LayerInit layers = override.value();
                        if (!layers.isOutput() && layers.last() >= hidden) {
                            errors.add(spec.error(override, residual
                                    ? "layer-init covers layers " + layers.layers() + " but a residual cell with "
                                    + "depth " + d + " and block-depth " + blockDepth + " has dense layers 0-"
                                    + (hidden - 1) + " before its output layer (the stem and " + d + " × "
                                    + blockDepth + " branch layers)"
                                    : "layer-init covers hidden layers " + layers.layers() + " but a cell has depth "
                                    + d + " (hidden layers 0-" + (d - 1) + ")"));
                        }
                    }
                }
            }
        }
        return errors;
    }

    /**
     * What the cnn and per-layer width settings cannot be combined with: normalization in a cnn (not built yet),
     * {@code width} where every cell is a cnn (it has channels), {@code widths} together with the one width it
     * replaces or in a residual network (one stream width), and a {@code widths} list whose length is not a depth of
     * the grid.
     */
    private static List<SpecError> architectureProblems(SweepSpec spec, List<Located<?>> architectures) {
        List<SpecError> errors = new ArrayList<>();
        boolean anyCnn = architectures.stream().anyMatch(a -> a.value() == Architecture.CNN);
        boolean allCnn = architectures.stream().allMatch(a -> a.value() == Architecture.CNN);
        boolean anyResidual = architectures.stream().anyMatch(a -> a.value() == Architecture.RESIDUAL);
        if (anyCnn) {
            for (Located<?> normalization : values(spec, Settings.NORMALIZATION)) {
                if (normalization.value() != Normalization.NONE) {
                    errors.add(spec.error(normalization, "normalization " + normalization.value() + " is not "
                            + "available for architecture cnn (a cell of this grid); cnn cells are plain stacks of "
                            + "convolutions, so give them normalization none"));
                }
            }
        }
        if (allCnn && given(spec, Settings.WIDTH)) {
            errors.add(spec.error(values(spec, Settings.WIDTH).get(0), "width does not apply to architecture cnn, "
                    + "whose convolution layers have channels (channels, or widths per layer)"));
        }
        if (!given(spec, Settings.WIDTHS)) {
            return errors;
        }
        List<Located<?>> widthsValues = values(spec, Settings.WIDTHS);
        Located<?> where = widthsValues.get(0);
        if (given(spec, Settings.WIDTH)) {
            errors.add(spec.error(where, "widths replaces width (one width per hidden layer instead of one for all): "
                    + "give one of them, not both"));
        }
        if (given(spec, Settings.CHANNELS)) {
            errors.add(spec.error(where, "widths replaces channels (output channels per convolution layer instead "
                    + "of one count for all): give one of them, not both"));
        }
        if (anyResidual) {
            errors.add(spec.error(where, "widths does not apply to architecture residual (a cell of this grid): its "
                    + "residual stream and every branch layer have one width, width"));
        }
        for (Located<?> widths : widthsValues) {
            int entries = ((List<?>) widths.value()).size();
            for (Located<?> depth : values(spec, Settings.DEPTH)) {
                if (entries != (Integer) depth.value()) {
                    errors.add(spec.error(widths, "widths " + Settings.WIDTHS.canonical(widths.value()) + " has "
                            + entries + " entries but a cell has depth " + depth.value() + ": give one width per "
                            + "hidden layer (mlp) or convolution layer (cnn)"));
                }
            }
        }
        return errors;
    }

    /** Whether the spec gives a setting, on the grid or fixed. */
    private static boolean given(SweepSpec spec, Setting<?> setting) {
        return spec.onGrid(setting) || spec.fixed().containsKey(setting.key());
    }

    /** A setting's values in the spec: its grid axis's, else its fixed value, else its default. */
    static List<Located<?>> values(SweepSpec spec, Setting<?> setting) {
        for (SweepSpec.GridAxis axis : spec.grid()) {
            if (axis.setting() == setting) {
                return new ArrayList<>(axis.values());
            }
        }
        return List.of(spec.whereIs(setting, spec.baseSettings().get(setting)));
    }

    /** The network of a cell on data of the given shape (see {@link NetworkLayout}). */
    public static NetworkLayout layout(CellSettings settings, DatasetIdentity dataset) {
        return NetworkLayout.of(settings, dataset.inputShape(), dataset.outputs());
    }

    private static List<SpecError> shapeProblems(SweepSpec spec, CellSettings settings, DatasetIdentity dataset) {
        List<SpecError> errors = new ArrayList<>();
        if (settings.cnn() && dataset.inputShape().size() != 3) {
            errors.add(spec.error(spec.whereIs(Settings.ARCHITECTURE, settings.architecture()), "architecture cnn "
                    + "needs images, but dataset " + dataset.name() + " has examples of shape "
                    + dataset.inputShape() + " (" + dataset.features() + " features); use idx or bars data, or give "
                    + "image-shape: [C, H, W] for csv and parquet rows"));
            return errors;
        }
        NetworkLayout layout = layout(settings, dataset);
        for (NetworkLayout.Layer layer : layout.layers()) {
            Optional<String> problem = layer.shapeProblem();
            if (problem.isPresent()) {
                Located<?> where = whereScheme(spec, settings, layer.index());
                String shape = layer.isConvolution()
                        ? "kernel C_out × C_in × k × k = " + layer.conv().kernel() + ", input " + dataset.inputShape()
                        : dataset.features() + " features, " + (settings.widths().isEmpty()
                        ? "width " + settings.width() : "widths " + settings.widths()) + ", " + dataset.outputs()
                        + " outputs";
                errors.add(spec.error(where, problem.get() + " for " + layer.describe() + " (" + shape + "); "
                        + "use layer-init to give the other layers another scheme"));
            }
        }
        if (settings.normalization() == Normalization.BATCH) {
            int batch = settings.dataParallel() ? settings.batchSizePerWorker() : settings.batchSize();
            int rows = dataset.trainRows();
            if (rows % batch == 1 || rows == 1) {
                errors.add(spec.error(spec.whereIs(Settings.NORMALIZATION, Normalization.BATCH), "batch "
                        + "normalization needs at least 2 examples in every minibatch (one example has no batch "
                        + "variance), but " + rows + " training rows in minibatches of " + batch + " leave a last "
                        + "minibatch of 1; change " + (settings.dataParallel() ? "batch-size-per-worker" : "batch-size")
                        + " or the data's size"));
            }
        }
        return errors;
    }

    private static Located<?> whereScheme(SweepSpec spec, CellSettings settings, int layer) {
        for (Located<LayerInit> override : spec.layerInitItems()) {
            if (override.value().covers(layer, settings.hiddenLayers())) {
                return override;
            }
        }
        return spec.whereIs(Settings.SCHEME, settings.scheme());
    }
}
