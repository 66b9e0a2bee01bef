package io.initsweep.grid;

import io.initsweep.Fixtures;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestCellBatches {

    /** Three seeds of each grid point; model and training settings that are not axes get fixed values. */
    private static List<Cell> cells(String grid, String model, String training) {
        StringBuilder fixedModel = new StringBuilder(model);
        for (String key : List.of("width: 8", "activation: relu", "depth: 2")) {
            if (!grid.contains(key.substring(0, key.indexOf(':') + 1)) && !model.contains(key.split(":")[0])) {
                fixedModel.append(", ").append(key);
            }
        }
        String fixedTraining = training + (grid.contains("epochs:") ? "" : ", epochs: 2");
        return Fixtures.sweep("""
                name: batches
                seeds: 3
                grid: {%s}
                model: {%s}
                training: {%s}
                data: {dataset: spirals, samples: 100}
                """.formatted(grid, fixedModel.toString().replaceFirst("^, ", ""),
                fixedTraining.replaceFirst("^, ", ""))).cells();
    }

    @Test
    void seedsSchemesOptimizersLearningRatesAndBiasesShareABatch() {
        List<Cell> cells = cells("scheme: [he_normal, lsuv, \"normal(std=0.1)\"], optimizer: [sgd, adam], "
                + "learning-rate: [0.1, 0.01], bias-init: [0, 0.1], bias-std: [0, 0.2]", "", "momentum: 0.5");
        assertThat(cells).hasSize(3 * 2 * 2 * 2 * 2 * 3);
        assertThat(CellBatches.compatible(cells)).isTrue();
        assertThat(CellBatches.group(cells, 1000)).containsExactly(cells);
    }

    @Test
    void everySettingThatFixesShapesDataOrTheLoopSplitsBatches() {
        for (String axis : List.of("depth: [2, 3]", "width: [8, 16]", "activation: [relu, tanh]",
                "batch-size: [16, 32]", "epochs: [1, 2]", "data-seed: [0, 1]")) {
            List<Cell> cells = cells("scheme: [he_normal], " + axis, "", "");
            assertThat(CellBatches.compatible(cells)).as(axis).isFalse();
            List<List<Cell>> batches = CellBatches.group(cells, 1000);
            assertThat(batches).as(axis).hasSize(2).allSatisfy(b -> assertThat(b).hasSize(3));
            assertThat(batches).allSatisfy(b -> assertThat(CellBatches.compatible(b)).isTrue());
        }
        List<Cell> float64 = cells("scheme: [he_normal]", "", "precision: float64");
        List<Cell> float32 = cells("scheme: [he_normal]", "", "");
        assertThat(CellBatches.key(float64.get(0))).isNotEqualTo(CellBatches.key(float32.get(0)));
    }

    @Test
    void batchesHoldAtMostTheGivenCellsInSpecOrder() {
        List<Cell> cells = cells("scheme: [he_normal, xavier_normal], depth: [2, 3]", "", "");
        // depth splits: he/xavier of depth 2 (6 cells), then of depth 3 (6 cells), each cut into 4 + 2
        List<List<Cell>> batches = CellBatches.group(cells, 4);
        assertThat(batches).extracting(List::size).containsExactly(4, 2, 4, 2);
        assertThat(batches.stream().flatMap(List::stream).toList())
                .containsExactlyInAnyOrderElementsOf(cells);
        assertThat(batches.get(0)).allMatch(c -> c.settings().depth() == cells.get(0).settings().depth());
        for (List<Cell> batch : batches) {
            assertThat(batch).isSortedAccordingTo((a, b) -> Integer.compare(cells.indexOf(a), cells.indexOf(b)));
        }
        assertThatThrownBy(() -> CellBatches.group(cells, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
    }

    @Test
    void dataParallelCellsNeverShareABatch() {
        List<Cell> cells = Fixtures.sweep("""
                name: dp
                seeds: 3
                grid: {scheme: [he_normal]}
                model: {depth: 2, width: 8, activation: relu}
                data: {dataset: spirals, samples: 100}
                execution: {mode: data-parallel}
                """).cells();
        assertThat(CellBatches.key(cells.get(0))).isEmpty();
        assertThat(CellBatches.compatible(cells)).isFalse();
        assertThat(CellBatches.group(cells, 10)).hasSize(3).allSatisfy(b -> assertThat(b).hasSize(1));
    }

    @Test
    void residualAndNormalizedCellsNeverShareABatch() {
        // the batched computation is the plain MLP's: it would train these as MLPs
        for (String model : java.util.List.of("architecture: residual", "normalization: batch", "normalization: layer")) {
            List<Cell> cells = Fixtures.sweep("""
                    name: other-networks
                    seeds: 3
                    grid: {scheme: [he_normal]}
                    model: {depth: 2, width: 8, activation: relu, %s}
                    data: {dataset: spirals, samples: 100}
                    """.formatted(model)).cells();
            assertThat(CellBatches.key(cells.get(0))).as(model).isEmpty();
            assertThat(CellBatches.group(cells, 10)).as(model).hasSize(3).allSatisfy(b -> assertThat(b).hasSize(1));
        }
    }
    @Test
    void tasksHoldAtMostTheGivenCellsInEqualGroupsOfOneKey() {
        // 2 keys (depth 2 and 3) of 3 seeds x 4 schemes = 12 cells each
        List<Cell> cells = cells("scheme: [he_normal, xavier_normal, lsuv, zero], depth: [2, 3]", "", "");
        List<List<Cell>> tasks = CellBatches.tasks(cells, 5, 1);
        // 12 cells at most 5 per task: 3 tasks of 4, not 5 + 5 + 2
        assertThat(tasks).extracting(List::size).containsExactly(4, 4, 4, 4, 4, 4);
        assertThat(tasks).allSatisfy(t -> assertThat(CellBatches.compatible(t)).isTrue());
        assertThat(tasks.stream().flatMap(List::stream).toList()).containsExactlyInAnyOrderElementsOf(cells);
        for (List<Cell> task : tasks) {
            assertThat(task).isSortedAccordingTo((a, b) -> Integer.compare(cells.indexOf(a), cells.indexOf(b)));
        }
        assertThat(CellBatches.tasks(cells, 16, 1)).extracting(List::size).containsExactly(12, 12);
        assertThat(CellBatches.tasks(cells, 1, 1)).hasSize(24).allSatisfy(t -> assertThat(t).hasSize(1));
        assertThatThrownBy(() -> CellBatches.tasks(cells, 0, 1)).hasMessageContaining("got 0");
        assertThatThrownBy(() -> CellBatches.tasks(cells, 4, 0)).hasMessageContaining("got 0");
    }

    @Test
    void tasksAreSplitFurtherRatherThanLeaveATaskSlotIdle() {
        List<Cell> cells = cells("scheme: [he_normal, xavier_normal, lsuv, zero], depth: [2, 3]", "", "");
        // 2 tasks of 12 would leave 2 of 4 slots idle: 4 tasks of 6
        assertThat(CellBatches.tasks(cells, 16, 4)).extracting(List::size).containsExactly(6, 6, 6, 6);
        // the largest groups are split first: 5 slots give 4 + 4 + 4 and 6 + 6
        assertThat(CellBatches.tasks(cells, 16, 5)).extracting(List::size).containsExactlyInAnyOrder(4, 4, 4, 6, 6);
        // more slots than cells: every cell alone
        assertThat(CellBatches.tasks(cells, 16, 100)).hasSize(24);
    }

    @Test
    void cellsThatMayNotShareABatchAreTasksOfTheirOwn() {
        List<Cell> cells = Fixtures.sweep("""
                name: dp
                seeds: 3
                grid: {scheme: [he_normal]}
                model: {depth: 2, width: 8, activation: relu, architecture: residual}
                data: {dataset: spirals, samples: 100}
                """).cells();
        assertThat(CellBatches.tasks(cells, 16, 1)).hasSize(3).allSatisfy(t -> assertThat(t).hasSize(1));
    }
}
