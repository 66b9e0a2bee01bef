package io.initsweep.dl4j;

import io.initsweep.model.Activation;
import io.initsweep.model.LayerRole;
import io.initsweep.train.Diagnostics;
import io.initsweep.train.JacobianSpectrum;
import io.initsweep.train.LayerStats;

import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * Forward and backward signal through a cell's network on the probe batch, layer by layer, for the {@code layers}
 * table and for LSUV. It recomputes {@code z = xW + b} and the activations from the network's own parameters,
 * activation functions and loss, because DL4J exposes post-activations only.
 */
final class Propagation {
    private final MultiLayerNetwork network;
    private final int layers;

    Propagation(MultiLayerNetwork network) {
        this.network = network;
        this.layers = network.getnLayers();
    }

    /** Pre-activations and activations of every layer; index 0 of {@code activations} is the input. */
    record Forward(List<INDArray> preactivations, List<INDArray> activations) {
    }

    Forward forward(INDArray input, int throughLayer) {
        List<INDArray> pre = new ArrayList<>();
        List<INDArray> post = new ArrayList<>();
        post.add(input);
        INDArray a = input;
        for (int l = 0; l <= throughLayer; l++) {
            INDArray z = a.mmul(weights(l)).addiRowVector(network.getLayer(l).getParam("b"));
            pre.add(z);
            a = activation(l).getActivation(z.dup(), false);
            post.add(a);
        }
        return new Forward(pre, post);
    }

    INDArray weights(int layer) {
        return network.getLayer(layer).getParam("W");
    }

    private IActivation activation(int layer) {
        return ((FeedForwardLayer) network.getLayer(layer).conf().getLayer()).getActivationFn();
    }

    /**
     * Statistics of every layer on the probe batch.
     *
     * @param hidden the hidden layers' activation (dead units and saturation are judged by it)
     * @param epoch  the epoch after which the network is measured (0 at init)
     */
    List<LayerStats> measure(INDArray probeX, INDArray probeY, Activation hidden, LayerStats.Phase phase, int epoch) {
        int last = layers - 1;
        Forward forward = forward(probeX, last);
        int examples = probeX.rows();

        // Backward: δ_L = ∂L/∂z_L of the mean loss; ∂L/∂W_l = a_{l-1}ᵀ δ_l; ∂L/∂a_{l-1} = δ_l W_lᵀ.
        BaseOutputLayer outputConf = (BaseOutputLayer) network.getLayer(last).conf().getLayer();
        ILossFunction loss = outputConf.getLossFn();
        INDArray delta = loss.computeGradient(probeY, forward.preactivations().get(last).dup(), activation(last), null)
                .divi(examples);
        INDArray[] gradWeights = new INDArray[layers];
        INDArray[] gradInputs = new INDArray[layers];
        for (int l = last; l >= 0; l--) {
            gradWeights[l] = forward.activations().get(l).transpose().mmul(delta);
            gradInputs[l] = delta.mmul(weights(l).transpose());
            if (l > 0) {
                delta = activation(l - 1).backprop(forward.preactivations().get(l - 1).dup(), gradInputs[l].dup())
                        .getFirst();
            }
        }

        List<LayerStats> stats = new ArrayList<>();
        for (int l = 0; l <= last; l++) {
            INDArray w = weights(l);
            stats.add(layerStats(l, phase, epoch, w.rows(), w.columns(), l < last, hidden, examples, doubles(w),
                    doubles(forward.preactivations().get(l)), doubles(forward.activations().get(l + 1)),
                    doubles(gradWeights[l]), doubles(gradInputs[l])));
        }
        return stats;
    }

    /**
     * The singular values of the input-output Jacobian {@code J = ∂a_{L−1}/∂x} (last hidden layer's output by the
     * input) at the first {@link JacobianSpectrum#PROBE_POINTS} probe rows; see {@link JacobianSpectrum} for the
     * definitions. Null where the spectrum overflowed.
     */
    JacobianSpectrum jacobian(INDArray probeX) {
        int points = Math.min(JacobianSpectrum.PROBE_POINTS, (int) probeX.rows());
        int lastHidden = layers - 2;
        int features = (int) probeX.columns();
        int width = (int) weights(lastHidden).columns();
        int n = Math.min(features, width);
        boolean svd = n <= JacobianSpectrum.FULL_SPECTRUM_LIMIT;
        List<JacobianSpectrum.Point> spectra = new ArrayList<>();
        for (int p = 0; p < points; p++) {
            INDArray transposed = jacobianTransposed(probeX.getRow(p, true), lastHidden); // features × width
            if (svd) {
                spectra.add(JacobianSpectrum.ofMatrix(doubles(transposed), features, width));
            } else {
                spectra.add(gramSpectrum(transposed.castTo(DataType.DOUBLE), features <= width));
            }
        }
        return JacobianSpectrum.mean(spectra, svd ? JacobianSpectrum.SVD : JacobianSpectrum.POWER_ITERATION);
    }

    /**
     * {@code Jᵀ = W_0 D_0 W_1 D_1 ⋯ W_L D_L} at one input row, with {@code D_l = diag(φ'(z_l))} from the network's
     * own activation's backprop. Multiplied from the side of the narrower end, so the cost is
     * {@code depth·width²·min(features, width)}.
     */
    INDArray jacobianTransposed(INDArray row, int throughLayer) {
        Forward forward = forward(row, throughLayer);
        INDArray[] factors = new INDArray[throughLayer + 1]; // W_l D_l, fan_in × fan_out
        for (int l = 0; l <= throughLayer; l++) {
            INDArray z = forward.preactivations().get(l);
            INDArray slope = activation(l).backprop(z.dup(), Nd4j.onesLike(z)).getFirst();
            factors[l] = weights(l).mulRowVector(slope);
        }
        boolean fromInput = weights(0).rows() <= weights(throughLayer).columns();
        if (fromInput) {
            INDArray product = factors[0];
            for (int l = 1; l <= throughLayer; l++) {
                product = product.mmul(factors[l]);
            }
            return product;
        }
        INDArray product = factors[throughLayer];
        for (int l = throughLayer - 1; l >= 0; l--) {
            product = factors[l].mmul(product);
        }
        return product;
    }

