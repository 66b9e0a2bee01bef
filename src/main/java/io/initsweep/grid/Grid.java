package io.initsweep.grid;

import io.initsweep.common.Canonical;
import io.initsweep.common.Hashing;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.init.InitScheme;
import io.initsweep.init.SchemeSpec;
import io.initsweep.spec.Axis;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.LayerInit;
import io.initsweep.spec.Located;
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
 * <p>A cell id is the first 16 hex digits of SHA-256 over a versioned, canonical text of the cell's settings,
 * its seed index and its dataset fingerprint. The sweep's name is not part of it: the same cell in two sweeps
 * is the same computation.
 */
public final class Grid {
    /** Bump when the meaning of a setting changes, so old ids can never be mistaken for new results. */
    static final String ID_VERSION = "initsweep-cell-v1";

    private Grid() {
    }

    /** The data seeds a spec uses: the data-seed axis's values, or its one fixed value. */
    public static Set<Long> dataSeeds(SweepSpec spec) {
        Set<Long> seeds = new TreeSet<>();
        for (SweepSpec.GridAxis axis : spec.grid()) {
            if (axis.axis() == Axis.DATA_SEED) {
                axis.values().forEach(v -> seeds.add((Long) v.value()));
            }
        }
        if (seeds.isEmpty()) {
            seeds.add(spec.baseSettings().dataSeed());
        }
        return seeds;
    }

    /**
     * Expands the grid and checks what needs the data's shape (identity on a non-square layer, a layer override
     * beyond the network).
     *
     * @param datasets the dataset for each of {@link #dataSeeds}
     * @throws SpecException listing every problem, located in the spec
     */
    public static List<Cell> expand(SweepSpec spec, Map<Long, ? extends DatasetIdentity> datasets) {
        List<Map<Axis, Located<Object>>> points = new ArrayList<>();
        points.add(new LinkedHashMap<>());
        for (SweepSpec.GridAxis axis : spec.grid()) {
            List<Map<Axis, Located<Object>>> next = new ArrayList<>();
            for (Map<Axis, Located<Object>> point : points) {
                for (Located<Object> value : axis.values()) {
                    Map<Axis, Located<Object>> extended = new LinkedHashMap<>(point);
                    extended.put(axis.axis(), value);
                    next.add(extended);
                }
            }
            points = next;
        }

        Set<SpecError> errors = new LinkedHashSet<>();
        List<Cell> cells = new ArrayList<>();
        for (Map<Axis, Located<Object>> point : points) {
            CellSettings.Builder builder = spec.baseSettings();
            Map<String, String> coordinates = new LinkedHashMap<>();
            point.forEach((axis, value) -> axis.apply(builder, value.value()));
            CellSettings settings = builder.build();
            point.keySet().forEach(axis -> coordinates.put(axis.key(), axis.label(settings)));

            DatasetIdentity dataset = datasets.get(settings.dataSeed());
            if (dataset == null) {
                throw new IllegalArgumentException("no dataset for data seed " + settings.dataSeed());
            }
            errors.addAll(check(spec, settings, dataset));
            for (long seed : spec.seeds()) {
                cells.add(cell(spec.name(), seed, settings, coordinates, dataset));
            }
        }
        if (!errors.isEmpty()) {
            throw new SpecException(new ArrayList<>(errors));
        }
        return cells;
    }

    /** Builds one cell; exposed for replaying a cell from its recorded settings. */
    public static Cell cell(String sweep, long seed, CellSettings settings, Map<String, String> coordinates,
                            DatasetIdentity dataset) {
        StringBuilder canonical = new StringBuilder(ID_VERSION).append('\n');
        settings.canonical().forEach((k, v) -> canonical.append(k).append('=').append(v).append('\n'));
        canonical.append("dataset=").append(dataset.sha256()).append('\n');
        String identity = canonical.toString();
        String cellId = Hashing.sha256Hex(identity + "seed=" + seed).substring(0, 16);
        String pointId = Hashing.sha256Hex(identity).substring(0, 16);

        String network = "seed=" + seed + "|scheme=" + settings.scheme().label() + "|layer-init="
                + settings.layerInitLabel() + "|bias-init=" + Canonical.number(settings.biasInit()) + "|depth=" + settings.depth()
                + "|width=" + settings.width() + "|activation=" + settings.activation().canonicalName()
                + "|in=" + dataset.features() + "|out=" + dataset.outputs();
        long initSeed = Hashing.seed("init|" + network);
        long orderSeed = Hashing.seed("order|seed=" + seed + "|dataset=" + dataset.sha256());
        return new Cell(sweep, cellId, pointId, seed, initSeed, orderSeed, settings, coordinates, dataset.sha256());
    }

    /** Layer shapes: (fan_in, fan_out) of hidden layers 0..depth-1, then the output layer. */
    public static int[][] layerShapes(CellSettings settings, int features, int outputs) {
        int depth = settings.depth();
        int[][] shapes = new int[depth + 1][];
        int in = features;
        for (int layer = 0; layer < depth; layer++) {
            shapes[layer] = new int[] {in, settings.width()};
            in = settings.width();
        }
        shapes[depth] = new int[] {in, outputs};
        return shapes;
    }

    private static List<SpecError> check(SweepSpec spec, CellSettings settings, DatasetIdentity dataset) {
        List<SpecError> errors = new ArrayList<>();
        int depth = settings.depth();
        for (Located<LayerInit> override : spec.layerInit()) {
            LayerInit layers = override.value();
            if (!layers.isOutput() && layers.last() >= depth) {
                errors.add(spec.error(override, "layer-init covers hidden layers " + layers.layers()
                        + " but a cell has depth " + depth + " (hidden layers 0-" + (depth - 1) + ")"));
            }
        }
        int[][] shapes = layerShapes(settings, dataset.features(), dataset.outputs());
        for (int layer = 0; layer < shapes.length; layer++) {
            SchemeSpec scheme = settings.schemeOf(layer);
            InitScheme resolved = scheme.resolve(settings.activation());
            Optional<String> problem = resolved.shapeProblem(shapes[layer][0], shapes[layer][1]);
            if (problem.isPresent()) {
                String layerName = layer == depth ? "the output layer" : "layer " + layer;
                Located<?> where = whereScheme(spec, settings, layer);
                errors.add(spec.error(where, problem.get() + " for " + layerName + " (" + dataset.features()
                        + " features, width " + settings.width() + ", " + dataset.outputs() + " outputs); "
                        + "use layer-init to give the other layers another scheme"));
            }
        }
        return errors;
    }

    private static Located<?> whereScheme(SweepSpec spec, CellSettings settings, int layer) {
        for (Located<LayerInit> override : spec.layerInit()) {
            if (override.value().covers(layer, settings.depth())) {
                return override;
            }
        }
        return spec.whereIs(Axis.SCHEME, settings.scheme());
    }
}
