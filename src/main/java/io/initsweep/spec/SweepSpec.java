package io.initsweep.spec;

import io.initsweep.data.DatasetSpec;
import io.initsweep.model.Precision;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed, validated sweep: what to vary (the grid and the seeds), what to keep fixed, and on which data.
 * {@link io.initsweep.grid.Grid#expand} turns it into cells.
 *
 * @param name        the sweep's name, a key in every table
 * @param description free text, optional
 * @param source      the file it came from, as the user named it (for messages)
 * @param seeds       the seed indices every grid point is trained with
 * @param grid        the axes, in spec order, each with its values
 * @param fixed       axis settings fixed to one value
 * @param layerInit   per-layer scheme overrides
 * @param targetLoss  test loss that counts as reached; null for none
 * @param precision   network floating-point type
 * @param dataset     the dataset
 * @param execution   how the sweep runs
 */
public record SweepSpec(String name, String description, String source, List<Long> seeds,
                        List<GridAxis> grid, Map<Axis, Located<Object>> fixed, List<Located<LayerInit>> layerInit,
                        Double targetLoss, Precision precision, DatasetSpec dataset, ExecutionSettings execution)
        implements Serializable {

    public SweepSpec {
        Objects.requireNonNull(name, "name is null");
        seeds = List.copyOf(seeds);
        grid = List.copyOf(grid);
        fixed = Map.copyOf(fixed);
        layerInit = List.copyOf(layerInit);
        Objects.requireNonNull(dataset, "dataset is null");
        Objects.requireNonNull(execution, "execution is null");
    }

    /** One grid axis with its values in spec order. */
    public record GridAxis(Axis axis, List<Located<Object>> values) implements Serializable {
        public GridAxis {
            values = List.copyOf(values);
        }
    }

    /** Grid points × seeds. */
    public long cellCount() {
        long count = seeds.size();
        for (GridAxis axis : grid) {
            count *= axis.values().size();
        }
        return count;
    }

    /** The settings shared by every cell, before grid values are applied. */
    public CellSettings.Builder baseSettings() {
        CellSettings.Builder builder = new CellSettings.Builder();
        fixed.forEach((axis, value) -> axis.apply(builder, value.value()));
        List<LayerInit> overrides = new ArrayList<>();
        layerInit.forEach(l -> overrides.add(l.value()));
        return builder.layerInit(overrides).targetLoss(targetLoss).precision(precision)
                .dataParallel(execution.dataParallel());
    }

    /** Where a setting of a cell was written: its grid value if it is an axis, else its fixed value. */
    public Located<?> whereIs(Axis axis, Object value) {
        for (GridAxis gridAxis : grid) {
            if (gridAxis.axis() == axis) {
                for (Located<Object> located : gridAxis.values()) {
                    if (located.value().equals(value)) {
                        return located;
                    }
                }
            }
        }
        Located<Object> fixedValue = fixed.get(axis);
        return fixedValue != null ? fixedValue : new Located<>(value, axis.section() + "." + axis.key(), 0);
    }

    public SpecError error(Located<?> where, String message) {
        return new SpecError(source, where.path(), where.line(), message);
    }
}
