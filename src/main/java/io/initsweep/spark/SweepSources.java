package io.initsweep.spark;

import io.initsweep.data.DataException;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.grid.SourceCell;
import io.initsweep.grid.Sources;
import io.initsweep.spec.SourceSpec;
import io.initsweep.spec.SweepSpec;
import io.initsweep.train.SourceModel;

import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The cells of a sweep with the source networks its transfer cells need (issue 17), decided on the driver before
 * anything trains: the {@code source} section's dataset is loaded and checked like the target's, a
 * {@code from-model} file is read (its bytes' hash is its source id), and the grid is expanded with them.
 */
public final class SweepSources {
    private SweepSources() {
    }

    /**
     * What the runner needs to train a sweep's transfer cells.
     *
     * @param toTrain    the source networks initsweep trains for the cells, each once (empty for a
     *                   {@code from-model} source, and for a sweep without transfer cells)
     * @param sourceData the {@code source} section's dataset (with its data seed); null when no source is trained
     *                   on it. A self-transfer source trains on a target dataset, which the sweep has anyway
     * @param fromModel  the user's saved network, read on the driver; null unless the spec names one
     */
    public record Plan(List<SourceCell> toTrain, TrainingData sourceData, SourceModel fromModel) {
        /** The plan of a sweep without transfer cells. */
        public static final Plan NONE = new Plan(List.of(), null, null);

        public Plan {
            toTrain = List.copyOf(toTrain);
        }
    }

    /** A sweep's cells, in grid order, and its plan. */
    public record Expanded(List<Cell> cells, Plan plan) {
        public Expanded {
            cells = List.copyOf(cells);
            Objects.requireNonNull(plan, "plan is null");
        }
    }

    /**
     * Expands a sweep's grid with its source networks; a sweep without transfer cells gets {@link Plan#NONE}.
     *
     * @param datasets the target's datasets by data seed ({@link SweepDatasets#load})
     * @throws DataException naming the file when the source's data or the {@code from-model} file cannot be read
     * @throws io.initsweep.spec.SpecException where the source cannot serve a cell
     */
    public static Expanded expand(SparkSession spark, SweepSpec sweep, Map<Long, TrainingData> datasets) {
        Map<Long, DatasetIdentity> identities = SweepDatasets.identities(datasets);
        if (!sweep.transfers()) {
            return new Expanded(Grid.expand(sweep, identities), Plan.NONE);
        }
        if (sweep.sourceNetwork() instanceof SourceSpec.FromModel fromModel) {
            byte[] bytes = readAll(spark, fromModel.path());
            Sources sources = Sources.fromModel(sweep, SourceModel.sha256(bytes));
            SourceModel model = new SourceModel(sources.fromModelRef().sourceId(), fromModel.path(),
                    SourceModel.sha256(bytes), bytes);
            return new Expanded(Grid.expand(sweep, identities, sources), new Plan(List.of(), null, model));
        }
        SourceSpec.Trained trained = (SourceSpec.Trained) sweep.sourceNetwork();
        TrainingData sourceData = SweepDatasets.load(spark, trained.dataset(),
                List.of(trained.settings().dataSeed()), false).values().iterator().next();
        Sources sources = Sources.trained(sweep, sourceData.identity());
        List<Cell> cells = Grid.expand(sweep, identities, sources);
        return new Expanded(cells, new Plan(sources.toTrain(), sourceData, null));
    }

    /** A file's bytes through Hadoop's file system (a local path, file://, hdfs://, s3a://). */
    private static byte[] readAll(SparkSession spark, String location) {
        try (InputStream in = new HadoopStorage(spark).open(location)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DataException(location, "cannot be read (source.from-model): " + e.getMessage(), e);
        }
    }
}
