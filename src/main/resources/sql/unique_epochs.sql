-- unique_epochs: initsweep.epochs with one row per sweep, cell, run and epoch (see unique_runs). Join it with
-- unique_runs on sweep, cell_id and run_id to keep the epochs of the run that counts.
CREATE OR REPLACE VIEW initsweep.unique_epochs
COMMENT 'epochs, one row per sweep, cell, run and epoch'
AS SELECT kept.* FROM (
  SELECT first(struct(*)) AS kept FROM initsweep.epochs GROUP BY {{key:epochs}}
)
