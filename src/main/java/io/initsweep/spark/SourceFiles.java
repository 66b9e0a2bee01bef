package io.initsweep.spark;

import io.initsweep.train.SourceModel;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * The model files of the source networks a sweep trained: {@code <warehouse>/_sources/<sweep>/<source_id>.zip},
 * DL4J's {@code ModelSerializer} zip without updater state.
 *
 * <p><b>Content-addressed.</b> A source id is a hash of everything that determines the network (its settings, its
 * dataset's fingerprint, its seed), so a path is never reused for another network and a file found there needs no
 * row to be trusted: finding it is what makes a resumed run skip the source. Its bytes' SHA-256 is recorded with
 * every transfer cell that used it ({@code runs.source_sha256}) and checked whenever it is read back for replay.
 *
 * <p><b>Exactly once.</b> The file is written to a temporary name and renamed to its final one, so a reader never
 * sees a partial file: a driver killed mid-write leaves only a temporary, which the next run overwrites. All writes
 * happen under the sweep's lock on the driver (executors return the bytes); a second commit of the same id keeps
 * the first file, which holds the same network.
 *
 * <p>The leading underscore keeps Spark and Hive from taking the folder for a table's data.
 */
public final class SourceFiles {
    static final String FOLDER = "_sources";

    private final FileSystem fs;
    private final Path folder;
    private final String sweep;

    public SourceFiles(Warehouse warehouse, String sweep) {
        this.fs = warehouse.fileSystem();
        this.sweep = Objects.requireNonNull(sweep, "sweep is null");
        this.folder = new Path(new Path(warehouse.root(), FOLDER), sweep);
    }

    /** Where the source's model file is (or will be). */
    public Path location(String sourceId) {
        return new Path(folder, sourceId + ".zip");
    }

    /** Whether the source's model file was committed. */
    public boolean contains(String sourceId) throws IOException {
        return fs.exists(location(sourceId));
    }

    /**
     * Reads a committed source's model file.
     *
     * @return the file, its hash computed from its bytes; empty when it was never committed
     * @throws IOException if the warehouse cannot be read
     */
    public Optional<SourceModel> read(String sourceId) throws IOException {
        Path path = location(sourceId);
        try (InputStream in = fs.open(path)) {
            return Optional.of(SourceModel.of(sourceId, path.toString(), in.readAllBytes()));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Commits a trained source's model file, once: written under a temporary name, then renamed.
     *
     * @return the committed file: this one, or the one committed before under the same id
     * @throws IOException if the warehouse cannot be written
     */
    public SourceModel commit(SourceModel model, String runId) throws IOException {
        Optional<SourceModel> existing = read(model.sourceId());
        if (existing.isPresent()) {
            return existing.get();
        }
        Path target = location(model.sourceId());
        Path temporary = new Path(folder, "." + model.sourceId() + ".zip." + runId + ".tmp");
        fs.mkdirs(folder);
        try (FSDataOutputStream out = fs.create(temporary, true)) {
            out.write(model.bytes());
        }
        if (!fs.rename(temporary, target)) {
            fs.delete(temporary, false);
            if (!fs.exists(target)) {
                throw new IOException("cannot rename " + temporary + " to " + target);
            }
        }
        return read(model.sourceId()).orElseThrow(() -> new IOException(target + " vanished after its commit"));
    }

    @Override
    public String toString() {
        return "source files of sweep " + sweep + " at " + folder;
    }
}
