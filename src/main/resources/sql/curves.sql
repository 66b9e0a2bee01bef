-- curves: per sweep, grid point and epoch, the test loss over seeds. Non-finite losses (the epoch a seed
-- diverged) are left out of the statistics; n_seeds says how many seeds each point rests on.
CREATE OR REPLACE VIEW initsweep.curves
COMMENT 'per sweep, grid point and epoch: mean, std, min, max of the test loss over seeds'
AS SELECT
  r.sweep, r.point_id, r.grid_point, r.scheme, r.depth, r.width, r.activation, r.optimizer, r.learning_rate,
  r.batch_size, r.dataset, r.data_seed, e.epoch,
  count(*)                      AS n_seeds,
  avg(e.test_loss)              AS test_loss_mean,
  stddev_samp(e.test_loss)      AS test_loss_std,
  min(e.test_loss)              AS test_loss_min,
  max(e.test_loss)              AS test_loss_max,
  avg(e.train_loss)             AS train_loss_mean,
  avg(e.test_accuracy)          AS test_accuracy_mean,
  avg(e.grad_norm)              AS grad_norm_mean
FROM initsweep.unique_epochs e
JOIN initsweep.unique_runs r ON e.sweep = r.sweep AND e.cell_id = r.cell_id AND e.run_id = r.run_id
WHERE NOT isnan(e.test_loss) AND abs(e.test_loss) < double('Infinity')
GROUP BY r.sweep, r.point_id, r.grid_point, r.scheme, r.depth, r.width, r.activation, r.optimizer,
  r.learning_rate, r.batch_size, r.dataset, r.data_seed, e.epoch
