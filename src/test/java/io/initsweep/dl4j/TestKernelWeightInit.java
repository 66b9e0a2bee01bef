package io.initsweep.dl4j;

import io.initsweep.init.KernelShape;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.tiers.Dl4jTest;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Kernels drawn by initsweep's schemes land in DL4J's ConvolutionLayer parameter "W" unchanged, and mean there
 * what {@link KernelShape} says: checked on a real ConvolutionLayer (same padding, NCHW), not against a copy of
 * DL4J's layout.
 */
@Dl4jTest
class TestKernelWeightInit {

    private static MultiLayerNetwork convolution(String scheme, int in, int out, int k, int size) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(1).dataType(DataType.DOUBLE)
                .list()
                .layer(new ConvolutionLayer.Builder(k, k).nIn(in).nOut(out).stride(1, 1)
                        .convolutionMode(ConvolutionMode.Same).hasBias(false)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY)
                        .weightInit(new SchemeWeightInit(scheme, "identity", 77)).build())
                .setInputType(InputType.convolutional(size, size, in))
                .build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    @Test
    void aKernelIsAssignedToDl4jsWeightsInItsOwnLayout() {
        KernelShape kernel = KernelShape.square(8, 4, 3);
        for (String scheme : new String[] {"he_normal", "delta_orthogonal(gain=1.5)", "orthogonal"}) {
            MultiLayerNetwork network = convolution(scheme, 4, 8, 3, 6);
            INDArray w = network.getLayer(0).getParam("W");
            assertThat(w.shape()).containsExactly(8, 4, 3, 3);
            double[] expected = SchemeSpec.parse(scheme).resolve(Activation.IDENTITY).sample(kernel, 77);
            for (int o = 0; o < 8; o++) {
                for (int i = 0; i < 4; i++) {
                    for (int y = 0; y < 3; y++) {
                        for (int x = 0; x < 3; x++) {
                            assertThat(w.getDouble(o, i, y, x)).as("%s at (%d, %d, %d, %d)", scheme, o, i, y, x)
                                    .isEqualTo(expected[kernel.index(o, i, y, x)]);
                        }
                    }
                }
            }
            network.close();
        }
    }

    /**
     * DL4J convolves with the centre tap where initsweep puts it: a delta-orthogonal layer (gain 1, linear, no
     * bias, same padding) preserves each example's norm, and the delta identity returns the image itself.
     */
    @Test
    void deltaKernelsActOnDl4jsConvolutionAsTheirFormulasSay() {
        INDArray images = Nd4j.rand(DataType.DOUBLE, 3, 4, 7, 7).subi(0.5);
        MultiLayerNetwork delta = convolution("delta_orthogonal", 4, 12, 3, 7);
        INDArray out = delta.output(images);
        assertThat(out.shape()).containsExactly(3, 12, 7, 7);
        for (int n = 0; n < 3; n++) {
            assertThat(out.slice(n).norm2Number().doubleValue())
                    .isCloseTo(images.slice(n).norm2Number().doubleValue(), within(1e-10));
        }
        delta.close();

        MultiLayerNetwork identity = convolution("identity(gain=2)", 4, 4, 5, 7);
        INDArray copied = identity.output(images);
        assertThat(copied.equalsWithEps(images.mul(2), 1e-12)).isTrue();
        identity.close();
    }
}
