package io.initsweep.common;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One named parameter a spec may give a scheme or a dataset, with its type, default and range.
 * {@link #validate} turns a raw YAML value into the canonical value or explains, quoting the value, why it cannot
 * be used.
 *
 * @param name         the key in the spec, e.g. {@code std}
 * @param type         what values are accepted
 * @param defaultValue the canonical value when the spec leaves it out; null when optional without default or
 *                     required (see {@code required})
 * @param required     whether the spec must give it
 * @param choices      the accepted words for {@link Type#CHOICE}
 * @param minimum      the smallest accepted value of a numeric type, beyond what the type implies; null if none
 * @param description  one line for the spec reference
 */
public record Parameter(String name, Type type, Object defaultValue, boolean required, List<String> choices,
                        Double minimum, String description) implements Serializable {

    /** The special gain value that picks the activation's recommended gain. */
    public static final String AUTO = "auto";

    public enum Type {
        /** A finite double. */
        NUMBER,
        /** A finite double {@literal >} 0. */
        POSITIVE_NUMBER,
        /** A double in [0, 1]. */
        FRACTION,
        /** An integer ≥ 1. */
        COUNT,
        /** An integer ≥ 0. */
        NATURAL,
        /** A positive number or the word {@code auto}. */
        GAIN,
        /** One word from a fixed list. */
        CHOICE,
        /** true or false. */
        BOOLEAN,
        /** Any non-empty text (a path, a column name). */
        TEXT,
        /** A list of non-empty texts, or one text. */
        TEXT_LIST,
        /**
         * A list of at least two distinct class labels: integers (class indices) or texts (category labels),
         * canonically the texts in ascending order (numeric order when every label is an integer).
         */
        LABELS,
        /** The shape of an image, {@code [channels, height, width]}: three integers ≥ 1. */
        SHAPE
    }

    public Parameter {
        choices = List.copyOf(choices);
    }

    public static Parameter number(String name, Double defaultValue, boolean positive, String description) {
        return new Parameter(name, positive ? Type.POSITIVE_NUMBER : Type.NUMBER, defaultValue,
                defaultValue == null, List.of(), null, description);
    }

    public static Parameter fraction(String name, double defaultValue, String description) {
        return new Parameter(name, Type.FRACTION, defaultValue, false, List.of(), null, description);
    }

    public static Parameter count(String name, Integer defaultValue, String description) {
        return new Parameter(name, Type.COUNT, defaultValue, defaultValue == null, List.of(), null, description);
    }

    public static Parameter natural(String name, Integer defaultValue, String description) {
        return new Parameter(name, Type.NATURAL, defaultValue, defaultValue == null, List.of(), null, description);
    }

    public static Parameter gain(double defaultValue) {
        return new Parameter("gain", Type.GAIN, defaultValue, false, List.of(), null,
                "a number > 0, or auto for the activation's recommended gain");
    }

    public static Parameter choice(String name, String defaultValue, List<String> choices, String description) {
        return new Parameter(name, Type.CHOICE, defaultValue, defaultValue == null, choices, null, description);
    }

    public static Parameter bool(String name, boolean defaultValue, String description) {
        return new Parameter(name, Type.BOOLEAN, defaultValue, false, List.of(), null, description);
    }

    public static Parameter text(String name, boolean required, String description) {
        return new Parameter(name, Type.TEXT, null, required, List.of(), null, description);
    }

    public static Parameter texts(String name, String description) {
        return new Parameter(name, Type.TEXT_LIST, null, false, List.of(), null, description);
    }

    /** An optional list of class labels ({@link Type#LABELS}). */
    public static Parameter labels(String name, String description) {
        return new Parameter(name, Type.LABELS, null, false, List.of(), null, description);
    }

    /** An optional image shape {@code [channels, height, width]} ({@link Type#SHAPE}). */
    public static Parameter shape(String name, String description) {
        return new Parameter(name, Type.SHAPE, null, false, List.of(), null, description);
    }

    /** The same parameter, optional without a default (a count of null means "not given"). */
    public Parameter asOptional() {
        return new Parameter(name, type, null, false, choices, minimum, description);
    }

    /** The same parameter with a smaller bound on its value. */
    public Parameter atLeast(double minimum) {
        return new Parameter(name, type, defaultValue, required, choices, minimum, description);
    }

    /**
     * Checks a raw value (Number, String, Boolean or List, as YAML or a label gives it) and returns its canonical
     * form: Double for numbers, Integer for counts, Double or {@link #AUTO} for gains, the lowercase word for
     * choices, Boolean, String, or an unmodifiable List of String.
     *
     * @throws IllegalArgumentException naming the parameter and quoting the value
     */
    public Object validate(Object raw) {
        Object value = validateType(raw);
        if (minimum != null && value instanceof Number n && n.doubleValue() < minimum) {
            throw new IllegalArgumentException(name + " must be >= " + Parameter.canonicalText(minimum)
                    + ", got " + quote(raw));
        }
        return value;
    }

    private Object validateType(Object raw) {
        switch (type) {
            case NUMBER, POSITIVE_NUMBER, FRACTION -> {
                Double d = asDouble(raw);
                if (d == null || !Double.isFinite(d)) {
                    throw new IllegalArgumentException(name + " must be a number, got " + quote(raw));
                }
                if (type == Type.POSITIVE_NUMBER && d <= 0) {
                    throw new IllegalArgumentException(name + " must be > 0, got " + quote(raw));
                }
                if (type == Type.FRACTION && (d < 0 || d > 1)) {
                    throw new IllegalArgumentException(name + " must be between 0 and 1, got " + quote(raw));
                }
                return d;
            }
            case COUNT, NATURAL -> {
                Double d = asDouble(raw);
                if (d == null || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(name + " must be an integer, got " + quote(raw));
                }
                int min = type == Type.COUNT ? 1 : 0;
                if (d < min) {
                    throw new IllegalArgumentException(name + " must be >= " + min + ", got " + quote(raw));
                }
                return d.intValue();
            }
            case GAIN -> {
                if (raw instanceof String s && s.trim().toLowerCase(Locale.ROOT).equals(AUTO)) {
                    return AUTO;
                }
                Double d = asDouble(raw);
                if (d == null || !Double.isFinite(d) || d <= 0) {
                    throw new IllegalArgumentException(name + " must be a number > 0 or 'auto', got " + quote(raw));
                }
                return d;
            }
            case CHOICE -> {
                String s = raw == null ? "" : raw.toString().trim().toLowerCase(Locale.ROOT);
                if (!choices.contains(s)) {
                    throw new IllegalArgumentException(
                            name + " must be one of " + String.join(", ", choices) + ", got " + quote(raw));
                }
                return s;
            }
            case BOOLEAN -> {
                if (raw instanceof Boolean b) {
                    return b;
                }
                if (raw instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                    return Boolean.valueOf(s);
                }
                throw new IllegalArgumentException(name + " must be true or false, got " + quote(raw));
            }
            case TEXT -> {
                if (raw instanceof String s && !s.isBlank()) {
                    return s;
                }
                if (raw instanceof Number n) {
                    return n.toString();
                }
                throw new IllegalArgumentException(name + " must be a non-empty text, got " + quote(raw));
            }
            case TEXT_LIST -> {
                List<?> items = raw instanceof List<?> list ? list : List.of(raw == null ? "" : raw);
                List<String> texts = new ArrayList<>();
                for (Object item : items) {
                    if (!(item instanceof String s) || s.isBlank()) {
                        throw new IllegalArgumentException(name + " must list non-empty texts, got " + quote(item));
                    }
                    texts.add(s);
                }
                if (texts.isEmpty()) {
                    throw new IllegalArgumentException(name + " must not be empty");
                }
                return List.copyOf(texts);
            }
            case LABELS -> {
                return labelList(raw);
            }
            case SHAPE -> {
                if (!(raw instanceof List<?> items) || items.size() != 3) {
                    throw new IllegalArgumentException(name + " must be [channels, height, width], three integers "
                            + ">= 1, got " + quote(raw));
                }
                List<Integer> shape = new ArrayList<>();
                for (Object item : items) {
                    Double d = asDouble(item);
                    if (d == null || d != Math.rint(d) || d < 1 || d > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException(name + " must be [channels, height, width], three "
                                + "integers >= 1, got " + quote(raw) + " (" + quote(item) + ")");
                    }
                    shape.add(d.intValue());
                }
                return List.copyOf(shape);
            }
            default -> throw new AssertionError(type);
        }
    }

    /**
     * Checks raw values against a list of parameters: rejects unknown names, fills defaults, validates each.
     *
     * @param owner what the parameters belong to, for messages ("scheme normal", "dataset csv")
     * @return canonical values in declaration order; optional parameters without default are left out
     * @throws IllegalArgumentException naming the parameter and quoting the value
     */
    public static java.util.LinkedHashMap<String, Object> resolveAll(List<Parameter> definitions,
                                                                     java.util.Map<String, ?> raw, String owner) {
        for (String key : raw.keySet()) {
            if (definitions.stream().noneMatch(p -> p.name().equals(key))) {
                List<String> known = definitions.stream().map(Parameter::name).toList();
                throw new IllegalArgumentException(owner + " has no parameter '" + key + "'"
                        + (known.isEmpty() ? " (it takes none)" : " (it takes " + String.join(", ", known) + ")"));
            }
        }
        java.util.LinkedHashMap<String, Object> canonical = new java.util.LinkedHashMap<>();
        for (Parameter parameter : definitions) {
            Object value = raw.get(parameter.name());
            if (value == null) {
                if (parameter.required()) {
                    throw new IllegalArgumentException(owner + " needs parameter '" + parameter.name() + "'");
                }
                if (parameter.defaultValue() == null) {
                    continue;
                }
                value = parameter.defaultValue();
            }
            try {
                canonical.put(parameter.name(), parameter.validate(value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(owner + ": " + e.getMessage(), e);
            }
        }
        return canonical;
    }

    /**
     * Class labels as canonical texts in ascending order. A label written in a canonical dataset label must be read
     * back by {@code DatasetSpec.parse}, so texts holding the label syntax's characters are refused.
     */
    private List<String> labelList(Object raw) {
        if (!(raw instanceof List<?> items) || items.size() < 2) {
            throw new IllegalArgumentException(name + " must list at least two class labels, got " + quote(raw));
        }
        List<String> labels = new ArrayList<>();
        boolean allIntegers = true;
        for (Object item : items) {
            String label;
            if (item instanceof Number n) {
                double d = n.doubleValue();
                if (d != Math.rint(d) || d < 0 || d > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(name + " must list class indices 0, 1, 2, ... or label "
                            + "texts, got " + quote(item));
                }
                label = Long.toString((long) d);
            } else if (item instanceof String s && !s.isBlank()) {
                label = s.trim();
                if (label.chars().anyMatch(c -> ",;=()[]".indexOf(c) >= 0)) {
                    throw new IllegalArgumentException(name + " cannot hold a label with any of , ; = ( ) [ ] (the "
                            + "dataset label could not be read back), got " + quote(item));
                }
            } else {
                throw new IllegalArgumentException(name + " must list class indices or label texts, got "
                        + quote(item));
            }
            if (labels.contains(label)) {
                throw new IllegalArgumentException(name + " lists " + quote(label) + " twice");
            }
            allIntegers &= label.matches("\\d+");
            labels.add(label);
        }
        if (allIntegers) {
            labels.sort(java.util.Comparator.comparingLong(Long::parseLong));
        } else {
            labels.sort(null);
        }
        return List.copyOf(labels);
    }

    /** The value as it appears in a canonical label or hash. */
    public static String canonicalText(Object value) {
        if (value instanceof Double d) {
            return Canonical.number(d);
        }
        if (value instanceof List<?> list) {
            return "[" + String.join(";", list.stream().map(Object::toString).toList()) + "]";
        }
        return String.valueOf(value);
    }

    private static Double asDouble(Object raw) {
        if (raw instanceof Number n) {
            return n.doubleValue();
        }
        if (raw instanceof String s) {
            try {
                return Double.valueOf(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    public static String quote(Object raw) {
        return raw instanceof String s ? "'" + s + "'" : String.valueOf(raw);
    }
}
