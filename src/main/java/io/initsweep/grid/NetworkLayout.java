package io.initsweep.grid;

import io.initsweep.init.InitScheme;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Architecture;
import io.initsweep.model.LayerRole;
import io.initsweep.model.Normalization;
import io.initsweep.spec.CellSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A cell's network as a description, free of any tensor library: its dense layers in order, each with its index
 * (the number {@code layer-init}, the {@code layers} table and the theory use), role, residual block, shape and the
 * scheme and formula it is drawn from; and the structure around them (normalization, residual blocks, branch
 * scalars). It is derived from the cell's settings and the data's shape only, so the grid checks it before any
 * data is read and every backend builds the same network from it.
 *
 * <p>Numbering: dense layers {@code 0..hiddenLayers-1}, then the output layer ({@link #outputIndex()}). In an MLP
 * they are the hidden layers. In a residual network layer 0 is the stem and block {@code b}'s branch layer
 * {@code j} is {@code 1 + b·blockDepth + j} (blocks and branch layers counted from 0).
 *
 * @param architecture  mlp or residual
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
     */
    public record Layer(int index, LayerRole role, int block, int branchLayer, int fanIn, int fanOut, SchemeSpec scheme,
                        InitScheme init, boolean hasBias) {
        public Layer {
            Objects.requireNonNull(role, "role is null");
            Objects.requireNonNull(scheme, "scheme is null");
            Objects.requireNonNull(init, "init is null");
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
        int width = settings.width();
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
            int fanIn = index == 0 ? features : width;
            int fanOut = index == hidden ? outputs : width;
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
     * The (fan_in, fan_out) of every dense layer, output layer last: the shapes the old {@code Grid.layerShapes}
     * gave for an MLP.
     */
    public int[][] shapes() {
        return layers.stream().map(l -> new int[] {l.fanIn(), l.fanOut()}).toArray(int[][]::new);
    }

    /** Multiply-adds of one example's forward pass through the dense layers. */
    public double multiplyAdds() {
        return layers.stream().mapToDouble(l -> (double) l.fanIn() * l.fanOut()).sum();
    }

    /** Whether every branch is multiplied by a learnable scalar (fixup, skipinit, rezero). */
    public boolean hasBranchMultiplier() {
        return !Double.isNaN(branchMultiplier);
    }
}
