-- layer_channels: the per-channel statistics of convolution layers (cnn cells), one row per sweep, cell, run, phase,
-- layer and output channel: the layers table keeps them as arrays indexed by channel in the layer's row (one row per
-- layer, as for every other kind), and this view unfolds them. Join it with unique_runs on sweep, cell_id and run_id
-- for the cell's settings.
CREATE OR REPLACE VIEW initsweep.layer_channels
COMMENT 'convolution layers of cnn cells, one row per sweep, cell, run, phase, layer and output channel'
AS SELECT
  l.sweep, l.cell_id, l.run_id, l.phase, l.epoch, l.layer, c.channel,
  c.activation_var,
  l.channel_grad_weight_var[c.channel]    AS grad_weight_var,
  l.channel_dead_fraction[c.channel]      AS dead_fraction,
  l.channel_saturated_fraction[c.channel] AS saturated_fraction
FROM initsweep.unique_layers l
LATERAL VIEW posexplode(l.channel_activation_var) c AS channel, activation_var
WHERE l.kind = 'convolution'
