package io.initsweep.schema;

import io.initsweep.Fixtures;
import io.initsweep.grid.Cell;
import io.initsweep.model.LayerRole;
import io.initsweep.theory.CellTheory;
import io.initsweep.theory.MeanField;
import io.initsweep.train.CellResult;
import io.initsweep.train.EpochMetrics;
import io.initsweep.train.JacobianSpectrum;
import io.initsweep.train.LayerStats;
import io.initsweep.train.Provenance;
import io.initsweep.train.RunStatus;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The theory's and the new diagnostics' columns in runs and layers (version 2): what each holds, null where the
 * theory does not apply with the reason beside, +Infinity where the theory says infinite, predictions on init rows
 * of hidden layers only; and every column of version 1 kept, in its order.
 */
class TestTheoryColumns {
    private static final List<String> RUNS_V1 = List.of("sweep", "cell_id", "point_id", "grid_point", "run_id",
            "status", "error", "scheme", "scheme_kind", "scheme_gain", "scheme_std", "scheme_bound", "scheme_value",
            "scheme_mode", "scheme_distribution", "lsuv_tolerance", "lsuv_max_iterations", "layer_init", "bias_init",
            "depth", "width", "activation", "optimizer", "learning_rate", "momentum", "batch_size", "epochs",
            "target_loss", "precision", "execution", "workers", "averaging_frequency", "batch_size_per_worker",
            "data_seed", "seed", "init_seed", "order_seed", "dataset", "dataset_sha256", "task", "features", "outputs",
            "train_rows", "test_rows", "epochs_run", "diverged_epoch", "initial_test_loss", "final_train_loss",
            "final_test_loss", "final_test_accuracy", "best_test_loss", "epochs_to_target", "act_var_ratio",
            "grad_var_ratio", "wall_seconds", "finished_at", "backend", "blas_vendor", "native_threads", "device",
            "dl4j_version", "java_version", "os", "host", "executor_id");
    private static final List<String> LAYERS_V1 = List.of("sweep", "cell_id", "run_id", "layer", "is_output",
            "phase", "fan_in", "fan_out", "weight_mean", "weight_std", "activation_mean", "activation_var",
            "preactivation_var", "dead_fraction", "saturated_fraction", "grad_weight_var", "grad_input_var",
            "symmetry");

    @Test
    void laterVersionsKeepEveryColumnOfVersionOneInOrder() {
        // version 3: the theory's columns (issue 14) and the residual/normalization ones (issue 15); later versions
        // add columns after them
        assertThat(Tables.RUNS.version()).isGreaterThanOrEqualTo(3);
        assertThat(Tables.LAYERS.version()).isGreaterThanOrEqualTo(3);
        List<String> runs = new ArrayList<>(Arrays.asList(Tables.RUNS.schema().fieldNames()));
        runs.retainAll(RUNS_V1);
        assertThat(runs).containsExactlyElementsOf(RUNS_V1);
        List<String> layers = new ArrayList<>(Arrays.asList(Tables.LAYERS.schema().fieldNames()));
        layers.retainAll(LAYERS_V1);
        assertThat(layers).containsExactlyElementsOf(LAYERS_V1);
        assertThat(Tables.RUNS.schema().fieldNames()).contains("bias_std", "sigma_w2", "sigma_b2", "q_star",
                "c_star", "chi1", "chi_q", "chi_c", "xi_q", "xi_c", "theory_phase", "trainable_depth", "theory_note",
                "predicted_jacobian_msv", "jacobian_msv", "jacobian_max_sv", "jacobian_sv_spread");
    }

    /** A chaotic tanh cell: its runs row holds the theory's numbers, its init rows the per-layer predictions. */
    @Test
    void aChaoticCellsRowsHoldTheTheory() {
        Cell cell = cell("variance_scaling(gain=2)", 0.5); // σ_w² = 4, σ_b² = 0.25
        CellTheory theory = CellTheory.forCell(cell.settings(), 4, 3, 1.7);
        JacobianSpectrum jacobian = new JacobianSpectrum(4, 4, 2.5, 3.0, 0.7, JacobianSpectrum.SVD);
        CellResult result = result(cell, theory, jacobian);
        Row runs = runsRow(result);
        MeanField m = theory.meanField();
        assertThat(m.phase()).isEqualTo(MeanField.Phase.CHAOTIC);
        assertThat((Double) runs.getAs("bias_std")).isEqualTo(0.5);
        assertThat((Double) runs.getAs("sigma_w2")).isCloseTo(4.0, within(1e-12));
        assertThat((Double) runs.getAs("sigma_b2")).isEqualTo(0.25);
        assertThat((Double) runs.getAs("input_mean_square")).isEqualTo(1.7);
        assertThat((Double) runs.getAs("q_star")).isEqualTo(m.qStar());
        assertThat((Double) runs.getAs("c_star")).isEqualTo(m.cStar()).isLessThan(1.0);
        assertThat((Double) runs.getAs("chi1")).isEqualTo(m.chi1()).isGreaterThan(1.0);
        assertThat((Double) runs.getAs("chi_q")).isEqualTo(m.chiQ());
        assertThat((Double) runs.getAs("chi_c")).isEqualTo(m.chiC());
        assertThat((Double) runs.getAs("xi_q")).isEqualTo(m.xiQ());
        assertThat((Double) runs.getAs("xi_c")).isEqualTo(m.xiC());
        assertThat((Double) runs.getAs("trainable_depth")).isEqualTo(6 * m.xiC());
        assertThat((String) runs.getAs("theory_phase")).isEqualTo("chaotic");
        assertThat((String) runs.getAs("theory_note")).isNull();
        assertThat((Double) runs.getAs("predicted_jacobian_msv")).isEqualTo(theory.predictedJacobianMeanSquare());
        assertThat((Double) runs.getAs("jacobian_msv")).isEqualTo(2.5);
        assertThat((Double) runs.getAs("jacobian_max_sv")).isEqualTo(3.0);
        assertThat((Double) runs.getAs("jacobian_sv_spread")).isEqualTo(0.7);

        List<Row> layers = Tables.layerRows(result).stream().map(TestTheoryColumns::layersRow).toList();
        assertThat(layers).hasSize(6);
        for (Row row : layers) {
            int layer = row.getAs("layer");
            boolean predicted = "init".equals(row.getAs("phase")) && layer < 2;
            assertThat(row.<Object>getAs("predicted_q")).as("row %s", row).isEqualTo(predicted
                    ? theory.layers().get(layer).preactivationVar() : null);
            assertThat(row.<Object>getAs("predicted_grad_ratio")).isEqualTo(predicted
                    ? theory.layers().get(layer).gradVarRatio() : null);
            assertThat((Integer) row.getAs("epoch")).isEqualTo("init".equals(row.getAs("phase")) ? 0 : 3);
            assertThat((Double) row.getAs("correlation")).isEqualTo(0.25 * layer);
        }
        // q_0 = σ_w²·E[x²] + σ_b², from the data's mean square
        assertThat((Double) layers.get(0).getAs("predicted_q")).isCloseTo(4.0 * 1.7 + 0.25, within(1e-12));
    }

