package io.initsweep.spec;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML node that knows where it is: its file, key path and line. Typed accessors throw {@link Problem} with
 * that location, so every spec error can say where it is and what value it saw.
 */
final class YamlNode {
    private final Node node;
    private final String file;
    private final String path;

    YamlNode(Node node, String file, String path) {
        this.node = node;
        this.file = file;
        this.path = path;
    }

    String path() {
        return path;
    }

    int line() {
        return node == null ? 0 : node.getStartMark().getLine() + 1;
    }

    boolean isNull() {
        return node == null || (node instanceof ScalarNode s && s.getTag().equals(Tag.NULL));
    }

    boolean isScalar() {
        return node instanceof ScalarNode && !isNull();
    }

    boolean isMapping() {
        return node instanceof MappingNode;
    }

    boolean isSequence() {
        return node instanceof SequenceNode;
    }

    /** The scalar as Java: Long or BigInteger, Double, Boolean, String; null for YAML null. */
    Object scalar() {
        if (isNull()) {
            return null;
        }
        if (!(node instanceof ScalarNode scalar)) {
            throw problem("must be a single value, got a " + kind());
        }
        String text = scalar.getValue();
        Tag tag = scalar.getTag();
        try {
            if (tag.equals(Tag.INT)) {
                BigInteger big = new BigInteger(text.replace("_", "").replace("+", ""));
                return big.bitLength() < 64 ? (Object) big.longValue() : big;
            }
            if (tag.equals(Tag.FLOAT)) {
                return Double.valueOf(text.replace("_", ""));
            }
        } catch (NumberFormatException e) {
            return text; // octal, sexagesimal and other exotic forms: leave as text, the type check quotes it
        }
        if (tag.equals(Tag.BOOL)) {
            return Boolean.valueOf(text.equalsIgnoreCase("true") || text.equalsIgnoreCase("yes")
                    || text.equalsIgnoreCase("on") || text.equalsIgnoreCase("y"));
        }
        return text;
    }

    /** The raw text as written, for quoting in messages. */
    String text() {
        if (node instanceof ScalarNode scalar) {
            return scalar.getValue();
        }
        return kind();
    }

    String kind() {
        if (isNull()) {
            return "nothing";
        }
        return node instanceof MappingNode ? "mapping" : node instanceof SequenceNode ? "list" : "value";
    }

    /** Entries of a mapping, in document order; a key written twice or a non-text key is a problem. */
    Map<String, YamlNode> entries() {
        List<Problem> duplicates = duplicateKeys();
        if (!duplicates.isEmpty()) {
            throw duplicates.get(0);
        }
        return entriesKeepingFirst();
    }

    /**
     * Entries of a mapping, in document order; a key written twice keeps its first value (the caller reports
     * {@link #duplicateKeys()}); non-text keys are problems.
     */
    Map<String, YamlNode> entriesKeepingFirst() {
        if (!(node instanceof MappingNode mapping)) {
            throw problem("must be a mapping of keys to values, got " + describe());
        }
        Map<String, YamlNode> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                throw new Problem(new SpecError(file, path, tuple.getKeyNode().getStartMark().getLine() + 1,
                        "keys must be plain words"));
            }
            String key = keyNode.getValue();
            entries.putIfAbsent(key, new YamlNode(tuple.getValueNode(), file, path.isEmpty() ? key : path + "." + key));
        }
        return entries;
    }

    /** A problem for every key of this mapping written more than once, at its second occurrence. */
    List<Problem> duplicateKeys() {
        List<Problem> problems = new ArrayList<>();
        if (node instanceof MappingNode mapping) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode keyNode && !seen.add(keyNode.getValue())) {
                    String key = keyNode.getValue();
                    problems.add(new Problem(new SpecError(file, path.isEmpty() ? key : path + "." + key,
                            keyNode.getStartMark().getLine() + 1, "key '" + key + "' appears more than once")));
                }
            }
        }
        return problems;
    }

    List<YamlNode> items() {
        if (!(node instanceof SequenceNode sequence)) {
            throw problem("must be a list, got " + describe());
        }
        List<YamlNode> items = new ArrayList<>();
        List<Node> values = sequence.getValue();
        for (int i = 0; i < values.size(); i++) {
            items.add(new YamlNode(values.get(i), file, path + "[" + i + "]"));
        }
        return items;
    }

    /** The node as plain Java values (Map, List, scalars), for parameter maps. */
    Object plain() {
        if (isMapping()) {
            Map<String, Object> map = new LinkedHashMap<>();
            entries().forEach((k, v) -> map.put(k, v.plain()));
            return map;
        }
        if (isSequence()) {
            return items().stream().map(YamlNode::plain).toList();
        }
        return scalar();
    }

    /** A description of the value for messages: quoted text, or its kind. */
    String describe() {
        if (isNull()) {
            return "nothing";
        }
        if (node instanceof ScalarNode scalar) {
            Object value = scalar();
            return value instanceof String ? "'" + scalar.getValue() + "'" : scalar.getValue();
        }
        return "a " + kind();
    }

    Problem problem(String message) {
        return new Problem(new SpecError(file, path, line(), message));
    }

    /** A located spec error, thrown while reading and collected by the parser. */
    static final class Problem extends RuntimeException {
        private final SpecError error;

        Problem(SpecError error) {
            super(error.toString(), null, false, false);
            this.error = error;
        }

        SpecError error() {
            return error;
        }
    }
}
