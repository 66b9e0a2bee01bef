package io.initsweep.grid;

import io.initsweep.model.Architecture;
import io.initsweep.model.Normalization;
import io.initsweep.spec.CellSettings;
import io.initsweep.spec.ExecutionMode;
import io.initsweep.spec.Located;
import io.initsweep.spec.Setting;
import io.initsweep.spec.Settings;
import io.initsweep.spec.SourceData;
import io.initsweep.spec.SourceSpec;
import io.initsweep.spec.SpecError;
import io.initsweep.spec.SweepSpec;
import io.initsweep.spec.TransferStrategy;

import java.util.ArrayList;
import java.util.List;

/**
 * What no transfer cell of a grid can be built or trained as, found without data: a transfer without a source, a
 * source nobody uses, more kept layers than the source or the cell has, kept layers that cannot fit the cell's
 * network (another width, activation or precision), and lp-ft stages that leave no epoch to fine-tune. Every grid
 * axis is crossed with every other, so a pair of values that cannot go together is in some cell; each problem is
 * located at the value that causes it. A {@code from-model} network's layers are checked when the file is read.
 */
final class TransferChecks {
    private TransferChecks() {
    }

    static List<SpecError> problems(SweepSpec spec) {
        List<SpecError> errors = new ArrayList<>();
        SourceSpec source = spec.sourceNetwork();
        List<Located<?>> kept = Grid.values(spec, Settings.TRANSFER_LAYERS).stream()
                .filter(v -> (Integer) v.value() > 0).toList();
        if (kept.isEmpty()) {
            if (source != null) {
                errors.add(spec.error(source.where(), "source is given but no cell keeps layers of it "
                        + "(transfer-layers is 0 in every cell); give transfer-layers above 0, or drop the source"));
            }
            return errors;
        }
        if (source == null) {
            errors.add(spec.error(kept.get(0), "transfer-layers " + kept.get(0).value() + " keeps layers of a "
                    + "source network, but the spec has no source section; add source: with seeds, model, training "
                    + "and data, or source: {from-model: PATH}"));
            return errors;
        }
        for (Located<?> mode : Grid.values(spec, Settings.MODE)) {
            if (mode.value() == ExecutionMode.DATA_PARALLEL) {
                errors.add(spec.error(mode, "transfer cells train as grid cells; mode data-parallel does not take a "
                        + "source network yet"));
            }
        }
        for (Located<?> architecture : Grid.values(spec, Settings.ARCHITECTURE)) {
            if (architecture.value() != Architecture.MLP) {
                errors.add(spec.error(architecture, "transfer keeps the first dense layers of an mlp; a cell of "
                        + "this grid has architecture " + architecture.value() + " (residual networks as sources or "
                        + "targets are not supported yet)"));
            }
        }
        for (Located<?> normalization : Grid.values(spec, Settings.NORMALIZATION)) {
            if (normalization.value() != Normalization.NONE) {
                errors.add(spec.error(normalization, "transfer keeps dense layers of a network without "
                        + "normalization layers; a cell of this grid has normalization " + normalization.value()));
            }
        }
        for (Located<?> n : kept) {
            for (Located<?> depth : Grid.values(spec, Settings.DEPTH)) {
                if ((Integer) n.value() > (Integer) depth.value()) {
                    errors.add(spec.error(n, "transfer-layers " + n.value() + " but a cell has depth "
                            + depth.value() + " (hidden layers 0-" + ((Integer) depth.value() - 1) + "): a cell "
                            + "keeps at most its hidden layers; its output layer is always new"));
                }
            }
        }
        if (source instanceof SourceSpec.FromModel fromModel) {
            for (Located<?> data : Grid.values(spec, Settings.SOURCE_DATA)) {
                if (data.value() == SourceData.TARGET) {
                    errors.add(spec.error(data, "source-data target trains the source on the cell's own data, "
                            + "but source.from-model (" + fromModel.path() + ") is a saved network that is not "
                            + "trained; self-transfer needs a source section with seeds, model, training and data"));
                }
            }
        } else {
            errors.addAll(fit(spec, (SourceSpec.Trained) source, kept));
        }
        errors.addAll(stages(spec));
        return errors;
    }