    /** tanh at σ_w² = 1 without biases: critical, infinite depth scales, q* = 0 with the note saying so. */
    @Test
    void criticalityIsInfinityAndAnInapplicableSchemeIsNullWithItsReason() {
        Row critical = runsRow(result(cell("lecun_normal", 0.0),
                CellTheory.forCell(cell("lecun_normal", 0.0).settings(), 4, 3, 1.0), null));
        assertThat((String) critical.getAs("theory_phase")).isEqualTo("critical");
        assertThat((Double) critical.getAs("xi_c")).isInfinite().isPositive();
        assertThat((Double) critical.getAs("trainable_depth")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat((Double) critical.getAs("q_star")).isEqualTo(0.0);
        assertThat((String) critical.getAs("theory_note")).startsWith("q* = 0");
        assertThat(critical.<Object>getAs("jacobian_msv")).isNull();

        Cell lsuv = cell("lsuv", 0.0);
        Row inapplicable = runsRow(result(lsuv, CellTheory.forCell(lsuv.settings(), 4, 3, 1.0), null));
        for (String column : List.of("sigma_w2", "q_star", "c_star", "chi1", "xi_c", "theory_phase",
                "trainable_depth", "predicted_jacobian_msv")) {
            assertThat(inapplicable.<Object>getAs(column)).as(column).isNull();
        }
        assertThat((String) inapplicable.getAs("theory_note")).contains("lsuv sets the weight variance from a batch");
        assertThat((Double) inapplicable.getAs("sigma_b2")).isEqualTo(0.0);

        Row notComputed = runsRow(result(lsuv, null, null));
        assertThat((String) notComputed.getAs("theory_note")).isEqualTo("not computed");
        assertThat(notComputed.<Object>getAs("sigma_b2")).isNull();
    }

    private static Cell cell(String scheme, double biasStd) {
        return Fixtures.sweep("""
                name: columns
                seeds: 1
                grid: {scheme: [%s]}
                model: {depth: 2, width: 8, activation: tanh, bias-std: %s}
                training: {epochs: 3}
                data: {dataset: blobs, samples: 60}
                """.formatted(scheme, biasStd)).cells().get(0);
    }

    private static CellResult result(Cell cell, CellTheory theory, JacobianSpectrum jacobian) {
        List<LayerStats> layers = new ArrayList<>();
        for (LayerStats.Phase phase : List.of(LayerStats.Phase.INIT, LayerStats.Phase.FINAL)) {
            for (int layer = 0; layer <= 2; layer++) {
                layers.add(new LayerStats(layer, phase, 8, 8, 0.0, 0.1, 0, 1, 1.0, null, 0.1, 1e-3, 1e-4, 0.0,
                        phase == LayerStats.Phase.INIT ? 0 : 3, 0.25 * layer,
                        LayerStats.Placement.dense(layer < 2 ? LayerRole.HIDDEN : LayerRole.OUTPUT, null)));
            }
        }
        return new CellResult(cell, Fixtures.sweep("""
                name: columns
                seeds: 1
                grid: {scheme: [he_normal]}
                model: {depth: 2, activation: tanh}
                data: {dataset: blobs, samples: 60}
                """).datasets().get(0L).identity(), RunStatus.OK, null, null,
                List.of(new EpochMetrics(0, 1, 1, 0.5, 0.1)), layers, 0.1, Instant.EPOCH,
                new Provenance("cpu", "OPENBLAS", 1, "test", "1.0.0-M2.1", "17", "Linux", "host", "driver", "run"),
                theory, jacobian);
    }

    private static Row runsRow(CellResult result) {
        return withSchema(Tables.RUNS.toRow(result), Tables.RUNS);
    }

    private static Row layersRow(Tables.LayerRow row) {
        return withSchema(Tables.LAYERS.toRow(row), Tables.LAYERS);
    }

    private static Row withSchema(Row row, Table<?> table) {
        Object[] values = new Object[row.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(i);
        }
        return new GenericRowWithSchema(values, table.schema());
    }
}
