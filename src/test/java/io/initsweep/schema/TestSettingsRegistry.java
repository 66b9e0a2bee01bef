package io.initsweep.schema;

import io.initsweep.data.Dataset;
import io.initsweep.data.Datasets;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.grid.Sources;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.Setting;
import io.initsweep.spec.Setting.Role;
import io.initsweep.spec.Settings;
import io.initsweep.spec.SourceSpec;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.Provenance;
import io.initsweep.train.RunStatus;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every declared setting walked through everything that is derived from its declaration: the parser (as a fixed
 * value and, for axes, on the grid), the cell id, the seeds, the comparison context, the {@code runs} row, and
 * replay's decoding back to the same cell id. In the spirit of Airlift's {@code ConfigAssertions.assertFullMapping}:
 * a setting declared without a sample here, or in no role, fails the test.
 */
class TestSettingsRegistry {
    /** Base spec: every setting at its default unless the base gives it; a sample changes exactly one setting. */
    private static final Map<String, Map<String, String>> BASE = Map.of(
            "model", Map.of("depth", "2", "activation", "relu", "width", "8"),
            "training", Map.of("epochs", "4"),
            "data", Map.of("dataset", "blobs", "samples", "60"));

    /** The data of cells whose setting applies to cnn cells only: images. */
    private static final Map<String, String> CNN_DATA = Map.of("dataset", "bars", "samples", "60", "size", "8");

    /** A value other than the default (and other than the base's) for every setting. */
    private static final Map<String, String> SAMPLES = Map.ofEntries(
            Map.entry("scheme", "xavier_uniform"),
            Map.entry("layer-init", "[{layers: 0, scheme: lecun_normal}]"),
            Map.entry("bias-init", "0.1"),
            Map.entry("bias-std", "0.3"),
            Map.entry("depth", "3"),
            Map.entry("width", "12"),
            Map.entry("activation", "tanh"),
            Map.entry("architecture", "residual"),
            Map.entry("normalization", "batch"),
            Map.entry("block-depth", "3"),
            Map.entry("branch-scale", "1/sqrt(depth)"),
            Map.entry("channels", "4"),
            Map.entry("kernel", "5"),
            Map.entry("downsample-every", "2"),
            Map.entry("widths", "[12, 6]"),
            Map.entry("optimizer", "adam"),
            Map.entry("learning-rate", "0.2"),
            Map.entry("momentum", "0.5"),
            Map.entry("batch-size", "16"),
            Map.entry("epochs", "3"),
            Map.entry("target-loss", "0.4"),
            Map.entry("precision", "float64"),
            Map.entry("diagnostics-every", "2"),
            Map.entry("mode", "data-parallel"),
            Map.entry("workers", "3"),
            Map.entry("averaging-frequency", "2"),
            Map.entry("batch-size-per-worker", "8"),
            Map.entry("data-seed", "7"),
            Map.entry("cores-per-cell", "2"),
            Map.entry("commit-seconds", "5"),
            Map.entry("transfer-layers", "1"),
            Map.entry("source-data", "target"),
            Map.entry("strategy", "lp-ft"),
            Map.entry("freeze", "true"),
            Map.entry("lp-epochs", "3"),
            Map.entry("lp-learning-rate", "0.02"),
            Map.entry("cells-per-task", "4"));

    /** The source a spec gets when some cell transfers: everything but the scheme inherited from the target. */
    private static final String SOURCE = "source:\n  seeds: 1\n  model: {scheme: lecun_normal}\n";

