package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.model.LayerKind;
import io.initsweep.tiers.Dl4jTest;
import io.initsweep.train.CellResult;
import io.initsweep.train.LayerStats;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The residual stream at initialization in a 50-block, 128-wide residual ReLU network (branches of 2 dense
 * layers, pre-activation order), measured through the layers table's own code, against what the papers predict.
 *
 * <p>With He-initialized branches and no normalization, a branch preserves the second moment of the stream it
 * reads (two ReLUs halve it, two He layers double it), so {@code Var(x_{b+1}) = Var(x_b) + Var(F(x_b)) = 2·Var(x_b)}:
 * the stream doubles with every block (Zhang et al. 2019, Section 2; Hanin and Rolnick 2018). Fixup, SkipInit and
 * ReZero start every branch at exactly zero, so every block is the identity and the stream keeps the stem's
 * variance. A branch scale of 1/√L gives {@code (1 + 1/L)^L ≈ e} over the whole network; batch normalization
 * makes each branch's output O(1) whatever the stream, so the stream grows only linearly and the branch's share
 * falls like 1/b (De and Smith 2020).
 */
@Dl4jTest
class TestResidualPropagation {
    private static final int BLOCKS = 50;
    private static final int SEEDS = 3;
    private static final Map<String, List<CellResult>> RESULTS = new HashMap<>();
    private final Dl4jCellTrainer trainer = new Dl4jCellTrainer(1, true);

    private List<CellResult> atInit(String scheme, String model) {
        return RESULTS.computeIfAbsent(scheme + model, k -> {
            Fixtures.Sweep sweep = Fixtures.sweep("""
                    name: stream
                    seeds: %d
                    grid: {scheme: [%s]}
                    model: {architecture: residual, depth: %d, width: 128, activation: relu%s}
                    training: {epochs: 1, batch-size: 256, learning-rate: 1e-12, precision: float64}
                    data: {dataset: blobs, samples: 320, features: 8}
                    """.formatted(SEEDS, scheme, BLOCKS, model));
            return sweep.cells().stream().map(c -> trainer.train(c, sweep.dataset(c))).toList();
        });
    }

    /** Per seed: the stem's output variance, then the stream's after each block, at init. */
    private static double[][] streams(List<CellResult> results) {
        return results.stream().map(r -> {
            List<LayerStats> init = r.layers().stream().filter(l -> l.phase() == LayerStats.Phase.INIT).toList();
            double[] stream = new double[BLOCKS + 1];
            stream[0] = init.stream().filter(l -> l.dense() && l.layer() == 0).findFirst().orElseThrow()
                    .activationVar();
            init.stream().filter(l -> l.placement().kind() == LayerKind.RESIDUAL_ADD)
                    .forEach(l -> stream[l.placement().block() + 1] = l.placement().streamVar());
            return stream;
        }).toArray(double[][]::new);
    }

    private static void print(String what, double[][] streams) {
        StringBuilder line = new StringBuilder(what + " stream variance by block (seed 0):");
        for (int b = 0; b <= BLOCKS; b += 5) {
            line.append(String.format(" %d:%.3g", b, streams[0][b]));
        }
        System.out.println(line);
    }

    @Test
    void withHeNormalBranchesTheStreamDoublesWithEveryBlock() {
        double[][] streams = streams(atInit("he_normal", ""));
        print("he_normal", streams);
        double sum = 0;
        double logSum = 0;
        double lowest = Double.POSITIVE_INFINITY;
        double highest = 0;
        for (double[] stream : streams) {
            for (int b = 0; b < BLOCKS; b++) {
                double ratio = stream[b + 1] / stream[b];
                lowest = Math.min(lowest, ratio);
                highest = Math.max(highest, ratio);
                sum += ratio;
                logSum += Math.log(ratio);
            }
        }
        double mean = sum / (SEEDS * BLOCKS);
        System.out.printf("he_normal: per-block variance ratio, mean %.4f (prediction 2), geometric mean %.4f, "
                + "range %.3f to %.3f%n", mean, Math.exp(logSum / (SEEDS * BLOCKS)), lowest, highest);
        // the expected ratio is 2; one block's scatters around it with its random 128×128 weights
        assertThat(mean).isBetween(1.93, 2.07);
        assertThat(lowest).isGreaterThan(1.2);
        assertThat(highest).isLessThan(3.5);
        // 2^50 ≈ 1.1e15 over the whole network
        for (double[] stream : streams) {
            assertThat(Math.log(stream[BLOCKS] / stream[0]) / Math.log(2)).isBetween(45.0, 55.0);
        }
    }

