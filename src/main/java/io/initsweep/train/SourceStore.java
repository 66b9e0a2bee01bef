package io.initsweep.train;

import java.io.IOException;
import java.util.Optional;

/**
 * Where a sweep keeps the source networks it trained: the contract the warehouse implements (issue 17, part 2) and
 * the sweep runner schedules by. Nothing here is written by a trainer: executors return {@link SourceResult}s to
 * the driver, which commits them, as it commits cells.
 *
 * <p>What part 2 is to provide, in the terms of the warehouse it is reworking:
 * <ul>
 *   <li><b>Where a model lives.</b> {@code <warehouse>/sources/<sweep>/<source_id>.zip}: content-addressed by the
 *       source id, which already holds everything that determines the network, so a path is never reused for
 *       another network. The file is written to a temporary name and becomes visible under its final name only in
 *       the commit that adds its row, as a cell's Parquet files do.
 *   <li><b>What a source's row holds</b> (a {@code sources} table, one row per sweep and source id): sweep,
 *       source_id, source_point_id, source_seed, cell_id of the plain cell that trained it, run_id, its settings
 *       and dataset as {@code runs} records a cell's (the same setting columns, so a source can be queried like a
 *       cell), status, error, diverged_epoch, final and best losses, the model's location, sha256 and size in
 *       bytes, wall_seconds, finished_at and the provenance columns. Its epochs and layers may go to
 *       {@code epochs}/{@code layers} under its cell id.
 *   <li><b>Exactly once.</b> A source is committed once per sweep, like a cell: a second commit of the same source
 *       id (a retried task, a resumed run) keeps the first and returns it. A failed or diverged source is recorded
 *       too, without a file, so its dependents fail with its reason ({@link SourceResult#dependentFailure}) and
 *       {@code --retry-failed} retrains it.
 *   <li><b>Scheduling.</b> Before any cell, the runner asks {@link #find} for every source in
 *       {@code grid.Sources#toTrain()}; it trains those not saved (one task each, as cells), commits them, then
 *       ships each transfer cell with its source's {@link SourceModel} (read once on the driver, verified, and
 *       broadcast, or read on the executor through Hadoop and verified there). Resuming after a kill -9 finds the
 *       saved sources and trains none of them again. Replay of a transfer cell reads its source through
 *       {@link #read} and checks {@code runs.source_sha256} against the file's hash before training.
 * </ul>
 */
public interface SourceStore {

    /** A source saved in the warehouse: its row's identity and where its model file is. */
    record Saved(String sweep, String sourceId, String location, String sha256, long bytes) {
    }

    /**
     * The saved source, if it was committed (a file without its committed row does not count).
     *
     * @throws IOException if the warehouse cannot be read
     */
    Optional<Saved> find(String sweep, String sourceId) throws IOException;

    /**
     * Commits a trained source: its model file (if it has one) and its row, exactly once.
     *
     * @return what is saved now: this source, or the one committed before it under the same id
     * @throws IOException if the warehouse cannot be written
     */
    Saved commit(String sweep, SourceResult source) throws IOException;

    /**
     * Reads a saved source's model file.
     *
     * @return the file, {@linkplain SourceModel#verified() verified} against the recorded hash
     * @throws IOException if it cannot be read
     */
    SourceModel read(Saved saved) throws IOException;
}
