package io.initsweep.grid;

import io.initsweep.init.InitScheme;
import io.initsweep.init.KernelShape;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Architecture;
import io.initsweep.model.LayerRole;
import io.initsweep.model.Normalization;
import io.initsweep.spec.CellSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A cell's network as a description, free of any tensor library: its dense layers in order, each with its index
 * (the number {@code layer-init}, the {@code layers} table and the theory use), role, residual block, shape and the
 * scheme and formula it is drawn from; and the structure around them (normalization, residual blocks, branch
 * scalars). It is derived from the cell's settings and the data's shape only, so the grid checks it before any
 * data is read and every backend builds the same network from it.
 *
 * <p>Numbering: layers {@code 0..hiddenLayers-1}, then the output layer ({@link #outputIndex()}). In an MLP
 * they are the hidden layers. In a residual network layer 0 is the stem and block {@code b}'s branch layer
 * {@code j} is {@code 1 + b·blockDepth + j} (blocks and branch layers counted from 0). In a cnn they are the
 * convolution layers, input side first ({@link Layer#conv()} holds each one's kernel, stride, padding and sizes);
 * global average pooling follows the last one and has no number (it has no parameters), and the output layer is a
 * dense layer from the last layer's channels.
 *
 * <p>Convolutions use same padding as DL4J's {@code ConvolutionMode.Same} computes it: an output of
 * {@code ⌈in/stride⌉} positions per axis, total padding {@code (out − 1)·stride + k − in}, of which
 * {@code ⌊total/2⌋} before the first row (column) and the rest after the last. With stride 1 and an odd kernel
 * that is {@code (k−1)/2} on every side; with stride 2 on an even size it is one less before than after.
 *
 * @param architecture  mlp, residual or cnn
 * @param normalization where the network normalizes (see {@link Normalization})
 * @param blocks        residual blocks L (0 for an MLP)
 * @param blockDepth    dense layers per branch m (0 for an MLP)
 * @param branchScale   the fixed factor on every branch's output (1 for an MLP)
 * @param branchMultiplier the starting value of the learnable scalar every branch is multiplied by (fixup,
 *                      skipinit, rezero); NaN for none
 * @param scalarBiases  whether branches and the head have Fixup's learnable scalar biases
 * @param layers        the dense layers, the output layer last
 */
public record NetworkLayout(Architecture architecture, Normalization normalization, int blocks, int blockDepth,
                            double branchScale, double branchMultiplier, boolean scalarBiases,
                            List<Layer> layers) {

    /**
     * One dense layer.
     *
     * @param index  its number (see the class comment)
     * @param role   stem, hidden, branch, last of a branch, or output
     * @param block  its residual block, or -1 outside any block
     * @param branchLayer its place in its block's branch (0 = first), or -1 outside any block
     * @param fanIn  inputs
     * @param fanOut outputs
     * @param scheme the scheme it takes (the cell's, or a {@code layer-init} override)
     * @param init   the formula it is drawn from, in its place in the network
     * @param hasBias whether it has a bias vector (Fixup's branch layers have scalar biases instead)
     * @param conv   a convolution layer's kernel and geometry; null for a dense layer (whose fans are then its
     *               inputs and outputs; a convolution's are the kernel's, {@code k²·C_in} and {@code k²·C_out})
     */
    public record Layer(int index, LayerRole role, int block, int branchLayer, int fanIn, int fanOut, SchemeSpec scheme,
                        InitScheme init, boolean hasBias, Conv conv) {
        public Layer {
            Objects.requireNonNull(role, "role is null");
            Objects.requireNonNull(scheme, "scheme is null");
            Objects.requireNonNull(init, "init is null");
            if (conv != null && (conv.kernel().fanIn() != fanIn || conv.kernel().fanOut() != fanOut)) {
                throw new IllegalArgumentException("a convolution's fans are its kernel's, got " + fanIn + ", "
                        + fanOut + " for kernel " + conv.kernel());
            }
        }

        /** A dense layer. */
        public Layer(int index, LayerRole role, int block, int branchLayer, int fanIn, int fanOut, SchemeSpec scheme,
                     InitScheme init, boolean hasBias) {
            this(index, role, block, branchLayer, fanIn, fanOut, scheme, init, hasBias, null);
        }

        public boolean isConvolution() {
            return conv != null;
        }

        /** Why its scheme cannot draw it in this shape, if it cannot (a kernel for a convolution). */
        public Optional<String> shapeProblem() {
            return conv != null ? init.shapeProblem(conv.kernel()) : init.shapeProblem(fanIn, fanOut);
        }

        /** The layer's units: outputs of a dense layer, channels × positions of a convolution's output. */
        public long outputUnits() {
            return conv != null ? (long) conv.kernel().outChannels() * conv.outHeight() * conv.outWidth() : fanOut;
        }

        /** Multiply-adds of one example's forward pass through the layer. */
        public double multiplyAdds() {
            return conv != null ? (double) conv.kernel().size() * conv.outHeight() * conv.outWidth()
                    : (double) fanIn * fanOut;
        }

        public boolean isOutput() {
            return role == LayerRole.OUTPUT;
        }

        /** How messages name it: {@code layer 3 (block 1, branch layer 0)}, {@code the output layer}. */
        public String describe() {
            return switch (role) {
                case OUTPUT -> "the output layer";
                case STEM -> "layer 0 (the stem)";
                case HIDDEN -> "layer " + index;
                case BRANCH, BRANCH_LAST -> "layer " + index + " (block " + block + ", branch layer " + branchLayer
                        + ")";
            };
        }
    }

    /**
     * A convolution layer's kernel and geometry (see the class comment for the padding).
     *
     * @param kernel    {@code C_out × C_in × k × k}, in the layout of {@link KernelShape} (DL4J's)
     * @param stride    1, or 2 where the layer downsamples
     * @param inHeight  input rows
     * @param inWidth   input columns
     * @param outHeight output rows, {@code ⌈inHeight/stride⌉}
     * @param outWidth  output columns, {@code ⌈inWidth/stride⌉}
     * @param padTop    zero rows added before the first row (the rest of the total after the last)
     * @param padLeft   zero columns added before the first column
     */
    public record Conv(KernelShape kernel, int stride, int inHeight, int inWidth, int outHeight, int outWidth,
                       int padTop, int padLeft) {
        public Conv {
            Objects.requireNonNull(kernel, "kernel is null");
        }

        /** A same-padded convolution of {@code kernel} with {@code stride} on an input of the given size. */
        public static Conv same(KernelShape kernel, int stride, int inHeight, int inWidth) {
            int outHeight = (inHeight + stride - 1) / stride;
            int outWidth = (inWidth + stride - 1) / stride;
            return new Conv(kernel, stride, inHeight, inWidth, outHeight, outWidth,
                    Math.max(0, (outHeight - 1) * stride + kernel.height() - inHeight) / 2,
                    Math.max(0, (outWidth - 1) * stride + kernel.width() - inWidth) / 2);
        }

        /** Total zero rows added (before and after). */
        public int padRows() {
            return Math.max(0, (outHeight - 1) * stride + kernel.height() - inHeight);
        }

        /** Total zero columns added (before and after). */
        public int padColumns() {
            return Math.max(0, (outWidth - 1) * stride + kernel.width() - inWidth);
        }
    }

    public NetworkLayout {
        Objects.requireNonNull(architecture, "architecture is null");
        Objects.requireNonNull(normalization, "normalization is null");
        layers = List.copyOf(layers);
    }

    /**
     * The network of a cell on data of the given shape.
     *
     * @throws IllegalArgumentException if a scheme cannot draw a layer in its place (fixup on single-layer branches)
     */
    public static NetworkLayout of(CellSettings settings, int features, int outputs) {
        return of(settings, List.of(features), outputs);
    }

    /**
     * The network of a cell on examples of the given shape ({@code [features]}, or {@code [C, H, W]} for images,
     * which a cnn needs).
     *
     * @throws IllegalArgumentException if a scheme cannot draw a layer in its place (fixup on single-layer branches),
     *                                  or a cnn is asked for on examples without an image shape
     */
    public static NetworkLayout of(CellSettings settings, List<Integer> inputShape, int outputs) {
        if (settings.cnn()) {
            return cnn(settings, inputShape, outputs);
        }
        int features = Math.toIntExact(inputShape.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b));
        List<Integer> widths = settings.hiddenWidths();
        int hidden = settings.hiddenLayers();
        boolean residual = settings.residual();
        int blocks = residual ? settings.depth() : 0;
        int blockDepth = residual ? settings.blockDepth() : 0;
        SchemeSpec cellScheme = settings.scheme();
        List<Layer> layers = new ArrayList<>();
        for (int index = 0; index <= hidden; index++) {
            LayerRole role = role(residual, index, hidden, blockDepth);
            boolean inBranch = role == LayerRole.BRANCH || role == LayerRole.BRANCH_LAST;
            int block = inBranch ? (index - 1) / blockDepth : -1;
            int branchLayer = inBranch ? (index - 1) % blockDepth : -1;
            int fanIn = index == 0 ? features : widths.get(index - 1);
            int fanOut = index == hidden ? outputs : widths.get(index);
            SchemeSpec scheme = settings.schemeOf(index);
            InitScheme init = scheme.resolve(settings.activation(), role, blocks, blockDepth);
            layers.add(new Layer(index, role, block, branchLayer, fanIn, fanOut, scheme, init,
                    !(inBranch && residual && cellScheme.scalarBiases())));
        }
        return new NetworkLayout(settings.architecture(), settings.normalization(), blocks, blockDepth,
                residual ? settings.branchScale().value(blocks) : 1.0,
                residual ? cellScheme.branchMultiplier().orElse(Double.NaN) : Double.NaN,
                residual && cellScheme.scalarBiases(), layers);
    }

    /**
     * A cnn: {@code depth} same-padded convolutions ({@code k × k}, output channels from
     * {@link CellSettings#hiddenWidths()}, stride 2 at layers {@code downsample-every·j}, j ≥ 1), global average
     * pooling, the dense output layer.
     */
    private static NetworkLayout cnn(CellSettings settings, List<Integer> inputShape, int outputs) {
        if (inputShape.size() != 3) {
            throw new IllegalArgumentException("architecture cnn needs examples of shape [channels, height, width] "
                    + "(images), got shape " + inputShape);
        }
        List<Integer> channels = settings.hiddenWidths();
        int k = settings.kernel();
        int every = settings.downsampleEvery();
        int inChannels = inputShape.get(0);
        int height = inputShape.get(1);
        int width = inputShape.get(2);
        List<Layer> layers = new ArrayList<>();
        for (int index = 0; index < settings.depth(); index++) {
            KernelShape kernel = KernelShape.square(channels.get(index), inChannels, k);
            int stride = every > 0 && index > 0 && index % every == 0 ? 2 : 1;
            Conv conv = Conv.same(kernel, stride, height, width);
            SchemeSpec scheme = settings.schemeOf(index);
            layers.add(new Layer(index, LayerRole.HIDDEN, -1, -1, kernel.fanIn(), kernel.fanOut(), scheme,
                    scheme.resolve(settings.activation(), LayerRole.HIDDEN, 0, 0), true, conv));
            inChannels = kernel.outChannels();
            height = conv.outHeight();
            width = conv.outWidth();
        }
        int output = settings.depth();
        SchemeSpec scheme = settings.schemeOf(output);
        layers.add(new Layer(output, LayerRole.OUTPUT, -1, -1, inChannels, outputs, scheme,
                scheme.resolve(settings.activation(), LayerRole.OUTPUT, 0, 0), true));
        return new NetworkLayout(Architecture.CNN, settings.normalization(), 0, 0, 1.0, Double.NaN, false, layers);
    }

    /** Whether the network is a cnn. */
    public boolean cnn() {
        return architecture == Architecture.CNN;
    }

    /**
     * The convolution layers' output channels (cnn), or the dense hidden layers' widths: what Hanin and Rolnick's
     * β sums the inverses of.
     */
    public List<Integer> hiddenWidths() {
        return layers.subList(0, outputIndex()).stream()
                .map(l -> l.isConvolution() ? l.conv().kernel().outChannels() : l.fanOut()).toList();
    }

    private static LayerRole role(boolean residual, int index, int hidden, int blockDepth) {
        if (index == hidden) {
            return LayerRole.OUTPUT;
        }
        if (!residual) {
            return LayerRole.HIDDEN;
        }
        if (index == 0) {
            return LayerRole.STEM;
        }
        return (index - 1) % blockDepth == blockDepth - 1 ? LayerRole.BRANCH_LAST : LayerRole.BRANCH;
    }

    public boolean residual() {
        return architecture == Architecture.RESIDUAL;
    }

    /** The output layer's index: the number of dense layers before it. */
    public int outputIndex() {
        return layers.size() - 1;
    }

    public Layer layer(int index) {
        return layers.get(index);
    }

    public Layer output() {
        return layers.get(outputIndex());
    }

    /** The dense layers of block {@code b}'s branch, in order. */
    public List<Layer> branch(int block) {
        int first = 1 + block * blockDepth;
        return layers.subList(first, first + blockDepth);
    }

    /**
     * The (fan_in, fan_out) of every layer, output layer last: the shapes the old {@code Grid.layerShapes} gave for
     * an MLP (a convolution's are its kernel's fans).
     */
    public int[][] shapes() {
        return layers.stream().map(l -> new int[] {l.fanIn(), l.fanOut()}).toArray(int[][]::new);
    }

    /** Multiply-adds of one example's forward pass through the layers (convolutions at every position). */
    public double multiplyAdds() {
        return layers.stream().mapToDouble(Layer::multiplyAdds).sum();
    }

    /** Whether every branch is multiplied by a learnable scalar (fixup, skipinit, rezero). */
    public boolean hasBranchMultiplier() {
        return !Double.isNaN(branchMultiplier);
    }
}
