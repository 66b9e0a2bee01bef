package io.initsweep.spec;

import io.initsweep.common.Canonical;
import io.initsweep.common.Parameter;
import io.initsweep.init.SchemeKind;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.BranchScale;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.Function;

/**
 * How one kind of setting value is read from a spec, written canonically (for cell ids and labels), stored in a
 * {@code runs} column and read back from it (for replay). One type serves every setting of its kind, so the parser,
 * the ids, the table and replay cannot disagree about a value.
 *
 * @param <T> the value's Java type
 */
public abstract class SettingType<T> {
    private final ColumnType columnType;
    private final String doc;

    SettingType(ColumnType columnType, String doc) {
        this.columnType = columnType;
        this.doc = doc;
    }

    /** The type of the {@code runs} column that stores it. */
    public ColumnType columnType() {
        return columnType;
    }

    /** What values are accepted, for the spec reference, e.g. {@code integer 1..1000}. */
    public String doc() {
        return doc;
    }

    /**
     * Reads and checks one value.
     *
     * @param key the setting's key, for messages
     * @throws YamlNode.Problem quoting the value, located in the spec
     */
    abstract T parse(YamlNode node, String key);

    /** Canonical text: equal values give equal text however they were written. */
    public abstract String canonical(T value);

    /** What the runs column holds: Integer, Long, Double or String. */
    public Object toColumn(T value) {
        return value;
    }

    /** The value from what the runs column held (never null here: null means the setting did not apply). */
    public abstract T fromColumn(Object stored);

    /** An integer in [min, max]. */
    public static SettingType<Integer> integer(int min, int max) {
        return new SettingType<>(ColumnType.INT, "integer " + min + ".." + max) {
            @Override
            Integer parse(YamlNode node, String key) {
                return (int) longInteger(node, min, max, key);
            }

            @Override
            public String canonical(Integer value) {
                return Integer.toString(value);
            }

            @Override
            public Integer fromColumn(Object stored) {
                return ((Number) stored).intValue();
            }
        };
    }

    /**
     * A non-empty list of at most {@code maxLength} integers, each in [min, max], written {@code [64, 32, 16]} in a
     * spec; canonically {@code 64,32,16} (no spaces, so a grid point's label stays one word per coordinate), and
     * stored in its {@code runs} column as that text. A list on a grid axis is one value: the axis is a list of
     * lists ({@code widths: [[64, 64], [128, 32]]}).
     */
    public static SettingType<List<Integer>> integerList(int min, int max, int maxLength) {
        return new SettingType<>(ColumnType.STRING, "a list of integers " + min + ".." + max + " such as [64, 32]") {
            @Override
            List<Integer> parse(YamlNode node, String key) {
                if (!node.isSequence()) {
                    throw node.problem(key + " must be a list of integers such as [64, 32, 16], got "
                            + node.describe());
                }
                List<YamlNode> items = node.items();
                if (items.isEmpty() || items.size() > maxLength) {
                    throw node.problem(key + " must hold 1.." + maxLength + " integers, got " + items.size());
                }
                List<Integer> values = new ArrayList<>();
                for (YamlNode item : items) {
                    values.add((int) longInteger(item, min, max, key + " entry"));
                }
                return List.copyOf(values);
            }

            @Override
            public String canonical(List<Integer> value) {
                return value.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
            }

            @Override
            public Object toColumn(List<Integer> value) {
                return value.isEmpty() ? null : canonical(value);
            }

            @Override
            public List<Integer> fromColumn(Object stored) {
                return parseIntegerList((String) stored);
            }
        };
    }