    @Test
    void everySettingHasASampleAndARoleAndItsRolesAreConsistent() throws Exception {
        assertThat(SAMPLES.keySet()).as("give every declared setting a non-default sample here")
                .containsExactlyInAnyOrderElementsOf(Settings.ALL.stream().map(Setting::key).toList());
        List<Setting<?>> declared = new ArrayList<>();
        for (Field field : Settings.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == Setting.class) {
                declared.add((Setting<?>) field.get(null));
            }
        }
        assertThat(Settings.ALL).as("Settings.ALL lists every declared setting").containsExactlyInAnyOrderElementsOf(
                declared);
        for (Setting<?> s : Settings.ALL) {
            assertThat(s.roles()).as("%s has a role", s).isNotEmpty();
            if (s.has(Role.CELL_ID)) {
                assertThat(s.has(Role.REPLAY)).as("%s: replay must rebuild every id setting", s).isTrue();
                assertThat(s.column()).as("%s: an id setting is stored", s).isNotNull();
            }
            if (s.has(Role.CELL_ID) && s != Settings.SCHEME) {
                // scheme_comparison compares schemes; everything else that makes a cell must be held equal, or it
                // pools different experiments into one sample (as it once pooled data-parallel workers)
                assertThat(s.has(Role.CONTEXT)).as("%s identifies a cell, so comparisons hold it equal", s).isTrue();
            }
            if (s.has(Role.CONTEXT) || s.has(Role.INIT_SEED) || s.has(Role.ORDER_SEED)) {
                assertThat(s.has(Role.CELL_ID)).as("%s: what shapes a cell identifies it", s).isTrue();
            }
            if (s.has(Role.RUNTIME)) {
                assertThat(s.has(Role.CELL_ID)).as("%s: how a sweep runs is not what a cell computes", s).isFalse();
            }
        }
    }

    @Test
    void everySettingWalksFromTheSpecThroughItsRunsRowBackToTheSameCell() {
        for (Setting<?> setting : Settings.ALL) {
            Cell base = onlyCell(spec(Map.of(), controllerOf(setting)));
            Cell variant = onlyCell(spec(Map.of(setting.key(), SAMPLES.get(setting.key())), controllerOf(setting)));
            String what = setting.key() + " = " + SAMPLES.get(setting.key());

            assertThat(!variant.cellId().equals(base.cellId())).as("%s changes the cell id", what)
                    .isEqualTo(setting.has(Role.CELL_ID));
            assertThat(variant.initSeed() != base.initSeed()).as("%s changes the init seed", what)
                    .isEqualTo(setting.has(Role.INIT_SEED));
            assertThat(variant.orderSeed() != base.orderSeed()).as("%s changes the order seed", what)
                    // the dataset's fingerprint seeds the order: a data seed makes another dataset
                    .isEqualTo(setting.has(Role.ORDER_SEED) || setting == Settings.DATA_SEED);
            assertThat(!context(variant).equals(context(base))).as("%s changes the comparison context", what)
                    .isEqualTo(setting.has(Role.CONTEXT));

            if (setting.scope() == Setting.Scope.SWEEP) {
                SweepSpec spec = spec(Map.of(setting.key(), SAMPLES.get(setting.key())), Map.of());
                assertThat(String.valueOf(spec.sweepValue(setting))).as(what).isEqualTo(SAMPLES.get(setting.key()));
                continue;
            }
            Row row = runsRow(variant);
            if (setting.column() != null) {
                assertThat(row.get(row.fieldIndex(setting.column()))).as("%s is stored in runs.%s", what,
                        setting.column()).isNotNull();
            }
            CellSettings replayed = RunRows.settings(row);
            assertThat(replayed.canonical()).as("%s read back from runs", what)
                    .isEqualTo(variant.settings().canonical());
            assertThat(RunRows.source(row)).as("%s: the source read back from runs", what)
                    .isEqualTo(variant.source());
            Cell rebuilt = Grid.cell(variant.sweep(), variant.seed(), replayed, variant.coordinates(),
                    dataset(variant).identity(), RunRows.source(row));
            assertThat(rebuilt.cellId()).as("%s: replay rebuilds the same cell", what).isEqualTo(variant.cellId());
            assertThat(rebuilt.initSeed()).isEqualTo(variant.initSeed());
            assertThat(rebuilt.orderSeed()).isEqualTo(variant.orderSeed());

            if (setting.axis()) {
                Cell onGrid = onlyCell(spec(Map.of("grid:" + setting.key(), "[" + SAMPLES.get(setting.key()) + "]"),
                        controllerOf(setting)));
                assertThat(onGrid.cellId()).as("%s on the grid is the same cell as fixed", what)
                        .isEqualTo(variant.cellId());
                assertThat(onGrid.coordinates()).as(what).containsKey(setting.key());
            }
        }
    }

    @Test
    void aSettingThatDoesNotApplyLeavesNoTrace() {
        // momentum without the momentum optimizer: neither in the id nor in its column
        Cell plain = onlyCell(spec(Map.of(), Map.of()));
        Cell withMomentum = onlyCell(spec(Map.of("momentum", "0.5"), Map.of()));
        assertThat(withMomentum.cellId()).isEqualTo(plain.cellId());
        Row row = runsRow(withMomentum);
        assertThat(row.get(row.fieldIndex("momentum"))).isNull();
        assertThat(row.get(row.fieldIndex("workers"))).isNull();
    }

    /**
     * The settings that must hold a value for this one to apply, up its chain of controllers (momentum needs
     * optimizer momentum; freeze needs strategy fine-tune, which needs transfer-layers above 0): the controlling
     * value, or the controller's sample where any value but one will do.
     */
    private static Map<String, String> controllerOf(Setting<?> setting) {
        Map<String, String> controllers = new LinkedHashMap<>();
        for (Setting<?> link = setting; link.controller() != null; link = link.controller()) {
            Setting<?> controller = link.controller();
            String value = link.controllingNegated() ? SAMPLES.get(controller.key())
                    : controller.canonical(link.controllingValue());
            controllers.put(controller.key(), value);
        }
        return controllers;
    }

    /** The base spec with some settings replaced; a key {@code grid:K} puts K on the grid instead. */
    private static SweepSpec spec(Map<String, String> changes, Map<String, String> controllers) {
        Map<String, Map<String, String>> sections = new TreeMap<>();
        BASE.forEach((section, values) -> sections.put(section, new LinkedHashMap<>(values)));
        if ("cnn".equals(controllers.get("architecture"))) {
            sections.put("data", new LinkedHashMap<>(CNN_DATA)); // a cnn needs images
            sections.get("model").remove("width"); // and has channels
        }
        if (changes.containsKey("widths") || changes.containsKey("grid:widths")) {
            sections.get("model").remove("width"); // widths replaces it
        }
        Map<String, String> grid = new LinkedHashMap<>();
        grid.put("scheme", "[he_normal]");
        Map<String, String> all = new LinkedHashMap<>(controllers);
        all.putAll(changes);
        all.forEach((key, value) -> {
            boolean onGrid = key.startsWith("grid:");
            String name = onGrid ? key.substring(5) : key;
            Setting<?> setting = Settings.byKey(name).orElseThrow();
            sections.values().forEach(m -> m.remove(name));
            grid.remove(name);
            if (onGrid || setting == Settings.SCHEME) {
                grid.put(name, onGrid ? value : "[" + value + "]");
            } else {
                sections.computeIfAbsent(setting.section().key(), s -> new LinkedHashMap<>()).put(name, value);
            }
        });
        StringBuilder yaml = new StringBuilder("name: registry\nseeds: 1\ngrid:\n");
        grid.forEach((k, v) -> yaml.append("  ").append(k).append(": ").append(v).append('\n'));
        sections.forEach((section, values) -> {
            yaml.append(section).append(":\n");
            values.forEach((k, v) -> yaml.append("  ").append(k).append(": ").append(v).append('\n'));
        });
        String transferLayers = all.getOrDefault(Settings.TRANSFER_LAYERS.key(),
                all.get("grid:" + Settings.TRANSFER_LAYERS.key()));
        if (transferLayers != null && !transferLayers.matches("\\[?0]?")) {
            yaml.append(SOURCE);
        }
        return SpecParser.parse(yaml.toString(), "registry.yaml");
    }

    private static Cell onlyCell(SweepSpec spec) {
        Map<Long, io.initsweep.data.DatasetIdentity> datasets = new TreeMap<>();
        for (long seed : Grid.dataSeeds(spec)) {
            datasets.put(seed, Datasets.synthetic(spec.dataset(), seed).identity());
        }
        List<Cell> cells;
        if (spec.sourceNetwork() instanceof SourceSpec.Trained source) {
            cells = Grid.expand(spec, datasets, Sources.trained(spec, Datasets.synthetic(source.dataset(),
                    source.settings().dataSeed()).identity()));
        } else {
            cells = Grid.expand(spec, datasets);
        }
        assertThat(cells).hasSize(1);
        return cells.get(0);
    }

    private static Dataset dataset(Cell cell) {
        return cell.settings().cnn()
                ? Datasets.synthetic(io.initsweep.data.DatasetSpec.of(io.initsweep.data.DatasetKind.BARS,
                Map.of("samples", 60, "size", 8)), cell.settings().dataSeed())
                : Datasets.synthetic(io.initsweep.data.DatasetSpec.of(io.initsweep.data.DatasetKind.BLOBS,
                Map.of("samples", 60)), cell.settings().dataSeed());
    }

    private static Row runsRow(Cell cell) {
        CellResult result = new CellResult(cell, dataset(cell).identity(), RunStatus.OK, null, null,
                List.of(new EpochMetrics(0, 1.0, 1.0, 0.5, 0.1)), List.of(), 0.1, Instant.EPOCH,
                new Provenance("cpu", "OPENBLAS", 1, "test", "1.0.0-M2.1", "17", "Linux", "host", "driver", "run"),
                null, null, cell.source() == null ? null : "ab".repeat(32));
        Row row = Tables.RUNS.toRow(result);
        Object[] values = new Object[row.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(i);
        }
        return new GenericRowWithSchema(values, Tables.RUNS.schema());
    }

    /** The comparison context of a cell, as scheme_comparison reads it from its runs row. */
    private static String context(Cell cell) {
        Row row = runsRow(cell);
        StringBuilder context = new StringBuilder();
        for (String column : Tables.contextColumns()) {
            context.append(column).append('=').append(Objects.toString(row.get(row.fieldIndex(column)))).append('|');
        }
        return context.toString();
    }
}
