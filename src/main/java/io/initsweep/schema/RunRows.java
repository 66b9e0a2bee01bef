package io.initsweep.schema;

import io.initsweep.grid.SourceRef;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.Setting;
import io.initsweep.spec.Settings;
import io.initsweep.train.EpochMetrics;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a cell back from its {@code runs} row: every setting that replay needs, decoded by its declaration (a null
 * column means the setting did not apply, or was absent, and takes its default). Replay rebuilds the cell from this
 * and refuses to go on unless it gives back the recorded cell id.
 */
public final class RunRows {
    private RunRows() {
    }

    /** The cell's settings as its runs row recorded them. */
    public static CellSettings settings(Row run) {
        CellSettings.Builder builder = CellSettings.builder();
        for (Setting<?> setting : Settings.with(Setting.Role.REPLAY)) {
            Object stored = run.get(run.fieldIndex(setting.column()));
            if (stored != null) {
                builder.setParsed(setting, decode(setting, stored));
            }
        }
        return builder.build();
    }

    private static Object decode(Setting<?> setting, Object stored) {
        try {
            return setting.type().fromColumn(stored);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("runs." + setting.column() + " holds '" + stored
                    + "', which is not a value of " + setting.key() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The source network a transfer cell's runs row recorded (what its id holds of the source), or null for a cell
     * that used none.
     */
    public static SourceRef source(Row run) {
        // a row read without the column (a table before version 4) used no source either
        String id = run.schema() != null && !java.util.Arrays.asList(run.schema().fieldNames()).contains("source_id")
                ? null : run.getAs("source_id");
        if (id == null) {
            return null;
        }
        Object seed = run.get(run.fieldIndex("source_seed"));
        return new SourceRef(id, run.getAs("source_point_id"), seed == null ? null : ((Number) seed).longValue());
    }

    /** One {@code epochs} row as the trainer recorded it. */
    public static EpochMetrics epoch(Row row) {
        return new EpochMetrics(row.<Integer>getAs("epoch"), row.<Double>getAs("train_loss"),
                row.<Double>getAs("test_loss"), row.getAs("test_accuracy"), row.<Double>getAs("grad_norm"));
    }

    /** {@code scheme=he_normal depth=8} → the ordered coordinates of {@code runs.grid_point}. */
    public static Map<String, String> coordinates(String gridPoint) {
        Map<String, String> coordinates = new LinkedHashMap<>();
        for (String part : gridPoint.split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                coordinates.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return coordinates;
    }
}
