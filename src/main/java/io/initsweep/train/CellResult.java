package io.initsweep.train;

import io.initsweep.data.DatasetIdentity;
import io.initsweep.grid.Cell;
import io.initsweep.model.LayerKind;
import io.initsweep.theory.CellTheory;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What happened when one cell trained: its status, every epoch's metrics, per-layer diagnostics and provenance.
 * The summary numbers of the {@code runs} table are derived here, in one place.
 *
 * @param cell          the cell
 * @param dataset       the dataset it trained on
 * @param status        ok, diverged or failed
 * @param error         the exception, for failed cells; else null
 * @param divergedEpoch the epoch whose loss was first NaN or infinite (0 = already at initialization); else null
 * @param epochs        epoch 0 (initialization) onwards; for a diverged cell the last row holds the non-finite loss
 * @param layers        per-layer statistics at init and after training
 * @param wallSeconds   time to build, train and evaluate the network
 * @param finishedAt    when training ended
 * @param provenance    backend, threads, versions, host
 * @param theory        mean-field theory's prediction for the cell's network at init; null where it was not
 *                      computed (a cell that failed before its network was built)
 * @param jacobian      the input-output Jacobian's singular values at init; null where not measured (no layer
 *                      statistics, or a cell that failed first) or where they overflowed
 * @param sourceSha256  a transfer cell's source model file, SHA-256 of its bytes as the trainer read them; null for
 *                      every other cell, and for a transfer cell that failed before its source was read
 */
