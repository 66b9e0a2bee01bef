-- theory_layers: mean-field theory beside the measurement, one row per cell and layer at initialization. Measured:
-- preactivation_var, the gradient factor grad_input_var of this layer / of the next (what the layer multiplies the
-- back-propagated gradient's variance by) and the pair correlation c_l; predicted: predicted_q, predicted_grad_ratio
-- (chi1 at the fixed point with equal widths), q*, c*, chi1, xi_c, the phase and the trainable depth 6 xi_c of the
-- cell's runs row. Log ratios of measured to predicted are 0 where the theory holds; null where it does not apply
-- (theory_note says why) and on the output layer. {{r.init_settings}} are the settings that shape the initial
-- network (scheme, overrides, biases, depth, width, activation).
CREATE OR REPLACE VIEW initsweep.theory_layers
COMMENT 'per cell and layer at init: measured signal statistics beside the mean-field predictions'
AS SELECT
  r.sweep, r.cell_id, r.point_id, r.grid_point, r.seed, {{r.init_settings}},
  r.input_mean_square, r.sigma_w2, r.sigma_b2, r.q_star, r.c_star, r.chi1, r.chi_c, r.xi_c, r.theory_phase,
  r.trainable_depth, r.theory_note,
  l.layer, l.is_output, l.fan_in, l.fan_out,
  l.preactivation_var,
  l.predicted_q,
  ln(l.preactivation_var / l.predicted_q)                          AS log_q_ratio,
  l.grad_input_var / l.next_grad_input_var                         AS grad_factor,
  l.predicted_grad_ratio,
  ln(l.grad_input_var / l.next_grad_input_var / l.predicted_grad_ratio) AS log_grad_ratio,
  l.correlation
FROM (
  SELECT *, lead(grad_input_var) OVER (PARTITION BY sweep, cell_id, run_id ORDER BY layer) AS next_grad_input_var
  FROM initsweep.unique_layers
  WHERE phase = 'init' AND coalesce(kind, 'dense') = 'dense'
) l
JOIN initsweep.unique_runs r ON l.sweep = r.sweep AND l.cell_id = r.cell_id AND l.run_id = r.run_id
