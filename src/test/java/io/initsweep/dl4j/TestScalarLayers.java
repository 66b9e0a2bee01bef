package io.initsweep.dl4j;

import io.initsweep.dl4j.layers.LayerNormalization;
import io.initsweep.dl4j.layers.ScalarLayer;
import io.initsweep.tiers.Dl4jTest;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layers DL4J does not have ({@link ScalarLayer}, {@link LayerNormalization}) checked against central finite
 * differences in float64: for every parameter θ of a small graph that passes its signal through them (a dense layer
 * before them, whose gradient depends on their ∂L/∂x, and one after), {@code (L(θ+h) − L(θ−h))/2h} against the
 * gradient DL4J's backward pass computes (summed over the batch, so divided by the examples: DL4J's score is the
 * mean loss). Tolerance: relative error {@code |fd − g|/(|fd| + |g|)} at most 1e-6, or absolute error at most
 * 1e-8. With h = 1e-6 the central difference's truncation error is O(h²) ≈ 1e-12, and its rounding error about
 * ε·L/h ≈ 1e-16·10/1e-6 = 1e-9 absolute (the loss here is about 10), which dominates for gradients below ~1e-3;
 * DL4J's own GradientCheckUtil uses the same absolute floor. (The bias after the first scalar layer's activation
 * has a gradient of exactly 0 — the layer normalization after it removes any constant — which the check also
 * confirms, to that floor.)
 */
@Dl4jTest
class TestScalarLayers {
    private static final double H = 1e-6;
    private static final double TOLERANCE = 1e-6;
    private static final double ABSOLUTE = 1e-8;

    private static ComputationGraph network(String activation, double multiplier) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7).dataType(DataType.DOUBLE).updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in").setInputTypes(InputType.feedForward(5))
                .addLayer("dense", new DenseLayer.Builder().nIn(5).nOut(6).activation(Activation.IDENTITY).build(),
                        "in")
                .addLayer("affine", new ScalarLayer.Builder(6).multiplier(0.7).scalarBias(-0.2).postBias(0.15)
                        .activation(Activation.fromString(activation)).build(), "dense")
                .addLayer("norm", new LayerNormalization.Builder(6).activation(Activation.IDENTITY).build(), "affine")
                .addLayer("bias", new ScalarLayer.Builder(6).scalarBias(0.3).activation(Activation.IDENTITY).build(),
                        "norm")
                .addLayer("scale", new ScalarLayer.Builder(6).multiplier(multiplier).postBias(-0.1)
                        .activation(Activation.IDENTITY).build(), "bias")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(6).nOut(3)
                        .activation(Activation.IDENTITY).build(), "scale")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        // the normalization's gain and bias away from their starting 1 and 0, so that both are exercised
        graph.getLayer("norm").getParam(LayerNormalization.GAIN).assign(Nd4j.rand(DataType.DOUBLE, 1, 6).addi(0.5));
        graph.getLayer("norm").getParam(LayerNormalization.BIAS).assign(Nd4j.randn(DataType.DOUBLE, 1, 6));
        return graph;
    }

    private static double worstAbsolute;
    private static int compared;

    /** Asserts every parameter; returns the largest relative error over those with gradients above 1e-4. */
    private static double check(ComputationGraph graph, INDArray x, INDArray y) {
        graph.setInputs(x);
        graph.setLabels(y);
        graph.computeGradientAndScore();
        INDArray analytic = graph.gradient().gradient().dup().reshape(-1).divi(x.rows());
        INDArray params = graph.params().reshape(-1);
        double worst = 0;
        for (Map.Entry<String, INDArray> p : graph.paramTable().entrySet()) {
            long offset = p.getValue().offset() - graph.params().offset();
            for (long i = 0; i < p.getValue().length(); i++) {
                long k = offset + i;
                double original = params.getDouble(k);
                params.putScalar(k, original + H);
                double plus = graph.score(new org.nd4j.linalg.dataset.DataSet(x, y), true);
                params.putScalar(k, original - H);
                double minus = graph.score(new org.nd4j.linalg.dataset.DataSet(x, y), true);
                params.putScalar(k, original);
                double numeric = (plus - minus) / (2 * H);
                double g = analytic.getDouble(k);
                double absolute = Math.abs(numeric - g);
                double relative = absolute / Math.max(Math.abs(numeric) + Math.abs(g), 1e-300);
                assertThat(relative <= TOLERANCE || absolute <= ABSOLUTE)
                        .as("%s[%d]: finite difference %s, backprop %s (relative %s, absolute %s)", p.getKey(), i,
                                numeric, g, relative, absolute).isTrue();
                if (Math.abs(numeric) + Math.abs(g) > 1e-4) { // where the relative error is not rounding's
                    worst = Math.max(worst, relative);
                    compared++;
                }
                worstAbsolute = Math.max(worstAbsolute, absolute);
            }
        }
        return worst;
    }

    @Test
    void everyParameterGradientMatchesCentralFiniteDifferences() {
        Nd4j.getRandom().setSeed(12345);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 10, 5);
        INDArray y = Nd4j.randn(DataType.DOUBLE, 10, 3).muli(3);
        double worst = 0;
        // smooth nonlinearities inside the scalar layer; a multiplier of 0 as SkipInit and ReZero start
        for (String activation : new String[] {"tanh", "sigmoid", "identity"}) {
            for (double multiplier : new double[] {0.4, 0.0}) {
                worst = Math.max(worst, check(network(activation, multiplier), x, y));
            }
        }
        System.out.printf("scalar and layer-normalization layers vs finite differences: max relative error %.3g "
                + "over %d gradients above 1e-4, max absolute error %.3g%n", worst, compared, worstAbsolute);
        assertThat(compared).as("parameters with gradients large enough for a relative comparison").isGreaterThan(100);
    }

    @Test
    void parametersAreViewsOfTheNetworksParameterVectorAndStartWhereConfigured() {
        ComputationGraph graph = network("tanh", 0.0);
        assertThat(graph.getLayer("affine").getParam(ScalarLayer.MULTIPLIER).getDouble(0)).isEqualTo(0.7);
        assertThat(graph.getLayer("affine").getParam(ScalarLayer.BIAS).getDouble(0)).isEqualTo(-0.2);
        assertThat(graph.getLayer("affine").getParam(ScalarLayer.POST_BIAS).getDouble(0)).isEqualTo(0.15);
        assertThat(graph.getLayer("scale").paramTable()).containsOnlyKeys(ScalarLayer.MULTIPLIER,
                ScalarLayer.POST_BIAS);
        assertThat(graph.getLayer("bias").paramTable()).containsOnlyKeys(ScalarLayer.BIAS);
        assertThat(graph.getLayer("scale").numParams()).isEqualTo(2);
        long offset = graph.getLayer("bias").getParam(ScalarLayer.BIAS).offset() - graph.params().offset();
        graph.params().reshape(-1).putScalar(offset, 1.25);
        assertThat(graph.getLayer("bias").getParam(ScalarLayer.BIAS).getDouble(0)).isEqualTo(1.25);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson());
        assertThat(back).isEqualTo(graph.getConfiguration());
    }
}
