package io.initsweep.dl4j;

import io.initsweep.grid.NetworkLayout;
import io.initsweep.model.Activation;
import io.initsweep.model.Normalization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A network that is not a plain MLP as a sequence of named operations in topological order: what
 * {@link GraphNetworks} builds a DL4J {@code ComputationGraph} from (one vertex per node, same names) and what
 * {@link GraphPropagation} computes the diagnostics on. Deriving both from one plan keeps the trained network and
 * its measurement from drifting apart.
 *
 * <p>An MLP with normalization: {@code dense → norm → φ} per hidden layer, then the output layer. A residual
 * network (pre-activation order, He et al. 2016):
 * <pre>
 *   stem:    x₀ = dense₀(input)
 *   block b: h = x_b; per branch layer j: h = dense_{b,j}(φ(norm(h)))      [Fixup: φ(norm(h) + c) + d before dense]
 *            x_{b+1} = x_b + m_b·(s·h) [+ d_b]   (s fixed branch scale; m_b, d_b learnable scalars, if any)
 *   head:    output = dense_out(φ(norm(x_L)))                               [Fixup: scalar biases as in a branch]
 * </pre>
 *
 * @param nodes   every operation, inputs before the nodes that read them
 * @param input   the name of the network's input
 * @param output  the name of the output layer
 */
record GraphPlan(List<Node> nodes, String input, String output) {

    /** One operation of the network; {@code name} is its DL4J vertex name. */
    sealed interface Node permits Dense, Norm, Act, Scalar, Scale, Add {
        String name();

        List<String> inputs();
    }

    /** A dense layer (the output layer included), {@code z = x·W [+ b]}; its nonlinearity is a separate node. */
    record Dense(String name, String input, NetworkLayout.Layer layer) implements Node {
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * A normalization layer.
     *
     * @param layer the dense layer it belongs to: whose output it normalizes (MLP), or whose input it prepares
     *              (residual: a branch layer, or the output layer for the head)
     * @param block the residual block, or -1
     */
    record Norm(String name, String input, Normalization kind, int units, int layer, int block) implements Node {
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /** A nonlinearity. */
    record Act(String name, String input, Activation activation) implements Node {
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * Learnable scalars {@code y = φ(m·x + c) + d} ({@link io.initsweep.dl4j.layers.ScalarLayer}).
     *
     * @param multiplier m's starting value, NaN for none
     * @param bias       c's starting value, NaN for none
     * @param activation φ, or null for none
     * @param postBias   d's starting value, NaN for none
     * @param block      the residual block, or -1 for the head
     */
    record Scalar(String name, String input, double multiplier, double bias, Activation activation, double postBias,
                  int block) implements Node {
        public List<String> inputs() {
            return List.of(input);
        }

        boolean hasMultiplier() {
            return !Double.isNaN(multiplier);
        }

        boolean hasBias() {
            return !Double.isNaN(bias);
        }

        boolean hasPostBias() {
            return !Double.isNaN(postBias);
        }
    }

    /** A fixed factor, {@code y = s·x}. */
    record Scale(String name, String input, double factor) implements Node {
        public List<String> inputs() {
            return List.of(input);
        }
    }

    /**
     * The end of a residual block: {@code x_{b+1} = x_b + branch}.
     *
     * @param lastLayer the index of the block's last dense layer (the {@code layers} table's layer of this row)
     */
    record Add(String name, String stream, String branch, int block, int lastLayer) implements Node {
        public List<String> inputs() {
            return List.of(stream, branch);
        }
    }

    GraphPlan {
        nodes = List.copyOf(nodes);
        Objects.requireNonNull(input, "input is null");
        Objects.requireNonNull(output, "output is null");
    }

    /** The plan of a network that is not a plain MLP. */
    static GraphPlan of(NetworkLayout layout, Activation activation) {
        Builder b = new Builder(layout, activation);
        return layout.residual() ? b.residual() : b.mlp();
    }

