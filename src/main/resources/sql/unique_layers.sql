-- unique_layers: initsweep.layers with one row per sweep, cell, run, phase and layer (see unique_runs). Join it
-- with unique_runs on sweep, cell_id and run_id to keep the layers of the run that counts.
CREATE OR REPLACE VIEW initsweep.unique_layers
COMMENT 'layers, one row per sweep, cell, run, phase, epoch, layer, kind and block'
AS SELECT kept.* FROM (
  SELECT first(struct(*)) AS kept FROM initsweep.layers GROUP BY {{key:layers}}
)
