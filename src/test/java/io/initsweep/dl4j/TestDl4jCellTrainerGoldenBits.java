package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.LayerStats;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Dl4jCellTrainer} still gives the bits it gave before it was made faster: a few cells' every epoch metric and
 * layer statistic, as raw bits, against {@code golden-cells.txt}, written by the trainer as it was at commit 2752f77
 * (main before the speed-ups of issue 18) with {@link #main}. Any change to what the per-cell path computes — an op
 * order, a product's orientation, a reduction — fails here, and would change the results of existing sweeps.
 *
 * <p>Bits hold for this backend at one native thread (the tests' setting); the file names the machine it was made
 * on, and another CPU's OpenBLAS kernels may round differently (regenerate there with the old commit if so).
 */
@Dl4jTest
class TestDl4jCellTrainerGoldenBits {
    /** ReLU/SGD classification; tanh/Adam regression in float64 with LSUV; momentum, 4 classes and a bias; a cell that diverges. */
    private static final List<String> SPECS = List.of("""
                    name: golden
                    seeds: 1
                    grid: {scheme: [he_normal]}
                    model: {depth: 3, width: 16, activation: relu}
                    training: {epochs: 3, batch-size: 20, optimizer: sgd, learning-rate: 0.05}
                    data: {dataset: spirals, samples: 240}
                    """, """
                    name: golden
                    seeds: 1
                    grid: {scheme: [lsuv]}
                    model: {depth: 2, width: 12, activation: tanh}
                    training: {epochs: 3, batch-size: 16, optimizer: adam, learning-rate: 0.01, precision: float64}
                    data: {dataset: regression, function: friedman1, samples: 200}
                    """, """
                    name: golden
                    seeds: 1
                    grid: {scheme: [xavier_uniform]}
                    model: {depth: 3, width: 20, activation: relu, bias-init: 0.1}
                    training: {epochs: 3, batch-size: 32, optimizer: momentum, learning-rate: 0.02}
                    data: {dataset: blobs, samples: 300, features: 6, classes: 4}
                    """, """
                    name: golden
                    seeds: 1
                    grid: {scheme: ["normal(std=10)"]}
                    model: {depth: 6, width: 16, activation: relu}
                    training: {epochs: 3, batch-size: 16, learning-rate: 0.05}
                    data: {dataset: spirals, samples: 240}
                    """);

    @Test
    void thePerCellPathGivesTheBitsItGaveBeforeItsSpeedUps() throws IOException {
        List<String> expected;
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("golden-cells.txt"),
                "golden-cells.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.startsWith("#")).toList();
        }
        List<String> actual = lines();
        assertThat(expected).as("golden file").hasSizeGreaterThan(100);
        // line by line, so a failure names the cell, epoch or layer and the field that moved
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            assertThat(i < actual.size() ? actual.get(i) : "(missing)").as("line %d", i + 1)
                    .isEqualTo(i < expected.size() ? expected.get(i) : "(none)");
        }
    }

    /** Every value of the cells' results, one per line, doubles as raw bits (and their value, to read). */
    static List<String> lines() {
        Dl4jCellTrainer trainer = new Dl4jCellTrainer(1, true);
        List<String> lines = new ArrayList<>();
        for (int c = 0; c < SPECS.size(); c++) {
            Fixtures.Sweep sweep = Fixtures.sweep(SPECS.get(c));
            Cell cell = sweep.cells().get(0);
            CellResult result = trainer.train(cell, sweep.dataset(cell));
            String id = "cell " + c;
            lines.add(id + " status " + result.status() + " diverged " + result.divergedEpoch());
            for (EpochMetrics e : result.epochs()) {
                String at = id + " epoch " + e.epoch();
                lines.add(at + " trainLoss " + bits(e.trainLoss()));
                lines.add(at + " testLoss " + bits(e.testLoss()));
                lines.add(at + " testAccuracy " + bits(e.testAccuracy()));
                lines.add(at + " gradNorm " + bits(e.gradNorm()));
            }
            for (LayerStats l : result.layers()) {
                String at = id + " layer " + l.layer() + " " + l.phase();
                lines.add(at + " weightMean " + bits(l.weightMean()));
                lines.add(at + " weightStd " + bits(l.weightStd()));
                lines.add(at + " activationMean " + bits(l.activationMean()));
                lines.add(at + " activationVar " + bits(l.activationVar()));
                lines.add(at + " preactivationVar " + bits(l.preactivationVar()));
                lines.add(at + " deadFraction " + bits(l.deadFraction()));
                lines.add(at + " saturatedFraction " + bits(l.saturatedFraction()));
                lines.add(at + " gradWeightVar " + bits(l.gradWeightVar()));
                lines.add(at + " gradInputVar " + bits(l.gradInputVar()));
                lines.add(at + " symmetry " + bits(l.symmetry()));
            }
        }
        return lines;
    }

    private static String bits(Double value) {
        return value == null ? "null" : Long.toHexString(Double.doubleToRawLongBits(value)) + " (" + value + ")";
    }

    /**
     * Writes the golden file to stdout. Run with the classes of the commit to freeze first on the class path and
     * OMP_NUM_THREADS=1: {@code java -cp old/target/classes:target/test-classes:deps ...TestDl4jCellTrainerGoldenBits}.
     */
    public static void main(String[] args) {
        System.out.println("# Dl4jCellTrainer results as raw double bits, written by TestDl4jCellTrainerGoldenBits.main on "
                + Nd4jRuntime.initialize(1).device() + ", " + Nd4jRuntime.initialize(1).nativeThreads()
                + " native thread(s)");
        lines().forEach(System.out::println);
        System.exit(0);
    }
}
