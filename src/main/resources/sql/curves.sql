-- curves: per sweep, grid point and epoch, the test loss over seeds. Non-finite losses (the epoch a seed
-- diverged) are left out of the statistics; n_seeds says how many seeds each point rests on. Losses are skewed
-- and bounded below by 0, so the median and quartiles are given beside the mean and std (the report draws the
-- median with the interquartile band).
CREATE OR REPLACE VIEW initsweep.curves
COMMENT 'per sweep, grid point and epoch: mean, std, quartiles, min, max of the test loss over seeds'
AS SELECT
  r.sweep, r.point_id, r.grid_point, {{r.settings}}, r.dataset, e.epoch,
  count(*)                      AS n_seeds,
  avg(e.test_loss)              AS test_loss_mean,
  stddev_samp(e.test_loss)      AS test_loss_std,
  percentile(e.test_loss, 0.25) AS test_loss_q25,
  percentile(e.test_loss, 0.5)  AS test_loss_median,
  percentile(e.test_loss, 0.75) AS test_loss_q75,
  min(e.test_loss)              AS test_loss_min,
  max(e.test_loss)              AS test_loss_max,
  avg(e.train_loss)             AS train_loss_mean,
  avg(e.test_accuracy)          AS test_accuracy_mean,
  avg(e.grad_norm)              AS grad_norm_mean
FROM initsweep.unique_epochs e
JOIN initsweep.unique_runs r ON e.sweep = r.sweep AND e.cell_id = r.cell_id AND e.run_id = r.run_id
WHERE NOT isnan(e.test_loss) AND abs(e.test_loss) < double('Infinity')
GROUP BY r.sweep, r.point_id, r.grid_point, {{r.settings}}, r.dataset, e.epoch
