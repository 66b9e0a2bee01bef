package io.initsweep.init;

import io.initsweep.common.Parameter;
import io.initsweep.model.Activation;
import io.initsweep.model.LayerRole;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scheme as a spec names it: the kind and every parameter (defaults filled in), before the cell's activation
 * resolves {@code gain: auto}. Its {@link #label()} is canonical: {@code normal} and {@code normal: {std: 0.01}}
 * give the same label, {@code normal(std=0.01)}, and {@link #parse} reads a label back.
 */
public record SchemeSpec(SchemeKind kind, Map<String, Object> parameters) implements Serializable {

    private static final Pattern LABEL = Pattern.compile("([a-z_]+)\\s*(?:\\((.*)\\))?");

    public SchemeSpec {
        Objects.requireNonNull(kind, "kind is null");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * Builds a scheme from raw parameter values, filling defaults and checking each value.
     *
     * @throws IllegalArgumentException for an unknown or missing parameter or a bad value; the message names it
     */
    public static SchemeSpec of(SchemeKind kind, Map<String, ?> raw) {
        return new SchemeSpec(kind, Parameter.resolveAll(kind.parameters(), raw, "scheme " + kind));
    }

    public static SchemeSpec of(SchemeKind kind) {
        return of(kind, Map.of());
    }

    /** Reads a canonical label such as {@code he_normal} or {@code orthogonal(gain=auto)}. */
    public static SchemeSpec parse(String label) {
        Matcher m = LABEL.matcher(label.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a scheme: '" + label + "'");
        }
        SchemeKind kind = SchemeKind.byName(m.group(1)).orElseThrow(() -> new IllegalArgumentException(
                "unknown scheme '" + m.group(1) + "' (known: " + SchemeKind.names() + ")"));
        Map<String, Object> raw = new LinkedHashMap<>();
        if (m.group(2) != null && !m.group(2).isBlank()) {
            for (String pair : m.group(2).split(",")) {
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("scheme parameter must be key=value, got '" + pair.trim() + "'");
                }
                raw.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return of(kind, raw);
    }

    /** The canonical label, e.g. {@code variance_scaling(distribution=normal,mode=fan_in,gain=auto)}. */
    public String label() {
        if (parameters.isEmpty()) {
            return kind.canonicalName();
        }
        List<String> pairs = new ArrayList<>();
        parameters.forEach((k, v) -> pairs.add(k + "=" + Parameter.canonicalText(v)));
        return kind.canonicalName() + "(" + String.join(",", pairs) + ")";
    }

    /** The gain as written; empty for {@code auto} and for schemes without a gain. */
    public OptionalDouble explicitGain() {
        return parameters.get("gain") instanceof Double d ? OptionalDouble.of(d) : OptionalDouble.empty();
    }

    public boolean autoGain() {
        return Parameter.AUTO.equals(parameters.get("gain"));
    }

    public OptionalDouble number(String parameter) {
        Object value = parameters.get(parameter);
        return value instanceof Number n ? OptionalDouble.of(n.doubleValue()) : OptionalDouble.empty();
    }

    public String word(String parameter) {
        Object value = parameters.get(parameter);
        return value instanceof String s ? s : null;
    }

    /** The gain this scheme uses with the given activation (auto resolved); empty if the scheme has none. */
    public OptionalDouble gain(Activation activation) {
        if (autoGain()) {
            return OptionalDouble.of(activation.recommendedGain());
        }
        return explicitGain();
    }

    /**
     * The formula a dense layer draws with, in its place in the network: the schemes made for residual networks
     * draw by the layer's role ({@link SchemeKind#FIXUP} zeroes the output layer and the last layer of each branch
     * and scales the other branch layers by {@code L^(−1/(2m−2))}); every other scheme draws the same for every
     * role ({@link #resolve(Activation)}).
     *
     * @param blocks     L, the residual blocks (ignored by other schemes)
     * @param blockDepth m, the dense layers per branch
     * @throws IllegalArgumentException for a residual scheme on a layer of no residual network, or fixup with m = 1
     */
    public InitScheme resolve(Activation activation, LayerRole role, int blocks, int blockDepth) {
        if (!kind.residualOnly()) {
            return resolve(activation);
        }
        double gain = gain(activation).orElseThrow();
        InitScheme he = new InitScheme.VarianceScaling(SchemeKind.Distribution.NORMAL, SchemeKind.FanMode.FAN_IN,
                gain);
        if (role == LayerRole.HIDDEN) {
            throw new IllegalArgumentException(kind + " initializes residual networks, not an mlp's hidden layer");
        }
        if (kind != SchemeKind.FIXUP) {
            return he;
        }
        return switch (role) {
            case STEM -> he;
            case BRANCH -> new InitScheme.VarianceScaling(SchemeKind.Distribution.NORMAL, SchemeKind.FanMode.FAN_IN,
                    gain * fixupBranchFactor(blocks, blockDepth));
            case BRANCH_LAST, OUTPUT -> new InitScheme.Constant(0.0);
            case HIDDEN -> throw new AssertionError(role);
        };
    }

    /** Fixup's factor on the std of a branch's inner layers: {@code L^(−1/(2m−2))}. */
    public static double fixupBranchFactor(int blocks, int blockDepth) {
        if (blockDepth < 2) {
            throw new IllegalArgumentException("fixup needs branches of at least 2 dense layers: its factor "
                    + "L^(-1/(2m-2)) is undefined for m = " + blockDepth);
        }
        return Math.pow(blocks, -1.0 / (2.0 * blockDepth - 2.0));
    }

    /**
     * The learnable scalar every residual branch is multiplied by, and its starting value: fixup 1, skipinit its
     * {@code alpha}, rezero 0; empty for schemes that add none.
     */
    public OptionalDouble branchMultiplier() {
        return switch (kind) {
            case FIXUP -> OptionalDouble.of(1.0);
            case SKIPINIT -> number("alpha");
            case REZERO -> OptionalDouble.of(0.0);
            default -> OptionalDouble.empty();
        };
    }

    /** Whether residual branches and the head get Fixup's learnable scalar biases (and lose their bias vectors). */
    public boolean scalarBiases() {
        return kind == SchemeKind.FIXUP;
    }

    /**
     * The formula this scheme draws with, for a cell using {@code activation}. LSUV resolves to its orthogonal
     * pre-initialization; its data-dependent rescaling is done by the trainer, which has the data. A scheme made for
     * residual networks resolves to the draw of its stem (its other layers draw by their role:
     * {@link #resolve(Activation, LayerRole, int, int)}).
     */
    public InitScheme resolve(Activation activation) {
        double gain = gain(activation).orElse(1.0);
        return switch (kind) {
            case ZERO -> new InitScheme.Constant(0.0);
            case CONSTANT -> new InitScheme.Constant(number("value").getAsDouble());
            case UNIFORM -> new InitScheme.Uniform(number("bound").getAsDouble());
            case NORMAL -> new InitScheme.Normal(number("std").getAsDouble());
            case XAVIER_NORMAL -> new InitScheme.VarianceScaling(
                    SchemeKind.Distribution.NORMAL, SchemeKind.FanMode.FAN_AVG, 1.0);
            case XAVIER_UNIFORM -> new InitScheme.VarianceScaling(
                    SchemeKind.Distribution.UNIFORM, SchemeKind.FanMode.FAN_AVG, 1.0);
            case HE_NORMAL -> new InitScheme.VarianceScaling(
                    SchemeKind.Distribution.NORMAL, SchemeKind.FanMode.FAN_IN, Math.sqrt(2.0));
            case HE_UNIFORM -> new InitScheme.VarianceScaling(
                    SchemeKind.Distribution.UNIFORM, SchemeKind.FanMode.FAN_IN, Math.sqrt(2.0));
            case LECUN_NORMAL -> new InitScheme.VarianceScaling(
                    SchemeKind.Distribution.NORMAL, SchemeKind.FanMode.FAN_IN, 1.0);
            case LECUN_UNIFORM -> new InitScheme.VarianceScaling(
                    SchemeKind.Distribution.UNIFORM, SchemeKind.FanMode.FAN_IN, 1.0);
            case TRUNCATED_NORMAL -> new InitScheme.VarianceScaling(
                    SchemeKind.Distribution.TRUNCATED_NORMAL, SchemeKind.FanMode.FAN_IN, gain);
            case VARIANCE_SCALING -> new InitScheme.VarianceScaling(
                    SchemeKind.Distribution.byName(word("distribution")), SchemeKind.FanMode.byName(word("mode")), gain);
            case ORTHOGONAL -> new InitScheme.Orthogonal(gain);
            case DELTA_ORTHOGONAL -> new InitScheme.DeltaOrthogonal(gain);
            case LSUV -> new InitScheme.Orthogonal(1.0);
            case IDENTITY -> new InitScheme.Identity(gain);
            case FIXUP, SKIPINIT, REZERO -> new InitScheme.VarianceScaling(
                    SchemeKind.Distribution.NORMAL, SchemeKind.FanMode.FAN_IN, gain);
        };
    }

    @Override
    public String toString() {
        return label();
    }
}
