package io.initsweep.dl4j;

import io.initsweep.grid.Cell;
import io.initsweep.grid.NetworkLayout;
import io.initsweep.init.KernelShape;
import io.initsweep.init.SchemeKind;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.model.LayerRole;
import io.initsweep.train.Diagnostics;
import io.initsweep.train.JacobianSpectrum;
import io.initsweep.train.LayerStats;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Forward and backward signal through a cnn cell on the probe batch, layer by layer, for the {@code layers} table,
 * LSUV and the input-output Jacobian. Like the MLP's {@link Propagation} it recomputes every step from the network's
 * own parameters, activation functions and loss (DL4J exposes post-activations only), with the convolution DL4J's
 * {@code ConvolutionLayer} computes without a helper library: the input unrolled into patches by ND4J's
 * {@code im2col} (same mode, the layout's padding), times the kernel read as a {@code C_out × (C_in·k·k)} matrix;
 * its gradient with respect to the input folded back by {@code col2im}. Global average pooling and the dense output
 * layer follow. {@code TestConvNetworks} checks the output and the weight gradients against DL4J's.
 */
final class ConvPropagation {
    private static final Logger log = LoggerFactory.getLogger(ConvPropagation.class);

    /**
     * The most floating-point operations one cell spends on its Jacobian (all probe points): building J column by
     * column costs {@code features} passes through the linearized convolutions, and its Gram matrix
     * {@code features²·units}. About two seconds of one core here; a cell above it records no spectrum (the columns
     * stay null) and says so in the log. Images of 16×16 at 32 layers of 16 channels take a fifth of it.
     */
    static final double JACOBIAN_FLOPS = 1e11;

    /** Basis vectors pushed through the linearized network at once when building the Jacobian. */
    private static final int JACOBIAN_CHUNK = 64;

    private final MultiLayerNetwork network;
    private final NetworkLayout layout;
    private final int convolutions;

    ConvPropagation(MultiLayerNetwork network, NetworkLayout layout) {
        this.network = network;
        this.layout = layout;
        this.convolutions = layout.outputIndex();
    }

    /** The values of one forward pass, in the network's data type. */
    static final class Forward {
        /** z_l = W_l * a_{l−1} + b_l of each convolution, {@code [N, C_l, H_l, W_l]}. */
        final List<INDArray> pre = new ArrayList<>();
        /** a_l = φ(z_l); index 0 is the input as an image batch {@code [N, C, H, W]}, index l + 1 convolution l's. */
        final List<INDArray> post = new ArrayList<>();
        /** Each convolution's input unrolled, {@code [N·H'·W', C_in·k·k]}, rows ordered by example, row, column. */
        final List<INDArray> columns = new ArrayList<>();
        /** Global average pooling of the last convolution's output, {@code [N, C]}. */
        INDArray pooled;
        /** The output layer's {@code pooled·W + b}. */
        INDArray outputPre;
        /** The output layer's activation (softmax probabilities for classification). */
        INDArray prediction;
    }

    /**
     * The forward pass on flat rows ({@code C·H·W} values each, row-major, as the data holds them), through
     * convolution {@code through} (the output layer's index: all the way).
     */
    Forward forward(INDArray rows, int through) {
        NetworkLayout.Conv first = conv(0);
        Forward f = new Forward();
        f.post.add(rows.dup('c').reshape('c', rows.rows(), first.kernel().inChannels(), first.inHeight(),
                first.inWidth()));
        for (int l = 0; l < Math.min(through + 1, convolutions); l++) {
            INDArray[] z = convolve(f.post.get(l), weights(l), bias(l), conv(l));
            f.pre.add(z[0]);
            f.columns.add(z[1]);
            f.post.add(activation(l).getActivation(z[0].dup(), false));
        }
        if (through >= convolutions) {
            INDArray last = f.post.get(convolutions);
            f.pooled = last.mean(2, 3);
            f.outputPre = f.pooled.mmul(weights(convolutions)).addiRowVector(bias(convolutions));
            f.prediction = activation(convolutions).getActivation(f.outputPre.dup(), false);
        }
        return f;
    }

    /**
     * A same-padded convolution as DL4J's {@code ConvolutionLayer} computes it without a helper.
     *
     * @param input   {@code [N, C_in, H, W]}
     * @param weights {@code [C_out, C_in, k, k]}
     * @param bias    {@code C_out} values, or null for none (the linearized network of the Jacobian)
     * @return the output {@code [N, C_out, H', W']} ('c' order) and the unrolled input {@code [N·H'·W', C_in·k·k]}
     */
    static INDArray[] convolve(INDArray input, INDArray weights, INDArray bias, NetworkLayout.Conv conv) {
        KernelShape k = conv.kernel();
        long n = input.size(0);
        long positions = n * conv.outHeight() * conv.outWidth();
        INDArray col = Nd4j.createUninitialized(input.dataType(), new long[] {n, conv.outHeight(), conv.outWidth(),
                k.inChannels(), k.height(), k.width()}, 'c');
        Convolution.im2col(input, k.height(), k.width(), conv.stride(), conv.stride(), conv.padTop(), conv.padLeft(),
                1, 1, true, col.permute(0, 3, 4, 5, 1, 2));
        INDArray columns = col.reshape('c', positions, (long) k.inChannels() * k.taps());
        INDArray z = columns.mmul(kernelMatrix(weights, k).transpose());
        if (bias != null) {
            z.addiRowVector(bias.reshape(1, k.outChannels()));
        }
        INDArray out = z.reshape('c', n, conv.outHeight(), conv.outWidth(), k.outChannels()).permute(0, 3, 1, 2)
                .dup('c');
        return new INDArray[] {out, columns};
    }

    /**
     * The gradients of a convolution from {@code delta = ∂L/∂z} ({@code [N, C_out, H', W']}) and its unrolled input.
     *
     * @return ∂L/∂W {@code [C_out, C_in, k, k]} and ∂L/∂input {@code [N, C_in, H, W]}
     */
    static INDArray[] convolutionGradients(INDArray delta, INDArray columns, INDArray weights,
                                           NetworkLayout.Conv conv) {
        KernelShape k = conv.kernel();
        long n = delta.size(0);
        INDArray delta2d = delta.permute(0, 2, 3, 1).dup('c').reshape('c', n * conv.outHeight() * conv.outWidth(),
                k.outChannels());
        INDArray gradWeights = delta2d.transpose().mmul(columns).reshape('c', k.outChannels(), k.inChannels(),
                k.height(), k.width());
        INDArray gradColumns = delta2d.mmul(kernelMatrix(weights, k))
                .reshape('c', n, conv.outHeight(), conv.outWidth(), k.inChannels(), k.height(), k.width())
                .permute(0, 3, 4, 5, 1, 2).dup('c');
        INDArray gradInput = Nd4j.create(delta.dataType(), n, k.inChannels(), conv.inHeight(), conv.inWidth());
        Convolution.col2im(gradColumns, gradInput, conv.stride(), conv.stride(), conv.padTop(), conv.padLeft(),
                conv.inHeight(), conv.inWidth(), 1, 1);
        return new INDArray[] {gradWeights, gradInput};
    }

    /** The kernel as the {@code C_out × (C_in·k·k)} matrix of {@link KernelShape}'s layout. */
    private static INDArray kernelMatrix(INDArray weights, KernelShape k) {
        return weights.dup('c').reshape('c', k.outChannels(), (long) k.inChannels() * k.taps());
    }

    /** Every gradient of the mean loss the backward pass computes. */
    static final class Backward {
        /** ∂L/∂W of each convolution, then of the output layer. */
        final INDArray[] weights;
        /** ∂L/∂(input) of each convolution ({@code [N, C, H, W]}), then of the output layer (∂L/∂pooled). */
        final INDArray[] inputs;

        Backward(int layers) {
            weights = new INDArray[layers];
            inputs = new INDArray[layers];
        }
    }

    /** The backward pass of the mean loss over the batch. */
    Backward backward(Forward f, INDArray labels) {
        Backward b = new Backward(convolutions + 1);
        int examples = (int) labels.rows();
        BaseOutputLayer outputConf = (BaseOutputLayer) network.getLayer(networkLayer(convolutions)).conf().getLayer();
        ILossFunction loss = outputConf.getLossFn();
        INDArray delta = loss.computeGradient(labels, f.outputPre.dup(), activation(convolutions), null)
                .divi(examples);
        b.weights[convolutions] = f.pooled.transpose().mmul(delta);
        b.inputs[convolutions] = delta.mmul(weights(convolutions).transpose());
        // global average pooling: every position of a channel gets the channel's gradient over the positions' count
        INDArray last = f.post.get(convolutions);
        INDArray gradient = Nd4j.zeros(last.dataType(), last.shape()).addi(1.0 / (last.size(2) * last.size(3)));
        Broadcast.mul(gradient, b.inputs[convolutions], gradient, 0, 1);
        for (int l = convolutions - 1; l >= 0; l--) {
            INDArray dz = activation(l).backprop(f.pre.get(l).dup(), gradient.dup()).getFirst();
            INDArray[] grads = convolutionGradients(dz, f.columns.get(l), weights(l), conv(l));
            b.weights[l] = grads[0];
            b.inputs[l] = grads[1];
            gradient = grads[1];
        }
        return b;
    }

    /**
     * Statistics of every convolution layer and of the output layer on the probe batch.
     *
     * @param hidden the nonlinearity after every convolution (dead channels and saturation are judged by it)
     */
    List<LayerStats> measure(INDArray probeX, INDArray probeY, Activation hidden, LayerStats.Phase phase,
                             int epoch) {
        Forward f = forward(probeX, convolutions);
        Backward b = backward(f, probeY);
        int examples = (int) probeX.rows();
        List<LayerStats> rows = new ArrayList<>();
        for (int l = 0; l < convolutions; l++) {
            rows.add(convolutionRow(l, f, b, hidden, examples, phase, epoch));
        }
        NetworkLayout.Layer output = layout.output();
        double[] w = Propagation.doubles(weights(convolutions));
        double[] z = Propagation.doubles(f.outputPre);
        double[] a = Propagation.doubles(f.prediction);
        rows.add(new LayerStats(output.index(), phase, output.fanIn(), output.fanOut(),
                Diagnostics.mean(w), Math.sqrt(Diagnostics.variance(w)), Diagnostics.mean(a), Diagnostics.variance(a),
                Diagnostics.variance(z), null, null,
                Diagnostics.variance(Propagation.doubles(b.weights[convolutions])),
                Diagnostics.variance(Propagation.doubles(b.inputs[convolutions])),
                Diagnostics.symmetry(w, output.fanIn(), output.fanOut()), epoch,
                Diagnostics.pairCorrelation(z, examples, output.fanOut(), Diagnostics.CORRELATION_PAIRS),
                LayerStats.Placement.dense(LayerRole.OUTPUT, null)));
        return rows;
    }

    private LayerStats convolutionRow(int l, Forward f, Backward b, Activation hidden, int examples,
                                      LayerStats.Phase phase, int epoch) {
        NetworkLayout.Layer layer = layout.layer(l);
        NetworkLayout.Conv conv = layer.conv();
        KernelShape k = conv.kernel();
        int channels = k.outChannels();
        int positions = conv.outHeight() * conv.outWidth();
        double[] w = Propagation.doubles(weights(l));
        double[] z = Propagation.doubles(f.pre.get(l));
        double[] a = Propagation.doubles(f.post.get(l + 1));
        double[] gradW = Propagation.doubles(b.weights[l]);
        int filter = k.inChannels() * k.taps();

        boolean rectifier = hidden.family() == Activation.Family.RECTIFIER;
        boolean saturating = hidden.family() == Activation.Family.SATURATING;
        double[] dead = rectifier ? new double[channels] : null;
        double[] saturated = saturating ? new double[channels] : null;
        double[] activationVar = new double[channels];
        double[] gradWeightVar = new double[channels];
        double[] values = new double[examples * positions];
        int deadChannels = 0;
        for (int c = 0; c < channels; c++) {
            int nonPositive = 0;
            int saturatedValues = 0;
            for (int e = 0; e < examples; e++) {
                int base = (e * channels + c) * positions;
                for (int p = 0; p < positions; p++) {
                    values[e * positions + p] = a[base + p];
                    nonPositive += z[base + p] > 0 ? 0 : 1;
                    saturatedValues += saturating && hidden.isSaturated(a[base + p]) ? 1 : 0;
                }
            }
            activationVar[c] = Diagnostics.variance(values);
            if (rectifier) {
                dead[c] = (double) nonPositive / values.length;
                deadChannels += nonPositive == values.length ? 1 : 0;
            }
            if (saturating) {
                saturated[c] = (double) saturatedValues / values.length;
            }
            gradWeightVar[c] = Diagnostics.variance(java.util.Arrays.copyOfRange(gradW, c * filter, (c + 1) * filter));
        }
        // the filters as the columns of a (C_in·k·k) × C_out matrix, the layout Diagnostics.symmetry reads
        double[] filters = new double[w.length];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < filter; i++) {
                filters[i * channels + c] = w[c * filter + i];
            }
        }
        return new LayerStats(l, phase, layer.fanIn(), layer.fanOut(),
                Diagnostics.mean(w), Math.sqrt(Diagnostics.variance(w)), Diagnostics.mean(a), Diagnostics.variance(a),
                Diagnostics.variance(z), rectifier ? (double) deadChannels / channels : null,
                saturating ? Diagnostics.saturatedFraction(a, hidden) : null,
                Diagnostics.variance(gradW), Diagnostics.variance(Propagation.doubles(b.inputs[l])),
                Diagnostics.symmetry(filters, filter, channels), epoch,
                Diagnostics.pairCorrelation(z, examples, channels * positions, Diagnostics.CORRELATION_PAIRS),
                LayerStats.Placement.convolution(),
                new LayerStats.Convolution(k.height(), conv.stride(), conv.outHeight(), conv.outWidth(), dead,
                        saturated, activationVar, gradWeightVar));
    }

    /**
     * The singular values of {@code J = ∂a_{L−1}/∂x}, the last convolution's output (after its nonlinearity, all
     * channels and positions) by the input image, at the first {@link JacobianSpectrum#PROBE_POINTS} probe rows;
     * see {@link JacobianSpectrum}. J is built exactly, a column per input value: the basis vectors, in chunks, are
     * pushed through the network linearized at the probe point ({@code t ← φ'(z_l) ⊙ (W_l * t)}, convolutions
     * without bias). Then its full SVD where {@code min(features, units) ≤} {@link JacobianSpectrum#FULL_SPECTRUM_LIMIT},
     * else its Gram matrix on the narrower side and power iteration, as for an MLP. Null where that would cost more
     * than {@link #JACOBIAN_FLOPS}, or where the spectrum overflowed.
     */
    JacobianSpectrum jacobian(INDArray probeX) {
        int points = Math.min(JacobianSpectrum.PROBE_POINTS, (int) probeX.rows());
        int features = (int) probeX.columns();
        long units = layout.layer(convolutions - 1).outputUnits();
        int n = (int) Math.min(features, units);
        boolean svd = n <= JacobianSpectrum.FULL_SPECTRUM_LIMIT;
        double passes = 0;
        for (int l = 0; l < convolutions; l++) {
            passes += 2.0 * layout.layer(l).multiplyAdds();
        }
        double flops = points * (features * passes + 2.0 * n * n * Math.max(features, units));
        if (flops > JACOBIAN_FLOPS) {
            log.info("the input-output Jacobian of this cnn ({} x {}) would take {} GFLOP, more than the {} GFLOP a "
                    + "cell spends on it: not measured", units, features, Math.round(flops / 1e9),
                    Math.round(JACOBIAN_FLOPS / 1e9));
            return null;
        }
        List<JacobianSpectrum.Point> spectra = new ArrayList<>();
        for (int p = 0; p < points; p++) {
            INDArray transposed = jacobianTransposed(probeX.getRow(p, true)); // features × units
            if (svd) {
                spectra.add(JacobianSpectrum.ofMatrix(Propagation.doubles(transposed), features, (int) units));
            } else {
                spectra.add(Propagation.gramSpectrum(transposed.castTo(DataType.DOUBLE), features <= units));
            }
        }
        return JacobianSpectrum.mean(spectra, svd ? JacobianSpectrum.SVD : JacobianSpectrum.POWER_ITERATION);
    }

    /** {@code Jᵀ} at one input row: row i is {@code J·e_i}, the last convolution's response to input value i. */
    INDArray jacobianTransposed(INDArray row) {
        Forward f = forward(row, convolutions - 1);
        INDArray[] slopes = new INDArray[convolutions];
        for (int l = 0; l < convolutions; l++) {
            INDArray z = f.pre.get(l);
            slopes[l] = activation(l).backprop(z.dup(), Nd4j.onesLike(z)).getFirst()
                    .reshape('c', z.size(1), z.size(2), z.size(3));
        }
        int features = (int) row.columns();
        long units = layout.layer(convolutions - 1).outputUnits();
        NetworkLayout.Conv first = conv(0);
        INDArray transposed = Nd4j.create(row.dataType(), features, units);
        for (int from = 0; from < features; from += JACOBIAN_CHUNK) {
            int m = Math.min(JACOBIAN_CHUNK, features - from);
            INDArray basis = Nd4j.zeros(row.dataType(), m, features);
            for (int i = 0; i < m; i++) {
                basis.putScalar(i, from + i, 1.0);
            }
            INDArray t = basis.reshape('c', m, first.kernel().inChannels(), first.inHeight(), first.inWidth());
            for (int l = 0; l < convolutions; l++) {
                t = convolve(t, weights(l), null, conv(l))[0];
                Broadcast.mul(t, slopes[l], t, 1, 2, 3);
            }
            transposed.get(NDArrayIndex.interval(from, from + m), NDArrayIndex.all()).assign(t.reshape('c', m, units));
        }
        return transposed;
    }

    /**
     * Layer-sequential unit variance (Mishkin and Matas 2016) on the layers whose scheme is LSUV, convolutions and
     * the output layer alike: from the input up, divide the layer's weights by the standard deviation of its
     * pre-activation on the batch until the variance is within the scheme's tolerance of 1 or its rescalings run
     * out.
     *
     * @return rescalings made per layer
     */
    int[] lsuv(Cell cell, INDArray batch) {
        int[] iterations = new int[convolutions + 1];
        for (NetworkLayout.Layer layer : layout.layers()) {
            SchemeSpec scheme = layer.scheme();
            if (scheme.kind() != SchemeKind.LSUV) {
                continue;
            }
            int l = layer.index();
            double tolerance = scheme.number("tolerance").getAsDouble();
            int max = (int) scheme.number("max-iterations").getAsDouble();
            for (int i = 0; i < max; i++) {
                Forward f = forward(batch, l);
                INDArray z = l < convolutions ? f.pre.get(l) : f.outputPre;
                double variance = z.varNumber().doubleValue();
                if (!(variance > 0) || !Double.isFinite(variance) || Math.abs(variance - 1.0) < tolerance) {
                    break; // converged, or a dead input that no rescaling of this layer can fix
                }
                weights(l).divi(Math.sqrt(variance));
                iterations[l]++;
            }
        }
        return iterations;
    }

    private NetworkLayout.Conv conv(int l) {
        return layout.layer(l).conv();
    }

    /** The DL4J layer of layout layer {@code l} (the pooling layer sits between the convolutions and the output). */
    private int networkLayer(int l) {
        return Networks.cnnNetworkLayer(layout, l);
    }

    INDArray weights(int l) {
        return network.getLayer(networkLayer(l)).getParam("W");
    }

    private INDArray bias(int l) {
        return network.getLayer(networkLayer(l)).getParam("b");
    }

    private IActivation activation(int l) {
        return ((BaseLayer) network.getLayer(networkLayer(l)).conf().getLayer()).getActivationFn();
    }
}
