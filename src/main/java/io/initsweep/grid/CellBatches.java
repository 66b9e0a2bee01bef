package io.initsweep.grid;

import io.initsweep.model.Activation;
import io.initsweep.model.Normalization;
import io.initsweep.model.Precision;
import io.initsweep.spec.CellSettings;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which cells may train together as one batched computation (one task trains them over a leading cell dimension,
 * paying each tensor operation's fixed cost once for all of them).
 *
 * <p>The rule: cells share a batch exactly when they share every setting that fixes the shapes, the data or the
 * loop of the computation — the dataset (its fingerprint, which also fixes features, outputs and the task), depth,
 * width, hidden activation, precision, batch size and epochs — and none trains data-parallel. Everything else may
 * differ within a batch: the seed and the seeds derived from it (initial weights, minibatch order), the init scheme
 * and per-layer overrides (LSUV included), the bias init, the optimizer, learning rate and momentum, and the target
 * loss (only read when summarizing).
 *
 * <p>Why these and no others: the activation is one elementwise operation over all cells' units, the batch size
 * fixes the minibatch shape every step, the epochs fix the loop, and the dataset is read once for all cells.
 * Optimizers and learning rates only change the update step, which runs once per group of equal settings.
 *
 * <p>The grouping does not change results: a cell trained in any batch gives the bits it gives alone (tested in
 * {@code TestBatchedCellTrainer}), so the rule only decides what can run together, never what a cell computes.
 */
public final class CellBatches {
    private CellBatches() {
    }

    /** What cells of one batch share. */
    public record Key(String datasetSha256, int depth, int width, Activation activation, Precision precision,
                      int batchSize, int epochs) implements Serializable {
        public Key {
            Objects.requireNonNull(datasetSha256, "datasetSha256 is null");
            Objects.requireNonNull(activation, "activation is null");
            Objects.requireNonNull(precision, "precision is null");
        }
    }

    /**
     * The batch key of a cell; empty for a cell that never shares a batch: one that trains data-parallel, and one
     * whose network is not the plain MLP the batched computation implements (a residual network, normalization
     * layers), which it would otherwise train as an MLP, and a transfer cell (its first layers come from a source
     * network, and some may be frozen).
     */
    public static Optional<Key> key(Cell cell) {
        CellSettings s = cell.settings();
        if (s.dataParallel() || s.residual() || s.normalization() != Normalization.NONE || s.transfers()) {
            return Optional.empty();
        }
        return Optional.of(new Key(cell.datasetSha256(), s.depth(), s.width(), s.activation(), s.precision(),
                s.batchSize(), s.epochs()));
    }

    /** Whether all the given cells may train in one batch. */
    public static boolean compatible(List<Cell> cells) {
        if (cells.isEmpty()) {
            return true;
        }
        Optional<Key> first = key(cells.get(0));
        return first.isPresent() && cells.stream().allMatch(c -> key(c).equals(first));
    }

    /**
     * Splits cells into batches: cells with equal keys, at most {@code maxCells} per batch, in the order of each
     * key's first cell, each batch keeping the cells' order. A data-parallel cell is a batch of its own.
     *
     * @throws IllegalArgumentException if {@code maxCells < 1}
     */
    public static List<List<Cell>> group(List<Cell> cells, int maxCells) {
        if (maxCells < 1) {
            throw new IllegalArgumentException("cells per batch must be at least 1, got " + maxCells);
        }
        Map<Object, List<Cell>> byKey = new LinkedHashMap<>();
        for (Cell cell : cells) {
            Object key = key(cell).map(Object.class::cast).orElse(cell.cellId());
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(cell);
        }
        List<List<Cell>> batches = new ArrayList<>();
        for (List<Cell> same : byKey.values()) {
            for (int from = 0; from < same.size(); from += maxCells) {
                batches.add(List.copyOf(same.subList(from, Math.min(same.size(), from + maxCells))));
            }
        }
        return batches;
    }
}
