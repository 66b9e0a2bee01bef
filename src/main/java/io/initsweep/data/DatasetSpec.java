package io.initsweep.data;

import io.initsweep.spec.Parameter;

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

    @Override
    public String toString() {
        return label();
    }
}
