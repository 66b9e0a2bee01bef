package io.initsweep.spec;

import io.initsweep.common.Parameter;
import io.initsweep.data.DatasetKind;
import io.initsweep.data.DatasetSpec;
import io.initsweep.model.Precision;

import org.apache.commons.lang3.StringUtils;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a sweep spec from YAML, strictly: unknown keys, wrong types, empty axes and out-of-range values are all
 * reported, each with the file, key path, line and the offending value, before anything runs.
 */
public final class SpecParser {

    /** Sweep names become file names and SQL literals: keep them plain. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final List<String> TOP_KEYS =
            List.of("name", "description", "seeds", "grid", "model", "training", "data", "execution");
    private static final Map<String, List<String>> SECTION_KEYS = Map.of(
            "model", List.of("scheme", "depth", "activation", "width", "bias-init", "layer-init"),
            "training", List.of("epochs", "batch-size", "optimizer", "learning-rate", "momentum", "target-loss",
                    "precision"),
            "execution", List.of("mode", "cores-per-cell", "commit-seconds", "workers", "averaging-frequency",
                    "batch-size-per-worker"));
    private static final int MAX_SEEDS = 100_000;

    private final List<SpecError> errors = new ArrayList<>();
    private final String file;

    private SpecParser(String file) {
        this.file = file;
    }

    /** Parses a spec file. @throws SpecException listing every problem */
    public static SweepSpec parse(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SpecException(new SpecError(path.toString(), "", 0, "cannot read the spec file: " + e));
        }
        return parse(text, path.toString());
    }

    /** Parses spec text; {@code file} names it in messages. @throws SpecException listing every problem */
    public static SweepSpec parse(String text, String file) {
        return new SpecParser(file).read(text);
    }

    private SweepSpec read(String text) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new SpecException(new SpecError(file, "", line, "not valid YAML: " + e.getProblem()));
        } catch (YAMLException e) {
            throw new SpecException(new SpecError(file, "", 0, "not valid YAML: " + e.getMessage()));
        }
        if (root == null) {
            throw new SpecException(new SpecError(file, "", 0, "the spec is empty"));
        }
        YamlNode top = new YamlNode(root, file, "");
        Map<String, YamlNode> entries = guard(top::entries, Map.of());
        checkKeys(top, entries, TOP_KEYS);

        String name = guard(() -> name(required(top, entries, "name")), null);
        String description = entries.containsKey("description")
                ? guard(() -> String.valueOf(entries.get("description").scalar()), null) : null;
        List<Long> seeds = guard(() -> seeds(required(top, entries, "seeds")), List.of());

        Map<String, Map<String, YamlNode>> sections = new LinkedHashMap<>();
        for (String section : List.of("model", "training", "data", "execution")) {
            YamlNode node = entries.get(section);
            Map<String, YamlNode> sectionEntries = node == null || node.isNull() ? Map.of()
                    : guard(node::entries, Map.of());
            sections.put(section, sectionEntries);
            if (SECTION_KEYS.containsKey(section) && node != null) {
                checkKeys(node, sectionEntries, SECTION_KEYS.get(section));
            }
        }

        List<SweepSpec.GridAxis> grid = guard(() -> grid(required(top, entries, "grid"), sections), List.of());
        Set<Axis> onGrid = new HashSet<>();
        grid.forEach(a -> onGrid.add(a.axis()));
        YamlNode gridNode = entries.get("grid");
        if (gridNode != null && gridNode.isMapping()) {
            // an axis written but invalid was reported already; do not also call it missing
            guard(gridNode::entries, Map.<String, YamlNode>of()).keySet()
                    .forEach(key -> Axis.byKey(key).ifPresent(onGrid::add));
        }

        Map<Axis, Located<Object>> fixed = new EnumMap<>(Axis.class);
        for (Axis axis : Axis.values()) {
            YamlNode node = sections.get(axis.section()).get(axis.key());
            if (node != null && !onGrid.contains(axis)) {
                guard(() -> fixed.put(axis, new Located<>(axis.parse(node), node.path(), node.line())), null);
            }
        }
        for (Axis required : List.of(Axis.SCHEME, Axis.DEPTH, Axis.ACTIVATION)) {
            if (!onGrid.contains(required) && !fixed.containsKey(required)
                    && !sections.get(required.section()).containsKey(required.key())) {
                errors.add(new SpecError(file, "grid." + required.key(), 0, required.key()
                        + " must be given, as a grid axis or as " + required.section() + "." + required.key()));
            }
        }

        Map<String, YamlNode> model = sections.get("model");
        List<Located<LayerInit>> layerInit = model.containsKey("layer-init")
                ? guard(() -> layerInit(model.get("layer-init")), List.of()) : List.of();

        Map<String, YamlNode> training = sections.get("training");
        Double targetLoss = training.containsKey("target-loss")
                ? guard(() -> targetLoss(training.get("target-loss")), null) : null;
        Precision precision = training.containsKey("precision")
                ? guard(() -> precision(training.get("precision")), Precision.FLOAT32) : Precision.FLOAT32;

        DatasetSpec dataset = guard(() -> dataset(top, entries, sections.get("data")), null);
        ExecutionSettings execution = guard(() -> execution(sections.get("execution")), ExecutionSettings.DEFAULT);
        if (!execution.dataParallel()) {
            for (Axis axis : List.of(Axis.WORKERS, Axis.AVERAGING_FREQUENCY, Axis.BATCH_SIZE_PER_WORKER)) {
                YamlNode node = gridNode != null && gridNode.isMapping()
                        ? guard(gridNode::entries, Map.<String, YamlNode>of()).get(axis.key()) : null;
                node = node != null ? node : sections.get("execution").get(axis.key());
                if (node != null) {
                    errors.add(new SpecError(file, node.path(), node.line(), axis.key()
                            + " only applies to execution.mode data-parallel"));
                }
            }
        }

        if (!errors.isEmpty()) {
            throw new SpecException(errors);
        }
        return new SweepSpec(name, description, file, seeds, grid, fixed, layerInit, targetLoss, precision,
                dataset, execution);
    }

    private String name(YamlNode node) {
        Object value = node.scalar();
        String text = value == null ? "" : value.toString();
        if (!NAME.matcher(text).matches()) {
            throw node.problem("name must be 1-128 letters, digits, '_', '.' or '-' starting with a letter or digit, "
                    + "got " + node.describe());
        }
        return text;
    }

    private List<Long> seeds(YamlNode node) {
        if (node.isSequence()) {
            List<YamlNode> items = node.items();
            if (items.isEmpty()) {
                throw node.problem("seeds must not be an empty list");
            }
            List<Long> seeds = new ArrayList<>();
            for (YamlNode item : items) {
                long seed = Axis.longInteger(item, 0, Long.MAX_VALUE, "seed");
                if (seeds.contains(seed)) {
                    throw item.problem("seed " + seed + " appears more than once");
                }
                seeds.add(seed);
            }
            return seeds;
        }
        long count = Axis.longInteger(node, 1, MAX_SEEDS, "seeds");
        List<Long> seeds = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            seeds.add(i);
        }
        return seeds;
    }

    private List<SweepSpec.GridAxis> grid(YamlNode node, Map<String, Map<String, YamlNode>> sections) {
        if (node.isNull()) {
            return List.of();
        }
        List<SweepSpec.GridAxis> axes = new ArrayList<>();
        for (Map.Entry<String, YamlNode> entry : node.entries().entrySet()) {
            YamlNode values = entry.getValue();
            Axis axis = Axis.byKey(entry.getKey()).orElse(null);
            if (axis == null) {
                errors.add(new SpecError(file, values.path(), values.line(), "unknown axis '" + entry.getKey() + "'"
                        + suggestion(entry.getKey(), Axis.keys()) + "; axes are " + String.join(", ", Axis.keys())));
                continue;
            }
            if (sections.get(axis.section()).containsKey(axis.key())) {
                YamlNode alsoFixed = sections.get(axis.section()).get(axis.key());
                errors.add(new SpecError(file, alsoFixed.path(), alsoFixed.line(), axis.key()
                        + " is a grid axis and also fixed here; give it in one place"));
            }
            if (!values.isSequence()) {
                errors.add(new SpecError(file, values.path(), values.line(),
                        "a grid axis must be a list of values, got " + values.describe()));
                continue;
            }
            List<YamlNode> items = values.items();
            if (items.isEmpty()) {
                errors.add(new SpecError(file, values.path(), values.line(), "grid axis " + axis.key()
                        + " is empty; give at least one value"));
                continue;
            }
            List<Located<Object>> parsed = new ArrayList<>();
            for (YamlNode item : items) {
                Object value = guard(() -> axis.parse(item), null);
                if (value == null) {
                    continue;
                }
                if (parsed.stream().anyMatch(p -> p.value().equals(value))) {
                    errors.add(new SpecError(file, item.path(), item.line(), "value " + item.describe()
                            + " appears more than once in grid axis " + axis.key()));
                    continue;
                }
                parsed.add(new Located<>(value, item.path(), item.line()));
            }
            axes.add(new SweepSpec.GridAxis(axis, parsed));
        }
        return axes;
    }

    private List<Located<LayerInit>> layerInit(YamlNode node) {
        List<Located<LayerInit>> overrides = new ArrayList<>();
        for (YamlNode item : node.items()) {
            Map<String, YamlNode> entries = item.entries();
            checkKeys(item, entries, List.of("layers", "scheme"));
            YamlNode layers = required(item, entries, "layers");
            YamlNode scheme = required(item, entries, "scheme");
            Object layersValue = layers.scalar();
            if (layersValue == null) {
                throw layers.problem("layers must be N, A-B or output, got nothing");
            }
            LayerInit override;
            try {
                override = LayerInit.parse(layersValue.toString(), Axis.parseScheme(scheme));
            } catch (IllegalArgumentException e) {
                throw layers.problem(e.getMessage());
            }
            for (Located<LayerInit> earlier : overrides) {
                if (overlaps(earlier.value(), override)) {
                    throw layers.problem("layers " + override.layers() + " overlap layers "
                            + earlier.value().layers() + " (" + earlier.path() + ")");
                }
            }
            overrides.add(new Located<>(override, item.path(), item.line()));
        }
        return overrides;
    }

    private static boolean overlaps(LayerInit a, LayerInit b) {
        if (a.isOutput() || b.isOutput()) {
            return a.isOutput() && b.isOutput();
        }
        return a.first() <= b.last() && b.first() <= a.last();
    }

    private Double targetLoss(YamlNode node) {
        if (node.isNull()) {
            return null;
        }
        Object value = node.scalar();
        if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
            throw node.problem("target-loss must be a number >= 0, got " + node.describe());
        }
        return n.doubleValue();
    }

    private Precision precision(YamlNode node) {
        Object value = node.scalar();
        return Precision.byName(String.valueOf(value)).orElseThrow(() ->
                node.problem("precision must be float32 or float64, got " + node.describe()));
    }

    private DatasetSpec dataset(YamlNode top, Map<String, YamlNode> entries, Map<String, YamlNode> data) {
        YamlNode dataNode = required(top, entries, "data");
        YamlNode kindNode = required(dataNode, data, "dataset");
        Object kindName = kindNode.scalar();
        DatasetKind kind = DatasetKind.byName(String.valueOf(kindName)).orElseThrow(() -> kindNode.problem(
                "dataset must be one of " + DatasetKind.names() + ", got " + kindNode.describe()));
        Map<String, Object> raw = new LinkedHashMap<>();
        List<String> known = new ArrayList<>(List.of("dataset", Axis.DATA_SEED.key()));
        kind.parameters().forEach(p -> known.add(p.name()));
        checkKeys(dataNode, data, known);
        for (Parameter parameter : kind.parameters()) {
            YamlNode node = data.get(parameter.name());
            if (node == null) {
                if (parameter.required()) {
                    errors.add(new SpecError(file, dataNode.path() + "." + parameter.name(), dataNode.line(),
                            "dataset " + kind + " needs " + parameter.name() + " (" + parameter.description() + ")"));
                }
                continue;
            }
            Object value = guard(node::plain, null);
            try {
                raw.put(parameter.name(), parameter.validate(value));
            } catch (IllegalArgumentException e) {
                errors.add(new SpecError(file, node.path(), node.line(), e.getMessage()));
            }
        }
        for (String problem : kind.crossCheck(raw)) {
            errors.add(new SpecError(file, dataNode.path(), dataNode.line(), "dataset " + kind + ": " + problem));
        }
        try {
            return DatasetSpec.of(kind, raw);
        } catch (IllegalArgumentException e) {
            return null; // each cause was reported with its location above
        }
    }

    private ExecutionSettings execution(Map<String, YamlNode> execution) {
        int cores = execution.containsKey("cores-per-cell")
                ? (int) Axis.longInteger(execution.get("cores-per-cell"), 1, 1024, "cores-per-cell")
                : ExecutionSettings.DEFAULT.coresPerCell();
        int commit = execution.containsKey("commit-seconds")
                ? (int) Axis.longInteger(execution.get("commit-seconds"), 1, 86_400, "commit-seconds")
                : ExecutionSettings.DEFAULT.commitSeconds();
        boolean dataParallel = false;
        YamlNode mode = execution.get("mode");
        if (mode != null) {
            Object value = mode.scalar();
            if ("data-parallel".equals(value)) {
                dataParallel = true;
            } else if (!"grid".equals(value)) {
                throw mode.problem("mode must be grid or data-parallel, got " + mode.describe());
            }
        }
        return new ExecutionSettings(cores, commit, dataParallel);
    }

    private YamlNode required(YamlNode parent, Map<String, YamlNode> entries, String key) {
        YamlNode node = entries.get(key);
        if (node == null) {
            String path = parent.path().isEmpty() ? key : parent.path() + "." + key;
            int line = parent.path().isEmpty() ? 0 : parent.line(); // a missing top-level key has no line
            throw new YamlNode.Problem(new SpecError(file, path, line, key + " is required"));
        }
        return node;
    }

    private void checkKeys(YamlNode parent, Map<String, YamlNode> entries, Collection<String> known) {
        for (Map.Entry<String, YamlNode> entry : entries.entrySet()) {
            if (!known.contains(entry.getKey())) {
                errors.add(new SpecError(file, entry.getValue().path(), entry.getValue().line(), "unknown key '"
                        + entry.getKey() + "'" + suggestion(entry.getKey(), known) + "; known keys"
                        + (parent.path().isEmpty() ? "" : " of " + parent.path()) + " are " + String.join(", ", known)));
            }
        }
    }

    private static String suggestion(String typed, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = StringUtils.getLevenshteinDistance(typed, candidate, 3);
            if (distance >= 0 && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    /** Runs one read; a located problem is recorded and the fallback returned, so one run reports them all. */
    private <T> T guard(java.util.function.Supplier<T> read, T fallback) {
        try {
            return read.get();
        } catch (YamlNode.Problem problem) {
            errors.add(problem.error());
            return fallback;
        }
    }
}
