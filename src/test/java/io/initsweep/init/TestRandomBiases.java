package io.initsweep.init;

import org.apache.commons.math3.stat.descriptive.moment.Kurtosis;
import org.apache.commons.math3.stat.descriptive.moment.Skewness;
import org.apache.commons.math3.stat.descriptive.moment.Variance;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The random biases every trainer draws: N(0, σ_b²) per unit, one reproducible stream per layer. */
class TestRandomBiases {

    /** 200,000 draws: mean, variance, skewness and excess kurtosis of N(0, σ²) within 5 standard errors. */
    @Test
    void drawsAreNormalWithTheGivenStd() {
        int n = 200_000;
        double std = 0.7;
        double[] draws = RandomBiases.draws(std, 42L, 3, n);
        double mean = Arrays.stream(draws).average().orElseThrow();
        double variance = new Variance(false).evaluate(draws);
        assertThat(mean).isCloseTo(0.0, within(5 * std / Math.sqrt(n)));
        assertThat(variance).isCloseTo(std * std, within(5 * std * std * Math.sqrt(2.0 / n)));
        assertThat(new Skewness().evaluate(draws)).isCloseTo(0.0, within(5 * Math.sqrt(6.0 / n)));
        assertThat(new Kurtosis().evaluate(draws)).isCloseTo(0.0, within(5 * Math.sqrt(24.0 / n)));
    }

    @Test
    void eachLayerHasItsOwnReproducibleStreamIndependentOfOtherLayersSizes() {
        double[] layer0 = RandomBiases.draws(0.5, 7L, 0, 64);
        assertThat(RandomBiases.draws(0.5, 7L, 0, 64)).containsExactly(layer0);
        assertThat(RandomBiases.draws(0.5, 7L, 1, 64)).doesNotContain(layer0[0]);
        assertThat(RandomBiases.draws(0.5, 8L, 0, 64)).doesNotContain(layer0[0]);
        // a wider layer starts with the same draws: a layer's values depend on its own index and size only
        assertThat(Arrays.copyOf(RandomBiases.draws(0.5, 7L, 0, 128), 64)).containsExactly(layer0);
        // std scales the same standard normal draws
        double[] unit = RandomBiases.draws(1.0, 7L, 0, 64);
        for (int i = 0; i < 64; i++) {
            assertThat(layer0[i]).isEqualTo(0.5 * unit[i]);
        }
    }

    @Test
    void valuesAreTheConstantPlusTheDrawsAndZeroStdDrawsNothing() {
        double[] draws = RandomBiases.draws(0.3, 11L, 2, 16);
        double[] values = RandomBiases.values(0.1, 0.3, 11L, 2, 16);
        for (int i = 0; i < 16; i++) {
            assertThat(values[i]).isEqualTo(0.1 + draws[i]);
        }
        assertThat(RandomBiases.values(0.25, 0.0, 11L, 2, 4)).containsExactly(0.25, 0.25, 0.25, 0.25);
    }

    @Test
    void badStdIsRefusedWithTheValue() {
        assertThatThrownBy(() -> RandomBiases.draws(-0.1, 1L, 0, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-0.1");
        assertThatThrownBy(() -> RandomBiases.draws(Double.NaN, 1L, 0, 4)).hasMessageContaining("NaN");
    }
}
