package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.LayerStats;

import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Signal propagation at initialization in a 30-hidden-layer, 256-wide network, averaged over seeds: the classic
 * results of Glorot and Bengio 2010 and He et al. 2015, measured through the layers table's own code.
 */
@Dl4jTest
class TestSignalPropagation {
    private static final int SEEDS = 4;
    private static final java.util.Map<String, List<CellResult>> RESULTS = new java.util.HashMap<>();
    private final Dl4jCellTrainer trainer = new Dl4jCellTrainer(1, true);

    /** Results of one configuration over the seeds, trained once per test class (they take ~1 s each). */
    private List<CellResult> atInit(String scheme, String activation) {
        return RESULTS.computeIfAbsent(scheme + "|" + activation, k -> train(scheme, activation));
    }

    /** One epoch of no-op training (learning rate tiny): the init phase is what the tests read. */
    private List<CellResult> train(String scheme, String activation) {
        Fixtures.Sweep sweep = Fixtures.sweep("""
                name: propagation
                seeds: %d
                grid: {scheme: [%s]}
                model: {depth: 30, width: 256, activation: %s}
                training: {epochs: 1, batch-size: 256, learning-rate: 1e-12, precision: float64}
                data: {dataset: blobs, samples: 400, features: 8}
                """.formatted(SEEDS, scheme, activation));
        return sweep.cells().stream().map(c -> trainer.train(c, sweep.dataset(c))).toList();
    }

    private static double meanOf(List<CellResult> results, java.util.function.Function<CellResult, Double> metric) {
        SummaryStatistics stats = new SummaryStatistics();
        results.forEach(r -> stats.addValue(metric.apply(r)));
        return stats.getMean();
    }

    @Test
    void heNormalKeepsReluSignalWhileXavierAndSmallNormalLoseIt() {
        double he = meanOf(atInit("he_normal", "relu"), CellResult::actVarRatio);
        double xavier = meanOf(atInit("xavier_normal", "relu"), CellResult::actVarRatio);
        double small = meanOf(atInit("normal", "relu"), CellResult::actVarRatio);
        assertThat(he).isBetween(0.25, 4.0);
        assertThat(xavier).isLessThan(1e-3); // theory: (1/2)^29 ≈ 1.9e-9
        assertThat(small).isLessThan(1e-20); // theory: (256·1e-4/2)^29 ≈ 1.3e-55
    }

    @Test
    void xavierKeepsTanhGradientsWithinTwoOrdersOfMagnitude() {
        double ratio = meanOf(atInit("xavier_normal", "tanh"), CellResult::gradVarRatio);
        assertThat(ratio).isBetween(0.01, 100.0);
    }

    @Test
    void sigmoidWithUnitNormalWeightsSaturates() {
        for (CellResult result : atInit("{normal: {std: 1}}", "sigmoid")) {
            List<LayerStats> last = result.layers().stream()
                    .filter(l -> l.phase() == LayerStats.Phase.INIT && l.layer() >= 25 && l.layer() < 30).toList();
            assertThat(last).hasSize(5).allSatisfy(l -> assertThat(l.saturatedFraction()).isGreaterThan(0.5));
        }
    }

    @Test
    void lsuvBringsEveryLayersOutputVarianceToOneWithinTolerance() {
        for (String tolerance : List.of("0.1", "0.02")) {
            Fixtures.Sweep sweep = Fixtures.sweep("""
                    name: lsuv
                    seeds: 2
                    grid: {scheme: [{lsuv: {tolerance: %s, max-iterations: 20}}], activation: [relu, tanh]}
                    model: {depth: 8, width: 64}
                    training: {epochs: 1, learning-rate: 1e-12}
                    data: {dataset: spirals, samples: 400}
                    """.formatted(tolerance));
            for (Cell cell : sweep.cells()) {
                CellResult result = trainer.train(cell, sweep.dataset(cell));
                List<LayerStats> init = result.layers().stream().filter(l -> l.phase() == LayerStats.Phase.INIT)
                        .toList();
                assertThat(init).hasSize(9).allSatisfy(l -> assertThat(l.preactivationVar()).as("layer %d", l.layer())
                        .isCloseTo(1.0, within(Double.parseDouble(tolerance))));
            }
        }
    }

    @Test
    void reluNetworksReportDeadUnitsAndTanhNetworksDoNot() {
        CellResult relu = atInit("he_normal", "relu").get(0);
        CellResult tanh = atInit("xavier_normal", "tanh").get(0);
        assertThat(relu.layers()).filteredOn(l -> l.layer() < 30)
                .allSatisfy(l -> assertThat(l.deadFraction()).isBetween(0.0, 1.0))
                .allSatisfy(l -> assertThat(l.saturatedFraction()).isNull());
        assertThat(tanh.layers()).filteredOn(l -> l.layer() < 30)
                .allSatisfy(l -> assertThat(l.deadFraction()).isNull());
        // the output layer has neither: its nonlinearity is the softmax
        assertThat(relu.layers()).filteredOn(l -> l.layer() == 30)
                .allSatisfy(l -> assertThat(l.deadFraction()).isNull());
    }
}
