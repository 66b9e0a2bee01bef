package io.initsweep.grid;

import io.initsweep.model.Activation;
import io.initsweep.model.Architecture;
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
 * <p>The rule: only plain MLP cells that train in one task are ever batched ({@link #batchable}): a cell that trains
 * data-parallel (its epochs run across executors), a residual network or a network with normalization layers (a
 * ComputationGraph whose layers the batched computation does not implement) always trains alone. Batchable cells
 * share a batch exactly when they share every setting that fixes the shapes, the data or the loop of the
 * computation — the dataset (its fingerprint, which also fixes features, outputs and the task), depth, width,
 * hidden activation, precision, batch size and epochs. Everything else may differ within a batch: the seed and the
 * seeds derived from it (initial weights, minibatch order), the init scheme and per-layer overrides (LSUV
 * included), the bias init and bias std (random biases), how often layers are measured during training
 * ({@code diagnostics-every}), the optimizer, learning rate and momentum, and the target loss (only read when
 * summarizing).
 *
 * <p>Why these and no others: the activation is one elementwise operation over all cells' units, the batch size
 * fixes the minibatch shape every step, the epochs fix the loop, and the dataset is read once for all cells.
 * Optimizers and learning rates only change the update step, which runs once per group of equal settings; biases
 * are per-cell parameters; a probe pass measures whichever cells are due.
 *
 * <p>The grouping does not change results: a cell trained in any batch gives the bits it gives alone, and at one
 * native thread the bits the per-cell path gives it (tested in {@code TestBatchedCellTrainer}), so the rule only
 * decides what can run together, never what a cell computes.
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
     * Whether a cell with these settings may be batched at all: it trains in one task (not data-parallel), its
     * network is the plain MLP of one width that the batched computation implements (no residual blocks, no
     * convolutions, no normalization layers, no per-layer {@code widths} other than {@code width}), and it keeps no
     * layers of a source network (its first layers come from a model file, and some may be frozen). Any other cell
     * would be trained there as a network it is not, so it never shares a batch.
     */
    public static boolean batchable(CellSettings s) {
        return !s.dataParallel() && s.architecture() == Architecture.MLP && s.normalization() == Normalization.NONE
                && s.hiddenWidths().stream().allMatch(w -> w == s.width()) && !s.transfers();
    }

    /**
     * The batch key of a cell; empty for a cell that never shares a batch (not {@link #batchable}: data-parallel,
     * residual, cnn, normalized, of unequal widths or transfer).
     */
    public static Optional<Key> key(Cell cell) {
        CellSettings s = cell.settings();
        if (!batchable(s)) {
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

    /**
     * Splits a sweep's cells into the cell lists of its tasks: cells of one batch key (in the given order) into
     * groups of at most {@code maxCells}, every other cell alone. The groups of a key have equal sizes (they differ by
     * at most one cell), and where there would be fewer tasks than {@code slots} (the task slots of the cluster) the
     * largest groups are split further, until every slot has a task or every cell is alone: grouping must not leave
     * a core idle that one cell per task would have kept busy. Each group keeps the given order of its cells; the
     * groups come in the order of their first cells.
     *
     * <p>Which cells share a task changes no result: each cell gets the same bits alone and in any batch.
     *
     * @param slots tasks that run at once (the cluster's cores divided by the cores per cell); at least 1
     * @throws IllegalArgumentException if {@code maxCells < 1} or {@code slots < 1}
     */
    public static List<List<Cell>> tasks(List<Cell> cells, int maxCells, int slots) {
        if (maxCells < 1) {
            throw new IllegalArgumentException("cells per task must be at least 1, got " + maxCells);
        }
        if (slots < 1) {
            throw new IllegalArgumentException("task slots must be at least 1, got " + slots);
        }
        Map<Object, List<Cell>> byKey = new LinkedHashMap<>();
        for (Cell cell : cells) {
            Object key = key(cell).map(Object.class::cast).orElse(cell.cellId());
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(cell);
        }
        List<List<Cell>> same = new ArrayList<>(byKey.values());
        int[] parts = new int[same.size()];
        int tasks = 0;
        for (int k = 0; k < parts.length; k++) {
            parts[k] = (same.get(k).size() + maxCells - 1) / maxCells;
            tasks += parts[k];
        }
        // More tasks while slots would idle: split the key whose groups are largest (the first such key on ties).
        while (tasks < slots) {
            int widest = -1;
            double widestSize = 1;
            for (int k = 0; k < parts.length; k++) {
                double size = (double) same.get(k).size() / parts[k];
                if (parts[k] < same.get(k).size() && size > widestSize) {
                    widest = k;
                    widestSize = size;
                }
            }
            if (widest < 0) {
                break; // every cell is alone
            }
            parts[widest]++;
            tasks++;
        }
        record Group(int first, List<Cell> cells) {
        }
        Map<Cell, Integer> position = new java.util.IdentityHashMap<>();
        for (int i = 0; i < cells.size(); i++) {
            position.put(cells.get(i), i);
        }
        List<Group> groups = new ArrayList<>();
        for (int k = 0; k < parts.length; k++) {
            List<Cell> all = same.get(k);
            for (int p = 0, from = 0; p < parts[k]; p++) {
                int to = from + (all.size() - from) / (parts[k] - p);
                groups.add(new Group(position.get(all.get(from)), List.copyOf(all.subList(from, to))));
                from = to;
            }
        }
        groups.sort(java.util.Comparator.comparingInt(Group::first));
        return groups.stream().map(Group::cells).toList();
    }
}
