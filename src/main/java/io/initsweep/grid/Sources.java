package io.initsweep.grid;

import io.initsweep.common.Hashing;
import io.initsweep.data.DatasetIdentity;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.Settings;
import io.initsweep.spec.SourceData;
import io.initsweep.spec.SourceSpec;
import io.initsweep.spec.SpecException;
import io.initsweep.spec.SweepSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The source networks of a spec's transfer cells, content-addressed.
 *
 * <p><b>Source ids.</b> A source initsweep trains is identified by SHA-256 over a versioned canonical text of its
 * settings ({@link CellSettings#canonical()}), its dataset's fingerprint and its source seed, first 16 hex digits;
 * its point id is the same without the seed. The sweep's name is not part of it, as it is not of a cell id. A
 * {@code from-model} file is identified by its bytes' SHA-256. A transfer cell's id holds its source's point id and
 * source seed ({@link Grid#cell(String, long, CellSettings, Map, DatasetIdentity, SourceRef)}).
 *
 * <p><b>Seeds.</b> Every transfer cell is crossed with every source seed: target seed s and source seed r make one
 * cell, whose kept layers come from source r and whose new layers are drawn from s (exactly as those of the
 * from-scratch cell of seed s). Source and target seeds are independent replicates, so the spread that source
 * training adds and the spread that the new layers' draws add can be told apart; and extending either list adds
 * cells without changing any existing id: new target seeds need no new source, new source seeds train only the new
 * sources (and the cells that use them). A source's own initial weights and minibatch order are those of a grid
 * cell of its settings and seed ({@link Grid#cell}), so a source trains exactly as that cell would.
 *
 * <p>A self-transfer source ({@code source-data: target}) is the {@code source} section's network trained on the
 * cell's own dataset, its data seed the cell's.
 */
public final class Sources implements Grid.TransferSources {
    /** Bump when the meaning of a source's settings changes, so stored source models are never mistaken. */
    static final String ID_VERSION = "initsweep-source-v1";

    private final SweepSpec spec;
    private final SourceSpec.Trained trained;
    private final DatasetIdentity sourceDataset;
    private final SourceRef fromModel;
    /** Every source handed out so far, by id, in the order cells first asked for them. */
    private final Map<String, SourceCell> handedOut = new LinkedHashMap<>();

    private Sources(SweepSpec spec, SourceSpec.Trained trained, DatasetIdentity sourceDataset, SourceRef fromModel) {
        this.spec = Objects.requireNonNull(spec, "spec is null");
        this.trained = trained;
        this.sourceDataset = sourceDataset;
        this.fromModel = fromModel;
    }

    /**
     * The sources of a spec whose {@code source} section trains one.
     *
     * @param sourceDataset the {@code source} section's dataset with its data seed; may be null when no cell uses
     *                      {@code source-data: source}
     */
    public static Sources trained(SweepSpec spec, DatasetIdentity sourceDataset) {
        if (!(spec.sourceNetwork() instanceof SourceSpec.Trained source)) {
            throw new IllegalArgumentException("spec " + spec.name() + " trains no source network");
        }
        return new Sources(spec, source, sourceDataset, null);
    }

    /**
     * The source of a spec whose {@code source} section names a saved network.
     *
     * @param sha256 SHA-256 of the file's bytes, as read on the driver
     */
    public static Sources fromModel(SweepSpec spec, String sha256) {
        if (!(spec.sourceNetwork() instanceof SourceSpec.FromModel)) {
            throw new IllegalArgumentException("spec " + spec.name() + " names no from-model network");
        }
        String id = Hashing.sha256Hex(ID_VERSION + "\nfrom-model=" + Objects.requireNonNull(sha256, "sha256 is null")
                + "\n").substring(0, 16);
        return new Sources(spec, null, null, new SourceRef(id, id, null));
    }

    @Override
    public List<SourceRef> refs(CellSettings settings, DatasetIdentity dataset) {
        if (fromModel != null) {
            return List.of(fromModel);
        }
        boolean self = settings.sourceData() == SourceData.TARGET;
        DatasetIdentity data = self ? dataset : sourceDataset;
        if (data == null) {
            throw new IllegalStateException("a cell uses source-data: source but no source dataset was given");
        }
        if (data.features() != dataset.features()) {
            throw new SpecException(spec.error(trained.where(), "the source's data (" + data.name() + ") has "
                    + data.features() + " features per example but the target's (" + dataset.name() + ") has "
                    + dataset.features() + ": the kept layer 0 reads the input, so both tasks need inputs of one "
                    + "size"));
        }
        CellSettings sourceSettings = self
                ? trained.settings().toBuilder().set(Settings.DATA_SEED, settings.dataSeed()).build()
                : trained.settings();
        List<SourceRef> refs = new ArrayList<>();
        for (long seed : trained.seeds()) {
            SourceCell source = source(spec.name(), sourceSettings, data, seed);
            handedOut.putIfAbsent(source.sourceId(), source);
            refs.add(source.ref());
        }
        return refs;
    }

    /**
     * The source networks to train for the cells expanded so far, each once, in the order cells first needed them
     * (empty for a {@code from-model} source): train these before the cells that use them.
     */
    public List<SourceCell> toTrain() {
        return List.copyOf(handedOut.values());
    }

    /** The source a {@code from-model} spec's cells use; null for a trained source. */
    public SourceRef fromModelRef() {
        return fromModel;
    }

    /**
     * One source network initsweep trains: its id from its settings, dataset and seed, and the plain cell that
     * trains it.
     */
    public static SourceCell source(String sweep, CellSettings settings, DatasetIdentity dataset, long seed) {
        if (settings.transfers()) {
            throw new IllegalArgumentException("a source network trains from scratch, got transfer-layers "
                    + settings.transferLayers());
        }
        StringBuilder canonical = new StringBuilder(ID_VERSION).append('\n');
        settings.canonical().forEach((k, v) -> canonical.append(k).append('=').append(v).append('\n'));
        canonical.append("dataset=").append(dataset.sha256()).append('\n');
        String identity = canonical.toString();
        SourceRef ref = new SourceRef(Hashing.sha256Hex(identity + "seed=" + seed).substring(0, 16),
                Hashing.sha256Hex(identity).substring(0, 16), seed);
        return new SourceCell(ref, Grid.cell(sweep, seed, settings, Map.of(), dataset));
    }
}
