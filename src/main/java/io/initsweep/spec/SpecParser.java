package io.initsweep.spec;

import io.initsweep.common.Parameter;
import io.initsweep.data.DatasetKind;
import io.initsweep.data.DatasetSpec;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a sweep spec from YAML, strictly: unknown keys, wrong types, empty axes and out-of-range values are all
 * reported, each with the file, key path, line and the offending value, before anything runs. What a key may hold
 * comes from its {@link Setting} declaration in {@link Settings}.
 */
public final class SpecParser {

    /** Sweep names become file names and SQL literals: keep them plain. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final List<String> TOP_KEYS =
            List.of("name", "description", "seeds", "grid", "model", "training", "data", "execution", "transfer",
                    "source");
    /** The sections a trained source may give, besides its seeds: its own model, training and data. */
    private static final List<String> SOURCE_KEYS = List.of("seeds", "model", "training", "data");
    private static final String FROM_MODEL = "from-model";
    private static final int MAX_SEEDS = 100_000;

    private final List<SpecError> errors = new ArrayList<>();
    /** Mappings whose duplicate keys were reported already, so each is reported once. */
    private final Set<String> reportedDuplicates = new HashSet<>();
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
        if (!top.isMapping()) {
            throw new SpecException(top.problem("a spec is a mapping of keys to values, got " + top.describe())
                    .error());
        }
        Map<String, YamlNode> entries = entries(top);
        checkKeys(top, entries, TOP_KEYS);

        String name = guard(() -> name(required(top, entries, "name")), null);
        String description = entries.containsKey("description")
                ? guard(() -> String.valueOf(entries.get("description").scalar()), null) : null;
        List<Long> seeds = guard(() -> seeds(required(top, entries, "seeds")), List.of());

        Map<Setting.Section, Map<String, YamlNode>> sections = new LinkedHashMap<>();
        for (Setting.Section section : Setting.Section.values()) {
            YamlNode node = entries.get(section.key());
            Map<String, YamlNode> sectionEntries = node == null || node.isNull() ? Map.of()
                    : guard(() -> entries(node), Map.of());
            sections.put(section, sectionEntries);
            if (section != Setting.Section.DATA && node != null) {
                checkKeys(node, sectionEntries, Settings.keyList(Settings.in(section)));
            }
        }

        YamlNode gridNode = entries.get("grid");
        Map<String, YamlNode> gridEntries = gridNode == null || gridNode.isNull() ? Map.of()
                : guard(() -> entries(gridNode), Map.of());
        if (gridNode == null) {
            errors.add(new SpecError(file, "grid", 0, "grid is required"));
        }
        List<SweepSpec.GridAxis> grid = grid(gridEntries, sections);

        Map<String, Located<Object>> fixed = new LinkedHashMap<>();
        List<Located<LayerInit>> layerInitItems = new ArrayList<>();
        for (Setting<?> setting : Settings.ALL) {
            YamlNode node = sections.get(setting.section()).get(setting.key());
            if (node != null && !gridEntries.containsKey(setting.key())) {
                Object value = guard(() -> setting.type().parse(node, setting.key()), Invalid.VALUE);
                if (value != Invalid.VALUE) {
                    fixed.put(setting.key(), new Located<>(value, node.path(), node.line()));
                    if (setting == Settings.LAYER_INIT) {
                        layerInitItems.addAll(locate(node, value));
                    }
                }
            }
        }
        for (Setting<?> setting : Settings.ALL) {
            boolean written = gridEntries.containsKey(setting.key())
                    || sections.get(setting.section()).containsKey(setting.key());
            if (setting.required() && !written) {
                errors.add(new SpecError(file, "grid." + setting.key(), 0, setting.key() + " must be given, as a "
                        + "grid axis or as " + setting.section().key() + "." + setting.key()));
            }
            if (written && setting.controller() != null && setting.refusedOtherwise()) {
                refuseWhereInapplicable(setting, gridEntries, sections, fixed);
            }
        }

