package io.initsweep.init;

import io.initsweep.common.Parameter;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every initialization scheme initsweep knows, by canonical name, with the parameters a spec may give it.
 *
 * <p>Notation: a dense layer maps {@code fan_in} inputs to {@code fan_out} outputs; {@code W} is its
 * {@code fan_in × fan_out} weight matrix and each entry is drawn independently unless stated otherwise. A
 * convolution kernel of {@code C_out × C_in × kH × kW} ({@link KernelShape}, DL4J's layout) has
 * {@code fan_in = C_in·kH·kW} and {@code fan_out = C_out·kH·kW} for every scheme (He et al. 2015); the schemes that
 * draw entries independently draw a kernel with those fans, the others say below what they do on a kernel.
 * {@code g} is a gain: a number, or {@code auto} for the activation's recommended gain
 * ({@link io.initsweep.model.Activation#recommendedGain()}). Biases are not drawn by the scheme: they take the
 * separate {@code bias-init} constant (0 by default).
 *
 * <p>Several DL4J {@code WeightInit} values of similar names draw something else (DL4J's NORMAL and UNIFORM are
 * fan-in scaled, its LECUN_UNIFORM has three times LeCun's variance, its VAR_SCALING_* variances are off by a
 * factor, and its OrthogonalDistribution does not produce orthogonal matrices in 1.0.0-M2.1). initsweep never
 * uses them: every scheme here is drawn by {@link InitScheme#fill} from its formula and handed to DL4J through
 * {@code IWeightInit}.
 */
public enum SchemeKind {
    /**
     * {@code W = 0}. Every hidden unit of a layer computes the same function and receives the same gradient, so
     * symmetry never breaks: the layer behaves as a single unit however wide it is.
     */
    ZERO("zero"),
    /** {@code W = c} for a given {@code value: c}. Like zero, it never breaks symmetry. */
    CONSTANT("constant", Parameter.number("value", null, false, "the constant every weight takes")),
    /**
     * The naive "small random values" of early practice: {@code W ~ U(−b, b)}, {@code Var = b²/3}, with a fixed
     * {@code bound: b} (default 0.05) that ignores layer size. Unlike DL4J's UNIFORM, which is fan-in scaled.
     */
    UNIFORM("uniform", Parameter.number("bound", 0.05, true, "b in U(-b, b)")),
    /**
     * The naive "small random values" of early practice: {@code W ~ N(0, σ²)} with a fixed {@code std: σ}
     * (default 0.01) that ignores layer size; with depth the signal shrinks by about {@code σ²·fan_in} per layer.
     * Unlike DL4J's NORMAL, which is LeCun normal.
     */
    NORMAL("normal", Parameter.number("std", 0.01, true, "the standard deviation")),
    /**
     * Glorot and Bengio 2010, "Understanding the difficulty of training deep feedforward neural networks":
     * {@code W ~ N(0, 2/(fan_in + fan_out))}. Keeps forward and backward variance for symmetric, roughly linear
     * activations around 0 (tanh, softsign).
     */
    XAVIER_NORMAL("xavier_normal"),
    /** Glorot and Bengio 2010: {@code W ~ U(±√(6/(fan_in + fan_out)))}, {@code Var = 2/(fan_in + fan_out)}. */
    XAVIER_UNIFORM("xavier_uniform"),
    /**
     * He et al. 2015, "Delving Deep into Rectifiers": {@code W ~ N(0, 2/fan_in)}. The factor 2 compensates for
     * ReLU zeroing half of its inputs, so the forward signal keeps its second moment through depth.
     */
    HE_NORMAL("he_normal"),
    /** He et al. 2015: {@code W ~ U(±√(6/fan_in))}, {@code Var = 2/fan_in}. */
    HE_UNIFORM("he_uniform"),
    /**
     * LeCun et al. 1998, "Efficient BackProp": {@code W ~ N(0, 1/fan_in)}; with SELU it gives self-normalizing
     * networks (Klambauer et al. 2017).
     */
    LECUN_NORMAL("lecun_normal"),
    /**
     * LeCun et al. 1998: {@code W ~ U(±√(3/fan_in))}, {@code Var = 1/fan_in}. (DL4J's LECUN_UNIFORM draws
     * {@code U(±3/√fan_in)}, three times this variance.)
     */
    LECUN_UNIFORM("lecun_uniform"),
    /**
     * Fan-in scaled truncated normal: draws {@code N(0, s²)} restricted to {@code [−2s, 2s]} with
     * {@code s = g/(0.87962566·√fan_in)}, so that the variance of what is drawn, after truncation, is exactly
     * {@code g²/fan_in} (the correction TensorFlow's variance_scaling uses). {@code gain} defaults to 1.
     */
    TRUNCATED_NORMAL("truncated_normal", Parameter.gain(1.0)),
    /**
     * Saxe, McClelland and Ganguli 2013, "Exact solutions to the nonlinear dynamics of learning in deep linear
     * neural networks": {@code W = g·Q} where {@code A = QR} is the QR decomposition of a standard Gaussian matrix
     * and each column of Q is multiplied by {@code sign(R_jj)} so that Q is Haar-distributed. Square layers get an
     * orthogonal matrix ({@code WᵀW = g²I}); a tall layer orthonormal columns, a wide one orthonormal rows. Entry
     * variance {@code g²/max(fan_in, fan_out)}. A convolution kernel is drawn as its flattened
     * {@code C_out × (C_in·kH·kW)} matrix, so its variance is {@code g²/max(C_out, C_in·kH·kW)}.
     */
    ORTHOGONAL("orthogonal", Parameter.gain(1.0)),
    /**
     * Xiao, Bahri, Sohl-Dickstein, Schoenholz and Pennington 2018, "Dynamical Isometry and a Mean Field Theory of
     * CNNs: How to Train 10,000-Layer Vanilla Convolutional Neural Networks" (Algorithm 2): a kernel that is
     * {@code g·H} at its centre tap and 0 at every other tap, H a Haar-distributed {@code C_out × C_in} matrix
     * with orthonormal columns ({@code HᵀH = I}, drawn like {@link #ORTHOGONAL}). With {@code g = 1} and a linear
     * activation, a stack of such layers (same padding) preserves every input's norm exactly. As in the paper,
     * it needs {@code C_out ≥ C_in} and odd kernel sizes (a centre tap); a convolution without them is refused.
     * Entry variance {@code g²/(C_out·kH·kW)}. On a dense layer (a 1×1 convolution) it is {@link #ORTHOGONAL}
     * with the same gain, drawn identically, so the output layer of a CNN needs no override.
     */
    DELTA_ORTHOGONAL("delta_orthogonal", Parameter.gain(1.0)),
    /**
     * {@code W = g·I}: each unit copies one input. Square layers only (Le, Jaitly and Hinton 2015 use it for
     * ReLU recurrent networks); the spec is refused if a layer it applies to is not square. On a convolution it
     * is the delta identity: {@code g} from each input channel to the same output channel at the centre tap, 0
     * elsewhere (the layer copies its input times g); it needs {@code C_in = C_out} and odd kernel sizes.
     */
    IDENTITY("identity", Parameter.gain(1.0)),
    /**
     * Mishkin and Matas 2016, "All you need is a good init" (layer-sequential unit-variance): orthogonal init,
     * then, layer by layer from the input, the weights are divided by the standard deviation of the layer's
     * output (its pre-activation, {@code xW + b}) on a batch of real training data until that variance is within
     * {@code tolerance} (default 0.1) of 1 or {@code max-iterations} (default 10) rescalings were made.
     */
    LSUV("lsuv", Parameter.number("tolerance", 0.1, true, "accepted |Var - 1|"),
            Parameter.count("max-iterations", 10, "rescalings per layer at most")),
    /**
     * The general form behind Xavier, He and LeCun (as in Keras and DJL): {@code Var(W) = g²/n} with
     * {@code n = fan_in, fan_out} or {@code (fan_in + fan_out)/2} by {@code mode}, drawn from a normal,
     * a uniform {@code U(±√(3g²/n))} or a variance-corrected truncated normal by {@code distribution}.
     * Defaults: distribution normal, mode fan_in, gain 1.
     */
    VARIANCE_SCALING("variance_scaling",
            Parameter.choice("distribution", "normal", Distribution.names(), "normal, uniform or truncated_normal"),
            Parameter.choice("mode", "fan_in", FanMode.names(), "fan_in, fan_out or fan_avg"),
            Parameter.gain(1.0)),

    // Schemes made for residual networks (architecture: residual; refused on an mlp). Each names the structure it
    // adds to every residual block as well as its draws: L blocks, m = block-depth dense layers per branch,
    // x_{l+1} = x_l + s·F_l(x_l) with s the fixed branch-scale. Their dense layers draw N(0, g²/fan_in), He et al.
    // 2015's normal for relu with the default gain auto.

    /**
     * Zhang, Dauphin and Ma 2019, "Fixup Initialization: Residual Learning Without Normalization": the output layer
     * and the last layer of every branch start at {@code W = 0}; the other branch layers draw
     * {@code N(0, g²/fan_in)} times {@code L^(−1/(2m−2))} (so {@code Var = g²/fan_in · L^(−1/(m−1))}); the stem
     * draws {@code N(0, g²/fan_in)}. Each branch gets a learnable scalar multiplier starting at 1 after its last
     * layer and learnable scalar biases starting at 0 before each of its dense layers, before each of its
     * nonlinearities and after its multiplier; the head gets them before its nonlinearity and before the output
     * layer. Branch layers then have no bias vectors (the scalars replace them, as in the paper). Needs m ≥ 2.
     * With every branch zero at init, each block is the identity; the scaling keeps the update of the network's
     * output O(η) whatever L (the paper's argument).
     */
    FIXUP("fixup", autoGain()),
    /**
     * De and Smith 2020, "Batch Normalization Biases Residual Blocks Towards the Identity Function in Deep
     * Networks": a learnable scalar multiplier at the end of every residual branch starting at {@code alpha}
     * (default 0; the paper also uses small values below {@code 1/√L}), {@code x ← x + α·F(x)}; dense layers draw
     * {@code N(0, g²/fan_in)}. It replaces what batch normalization does at init: shrink each branch relative to
     * the skip path.
     */
    SKIPINIT("skipinit", Parameter.number("alpha", 0.0, false, "the branch multiplier's starting value"),
            autoGain()),
    /**
     * Bachlechner et al. 2020, "ReZero is All You Need: Fast Convergence at Large Depth": one learnable scalar per
     * residual block starting at 0, {@code x_{l+1} = x_l + α_l·F_l(x_l)}; dense layers draw {@code N(0, g²/fan_in)}.
     * Every block starts as the identity, so the network's input-output Jacobian is exactly the stem's and the
     * head's (dynamical isometry at init). Here a block has one branch, so it places its scalar where skipinit
     * does; the two differ by skipinit's {@code alpha}.
     */
    REZERO("rezero", autoGain());

    private final String canonicalName;
    private final List<Parameter> parameters;

    SchemeKind(String canonicalName, Parameter... parameters) {
        this.canonicalName = canonicalName;
        this.parameters = List.of(parameters);
    }

    /** A gain defaulting to auto: the activation's recommended gain (He et al.'s √2 for relu). */
    private static Parameter autoGain() {
        return new Parameter("gain", Parameter.Type.GAIN, Parameter.AUTO, false, List.of(), null,
                "a number > 0, or auto for the activation's recommended gain");
    }

    /**
     * Whether the scheme is made for residual networks: it needs residual blocks (and adds structure to them), so a
     * spec giving it to an mlp cell, or to single layers through {@code layer-init}, is refused.
     */
    public boolean residualOnly() {
        return this == FIXUP || this == SKIPINIT || this == REZERO;
    }

    public String canonicalName() {
        return canonicalName;
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    public Optional<Parameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public static Optional<SchemeKind> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.canonicalName.equals(wanted)).findFirst();
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(SchemeKind::canonicalName).toList());
    }

    @Override
    public String toString() {
        return canonicalName;
    }

    /** Which fan the variance of {@link #VARIANCE_SCALING} is divided by. */
    public enum FanMode {
        FAN_IN, FAN_OUT, FAN_AVG;

        public String canonicalName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public double fan(int fanIn, int fanOut) {
            return switch (this) {
                case FAN_IN -> fanIn;
                case FAN_OUT -> fanOut;
                case FAN_AVG -> (fanIn + fanOut) / 2.0;
            };
        }

        static List<String> names() {
            return Arrays.stream(values()).map(FanMode::canonicalName).toList();
        }

        public static FanMode byName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /** The distribution {@link #VARIANCE_SCALING} draws from. */
    public enum Distribution {
        NORMAL, UNIFORM, TRUNCATED_NORMAL;

        public String canonicalName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static List<String> names() {
            return Arrays.stream(values()).map(Distribution::canonicalName).toList();
        }

        public static Distribution byName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }
}
