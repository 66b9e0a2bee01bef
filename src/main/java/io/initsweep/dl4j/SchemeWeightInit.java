package io.initsweep.dl4j;

import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;

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
 * <p>Fields are plain values so DL4J can serialize the configuration to JSON and back.
 */
public final class SchemeWeightInit implements IWeightInit {
    private static final long serialVersionUID = 1L;

    private final String scheme;
    private final String activation;
    private final long seed;

    /**
     * @param scheme     canonical scheme label
     * @param activation the layer's activation (resolves {@code gain: auto})
     * @param seed       seed of this layer's weight stream
     */
    public SchemeWeightInit(@JsonProperty("scheme") String scheme, @JsonProperty("activation") String activation,
                            @JsonProperty("seed") long seed) {
        this.scheme = Objects.requireNonNull(scheme, "scheme is null");
        this.activation = Objects.requireNonNull(activation, "activation is null");
        this.seed = seed;
    }

    @Override
    public INDArray init(double fanIn, double fanOut, long[] shape, char order, INDArray paramView) {
        if (shape.length != 2) {
            throw new IllegalArgumentException("initsweep schemes initialize dense layers, got shape "
                    + java.util.Arrays.toString(shape));
        }
        int in = (int) shape[0];
        int out = (int) shape[1];
        double[] weights = draw(scheme, activation, seed, in, out);
        INDArray matrix = Nd4j.create(weights, new long[] {in, out}, 'c').castTo(paramView.dataType());
        paramView.assign(Nd4j.toFlattened(order, matrix));
        return paramView.reshape(order, shape);
    }

    /**
     * The weights this init puts into a {@code fanIn × fanOut} layer, row-major, in double precision (the layer
     * casts them to its own type). The one place both trainers draw from, so a cell starts from the same bits in
     * {@link Dl4jCellTrainer} and {@link BatchedCellTrainer}.
     */
    static double[] draw(String scheme, String activation, long seed, int fanIn, int fanOut) {
        return SchemeSpec.parse(scheme)
                .resolve(Activation.byName(activation).orElseThrow())
                .sample(fanIn, fanOut, seed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SchemeWeightInit other && scheme.equals(other.scheme)
                && activation.equals(other.activation) && seed == other.seed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme, activation, seed);
    }

    @Override
    public String toString() {
        return "SchemeWeightInit(" + scheme + ", " + activation + ", seed=" + seed + ")";
    }
}
