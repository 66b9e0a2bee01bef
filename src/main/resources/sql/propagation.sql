-- propagation: signal through depth at initialization, averaged over seeds. Variances span orders of magnitude,
-- so the mean of log10 is given beside the plain mean. {{r.init_settings}} are the settings that shape the initial
-- network (scheme, layer overrides, biases, depth, width, activation, architecture, normalization, block depth,
-- branch scale: the settings registry's init-seed role). A layer index can have several rows of different kinds
-- (a dense layer, the normalization before or after it, the residual block it ends); rows written before the
-- layers table had kinds are dense ones.
CREATE OR REPLACE VIEW initsweep.propagation
COMMENT 'per sweep, initial network (scheme, overrides, bias, depth, width, activation, architecture, normalization) and layer row: signal statistics at init, mean over seeds'
AS SELECT
  r.sweep, {{r.init_settings}}, l.layer, l.is_output, coalesce(l.kind, 'dense') AS kind, l.block,
  count(*)                                  AS n_seeds,
  avg(l.activation_var)                     AS activation_var_mean,
  avg(log10(l.activation_var))              AS activation_var_log10_mean,
  avg(l.preactivation_var)                  AS preactivation_var_mean,
  avg(l.grad_weight_var)                    AS grad_weight_var_mean,
  avg(log10(l.grad_weight_var))             AS grad_weight_var_log10_mean,
  avg(l.grad_input_var)                     AS grad_input_var_mean,
  avg(l.dead_fraction)                      AS dead_fraction_mean,
  avg(l.saturated_fraction)                 AS saturated_fraction_mean,
  avg(l.symmetry)                           AS symmetry_mean,
  avg(l.stream_var)                         AS stream_var_mean,
  avg(log10(l.stream_var))                  AS stream_var_log10_mean,
  avg(l.branch_var)                         AS branch_var_mean,
  avg(l.branch_ratio)                       AS branch_ratio_mean,
  avg(l.norm_var_mean)                      AS norm_var_mean
FROM initsweep.unique_layers l
JOIN initsweep.unique_runs r ON l.sweep = r.sweep AND l.cell_id = r.cell_id AND l.run_id = r.run_id
WHERE l.phase = 'init'
GROUP BY r.sweep, {{r.init_settings}}, l.layer, l.is_output, coalesce(l.kind, 'dense'), l.block
