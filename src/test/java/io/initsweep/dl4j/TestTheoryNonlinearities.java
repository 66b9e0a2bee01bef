package io.initsweep.dl4j;

import io.initsweep.model.Activation;
import io.initsweep.theory.Nonlinearity;
import io.initsweep.tiers.Dl4jTest;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The theory's φ and φ' are the functions DL4J applies ({@link Networks#activation}) and back-propagates, in
 * float64, on a grid across both sides of every kink: the ELU α and the SELU constants included. One difference,
 * DL4J's: its leaky ReLU back-propagates with α as a float (0.01f = 0.0099999998), while its forward pass uses the
 * double 0.01; the theory uses 0.01, so that derivative agrees to 3e-8 relative, the rest to 1e-13.
 */
@Dl4jTest
class TestTheoryNonlinearities {

    @ParameterizedTest
    @EnumSource(Activation.class)
    void theoryUsesTheFunctionsDl4jComputes(Activation activation) {
        double[] x = new double[161];
        for (int i = 0; i < x.length; i++) {
            x[i] = -8.0 + 0.1 * i + 0.0123; // never exactly 0, where a rectifier's derivative is a convention
        }
        IActivation dl4j = Networks.activation(activation);
        INDArray in = Nd4j.create(x, new long[] {1, x.length}, 'c').castTo(DataType.DOUBLE);
        double[] value = dl4j.getActivation(in.dup(), false).data().asDouble();
        double[] derivative = dl4j.backprop(in.dup(), Nd4j.onesLike(in)).getFirst().data().asDouble();
        Nonlinearity phi = Nonlinearity.of(activation);
        double derivativeTolerance = activation == Activation.LEAKY_RELU ? 3e-8 : 1e-13;
        for (int i = 0; i < x.length; i++) {
            assertThat(phi.value(x[i])).as("%s(%s)", activation, x[i])
                    .isCloseTo(value[i], within(1e-13 * Math.max(1, Math.abs(value[i]))));
            assertThat(phi.derivative(x[i])).as("%s'(%s)", activation, x[i])
                    .isCloseTo(derivative[i], within(derivativeTolerance * Math.max(1, Math.abs(derivative[i]))));
        }
    }
}
