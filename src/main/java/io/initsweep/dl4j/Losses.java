package io.initsweep.dl4j;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The losses of the output layers {@link Networks} builds, computed from the layer's output (its activation of
 * {@code z}) with the very ND4J ops DL4J's loss functions apply to the activation they compute from {@code z}:
 * so a caller that already holds the output (for the accuracy) gets DL4J's score without a second forward pass.
 */
final class Losses {
    /** LossMCXENT's default clip of the softmax before the log. */
    private static final double SOFTMAX_CLIP = 1e-10;

    private Losses() {
    }

    /**
     * The loss summed over the examples, as {@code ILossFunction.computeScore(labels, z, activation, null, false)}:
     * for classification (softmax output, LossMCXENT) {@code −Σ y·log(clip(p))}; for regression (identity output,
     * LossMSE) {@code Σ (y − out)²} over the outputs. Divide by the rows for DL4J's {@code score()}.
     *
     * @param output the output layer's activation: the softmax probabilities, or z itself for regression
     */
    static double score(INDArray output, INDArray labels, boolean classification) {
        if (classification) {
            // LossMCXENT.scoreArray: the clipped softmax, its log, times the labels; computeScore negates the sum
            INDArray p = output.dup();
            BooleanIndexing.replaceWhere(p, SOFTMAX_CLIP, Conditions.lessThan(SOFTMAX_CLIP));
            BooleanIndexing.replaceWhere(p, 1.0 - SOFTMAX_CLIP, Conditions.greaterThan(1.0 - SOFTMAX_CLIP));
            INDArray scoreArr = Transforms.log(p, false).muli(labels);
            return -scoreArr.sumNumber().doubleValue();
        }
        // LossL2.scoreArray: (labels − output)², element by element; LossMSE.computeScore: the sum over the outputs
        INDArray scoreArr = output.rsub(labels);
        scoreArr.muli(scoreArr);
        return scoreArr.sumNumber().doubleValue() / labels.size(1);
    }
}
