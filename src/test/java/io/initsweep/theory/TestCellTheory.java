package io.initsweep.theory;

import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** What a cell gets: which parts of the theory apply, and why not where they do not. */
class TestCellTheory {

    private static List<CellTheory.HiddenLayer> stack(int features, int width, String... schemes) {
        List<CellTheory.HiddenLayer> layers = new ArrayList<>();
        for (int l = 0; l < schemes.length; l++) {
            layers.add(new CellTheory.HiddenLayer(SchemeSpec.parse(schemes[l]), l == 0 ? features : width, width));
        }
        return layers;
    }

    @Test
    void heNormalReluIsCriticalAndPredictsEveryLayer() {
        CellTheory theory = CellTheory.of(Activation.RELU, 0.0, 0.0, 2.0,
                stack(8, 64, "he_normal", "he_normal", "he_normal", "he_normal"));
        assertThat(theory.notApplicable()).isNull();
        assertThat(theory.sigmaW2()).isCloseTo(2.0, within(1e-15));
        assertThat(theory.meanField().phase()).isEqualTo(MeanField.Phase.CRITICAL);
        assertThat(theory.reason()).startsWith("every q is a fixed point");
        assertThat(theory.layers()).hasSize(4).allSatisfy(l -> assertThat(l.preactivationVar())
                .isCloseTo(4.0, within(1e-12))); // q_0 = 2·2, then V(q) = q
        assertThat(theory.layers().get(0).gradVarRatio()).isCloseTo(8.0, within(1e-12)); // 64/8 · 2/2
        assertThat(theory.layers().get(3).gradVarRatio()).isCloseTo(1.0, within(1e-12));
    }

    /** Layer 0 maps the data in: its scheme only sets where the recursion starts. */
    @Test
    void aDifferentFirstLayerKeepsTheNetworkLevelPrediction() {
        CellTheory theory = CellTheory.of(Activation.TANH, 0.0, 0.2, 1.0,
                stack(2, 64, "lecun_normal", "xavier_normal", "xavier_normal"));
        assertThat(theory.sigmaW2()).isCloseTo(1.0, within(1e-15));
        assertThat(theory.meanField()).isEqualTo(MeanField.of(Nonlinearity.of(Activation.TANH), 1.0, 0.2 * 0.2));
        assertThat(theory.layers().get(0).sigmaW2()).isCloseTo(1.0, within(1e-15));
        assertThat(theory.sigmaB2()).isCloseTo(0.04, within(1e-15));
    }

    @Test
    void hiddenLayersOfDifferentVariancesGetPerLayerPredictionsOnly() {
        CellTheory theory = CellTheory.of(Activation.TANH, 0.0, 0.0, 1.0,
                stack(8, 64, "he_normal", "he_normal", "lecun_normal"));
        assertThat(theory.meanField()).isNull();
        assertThat(theory.sigmaW2()).isNull();
        assertThat(theory.reason()).contains("hidden layers 1 and 2 have different sigma_w^2 (2, 1)");
        assertThat(theory.layers()).hasSize(3);
    }

    @Test
    void schemesAndBiasesOutsideTheTheoryMakeItNotApplicable() {
        CellTheory lsuv = CellTheory.of(Activation.RELU, 0.0, 0.0, 1.0, stack(8, 64, "lsuv", "lsuv"));
        assertThat(lsuv.meanField()).isNull();
        assertThat(lsuv.layers()).isEmpty();
        assertThat(lsuv.reason()).isEqualTo("layer 0 (lsuv(tolerance=0.1,max-iterations=10)): lsuv sets the weight "
                + "variance from a batch of data, not by a formula");

        CellTheory identity = CellTheory.of(Activation.RELU, 0.0, 0.0, 1.0,
                stack(64, 64, "he_normal", "identity"));
        assertThat(identity.reason()).startsWith("layer 1 (identity(gain=1)): identity weights");

        CellTheory biased = CellTheory.of(Activation.RELU, 0.1, 0.0, 1.0, stack(8, 64, "he_normal", "he_normal"));
        assertThat(biased.layers()).isEmpty();
        assertThat(biased.reason()).contains("bias-init 0.1");
    }
}
