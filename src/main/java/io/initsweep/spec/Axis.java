package io.initsweep.spec;

import io.initsweep.common.Canonical;
import io.initsweep.common.Parameter;
import io.initsweep.init.SchemeKind;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.model.Optimizer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A setting that may be a grid axis. Each also has a home section ({@code model}, {@code training},
 * {@code data}) where a spec can fix it to one value instead.
 */
public enum Axis {
    SCHEME("scheme", "model", "initialization scheme: a name, name(k=v,...) or {name: {k: v}}"),
    DEPTH("depth", "model", "hidden layers, 1..1000"),
    ACTIVATION("activation", "model", "hidden-layer nonlinearity: " + Activation.names()),
    WIDTH("width", "model", "units per hidden layer, 1..65536 (default 64)"),
    BIAS_INIT("bias-init", "model", "constant every bias starts at (default 0)"),
    EPOCHS("epochs", "training", "passes over the training split, 1..100000 (default 20)"),
    BATCH_SIZE("batch-size", "training", "examples per update (default 32)"),
    OPTIMIZER("optimizer", "training", Optimizer.names() + " (default sgd)"),
    LEARNING_RATE("learning-rate", "training", "step size > 0 (default 0.05)"),
    MOMENTUM("momentum", "training", "Nesterov coefficient in [0, 1) for optimizer momentum (default 0.9)"),
    DATA_SEED("data-seed", "data", "seed of data generation, split and subsample, >= 0 (default 0)"),
    WORKERS("workers", "execution", "data-parallel: workers the training data is split over (default 2)"),
    AVERAGING_FREQUENCY("averaging-frequency", "execution",
            "data-parallel: minibatches per worker between parameter averagings (default 5)"),
    BATCH_SIZE_PER_WORKER("batch-size-per-worker", "execution",
            "data-parallel: examples per minibatch on each worker (default: batch-size)");

    private final String key;
    private final String section;
    private final String description;

    Axis(String key, String section, String description) {
        this.key = key;
        this.section = section;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public String section() {
        return section;
    }

    public String description() {
        return description;
    }

    public static Optional<Axis> byKey(String key) {
        return Arrays.stream(values()).filter(a -> a.key.equals(key)).findFirst();
    }

    public static List<String> keys() {
        return Arrays.stream(values()).map(Axis::key).toList();
    }

    /** Sets this axis on a builder. */
    public void apply(CellSettings.Builder builder, Object value) {
        switch (this) {
            case SCHEME -> builder.scheme((SchemeSpec) value);
            case DEPTH -> builder.depth((Integer) value);
            case ACTIVATION -> builder.activation((Activation) value);
            case WIDTH -> builder.width((Integer) value);
            case BIAS_INIT -> builder.biasInit((Double) value);
            case EPOCHS -> builder.epochs((Integer) value);
            case BATCH_SIZE -> builder.batchSize((Integer) value);
            case OPTIMIZER -> builder.optimizer((Optimizer) value);
            case LEARNING_RATE -> builder.learningRate((Double) value);
            case MOMENTUM -> builder.momentum((Double) value);
            case DATA_SEED -> builder.dataSeed((Long) value);
            case WORKERS -> builder.workers((Integer) value);
            case AVERAGING_FREQUENCY -> builder.averagingFrequency((Integer) value);
            case BATCH_SIZE_PER_WORKER -> builder.batchSizePerWorker((Integer) value);
        }
    }

    /** This axis's value in a cell, as canonical text. */
    public String label(CellSettings s) {
        return switch (this) {
            case SCHEME -> s.scheme().label();
            case DEPTH -> Integer.toString(s.depth());
            case ACTIVATION -> s.activation().canonicalName();
            case WIDTH -> Integer.toString(s.width());
            case BIAS_INIT -> Canonical.number(s.biasInit());
            case EPOCHS -> Integer.toString(s.epochs());
            case BATCH_SIZE -> Integer.toString(s.batchSize());
            case OPTIMIZER -> s.optimizer().canonicalName();
            case LEARNING_RATE -> Canonical.number(s.learningRate());
            case MOMENTUM -> Canonical.number(s.momentum());
            case DATA_SEED -> Long.toString(s.dataSeed());
            case WORKERS -> Integer.toString(s.workers());
            case AVERAGING_FREQUENCY -> Integer.toString(s.averagingFrequency());
            case BATCH_SIZE_PER_WORKER -> Integer.toString(s.batchSizePerWorker());
        };
    }

    /** Reads one value of this axis from the spec. */
    Object parse(YamlNode node) {
        return switch (this) {
            case SCHEME -> parseScheme(node);
            case DEPTH -> integer(node, 1, 1000);
            case ACTIVATION -> Activation.byName(word(node)).orElseThrow(() -> node.problem(
                    "activation must be one of " + Activation.names() + ", got " + node.describe()));
            case WIDTH -> integer(node, 1, 65536);
            case BIAS_INIT -> number(node);
            case EPOCHS -> integer(node, 1, 100_000);
            case BATCH_SIZE -> integer(node, 1, 1 << 24);
            case OPTIMIZER -> Optimizer.byName(word(node)).orElseThrow(() -> node.problem(
                    "optimizer must be one of " + Optimizer.names() + ", got " + node.describe()));
            case LEARNING_RATE -> {
                double v = number(node);
                if (v <= 0) {
                    throw node.problem("learning-rate must be > 0, got " + node.describe());
                }
                yield v;
            }
            case MOMENTUM -> {
                double v = number(node);
                if (v < 0 || v >= 1) {
                    throw node.problem("momentum must be in [0, 1), got " + node.describe());
                }
                yield v;
            }
            case DATA_SEED -> longInteger(node, 0, Long.MAX_VALUE, key);
            case WORKERS -> integer(node, 1, 4096);
            case AVERAGING_FREQUENCY -> integer(node, 1, 1 << 20);
            case BATCH_SIZE_PER_WORKER -> integer(node, 1, 1 << 24);
        };
    }

    private int integer(YamlNode node, int min, int max) {
        return (int) longInteger(node, min, max, key);
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

    private double number(YamlNode node) {
        Object value = node.scalar();
        if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw node.problem(key + " must be a number, got " + node.describe());
        }
        return n.doubleValue();
    }

    private String word(YamlNode node) {
        Object value = node.scalar();
        if (!(value instanceof String s)) {
            throw node.problem(key + " must be a name, got " + node.describe());
        }
        return s;
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
                        if (kind.parameter(p.getKey()).isEmpty()) {
                            throw p.getValue().problem("scheme " + kind + " has no parameter '" + p.getKey() + "'"
                                    + paramList(kind));
                        }
                        Object value = p.getValue().scalar();
                        try {
                            kind.parameter(p.getKey()).get().validate(value);
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

    private static String paramList(SchemeKind kind) {
        List<String> names = kind.parameters().stream().map(Parameter::name).toList();
        return names.isEmpty() ? " (it takes none)" : " (it takes " + String.join(", ", names) + ")";
    }

    @Override
    public String toString() {
        return key;
    }
}
