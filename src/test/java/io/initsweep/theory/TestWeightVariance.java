package io.initsweep.theory;

import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** σ_w² = fan_in·Var(W) of every scheme, written out from the papers, and the schemes the theory refuses. */
class TestWeightVariance {

    @ParameterizedTest(name = "{0} on {1}x{2} ({3})")
    @CsvSource({
            // label,                                           in,  out, activation, σ_w²
            "'he_normal',                                       512, 512, relu, 2.0",
            "'he_uniform',                                      16,  512, relu, 2.0",
            "'lecun_normal',                                    300, 100, selu, 1.0",
            "'lecun_uniform',                                   64,  64,  tanh, 1.0",
            "'xavier_normal',                                   512, 512, tanh, 1.0",
            "'xavier_uniform',                                  64,  32,  tanh, 1.3333333333333333",
            "'normal(std=0.05)',                                400, 400, tanh, 1.0",
            "'uniform(bound=0.1)',                              300, 300, relu, 1.0",
            "'truncated_normal(gain=auto)',                     128, 128, tanh, 2.7777777777777777",
            "'variance_scaling(distribution=normal,mode=fan_out,gain=2)', 256, 128, relu, 8.0",
            "'orthogonal(gain=2)',                              256, 256, tanh, 4.0",
            "'orthogonal(gain=2)',                              512, 256, tanh, 4.0",
            "'orthogonal(gain=2)',                              8,   64,  tanh, 0.5",
    })
    void applicableSchemesGiveFanInTimesTheirVariance(String label, int in, int out, String activation,
                                                     double expected) {
        WeightVariance v = WeightVariance.of(SchemeSpec.parse(label), Activation.byName(activation).orElseThrow(),
                in, out);
        assertThat(v.applicable()).isTrue();
        assertThat(v.notApplicable()).isNull();
        assertThat(v.sigmaW2()).isCloseTo(expected, within(1e-12 * expected));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "'lsuv',                 from a batch of data",
            "'zero',                 zero weights",
            "'constant(value=0.3)',  non-zero mean",
            "'identity',             copy one input",
    })
    void theSchemesTheTheoryDoesNotCoverSayWhy(String label, String reason) {
        WeightVariance v = WeightVariance.of(SchemeSpec.parse(label), Activation.RELU, 64, 64);
        assertThat(v.applicable()).isFalse();
        assertThat(v.sigmaW2()).isNull();
        assertThat(v.notApplicable()).contains(reason);
    }
}