    /** Nodes by name. */
    Map<String, Node> byName() {
        Map<String, Node> map = new LinkedHashMap<>();
        nodes.forEach(n -> map.put(n.name(), n));
        return map;
    }

    /** The dense nodes, in layer order. */
    List<Dense> denseLayers() {
        return nodes.stream().filter(n -> n instanceof Dense).map(n -> (Dense) n).toList();
    }

    /** The nodes that read a node's output. */
    List<Node> consumers(String name) {
        return nodes.stream().filter(n -> n.inputs().contains(name)).toList();
    }

    /**
     * The nonlinearity a node's output goes through next, possibly after a normalization: for a hidden dense
     * layer of an MLP or a branch, its own nonlinearity; for the stem and a block's end, the first one of the
     * next branch (or of the head). Null if none follows (the last layer of a branch, the output layer).
     */
    Node nonlinearityAfter(String name) {
        for (Node next : consumers(name)) {
            Node node = next instanceof Norm ? consumers(next.name()).get(0) : next;
            if (node instanceof Act || node instanceof Scalar s && s.activation() != null) {
                return node;
            }
        }
        return null;
    }

    private static final class Builder {
        private final NetworkLayout layout;
        private final Activation activation;
        private final List<Node> nodes = new ArrayList<>();

        Builder(NetworkLayout layout, Activation activation) {
            this.layout = layout;
            this.activation = activation;
        }

        private String add(Node node) {
            nodes.add(node);
            return node.name();
        }

        GraphPlan mlp() {
            String h = "input";
            for (NetworkLayout.Layer layer : layout.layers()) {
                if (layer.isOutput()) {
                    add(new Dense("output", h, layer));
                    break;
                }
                String p = "l" + layer.index();
                h = add(new Dense(p + ".dense", h, layer));
                if (layout.normalization() != Normalization.NONE) {
                    h = add(new Norm(p + ".norm", h, layout.normalization(), layer.fanOut(), layer.index(), -1));
                }
                h = add(new Act(p + ".act", h, activation));
            }
            return new GraphPlan(nodes, "input", "output");
        }

        GraphPlan residual() {
            String stream = add(new Dense("stem", "input", layout.layer(0)));
            for (int block = 0; block < layout.blocks(); block++) {
                String h = stream;
                List<NetworkLayout.Layer> branch = layout.branch(block);
                for (NetworkLayout.Layer layer : branch) {
                    String p = "b" + block + "." + layer.branchLayer();
                    h = unit(h, p, layer, block);
                    h = add(new Dense(p + ".dense", h, layer));
                }
                if (layout.branchScale() != 1.0) {
                    h = add(new Scale("b" + block + ".scale", h, layout.branchScale()));
                }
                if (layout.hasBranchMultiplier()) {
                    h = add(new Scalar("b" + block + ".multiplier", h, layout.branchMultiplier(), Double.NaN, null,
                            layout.scalarBiases() ? 0.0 : Double.NaN, block));
                }
                stream = add(new Add("b" + block + ".add", stream, h, block, branch.get(branch.size() - 1).index()));
            }
            String h = unit(stream, "head", layout.output(), -1);
            add(new Dense("output", h, layout.output()));
            return new GraphPlan(nodes, "input", "output");
        }

        /**
         * {@code [norm →] φ} before a dense layer; with Fixup's scalar biases before φ and before the layer, as one
         * scalar layer {@code φ(x + c) + d}.
         */
        private String unit(String h, String prefix, NetworkLayout.Layer next, int block) {
            if (layout.normalization() != Normalization.NONE) {
                h = add(new Norm(prefix + ".norm", h, layout.normalization(), next.fanIn(), next.index(), block));
            }
            if (layout.scalarBiases()) {
                h = add(new Scalar(prefix + ".act", h, Double.NaN, 0.0, activation, 0.0, block));
            } else {
                h = add(new Act(prefix + ".act", h, activation));
            }
            return h;
        }
    }
}