        DatasetSpec dataset = guard(() -> dataset(required(top, entries, "data"), sections.get(Setting.Section.DATA)),
                null);
        SourceSpec source = entries.containsKey("source") && !entries.get("source").isNull()
                ? guard(() -> source(entries.get("source"), sections, gridEntries, fixed), null) : null;
        if (!errors.isEmpty()) {
            // a source's data repeats the target's data keys it inherits: each problem is reported once
            throw new SpecException(new ArrayList<>(new java.util.LinkedHashSet<>(errors)));
        }
        return new SweepSpec(name, description, file, seeds, grid, fixed, layerInitItems, dataset, source);
    }

    /**
     * The {@code source} section: {@code from-model: PATH}, or a network to train (seeds, model, training, data).
     * Its settings are resolved here (see {@link SourceSpec.Trained}), so every later check sees one value each.
     */
    private SourceSpec source(YamlNode node, Map<Setting.Section, Map<String, YamlNode>> sections,
                              Map<String, YamlNode> gridEntries, Map<String, Located<Object>> fixed) {
        Map<String, YamlNode> entries = entries(node);
        Located<String> where = new Located<>("source", node.path(), node.line());
        if (entries.containsKey(FROM_MODEL)) {
            YamlNode path = entries.get(FROM_MODEL);
            for (Map.Entry<String, YamlNode> entry : entries.entrySet()) {
                if (!entry.getKey().equals(FROM_MODEL)) {
                    errors.add(new SpecError(file, entry.getValue().path(), entry.getValue().line(), "source."
                            + entry.getKey() + " does not go with source.from-model: a saved network has its own "
                            + "layers and weights and is not trained again"));
                }
            }
            Object value = path.scalar();
            if (!(value instanceof String text) || text.isBlank()) {
                throw path.problem("from-model must be the path of a saved DL4J network, got " + path.describe());
            }
            return new SourceSpec.FromModel(text, new Located<>(text, path.path(), path.line()));
        }
        List<String> known = new ArrayList<>(SOURCE_KEYS);
        known.add(FROM_MODEL);
        checkKeys(node, entries, known);
        List<Long> seeds = guard(() -> seeds(required(node, entries, "seeds")), List.of());

        // The source's own values, section by section; a transfer or execution setting has no place in it.
        Map<String, Located<Object>> given = new LinkedHashMap<>();
        Map<Setting.Section, Map<String, YamlNode>> own = new LinkedHashMap<>();
        for (Setting.Section section : List.of(Setting.Section.MODEL, Setting.Section.TRAINING,
                Setting.Section.DATA)) {
            YamlNode sectionNode = entries.get(section.key());
            Map<String, YamlNode> sectionEntries = sectionNode == null || sectionNode.isNull() ? Map.of()
                    : guard(() -> entries(sectionNode), Map.of());
            own.put(section, sectionEntries);
            if (section != Setting.Section.DATA && sectionNode != null) {
                checkKeys(sectionNode, sectionEntries, Settings.keyList(sourceSettings(section)));
            }
            for (Setting<?> setting : sourceSettings(section)) {
                YamlNode value = sectionEntries.get(setting.key());
                if (value != null) {
                    Object parsed = guard(() -> setting.type().parse(value, setting.key()), Invalid.VALUE);
                    if (parsed != Invalid.VALUE) {
                        given.put(setting.key(), new Located<>(parsed, value.path(), value.line()));
                    }
                }
            }
        }

        CellSettings.Builder builder = CellSettings.builder();
        Map<String, Located<Object>> inherited = new LinkedHashMap<>();
        for (Setting.Section section : own.keySet()) {
            for (Setting<?> setting : sourceSettings(section)) {
                Located<Object> value = given.get(setting.key());
                if (value == null && !gridEntries.containsKey(setting.key()) && fixed.containsKey(setting.key())) {
                    value = fixed.get(setting.key()); // inherited from the target, where it fixes one value
                    inherited.put(setting.key(), value);
                }
                if (value != null) {
                    builder.setParsed(setting, value.value());
                }
            }
        }
        CellSettings settings = builder.build();
        for (Setting.Section section : own.keySet()) {
            for (Setting<?> setting : sourceSettings(section)) {
                boolean set = given.containsKey(setting.key())
                        || (fixed.containsKey(setting.key()) && !gridEntries.containsKey(setting.key()));
                if (set || !settings.applies(setting)) {
                    continue;
                }
                String at = "source." + section.key() + "." + setting.key();
                if (gridEntries.containsKey(setting.key())) {
                    YamlNode axis = gridEntries.get(setting.key());
                    errors.add(new SpecError(file, axis.path(), axis.line(), setting.key() + " is a grid axis of the "
                            + "target, so the source has no one value to inherit; give it as " + at));
                } else if (setting.required()) {
                    errors.add(new SpecError(file, node.path(), node.line(), at + " must be given (the target "
                            + "does not fix " + setting.key() + " either)"));
                }
            }
        }
        for (Map.Entry<String, Located<Object>> entry : given.entrySet()) {
            Setting<?> setting = Settings.byKey(entry.getKey()).orElseThrow();
            if (setting.controller() != null && setting.refusedOtherwise() && !settings.applies(setting)) {
                errors.add(new SpecError(file, entry.getValue().path(), entry.getValue().line(), setting.key()
                        + " only applies to " + setting.condition().replace(setting.controller().section().key()
                        + ".", "source." + setting.controller().section().key() + ".")));
            }
        }

        // The source's data: its own dataset, or the target's data section with the keys it gives replaced.
        Map<String, YamlNode> sourceData = own.get(Setting.Section.DATA);
        YamlNode dataNode = entries.get("data");
        Map<String, YamlNode> data = new LinkedHashMap<>();
        if (!sourceData.containsKey("dataset")) {
            data.putAll(sections.get(Setting.Section.DATA));
        }
        data.putAll(sourceData);
        DatasetSpec dataset = guard(() -> dataset(dataNode != null && !dataNode.isNull() ? dataNode : node, data),
                null);
        if (dataset == null || seeds.isEmpty()) {
            return null; // each cause was reported with its location
        }
        return new SourceSpec.Trained(seeds, settings, given, inherited, dataset, where);
    }

    /** The settings of a spec section that a trained source may give or inherit. */
    private static List<Setting<?>> sourceSettings(Setting.Section section) {
        return Settings.in(section).stream().filter(s -> s.scope() == Setting.Scope.CELL).toList();
    }

    /** Marks a value that failed to parse (null is a legal value of some settings). */
    private enum Invalid { VALUE }

    /**
     * A setting given while a setting that controls it is fixed to a value under which it does nothing: its own
     * controller, or one further up (freeze needs strategy fine-tune, which needs transfer-layers above 0).
     */
    private void refuseWhereInapplicable(Setting<?> setting, Map<String, YamlNode> gridEntries,
                                         Map<Setting.Section, Map<String, YamlNode>> sections,
                                         Map<String, Located<Object>> fixed) {
        for (Setting<?> link = setting; link.controller() != null && link.refusedOtherwise();
             link = link.controller()) {
            Setting<?> controller = link.controller();
            if (gridEntries.containsKey(controller.key())) {
                continue; // applies to some cells at this link; a link further up may still exclude them all
            }
            Located<Object> controllerValue = fixed.get(controller.key());
            Object value = controllerValue != null ? controllerValue.value() : controller.defaultValue();
            if (!link.appliesUnder(value)) {
                YamlNode node = gridEntries.containsKey(setting.key()) ? gridEntries.get(setting.key())
                        : sections.get(setting.section()).get(setting.key());
                errors.add(new SpecError(file, node.path(), node.line(), setting.key() + " only applies to "
                        + link.condition()));
                return;
            }
        }
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
                long seed = SettingType.longInteger(item, 0, Long.MAX_VALUE, "seed");
                if (seeds.contains(seed)) {
                    throw item.problem("seed " + seed + " appears more than once");
                }
                seeds.add(seed);
            }
            return seeds;
        }
        long count = SettingType.longInteger(node, 1, MAX_SEEDS, "seeds");
        List<Long> seeds = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            seeds.add(i);
        }
        return seeds;
    }

    private List<SweepSpec.GridAxis> grid(Map<String, YamlNode> gridEntries,
                                          Map<Setting.Section, Map<String, YamlNode>> sections) {
        List<SweepSpec.GridAxis> axes = new ArrayList<>();
        List<String> axisKeys = Settings.keyList(Settings.axes());
        for (Map.Entry<String, YamlNode> entry : gridEntries.entrySet()) {
            YamlNode values = entry.getValue();
            Setting<?> setting = Settings.byKey(entry.getKey()).orElse(null);
            if (setting == null) {
                errors.add(new SpecError(file, values.path(), values.line(), "unknown axis '" + entry.getKey() + "'"
                        + suggestion(entry.getKey(), axisKeys) + "; axes are " + String.join(", ", axisKeys)));
                continue;
            }
            if (!setting.axis()) {
                errors.add(new SpecError(file, values.path(), values.line(), setting.key() + " cannot be a grid "
                        + "axis; give it once as " + setting.section().key() + "." + setting.key()));
                continue;
            }
            YamlNode alsoFixed = sections.get(setting.section()).get(setting.key());
            if (alsoFixed != null) {
                errors.add(new SpecError(file, alsoFixed.path(), alsoFixed.line(), setting.key()
                        + " is a grid axis and also fixed here; give it in one place"));
            }
            if (!values.isSequence()) {
                errors.add(new SpecError(file, values.path(), values.line(),
                        "a grid axis must be a list of values, got " + values.describe()));
                continue;
            }
            List<YamlNode> items = values.items();
            if (items.isEmpty()) {
                errors.add(new SpecError(file, values.path(), values.line(), "grid axis " + setting.key()
                        + " is empty; give at least one value"));
                continue;
            }
            List<Located<Object>> parsed = new ArrayList<>();
            for (YamlNode item : items) {
                Object value = guard(() -> setting.type().parse(item, setting.key()), Invalid.VALUE);
                if (value == Invalid.VALUE) {
                    continue;
                }
                if (parsed.stream().anyMatch(p -> p.value().equals(value))) {
                    errors.add(new SpecError(file, item.path(), item.line(), "value " + item.describe()
                            + " appears more than once in grid axis " + setting.key()));
                    continue;
                }
                parsed.add(new Located<>(value, item.path(), item.line()));
            }
            axes.add(new SweepSpec.GridAxis(setting, parsed));
        }
        return axes;
    }

    /** Each override of a parsed layer-init list with the place it was written, for later messages. */
    @SuppressWarnings("unchecked")
    private static List<Located<LayerInit>> locate(YamlNode node, Object value) {
        List<LayerInit> overrides = (List<LayerInit>) value;
        List<YamlNode> items = node.items();
        List<Located<LayerInit>> located = new ArrayList<>();
        for (int i = 0; i < overrides.size(); i++) {
            located.add(new Located<>(overrides.get(i), items.get(i).path(), items.get(i).line()));
        }
        return located;
    }

    private DatasetSpec dataset(YamlNode dataNode, Map<String, YamlNode> data) {
        YamlNode kindNode = required(dataNode, data, "dataset");
        Object kindName = kindNode.scalar();
        DatasetKind kind = DatasetKind.byName(String.valueOf(kindName)).orElseThrow(() -> kindNode.problem(
                "dataset must be one of " + DatasetKind.names() + ", got " + kindNode.describe()));
        Map<String, Object> raw = new LinkedHashMap<>();
        List<String> known = new ArrayList<>(List.of("dataset"));
        known.addAll(Settings.keyList(Settings.in(Setting.Section.DATA)));
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

    private YamlNode required(YamlNode parent, Map<String, YamlNode> entries, String key) {
        YamlNode node = entries.get(key);
        if (node == null) {
            String path = parent.path().isEmpty() ? key : parent.path() + "." + key;
            int line = parent.path().isEmpty() ? 0 : parent.line(); // a missing top-level key has no line
            throw new YamlNode.Problem(new SpecError(file, path, line, key + " is required"));
        }
        return node;
    }

    /**
     * A mapping's entries. A key written twice is reported once and its first value kept, so one slip does not
     * hide the rest of the mapping behind false "is required" errors.
     */
    private Map<String, YamlNode> entries(YamlNode node) {
        if (reportedDuplicates.add(node.path() + "@" + node.line())) {
            node.duplicateKeys().forEach(problem -> errors.add(problem.error()));
        }
        return node.entriesKeepingFirst();
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
