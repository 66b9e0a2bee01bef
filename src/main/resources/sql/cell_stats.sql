-- cell_stats: one row per sweep and grid point (every coordinate but the seed): how the seeds of a point ended.
-- Losses and accuracies are over the seeds that finished ok (a diverged seed has no final loss; it is counted).
-- {{settings}} is every stored setting's column (from the settings registry), so every setting splits points.
CREATE OR REPLACE VIEW initsweep.cell_stats
COMMENT 'per sweep and grid point (all coordinates but the seed): outcome counts and spread over seeds'
AS SELECT
  sweep, point_id, grid_point, {{settings}}, dataset,
  count(*)                                              AS n_seeds,
  count_if(status = 'ok')                               AS n_ok,
  count_if(status = 'diverged')                         AS n_diverged,
  count_if(status = 'failed')                           AS n_failed,
  count_if(status = 'diverged') / count(*)              AS diverged_rate,
  avg(final_test_loss)                                  AS final_test_loss_mean,
  stddev_samp(final_test_loss)                          AS final_test_loss_std,
  stddev_samp(final_test_loss) / avg(final_test_loss)   AS final_test_loss_cv,
  min(final_test_loss)                                  AS final_test_loss_min,
  percentile(final_test_loss, 0.5)                      AS final_test_loss_median,
  max(final_test_loss)                                  AS final_test_loss_max,
  avg(final_test_accuracy)                              AS final_test_accuracy_mean,
  stddev_samp(final_test_accuracy)                      AS final_test_accuracy_std,
  stddev_samp(final_test_accuracy) / avg(final_test_accuracy) AS final_test_accuracy_cv,
  min(final_test_accuracy)                              AS final_test_accuracy_min,
  percentile(final_test_accuracy, 0.5)                  AS final_test_accuracy_median,
  max(final_test_accuracy)                              AS final_test_accuracy_max,
  avg(epochs_to_target)                                 AS epochs_to_target_mean,
  stddev_samp(epochs_to_target)                         AS epochs_to_target_std,
  count(epochs_to_target) / count(*)                    AS reached_rate,
  avg(act_var_ratio)                                    AS act_var_ratio_mean,
  avg(grad_var_ratio)                                   AS grad_var_ratio_mean
FROM initsweep.unique_runs
GROUP BY sweep, point_id, grid_point, {{settings}}, dataset
