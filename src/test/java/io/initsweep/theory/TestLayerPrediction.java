package io.initsweep.theory;

import io.initsweep.model.Activation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Per-layer predictions, with layers of different widths and weight variances. */
class TestLayerPrediction {
    private static final Nonlinearity RELU = Nonlinearity.of(Activation.RELU);

    /** ReLU: q_0 = σ_{w,0}²·E[x²] + σ_b², then q_l = σ_{w,l}²·q_{l−1}/2 + σ_b²; ratio (fan_out/fan_in)·σ_{w,l}²/2. */
    @Test
    void reluRecursionWithMixedWidthsMatchesItsClosedForm() {
        List<LayerPrediction.Layer> layers = List.of(
                new LayerPrediction.Layer(8, 64, 1.0),
                new LayerPrediction.Layer(64, 32, 2.0),
                new LayerPrediction.Layer(32, 32, 1.5),
                new LayerPrediction.Layer(32, 128, 2.5));
        List<LayerPrediction> predicted = LayerPrediction.propagate(RELU, 0.1, 3.0, layers);
        double q = 1.0 * 3.0 + 0.1;
        for (int l = 0; l < layers.size(); l++) {
            LayerPrediction.Layer layer = layers.get(l);
            if (l > 0) {
                q = layer.sigmaW2() * q / 2 + 0.1;
            }
            LayerPrediction p = predicted.get(l);
            assertThat(p.layer()).isEqualTo(l);
            assertThat(p.fanIn()).isEqualTo(layer.fanIn());
            assertThat(p.fanOut()).isEqualTo(layer.fanOut());
            assertThat(p.sigmaW2()).isEqualTo(layer.sigmaW2());
            assertThat(p.preactivationVar()).isCloseTo(q, within(1e-13 * q));
            assertThat(p.gradVarRatio()).isCloseTo((double) layer.fanOut() / layer.fanIn() * layer.sigmaW2() / 2,
                    within(1e-13));
        }
    }

    @Test
    void deepTanhStackConvergesToTheFixedPoint() {
        MeanField m = MeanField.of(Nonlinearity.of(Activation.TANH), 1.3, 0.3);
        List<LayerPrediction> predicted = LayerPrediction.propagate(Nonlinearity.of(Activation.TANH), 0.3, 25.0,
                java.util.Collections.nCopies(40, new LayerPrediction.Layer(100, 100, 1.3)));
        assertThat(predicted.get(0).preactivationVar()).isCloseTo(1.3 * 25 + 0.3, within(1e-12));
        LayerPrediction last = predicted.get(39);
        assertThat(last.preactivationVar()).isCloseTo(m.qStar(), within(1e-12));
        assertThat(last.gradVarRatio()).isCloseTo(m.chi1(), within(1e-12));
    }

    @Test
    void varianceBeyondTheDoubleRangeIsInfiniteNotAnError() {
        List<LayerPrediction> predicted = LayerPrediction.propagate(RELU, 0.0, 1.0,
                java.util.Collections.nCopies(120, new LayerPrediction.Layer(512, 512, 1e6)));
        assertThat(predicted.get(119).preactivationVar()).isInfinite();
        assertThat(predicted.get(119).gradVarRatio()).isCloseTo(5e5, within(1e-6));
        assertThat(predicted.get(10).preactivationVar()).isCloseTo(1e6 * Math.pow(5e5, 10), within(1e54));
    }

    @Test
    void layersThatDoNotConnectAreRefused() {
        assertThatThrownBy(() -> LayerPrediction.propagate(RELU, 0, 1, List.of(new LayerPrediction.Layer(8, 64, 2),
                new LayerPrediction.Layer(32, 64, 2)))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 1 has fan_in 32").hasMessageContaining("64 outputs");
        assertThatThrownBy(() -> new LayerPrediction.Layer(8, 64, -2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-2");
    }
}
