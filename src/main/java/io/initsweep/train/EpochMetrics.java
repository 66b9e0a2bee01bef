package io.initsweep.train;

import java.io.Serializable;

/**
 * What one epoch ended with. Epoch 0 is the network as initialized, before any update.
 *
 * @param epoch        0..epochs
 * @param trainLoss    mean loss over the epoch's minibatches, as they were trained (epoch 0: the loss of the
 *                     whole training split at initialization)
 * @param testLoss     loss on the whole test split after the epoch
 * @param testAccuracy share of test examples classified correctly; null for regression
 * @param gradNorm     L2 norm of the loss gradient over all parameters, on the probe batch, after the epoch
 */
public record EpochMetrics(int epoch, double trainLoss, double testLoss, Double testAccuracy, double gradNorm)
        implements Serializable {

    public boolean finite() {
        return Double.isFinite(trainLoss) && Double.isFinite(testLoss);
    }
}