    /** Whether the kept layers of a trained source fit every transfer cell's network. */
    private static List<SpecError> fit(SweepSpec spec, SourceSpec.Trained source, List<Located<?>> kept) {
        List<SpecError> errors = new ArrayList<>();
        CellSettings s = source.settings();
        if (s.architecture() != Architecture.MLP) {
            errors.add(spec.error(source.whereIs(Settings.ARCHITECTURE), "the source has architecture "
                    + s.architecture() + "; transfer keeps the first dense layers of an mlp"));
        }
        if (s.normalization() != Normalization.NONE) {
            errors.add(spec.error(source.whereIs(Settings.NORMALIZATION), "the source has normalization "
                    + s.normalization() + "; transfer keeps dense layers of a network without normalization"));
        }
        for (Located<?> n : kept) {
            if ((Integer) n.value() > s.depth()) {
                errors.add(spec.error(n, "transfer-layers " + n.value() + " but the source has depth " + s.depth()
                        + " (hidden layers 0-" + (s.depth() - 1) + "; " + where(source, Settings.DEPTH)
                        + "); its output layer is never kept"));
            }
        }
        // Layer 0 maps the data's features to the width; every later kept layer maps width to width, with the
        // activation the cell applies after it, in the cell's floating-point type.
        mismatch(spec, source, Settings.WIDTH, "a kept layer has the source's width and feeds the cell's next "
                + "layer", errors);
        mismatch(spec, source, Settings.ACTIVATION, "a kept layer's weights were trained under the source's "
                + "activation", errors);
        mismatch(spec, source, Settings.PRECISION, "kept layers are copied bit for bit, in the source's type",
                errors);
        return errors;
    }

    private static void mismatch(SweepSpec spec, SourceSpec.Trained source, Setting<?> setting, String why,
                                 List<SpecError> errors) {
        Object sourceValue = source.settings().get(setting);
        for (Located<?> value : Grid.values(spec, setting)) {
            if (!value.value().equals(sourceValue)) {
                errors.add(spec.error(value, "a transfer cell has " + setting.key() + " "
                        + setting.canonical(value.value()) + " but the source has " + setting.canonical(sourceValue)
                        + " (" + where(source, setting) + "): " + why + "; give both one " + setting.key()));
            }
        }
    }

    private static String where(SourceSpec.Trained source, Setting<?> setting) {
        return source.describeWhere(setting);
    }

    /** lp-ft trains {@code lp-epochs} of its {@code epochs} on the new layers alone: at least one must be left. */
    private static List<SpecError> stages(SweepSpec spec) {
        List<SpecError> errors = new ArrayList<>();
        if (!spec.valuesOf(Settings.STRATEGY).contains(TransferStrategy.LP_FT)) {
            return errors;
        }
        boolean given = spec.onGrid(Settings.LP_EPOCHS) || spec.fixed().containsKey(Settings.LP_EPOCHS.key());
        for (Located<?> epochs : Grid.values(spec, Settings.EPOCHS)) {
            int e = (Integer) epochs.value();
            if (!given) {
                if (e < 2) {
                    errors.add(spec.error(epochs, "strategy lp-ft needs epochs >= 2 (lp-epochs of the new layers "
                            + "alone, then at least one of every layer), got " + e));
                }
                continue;
            }
            for (Located<?> lp : Grid.values(spec, Settings.LP_EPOCHS)) {
                if ((Integer) lp.value() >= e) {
                    errors.add(spec.error(lp, "lp-epochs " + lp.value() + " leaves no epoch to fine-tune: a cell "
                            + "has epochs " + e + ", which count both stages; give lp-epochs below epochs"));
                }
            }
        }
        return errors;
    }
}