    /** {@code 64,32,16} back to its list; @throws IllegalArgumentException if it is not one */
    static List<Integer> parseIntegerList(String text) {
        if (text.isBlank()) {
            return List.of();
        }
        List<Integer> values = new ArrayList<>();
        for (String part : text.split(",")) {
            try {
                values.add(Integer.parseInt(part.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a list of integers: '" + text + "'");
            }
        }
        return List.copyOf(values);
    }

    /**
     * An integer in [min, max] that passes {@code valid}.
     *
     * @param requirement what {@code valid} demands, for messages: "must be odd"
     */
    public static SettingType<Integer> integer(int min, int max, java.util.function.IntPredicate valid,
                                               String requirement) {
        SettingType<Integer> plain = integer(min, max);
        return new SettingType<>(ColumnType.INT, plain.doc() + ", " + requirement.replaceFirst("^must be ", "")) {
            @Override
            Integer parse(YamlNode node, String key) {
                int value = plain.parse(node, key);
                if (!valid.test(value)) {
                    throw node.problem(key + " " + requirement + ", got " + node.describe());
                }
                return value;
            }

            @Override
            public String canonical(Integer value) {
                return plain.canonical(value);
            }

            @Override
            public Integer fromColumn(Object stored) {
                return plain.fromColumn(stored);
            }
        };
    }

    /** A long integer in [min, max]. */
    public static SettingType<Long> longInteger(long min, long max) {
        return new SettingType<>(ColumnType.LONG, "integer >= " + min) {
            @Override
            Long parse(YamlNode node, String key) {
                return longInteger(node, min, max, key);
            }

            @Override
            public String canonical(Long value) {
                return Long.toString(value);
            }

            @Override
            public Long fromColumn(Object stored) {
                return ((Number) stored).longValue();
            }
        };
    }

    /**
     * A finite number that passes {@code valid}.
     *
     * @param requirement what {@code valid} demands, for messages: "must be > 0"
     */
    public static SettingType<Double> number(DoublePredicate valid, String requirement) {
        return new SettingType<>(ColumnType.DOUBLE, requirement.isEmpty() ? "number"
                : "number that " + requirement) {
            @Override
            Double parse(YamlNode node, String key) {
                Object value = node.scalar();
                if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    throw node.problem(key + " must be a number, got " + node.describe());
                }
                if (!valid.test(n.doubleValue())) {
                    throw node.problem(key + " " + requirement + ", got " + node.describe());
                }
                return n.doubleValue();
            }

            @Override
            public String canonical(Double value) {
                return Canonical.number(value);
            }

            @Override
            public Double fromColumn(Object stored) {
                return ((Number) stored).doubleValue();
            }
        };
    }

    /** Any finite number. */
    public static SettingType<Double> number() {
        return number(v -> true, "");
    }

    /**
     * A number that may be left out ({@code null}, written {@code none} in canonical text): a setting whose absence
     * means something, such as "no target loss".
     */
    public static SettingType<Double> optionalNumber(DoublePredicate valid, String requirement) {
        SettingType<Double> number = number(valid, requirement);
        return new SettingType<>(ColumnType.DOUBLE, number.doc() + ", or nothing") {
            @Override
            Double parse(YamlNode node, String key) {
                return node.isNull() ? null : number.parse(node, key);
            }

            @Override
            public String canonical(Double value) {
                return value == null ? "none" : number.canonical(value);
            }

            @Override
            public Double fromColumn(Object stored) {
                return number.fromColumn(stored);
            }
        };
    }

    /** {@code true} or {@code false}; stored as a boolean column. */
    public static SettingType<Boolean> bool() {
        return new SettingType<>(ColumnType.BOOLEAN, "true or false") {
            @Override
            Boolean parse(YamlNode node, String key) {
                Object value = node.scalar();
                if (!(value instanceof Boolean b)) {
                    throw node.problem(key + " must be true or false, got " + node.describe());
                }
                return b;
            }

            @Override
            public String canonical(Boolean value) {
                return value.toString();
            }

            @Override
            public Boolean fromColumn(Object stored) {
                return (Boolean) stored;
            }
        };
    }

    /** One of a fixed set of names, each mapped to a value (an enum constant, usually). */
    public static <E> SettingType<E> choice(List<E> values, Function<E, String> name) {
        Map<String, E> byName = new LinkedHashMap<>();
        values.forEach(v -> byName.put(name.apply(v), v));
        String names = String.join(", ", byName.keySet());
        return new SettingType<>(ColumnType.STRING, "one of " + names) {
            @Override
            E parse(YamlNode node, String key) {
                Object value = node.scalar();
                E choice = value instanceof String s ? byName.get(s.toLowerCase(Locale.ROOT)) : null;
                if (choice == null) {
                    throw node.problem(key + " must be one of " + names + ", got " + node.describe());
                }
                return choice;
            }

            @Override
            public String canonical(E value) {
                return name.apply(value);
            }

            @Override
            public Object toColumn(E value) {
                return name.apply(value);
            }

            @Override
            public E fromColumn(Object stored) {
                E value = byName.get((String) stored);
                if (value == null) {
                    throw new IllegalArgumentException("not one of " + names + ": '" + stored + "'");
                }
                return value;
            }
        };
    }

    /** {@code he_normal}, {@code normal(std=0.1)} or {@code {normal: {std: 0.1}}}; stored as its label. */
    public static SettingType<SchemeSpec> scheme() {
        return new SettingType<>(ColumnType.STRING, "a scheme: name, name(k=v,...) or {name: {k: v}}") {
            @Override
            SchemeSpec parse(YamlNode node, String key) {
                return parseScheme(node);
            }

            @Override
            public String canonical(SchemeSpec value) {
                return value.label();
            }

            @Override
            public Object toColumn(SchemeSpec value) {
                return value.label();
            }

            @Override
            public SchemeSpec fromColumn(Object stored) {
                return SchemeSpec.parse((String) stored);
            }
        };
    }

    /**
     * Per-layer overrides, a list of {@code {layers: 0-1, scheme: he_normal}}; canonically
     * {@code 0-1:he_normal;output:xavier_normal}, empty for none (the column then holds null).
     */
    public static SettingType<List<LayerInit>> layerInit() {
        return new SettingType<>(ColumnType.STRING, "a list of {layers: N | A-B | output, scheme: S}") {
            @Override
            List<LayerInit> parse(YamlNode node, String key) {
                List<LayerInit> overrides = new ArrayList<>();
                for (YamlNode item : node.items()) {
                    Map<String, YamlNode> entries = item.entries();
                    for (String k : entries.keySet()) {
                        if (!k.equals("layers") && !k.equals("scheme")) {
                            throw entries.get(k).problem("unknown key '" + k + "'; known keys of " + item.path()
                                    + " are layers, scheme");
                        }
                    }
                    YamlNode layers = entries.get("layers");
                    YamlNode scheme = entries.get("scheme");
                    if (layers == null || scheme == null) {
                        throw item.problem((layers == null ? "layers" : "scheme") + " is required");
                    }
                    Object layersValue = layers.scalar();
                    if (layersValue == null) {
                        throw layers.problem("layers must be N, A-B or output, got nothing");
                    }
                    LayerInit override;
                    try {
                        override = LayerInit.parse(layersValue.toString(), parseScheme(scheme));
                    } catch (IllegalArgumentException e) {
                        throw layers.problem(e.getMessage());
                    }
                    for (LayerInit earlier : overrides) {
                        if (earlier.overlaps(override)) {
                            throw layers.problem("layers " + override.layers() + " overlap layers "
                                    + earlier.layers() + " (" + node.path() + ")");
                        }
                    }
                    overrides.add(override);
                }
                return List.copyOf(overrides);
            }

            @Override
            public String canonical(List<LayerInit> value) {
                return LayerInit.label(value);
            }

            @Override
            public Object toColumn(List<LayerInit> value) {
                return value.isEmpty() ? null : LayerInit.label(value);
            }

            @Override
            public List<LayerInit> fromColumn(Object stored) {
                return LayerInit.parseLabel((String) stored);
            }
        };
    }

    /**
     * A residual branch's fixed scale: a number {@code > 0}, or {@code c/sqrt(depth)} (usually {@code 1/sqrt(depth)});
     * stored as its canonical text.
     */
    public static SettingType<BranchScale> branchScale() {
        return new SettingType<>(ColumnType.STRING, "a number > 0 or c/sqrt(depth)") {
            @Override
            BranchScale parse(YamlNode node, String key) {
                Object value = node.scalar();
                try {
                    if (value instanceof Number n) {
                        return BranchScale.of(n.doubleValue());
                    }
                    if (value instanceof String s) {
                        return parseBranchScale(s);
                    }
                } catch (IllegalArgumentException e) {
                    throw node.problem(key + " must be a number > 0 or c/sqrt(depth) such as "
                            + BranchScale.INVERSE_SQRT_DEPTH_TEXT + ", got " + node.describe());
                }
                throw node.problem(key + " must be a number > 0 or c/sqrt(depth) such as "
                        + BranchScale.INVERSE_SQRT_DEPTH_TEXT + ", got " + node.describe());
            }

            @Override
            public String canonical(BranchScale value) {
                String constant = Canonical.number(value.constant());
                return value.perSqrtDepth() ? constant + "/sqrt(depth)" : constant;
            }

            @Override
            public Object toColumn(BranchScale value) {
                return canonical(value);
            }

            @Override
            public BranchScale fromColumn(Object stored) {
                return parseBranchScale((String) stored);
            }
        };
    }

    /** {@code 0.5}, {@code 1/sqrt(depth)}; @throws IllegalArgumentException if it is neither */
    static BranchScale parseBranchScale(String text) {
        String compact = text.replace(" ", "").toLowerCase(Locale.ROOT);
        boolean perSqrtDepth = compact.endsWith("/sqrt(depth)");
        String constant = perSqrtDepth ? compact.substring(0, compact.length() - "/sqrt(depth)".length()) : compact;
        double value;
        try {
            value = Double.parseDouble(constant);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a branch scale: '" + text + "'");
        }
        return new BranchScale(value, perSqrtDepth);
    }

    static long longInteger(YamlNode node, long min, long max, String name) {
        Object value = node.scalar();
        if (!(value instanceof Long l)) {
            throw node.problem(name + " must be an integer, got " + node.describe());
        }
        if (l < min) {
            throw node.problem(name + " must be >= " + min + ", got " + node.describe());
        }
        if (l > max) {
            throw node.problem(name + " must be <= " + max + ", got " + node.describe());
        }
        return l;
    }

    /** {@code he_normal}, {@code normal(std=0.1)} or {@code {normal: {std: 0.1}}}. */
    static SchemeSpec parseScheme(YamlNode node) {
        try {
            if (node.isMapping()) {
                Map<String, YamlNode> entries = node.entries();
                if (entries.size() != 1) {
                    throw node.problem("a scheme with parameters is written {name: {param: value}}, got "
                            + entries.size() + " keys");
                }
                Map.Entry<String, YamlNode> entry = entries.entrySet().iterator().next();
                SchemeKind kind = SchemeKind.byName(entry.getKey()).orElseThrow(() -> entry.getValue().problem(
                        "unknown scheme '" + entry.getKey() + "' (known: " + SchemeKind.names() + ")"));
                Map<String, Object> parameters = new LinkedHashMap<>();
                if (!entry.getValue().isNull()) {
                    for (Map.Entry<String, YamlNode> p : entry.getValue().entries().entrySet()) {
                        Parameter parameter = kind.parameter(p.getKey()).orElseThrow(() -> p.getValue().problem(
                                "scheme " + kind + " has no parameter '" + p.getKey() + "'" + parameterList(kind)));
                        Object value = p.getValue().scalar();
                        try {
                            parameter.validate(value);
                        } catch (IllegalArgumentException e) {
                            throw p.getValue().problem(e.getMessage());
                        }
                        parameters.put(p.getKey(), value);
                    }
                }
                return SchemeSpec.of(kind, parameters);
            }
            Object value = node.scalar();
            if (!(value instanceof String text)) {
                throw node.problem("scheme must be a name such as he_normal, got " + node.describe());
            }
            return SchemeSpec.parse(text);
        } catch (IllegalArgumentException e) {
            throw node.problem(e.getMessage());
        }
    }

    private static String parameterList(SchemeKind kind) {
        List<String> names = kind.parameters().stream().map(Parameter::name).toList();
        return names.isEmpty() ? " (it takes none)" : " (it takes " + String.join(", ", names) + ")";
    }

    /** The types a {@code runs} column can have; the schema package maps them to Spark's. */
    public enum ColumnType {
        STRING("string"), INT("int"), LONG("bigint"), DOUBLE("double"), BOOLEAN("boolean");

        private final String sqlName;

        ColumnType(String sqlName) {
            this.sqlName = sqlName;
        }

        /** The Spark SQL name, as the README's table reference writes it. */
        public String sqlName() {
            return sqlName;
        }
    }

    @Override
    public String toString() {
        return doc;
    }

}
