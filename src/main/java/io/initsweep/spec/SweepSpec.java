package io.initsweep.spec;

import io.initsweep.data.DatasetSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed, validated sweep: what to vary (the grid and the seeds), what to keep fixed, and on which data.
 * {@link io.initsweep.grid.Grid#expand} turns it into cells.
 *
 * @param name           the sweep's name, a key in every table
 * @param description    free text, optional
 * @param source         the file it came from, as the user named it (for messages)
 * @param seeds          the seed indices every grid point is trained with
 * @param grid           the axes, in spec order, each with its values
 * @param fixed          settings fixed to one value in their sections, by key
 * @param layerInitItems where each per-layer override was written (the value itself is the layer-init setting's)
 * @param dataset        the dataset
 * @param sourceNetwork  the network transfer cells copy layers from (the {@code source} section); null for none
 */
public record SweepSpec(String name, String description, String source, List<Long> seeds,
                        List<GridAxis> grid, Map<String, Located<Object>> fixed,
                        List<Located<LayerInit>> layerInitItems, DatasetSpec dataset, SourceSpec sourceNetwork) {

    public SweepSpec {
        Objects.requireNonNull(name, "name is null");
        seeds = List.copyOf(seeds);
        grid = List.copyOf(grid);
        fixed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fixed));
        layerInitItems = List.copyOf(layerInitItems);
        Objects.requireNonNull(dataset, "dataset is null");
    }

    /** A spec without a source network. */
    public SweepSpec(String name, String description, String source, List<Long> seeds, List<GridAxis> grid,
                     Map<String, Located<Object>> fixed, List<Located<LayerInit>> layerInitItems,
                     DatasetSpec dataset) {
        this(name, description, source, seeds, grid, fixed, layerInitItems, dataset, null);
    }

    /** Whether some cell of the grid keeps layers of a source network ({@code transfer-layers} above 0). */
    public boolean transfers() {
        for (GridAxis axis : grid) {
            if (axis.setting() == Settings.TRANSFER_LAYERS) {
                return axis.values().stream().anyMatch(v -> (Integer) v.value() > 0);
            }
        }
        return baseSettings().build().transfers();
    }

    /** The values a setting takes in this spec: its grid axis's, else its one fixed value or default. */
    public List<Object> valuesOf(Setting<?> setting) {
        for (GridAxis axis : grid) {
            if (axis.setting() == setting) {
                return axis.values().stream().map(Located::value).toList();
            }
        }
        return java.util.Collections.singletonList(baseSettings().build().get(setting));
    }

    /** One grid axis with its values in spec order. */
    public record GridAxis(Setting<?> setting, List<Located<Object>> values) {
        public GridAxis {
            Objects.requireNonNull(setting, "setting is null");
            values = List.copyOf(values);
        }
    }

    /** Grid points × seeds; {@link Long#MAX_VALUE} if the product overflows. */
    public long cellCount() {
        long count = seeds.size();
        for (GridAxis axis : grid) {
            try {
                count = Math.multiplyExact(count, axis.values().size());
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return count;
    }

    /** Grid points: cells without the seeds. */
    public long pointCount() {
        return seeds.isEmpty() ? 0 : cellCount() / seeds.size();
    }

    /** Whether a setting is a grid axis of this spec. */
    public boolean onGrid(Setting<?> setting) {
        return grid.stream().anyMatch(a -> a.setting() == setting);
    }

    /** The settings shared by every cell, before grid values are applied. */
    public CellSettings.Builder baseSettings() {
        CellSettings.Builder builder = CellSettings.builder();
        fixed.forEach((key, value) -> {
            Setting<?> setting = Settings.byKey(key).orElseThrow();
            if (setting.scope() == Setting.Scope.CELL) {
                builder.setParsed(setting, value.value());
            }
        });
        return builder;
    }

    /** The value of a setting for the whole sweep: fixed in the spec, else its default. */
    @SuppressWarnings("unchecked")
    public <T> T sweepValue(Setting<T> setting) {
        if (onGrid(setting)) {
            throw new IllegalArgumentException(setting.key() + " is a grid axis: it has no single value");
        }
        Located<Object> value = fixed.get(setting.key());
        return value != null ? (T) value.value() : setting.defaultValue();
    }

    /** How the sweep runs. */
    public ExecutionSettings execution() {
        return new ExecutionSettings(sweepValue(Settings.CORES_PER_CELL), sweepValue(Settings.COMMIT_SECONDS),
                sweepValue(Settings.MODE) == ExecutionMode.DATA_PARALLEL, sweepValue(Settings.CELLS_PER_TASK));
    }

    /** Whether cells of this sweep can reach a target loss (the summary's last column). */
    public boolean hasTargetLoss() {
        return sweepValue(Settings.TARGET_LOSS) != null;
    }

    /** Where a setting of a cell was written: its grid value if it is an axis, else its fixed value. */
    public Located<?> whereIs(Setting<?> setting, Object value) {
        for (GridAxis axis : grid) {
            if (axis.setting() == setting) {
                for (Located<Object> located : axis.values()) {
                    if (located.value().equals(value)) {
                        return located;
                    }
                }
            }
        }
        Located<Object> fixedValue = fixed.get(setting.key());
        return fixedValue != null ? fixedValue
                : new Located<>(value, setting.section().key() + "." + setting.key(), 0);
    }

    public SpecError error(Located<?> where, String message) {
        return new SpecError(source, where.path(), where.line(), message);
    }
}
