package io.initsweep.spec;

import io.initsweep.init.SchemeSpec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A per-layer override of the cell's scheme: hidden layers {@code first..last} (0-based, inclusive) or the output
 * layer take {@code scheme} instead. This is how "new layers on top of a pre-trained network" is studied: the
 * first layers keep one fixed scheme while the sweep varies the rest. In a residual network the hidden layers are
 * numbered stem first, then each block's branch layers in order ({@link CellSettings#hiddenLayers()}).
 *
 * @param first  first hidden layer, or -1 for the output layer
 * @param last   last hidden layer (inclusive), or -1 for the output layer
 * @param scheme the scheme these layers use
 */
public record LayerInit(int first, int last, SchemeSpec scheme) implements Serializable {

    private static final Pattern RANGE = Pattern.compile("(\\d+)(?:\\s*-\\s*(\\d+))?");
    public static final String OUTPUT = "output";

    public LayerInit {
        Objects.requireNonNull(scheme, "scheme is null");
        if (first > last || (first < 0 && (first != -1 || last != -1))) {
            throw new IllegalArgumentException("bad layer range " + first + "-" + last);
        }
    }

    /**
     * Reads {@code 3}, {@code 0-2} or {@code output}.
     *
     * @throws IllegalArgumentException quoting the text
     */
    public static LayerInit parse(String layers, SchemeSpec scheme) {
        String text = layers.trim();
        if (text.equals(OUTPUT)) {
            return new LayerInit(-1, -1, scheme);
        }
        Matcher m = RANGE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("layers must be N, A-B or output, got '" + layers + "'");
        }
        int first = Integer.parseInt(m.group(1));
        int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
        if (last < first) {
            throw new IllegalArgumentException("layer range must not run backwards, got '" + layers + "'");
        }
        return new LayerInit(first, last, scheme);
    }

    public boolean isOutput() {
        return first == -1;
    }

    /**
     * Whether this override applies to dense layer {@code index} of a network with {@code hiddenLayers} dense layers
     * before its output layer (the output layer's index).
     */
    public boolean covers(int index, int hiddenLayers) {
        return isOutput() ? index == hiddenLayers : index >= first && index <= last;
    }

    public String layers() {
        return isOutput() ? OUTPUT : first == last ? Integer.toString(first) : first + "-" + last;
    }

    /** {@code 0-1:he_normal}. */
    public String label() {
        return layers() + ":" + scheme.label();
    }

    /** Whether two overrides claim a layer in common. */
    public boolean overlaps(LayerInit other) {
        if (isOutput() || other.isOutput()) {
            return isOutput() && other.isOutput();
        }
        return first <= other.last && other.first <= last;
    }

    /** {@code 0-1:he_normal;output:xavier_normal}; empty for no overrides. */
    public static String label(List<LayerInit> overrides) {
        return overrides.stream().map(LayerInit::label).collect(Collectors.joining(";"));
    }

    /**
     * Reads {@link #label(List)} back, as {@code runs.layer_init} stores it.
     *
     * @throws IllegalArgumentException quoting what cannot be read
     */
    public static List<LayerInit> parseLabel(String label) {
        List<LayerInit> overrides = new ArrayList<>();
        if (label == null || label.isEmpty()) {
            return List.of();
        }
        // A scheme label may hold ';'-free parameter lists only, so ';' separates overrides.
        for (String item : label.split(";")) {
            int colon = item.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("not a layer override: '" + item + "'");
            }
            overrides.add(parse(item.substring(0, colon), SchemeSpec.parse(item.substring(colon + 1))));
        }
        return List.copyOf(overrides);
    }
}
