package io.initsweep.data;

import io.initsweep.common.Parameter;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A dataset as a spec names it: the kind and every parameter, defaults filled in. The data seed is not part of it:
 * it is a setting of its own (and may be a grid axis), so one spec yields one dataset per data seed.
 */
public record DatasetSpec(DatasetKind kind, Map<String, Object> parameters) implements Serializable {

    public DatasetSpec {
        Objects.requireNonNull(kind, "kind is null");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** @throws IllegalArgumentException naming the parameter and value */
    public static DatasetSpec of(DatasetKind kind, Map<String, ?> raw) {
        return new DatasetSpec(kind, Parameter.resolveAll(kind.parameters(), raw, "dataset " + kind));
    }

    /**
     * Reads a label back ({@code spirals(samples=1000,arms=2,...)}), as stored in {@code runs.dataset}. Text values
     * holding ',' '(' or ')' cannot be told apart from the syntax and are not supported.
     *
     * @throws IllegalArgumentException quoting what cannot be read
     */
    public static DatasetSpec parse(String label) {
        int open = label.indexOf('(');
        if (open < 0 || !label.endsWith(")")) {
            throw new IllegalArgumentException("not a dataset label: '" + label + "'");
        }
        DatasetKind kind = DatasetKind.byName(label.substring(0, open)).orElseThrow(() ->
                new IllegalArgumentException("unknown dataset '" + label.substring(0, open) + "'"));
        Map<String, Object> raw = new LinkedHashMap<>();
        String body = label.substring(open + 1, label.length() - 1);
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= body.length(); i++) {
            char c = i < body.length() ? body.charAt(i) : ',';
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                String pair = body.substring(start, i);
                start = i + 1;
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("dataset parameter must be key=value, got '" + pair + "'");
                }
                String value = pair.substring(eq + 1);
                raw.put(pair.substring(0, eq), value.startsWith("[") && value.endsWith("]")
                        ? List.of(value.substring(1, value.length() - 1).split(";")) : value);
            }
        }
        return of(kind, raw);
    }

    /** {@code kind(k=v,...)} with every parameter, in declaration order. */
    public String label() {
        List<String> pairs = new ArrayList<>();
        parameters.forEach((k, v) -> pairs.add(k + "=" + Parameter.canonicalText(v)));
        return kind.canonicalName() + "(" + String.join(",", pairs) + ")";
    }

    public int count(String name) {
        return (Integer) parameters.get(name);
    }

    public Integer optionalCount(String name) {
        return (Integer) parameters.get(name);
    }

    public double number(String name) {
        return (Double) parameters.get(name);
    }

    public boolean flag(String name) {
        return (Boolean) parameters.get(name);
    }

    public String text(String name) {
        return (String) parameters.get(name);
    }

    @SuppressWarnings("unchecked")
    public List<String> texts(String name) {
        return (List<String>) parameters.get(name);
    }

    /** A list of integers, such as {@code image-shape}; null when not given. */
    @SuppressWarnings("unchecked")
    public List<Integer> counts(String name) {
        return (List<Integer>) parameters.get(name);
    }

    @Override
    public String toString() {
        return label();
    }
}
