package io.initsweep.dl4j;

import io.initsweep.init.InitScheme;
import io.initsweep.init.KernelShape;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.model.LayerRole;

import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * Hands one of our schemes to DL4J as an {@link IWeightInit}. The weights are drawn by
 * {@link io.initsweep.init.InitScheme#fill} from the scheme's formula, never by DL4J's {@code WeightInit} of a
 * similar name (several of which draw another distribution than their paper; see
 * {@link io.initsweep.init.SchemeKind}).
 *
 * <p>Two shapes arrive: a dense layer's {@code [nIn, nOut]} and a convolution kernel's {@code [nOut, nIn, kH, kW]} in
 * order {@code 'c'} (what DL4J's {@code ConvolutionParamInitializer} passes in 1.0.0-M2.1), which is the layout of
 * {@link KernelShape}: the kernel is drawn by the scheme's kernel formula and assigned as it is. DL4J's own fan
 * values are ignored (its convolution fan_out is divided by the stride; ours is not, see {@link KernelShape}).
 *
 * <p>Fields are plain values so DL4J can serialize the configuration to JSON and back.
 */
public final class SchemeWeightInit implements IWeightInit {
    private static final long serialVersionUID = 1L;

    private final String scheme;
    private final String activation;
    private final long seed;
    private final String role;
    private final int blocks;
    private final int blockDepth;

    /**
     * A layer whose draws do not depend on its place in the network (every layer of an MLP).
     *
     * @param scheme     canonical scheme label
     * @param activation the layer's activation (resolves {@code gain: auto})
     * @param seed       seed of this layer's weight stream
     */
    public SchemeWeightInit(String scheme, String activation, long seed) {
        this(scheme, activation, seed, null, 0, 0);
    }

    /**
     * A layer of a residual network, where the schemes made for them draw by the layer's role.
     *
     * @param role       the layer's {@link LayerRole}, canonical name; null for none
     * @param blocks     residual blocks L
     * @param blockDepth dense layers per branch m
     */
    public SchemeWeightInit(@JsonProperty("scheme") String scheme, @JsonProperty("activation") String activation,
                            @JsonProperty("seed") long seed, @JsonProperty("role") String role,
                            @JsonProperty("blocks") int blocks, @JsonProperty("blockDepth") int blockDepth) {
        this.scheme = Objects.requireNonNull(scheme, "scheme is null");
        this.activation = Objects.requireNonNull(activation, "activation is null");
        this.seed = seed;
        this.role = role;
        this.blocks = blocks;
        this.blockDepth = blockDepth;
    }

    /** The formula this layer draws from. */
    InitScheme formula() {
        SchemeSpec spec = SchemeSpec.parse(scheme);
        Activation nonlinearity = Activation.byName(activation).orElseThrow();
        return role == null ? spec.resolve(nonlinearity)
                : spec.resolve(nonlinearity, LayerRole.valueOf(role.toUpperCase(java.util.Locale.ROOT)), blocks,
                blockDepth);
    }

    @Override
    public INDArray init(double fanIn, double fanOut, long[] shape, char order, INDArray paramView) {
        InitScheme formula = formula();
        double[] weights = switch (shape.length) {
            case 2 -> formula.sample(Math.toIntExact(shape[0]), Math.toIntExact(shape[1]), seed);
            case 4 -> formula.sample(new KernelShape(Math.toIntExact(shape[0]), Math.toIntExact(shape[1]),
                    Math.toIntExact(shape[2]), Math.toIntExact(shape[3])), seed);
            default -> throw new IllegalArgumentException("initsweep schemes initialize dense layers [nIn, nOut] and "
                    + "2-D convolution kernels [nOut, nIn, kH, kW], got shape " + java.util.Arrays.toString(shape));
        };
        INDArray drawn = Nd4j.create(weights, shape.clone(), 'c').castTo(paramView.dataType());
        paramView.assign(Nd4j.toFlattened(order, drawn));
        return paramView.reshape(order, shape);
    }

    /**
     * The weights this init puts into a {@code fanIn × fanOut} layer, row-major, in double precision (the layer
     * casts them to its own type). The one place both trainers draw from, so a cell starts from the same bits in
     * {@link Dl4jCellTrainer} and {@link BatchedCellTrainer}.
     */
    static double[] draw(String scheme, String activation, long seed, int fanIn, int fanOut) {
        return resolve(scheme, activation).sample(fanIn, fanOut, seed);
    }

    private static InitScheme resolve(String scheme, String activation) {
        return SchemeSpec.parse(scheme).resolve(Activation.byName(activation).orElseThrow());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SchemeWeightInit other && scheme.equals(other.scheme)
                && activation.equals(other.activation) && seed == other.seed && Objects.equals(role, other.role)
                && blocks == other.blocks && blockDepth == other.blockDepth;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme, activation, seed, role, blocks, blockDepth);
    }

    @Override
    public String toString() {
        return "SchemeWeightInit(" + scheme + ", " + activation + ", seed=" + seed
                + (role == null ? "" : ", " + role + " of " + blocks + "×" + blockDepth) + ")";
    }
}
