-- unique_runs: initsweep.runs with one row per sweep and cell. A table's directory may hold a file twice (a copy
-- made by hand, a backup put back); initsweep's own reads follow the commit log, and these views keep SQL over the
-- catalog from counting such rows twice. Of several rows of a cell, the latest run's is kept. The analysis views
-- read these; `jobs/initsweep check` names the files that should not be there. A setting's column that a row
-- written before the setting existed leaves null reads as the setting's default ({{runs_with_defaults}}, from the
-- settings registry), so a sweep that straddles an upgrade keeps its grid points together.
CREATE OR REPLACE VIEW initsweep.unique_runs
COMMENT 'runs, one row per sweep and cell (the latest run of a cell whose rows are in the directory twice)'
AS SELECT {{runs_with_defaults}} FROM (
  SELECT max_by(struct(*), struct(finished_at, run_id)) AS kept FROM initsweep.runs GROUP BY {{key:runs}}
) AS deduplicated
