package io.initsweep.spec;

import io.initsweep.data.DatasetSpec;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code source} section of a spec: the network transfer cells copy their first layers from. Either a network
 * initsweep trains itself ({@link Trained}: a model, training settings, a dataset and seeds, like a one-point grid)
 * or a network the user saved with DL4J ({@link FromModel}).
 */
public sealed interface SourceSpec extends Serializable permits SourceSpec.Trained, SourceSpec.FromModel {

    /** Where the section was written, for messages. */
    Located<String> where();

    /**
     * A source initsweep trains, once per source seed (and, for self-transfer, once per target dataset).
     *
     * <p>Its settings are those written under {@code source.model}, {@code source.training} and
     * {@code source.data.data-seed}; every other model, training and data setting is inherited from the target's
     * fixed value where the target fixes it, else it takes its default. A setting that is a grid axis of the target
     * has no one value to inherit, so the parser demands it under {@code source} (where it applies to the source).
     * No transfer or execution setting applies to a source: it trains from scratch, as one grid cell.
     *
     * @param seeds    the source seeds; every transfer cell is crossed with each (see {@code grid.Sources})
     * @param settings the source's settings, resolved
     * @param given     the settings written under {@code source}, by key, with where
     * @param inherited the settings it took from the target's fixed values, by key, with where they were written
     * @param dataset   its dataset: {@code source.data} when it names a {@code dataset}, else the target's data
     *                  section with the keys {@code source.data} gives replaced (another {@code keep-classes}, ...)
     * @param where     the section
     */
    record Trained(List<Long> seeds, CellSettings settings, Map<String, Located<Object>> given,
                   Map<String, Located<Object>> inherited, DatasetSpec dataset, Located<String> where)
            implements SourceSpec {
        public Trained {
            seeds = List.copyOf(seeds);
            Objects.requireNonNull(settings, "settings is null");
            given = Collections.unmodifiableMap(new LinkedHashMap<>(given));
            inherited = Collections.unmodifiableMap(new LinkedHashMap<>(inherited));
            Objects.requireNonNull(dataset, "dataset is null");
            Objects.requireNonNull(where, "where is null");
        }

        /**
         * Where a setting of the source was decided: under {@code source}, or in the target's section it was
         * inherited from, else (a default) the section.
         */
        public Located<?> whereIs(Setting<?> setting) {
            Located<Object> located = given.getOrDefault(setting.key(), inherited.get(setting.key()));
            return located != null ? located
                    : new Located<>(settings.get(setting), "source." + setting.section().key() + "." + setting.key(),
                    where.line());
        }

        /** The same in words: {@code source.model.width, line 13}, {@code inherited from model.depth, line 8}. */
        public String describeWhere(Setting<?> setting) {
            Located<?> at = whereIs(setting);
            String place = at.path() + (at.line() > 0 ? ", line " + at.line() : "");
            if (given.containsKey(setting.key())) {
                return place;
            }
            return inherited.containsKey(setting.key()) ? "inherited from " + place : "its default";
        }
    }

    /**
     * A network the user saved with DL4J's {@code ModelSerializer} (a MultiLayerNetwork or a ComputationGraph whose
     * layers form a chain), read on the driver and checked against the data before anything trains.
     *
     * @param path  the file: a local path or a Hadoop URI, as written
     * @param where the {@code from-model} key
     */
    record FromModel(String path, Located<String> where) implements SourceSpec {
        public FromModel {
            Objects.requireNonNull(path, "path is null");
            Objects.requireNonNull(where, "where is null");
        }
    }
}