public record CellResult(Cell cell, DatasetIdentity dataset, RunStatus status, String error, Integer divergedEpoch,
                         List<EpochMetrics> epochs, List<LayerStats> layers, double wallSeconds, Instant finishedAt,
                         Provenance provenance, CellTheory theory, JacobianSpectrum jacobian, String sourceSha256)
        implements Serializable {

    public CellResult {
        Objects.requireNonNull(cell, "cell is null");
        Objects.requireNonNull(dataset, "dataset is null");
        Objects.requireNonNull(status, "status is null");
        epochs = List.copyOf(epochs);
        layers = List.copyOf(layers);
        Objects.requireNonNull(finishedAt, "finishedAt is null");
        Objects.requireNonNull(provenance, "provenance is null");
        if ((status == RunStatus.DIVERGED) != (divergedEpoch != null)) {
            throw new IllegalArgumentException("divergedEpoch is set exactly for diverged cells");
        }
        if ((status == RunStatus.FAILED) != (error != null)) {
            throw new IllegalArgumentException("error is set exactly for failed cells");
        }
        if (sourceSha256 != null && cell.source() == null) {
            throw new IllegalArgumentException("a source model is recorded only for a transfer cell");
        }
        if (sourceSha256 == null && cell.source() != null && status != RunStatus.FAILED) {
            throw new IllegalArgumentException("a transfer cell that trained records its source model's hash");
        }
    }

    /** A result of a cell that uses no source network. */
    public CellResult(Cell cell, DatasetIdentity dataset, RunStatus status, String error, Integer divergedEpoch,
                      List<EpochMetrics> epochs, List<LayerStats> layers, double wallSeconds, Instant finishedAt,
                      Provenance provenance, CellTheory theory, JacobianSpectrum jacobian) {
        this(cell, dataset, status, error, divergedEpoch, epochs, layers, wallSeconds, finishedAt, provenance, theory,
                jacobian, null);
    }

    /** A result without theory or Jacobian (a trainer that computes neither). */
    public CellResult(Cell cell, DatasetIdentity dataset, RunStatus status, String error, Integer divergedEpoch,
                      List<EpochMetrics> epochs, List<LayerStats> layers, double wallSeconds, Instant finishedAt,
                      Provenance provenance) {
        this(cell, dataset, status, error, divergedEpoch, epochs, layers, wallSeconds, finishedAt, provenance, null,
                null);
    }

    public CellResult withProvenance(Provenance replacement) {
        return new CellResult(cell, dataset, status, error, divergedEpoch, epochs, layers, wallSeconds, finishedAt,
                replacement, theory, jacobian, sourceSha256);
    }

    /** Training epochs started: all for ok cells, up to and including the diverging one, or those completed. */
    public int epochsRun() {
        return switch (status) {
            case OK -> cell.settings().epochs();
            case DIVERGED -> divergedEpoch;
            case FAILED -> Math.max(0, epochs.size() - 1);
        };
    }

    public Double initialTestLoss() {
        return epochs.isEmpty() ? null : epochs.get(0).testLoss();
    }

    private EpochMetrics last() {
        return status == RunStatus.OK && !epochs.isEmpty() ? epochs.get(epochs.size() - 1) : null;
    }

    /** Null unless ok: a diverged run has no final loss worth averaging. */
    public Double finalTrainLoss() {
        EpochMetrics last = last();
        return last == null ? null : last.trainLoss();
    }

    public Double finalTestLoss() {
        EpochMetrics last = last();
        return last == null ? null : last.testLoss();
    }

    public Double finalTestAccuracy() {
        EpochMetrics last = last();
        return last == null ? null : last.testAccuracy();
    }

    /** The lowest finite test loss of any epoch, diverged runs included (their best before diverging). */
    public Double bestTestLoss() {
        return epochs.stream().map(EpochMetrics::testLoss).filter(Double::isFinite).min(Double::compare)
                .orElse(null);
    }

    /** The first epoch whose test loss is at or below the target; null if none or no target. */
    public Integer epochsToTarget() {
        Double target = cell.settings().targetLoss();
        if (target == null) {
            return null;
        }
        return epochs.stream().filter(e -> e.testLoss() <= target).map(EpochMetrics::epoch).findFirst()
                .orElse(null);
    }

    /**
     * Forward signal through depth at init: the last hidden layer's activation variance over the first's; in a
     * residual network, the residual stream's variance after the last block over the stem's output (the stream
     * before the first block). Far below 1 means the signal vanishes, far above that it explodes. Null without two
     * hidden layers.
     */
    public Double actVarRatio() {
        if (cell.settings().residual()) {
            List<LayerStats> stream = atInit(LayerKind.RESIDUAL_ADD);
            List<LayerStats> dense = hiddenAtInit();
            return stream.isEmpty() || dense.isEmpty() ? null
                    : ratio(stream.get(stream.size() - 1).activationVar(), dense.get(0).activationVar());
        }
        List<LayerStats> hidden = hiddenAtInit();
        if (hidden.size() < 2) {
            return null;
        }
        return ratio(hidden.get(hidden.size() - 1).activationVar(), hidden.get(0).activationVar());
    }

    /**
     * Backward signal at init: the first hidden layer's weight-gradient variance over the last's (residual: the
     * stem's over the last branch layer's). Far below 1 means gradients vanish on their way to the input, far
     * above that they explode.
     */
    public Double gradVarRatio() {
        List<LayerStats> hidden = hiddenAtInit();
        if (hidden.size() < 2) {
            return null;
        }
        return ratio(hidden.get(0).gradWeightVar(), hidden.get(hidden.size() - 1).gradWeightVar());
    }

    /** Null when undefined (a zero or non-finite denominator, as with zero init), so SQL averages skip it. */
    private static Double ratio(double numerator, double denominator) {
        double value = numerator / denominator;
        return denominator != 0 && Double.isFinite(value) ? value : null;
    }

    /** The dense (cnn: convolution) rows of the hidden layers at init, in layer order. */
    private List<LayerStats> hiddenAtInit() {
        int hidden = cell.settings().hiddenLayers();
        return atInit(cell.settings().cnn() ? LayerKind.CONVOLUTION : LayerKind.DENSE).stream()
                .filter(l -> l.layer() < hidden).toList();
    }

    private List<LayerStats> atInit(LayerKind kind) {
        return layers.stream().filter(l -> l.phase() == LayerStats.Phase.INIT && l.placement().kind() == kind)
                .toList();
    }
}