    /** Σσ², Σσ⁴ and σ_max² from the Gram matrix of {@code Jᵀ} on its narrower side. */
    static JacobianSpectrum.Point gramSpectrum(INDArray transposed, boolean featuresSide) {
        INDArray gram = featuresSide ? transposed.mmul(transposed.transpose())
                : transposed.transpose().mmul(transposed);
        int n = (int) gram.rows();
        double trace = 0;
        for (int i = 0; i < n; i++) {
            trace += gram.getDouble(i, i);
        }
        double frobenius = gram.mul(gram).sumNumber().doubleValue();
        return JacobianSpectrum.ofGram(n, trace, frobenius, largestEigenvalue(gram));
    }

    /**
     * The largest eigenvalue of a symmetric positive semi-definite matrix by power iteration from a fixed
     * pseudo-random start, until the residual {@code ‖Gv − ρv‖} is at most 1e-6·ρ (ρ the Rayleigh quotient) or
     * {@value #POWER_ITERATIONS} iterations. ρ never exceeds the largest eigenvalue, and some eigenvalue lies within
     * the residual of it; where the top eigenvalues are close (the slow case), ρ is within their gap plus the
     * residual of the largest.
     */
    static double largestEigenvalue(INDArray gram) {
        int n = (int) gram.rows();
        double[] start = new double[n];
        org.apache.commons.math3.random.Well19937c random = new org.apache.commons.math3.random.Well19937c(n);
        for (int i = 0; i < n; i++) {
            start[i] = random.nextGaussian(); // a random direction: orthogonal to the top eigenvector with probability 0
        }
        INDArray v = Nd4j.create(start, new long[] {n, 1}, 'c').castTo(gram.dataType());
        v.divi(v.norm2Number());
        double rho = 0;
        for (int i = 0; i < POWER_ITERATIONS; i++) {
            INDArray w = gram.mmul(v);
            rho = v.mul(w).sumNumber().doubleValue();
            if (!(rho > 0) || !Double.isFinite(rho)) {
                return rho; // 0 for a zero Jacobian; NaN/∞ for an overflow, which the caller reports as none
            }
            double residual = w.sub(v.mul(rho)).norm2Number().doubleValue();
            if (residual <= 1e-6 * rho) {
                return rho;
            }
            v = w.divi(w.norm2Number());
        }
        return rho;
    }

    static final int POWER_ITERATIONS = 10_000;

    /**
     * One layer's statistics from its values on the probe batch, all row-major: the weights ({@code fanIn × fanOut}),
     * the pre-activations and activations ({@code examples × fanOut}), the weight gradient ({@code fanIn × fanOut})
     * and the input gradient ({@code examples × fanIn}) of the mean loss. The one place both trainers (per cell and
     * batched) compute an MLP's layer rows, so that equal values give equal statistics.
     *
     * @param epoch the epoch after which the layer is measured (0 at init)
     */
    static LayerStats layerStats(int layer, LayerStats.Phase phase, int epoch, int fanIn, int fanOut,
                                 boolean isHidden, Activation hidden, int examples, double[] weights,
                                 double[] preactivations, double[] activations, double[] gradWeights,
                                 double[] gradInputs) {
        Activation.Family family = hidden.family();
        return new LayerStats(layer, phase, fanIn, fanOut,
                Diagnostics.mean(weights), Math.sqrt(Diagnostics.variance(weights)),
                Diagnostics.mean(activations), Diagnostics.variance(activations), Diagnostics.variance(preactivations),
                isHidden && family == Activation.Family.RECTIFIER
                        ? Diagnostics.deadFraction(preactivations, examples, fanOut) : null,
                isHidden && family == Activation.Family.SATURATING
                        ? Diagnostics.saturatedFraction(activations, hidden) : null,
                Diagnostics.variance(gradWeights),
                Diagnostics.variance(gradInputs),
                Diagnostics.symmetry(weights, fanIn, fanOut), epoch,
                Diagnostics.pairCorrelation(preactivations, examples, fanOut, Diagnostics.CORRELATION_PAIRS),
                LayerStats.Placement.dense(isHidden ? LayerRole.HIDDEN : LayerRole.OUTPUT, null));
    }

    /**
     * Layer-sequential unit variance (Mishkin and Matas 2016): from the input up, divide each LSUV layer's weights
     * by the standard deviation of its pre-activation on the batch until the variance is within {@code tolerance}
     * of 1 or {@code maxIterations} rescalings were made.
     *
     * @param lsuvLayers which layers use LSUV (others keep their weights)
     * @return rescalings made per layer
     */
    int[] lsuv(INDArray batch, boolean[] lsuvLayers, double tolerance, int maxIterations) {
        int[] iterations = new int[layers];
        for (int l = 0; l < layers; l++) {
            if (!lsuvLayers[l]) {
                continue;
            }
            for (int i = 0; i < maxIterations; i++) {
                double variance = forward(batch, l).preactivations().get(l).varNumber().doubleValue();
                if (!(variance > 0) || !Double.isFinite(variance) || Math.abs(variance - 1.0) < tolerance) {
                    break; // converged, or a dead input that no rescaling of this layer can fix
                }
                weights(l).divi(Math.sqrt(variance));
                iterations[l]++;
            }
        }
        return iterations;
    }

    static double[] doubles(INDArray array) {
        return array.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