    @Test
    void fixupSkipInitAndReZeroKeepTheStemsVarianceThroughEveryBlock() {
        for (String scheme : List.of("fixup", "skipinit", "rezero")) {
            double[][] streams = streams(atInit(scheme, ""));
            print(scheme, streams);
            for (double[] stream : streams) {
                for (int b = 1; b <= BLOCKS; b++) {
                    // every branch starts at exactly zero, so every block is the identity
                    assertThat(stream[b]).as("%s, block %d", scheme, b - 1).isEqualTo(stream[0]);
                }
            }
            for (CellResult r : atInit(scheme, "")) {
                assertThat(r.layers()).filteredOn(l -> l.placement().kind() == LayerKind.RESIDUAL_ADD
                        && l.phase() == LayerStats.Phase.INIT).hasSize(BLOCKS)
                        .allSatisfy(l -> assertThat(l.placement().branchVar()).isZero())
                        .allSatisfy(l -> assertThat(l.placement().branchScale())
                                .isEqualTo(scheme.equals("fixup") ? 1.0 : 0.0));
                assertThat(r.actVarRatio()).isEqualTo(1.0);
            }
        }
    }

    @Test
    void aBranchScaleOfOneOverRootDepthBoundsTheGrowthByE() {
        double[][] streams = streams(atInit("he_normal", ", branch-scale: 1/sqrt(depth)"));
        print("he_normal, branch-scale 1/sqrt(depth)", streams);
        double predicted = Math.pow(1 + 1.0 / BLOCKS, BLOCKS); // 2.69
        for (double[] stream : streams) {
            assertThat(stream[BLOCKS] / stream[0]).isBetween(predicted / 1.25, predicted * 1.25);
        }
    }

    @Test
    void batchNormalizationShrinksEachBranchRelativeToTheStream() {
        List<CellResult> normalized = atInit("he_normal", ", normalization: batch");
        List<CellResult> plain = atInit("he_normal", "");
        for (int seed = 0; seed < SEEDS; seed++) {
            double[] ratios = branchRatios(normalized.get(seed));
            double[] plainRatios = branchRatios(plain.get(seed));
            // plain He branches carry as much as the stream (ratio ≈ 1) in every block
            assertThat(plainRatios[BLOCKS - 1]).isBetween(0.6, 1.6);
            // normalized branches: O(1) output on a stream that grew by about one unit per block, ratio ~ 1/b
            assertThat(ratios[BLOCKS - 1]).isLessThan(0.1);
            assertThat(ratios[BLOCKS - 1] * BLOCKS).isBetween(0.3, 3.0);
            double[] stream = streams(List.of(normalized.get(seed)))[0];
            assertThat(stream[BLOCKS] / stream[0]).isLessThan(200); // linear, where plain He reached ~1e15
        }
        System.out.printf("batch norm: branch/stream variance ratio at block 0 %.3g, block 49 %.3g; plain %.3g%n",
                branchRatios(normalized.get(0))[0], branchRatios(normalized.get(0))[BLOCKS - 1],
                branchRatios(plain.get(0))[BLOCKS - 1]);
    }

    private static double[] branchRatios(CellResult result) {
        double[] ratios = new double[BLOCKS];
        result.layers().stream().filter(l -> l.phase() == LayerStats.Phase.INIT
                        && l.placement().kind() == LayerKind.RESIDUAL_ADD)
                .forEach(l -> ratios[l.placement().block()] = l.placement().branchRatio());
        return ratios;
    }
}
