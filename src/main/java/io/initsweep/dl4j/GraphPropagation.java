package io.initsweep.dl4j;

import io.initsweep.dl4j.layers.LayerNormalization;
import io.initsweep.dl4j.layers.ScalarLayer;
import io.initsweep.grid.Cell;
import io.initsweep.grid.NetworkLayout;
import io.initsweep.init.SchemeKind;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.model.LayerKind;
import io.initsweep.model.Normalization;
import io.initsweep.train.Diagnostics;
import io.initsweep.train.LayerStats;

import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Forward and backward signal through a ComputationGraph cell on the probe batch, node by node of its
 * {@link GraphPlan}, for the {@code layers} table, LSUV and batch normalization's starting statistics. Like the
 * MLP's {@link Propagation} it recomputes every step from the network's own parameters, layer configurations and
 * loss (DL4J exposes neither pre-activations nor the gradient at each vertex), here including normalization
 * (batch normalization in training mode, on the probe batch's own statistics), Fixup's scalars, the fixed branch
 * scale and the residual additions. {@code TestResidualNetworks} checks its output and weight gradients against
 * DL4J's.
 */
final class GraphPropagation {
    /** What the probe measurement of batch normalization normalizes by (its training mode). */
    static final String PROBE_BATCH = "probe_batch";
    /** What layer normalization normalizes by. */
    static final String PER_EXAMPLE = "per_example";

    private final ComputationGraph graph;
    private final GraphPlan plan;
    private final Map<String, GraphPlan.Node> nodes;

    GraphPropagation(ComputationGraph graph, GraphPlan plan) {
        this.graph = graph;
        this.plan = plan;
        this.nodes = plan.byName();
    }

    /** Every value the forward pass computed, by node name. */
    static final class Forward {
        /** Each node's output; the output layer's is its pre-activation {@code xW + b}. */
        final Map<String, INDArray> out = new HashMap<>();
        /** The input of each nonlinearity node's nonlinearity ({@code m·x + c} for a scalar layer). */
        final Map<String, INDArray> pre = new HashMap<>();
        /** Normalization nodes: x̂, σ (row for batch, column for layer normalization) and σ² without ε. */
        final Map<String, INDArray[]> norm = new HashMap<>();
        /** The output layer's activation (softmax probabilities for classification). */
        INDArray prediction;
    }

    /** Every gradient of the mean loss the backward pass computed, by node name. */
    static final class Backward {
        /** ∂L/∂(node output), summed over every consumer of the node. */
        final Map<String, INDArray> output = new HashMap<>();
        /** ∂L/∂(node input) of one-input nodes, this node's contribution only. */
        final Map<String, INDArray> input = new HashMap<>();
        /** ∂L/∂W of dense nodes, ∂L/∂γ of normalization nodes. */
        final Map<String, INDArray> weights = new HashMap<>();
    }

    Forward forward(INDArray input) {
        Forward f = new Forward();
        f.out.put(plan.input(), input);
        for (GraphPlan.Node node : plan.nodes()) {
            compute(node, f);
        }
        return f;
    }

    private void compute(GraphPlan.Node node, Forward f) {
        INDArray in = f.out.get(node.inputs().get(0));
        if (node instanceof GraphPlan.Dense d) {
            INDArray z = in.mmul(param(d.name(), "W"));
            if (d.layer().hasBias()) {
                z.addiRowVector(param(d.name(), "b"));
            }
            f.out.put(d.name(), z);
            if (d.layer().isOutput()) {
                f.prediction = activation(d.name()).getActivation(z.dup(), false);
            }
        } else if (node instanceof GraphPlan.Norm n) {
            boolean batch = n.kind() == Normalization.BATCH;
            int axis = batch ? 0 : 1;
            INDArray mean = in.mean(true, axis);
            INDArray variance = batch ? in.var(false, 0).reshape(1, in.columns())
                    : in.var(false, 1).reshape(in.rows(), 1);
            INDArray std = Transforms.sqrt(variance.add(epsilon(n)), true);
            INDArray xHat = batch ? in.subRowVector(mean).diviRowVector(std)
                    : in.subColumnVector(mean).diviColumnVector(std);
            f.norm.put(n.name(), new INDArray[] {xHat, std, variance});
            f.out.put(n.name(), xHat.mulRowVector(param(n.name(), gainKey(n))).addiRowVector(
                    param(n.name(), biasKey(n))));
        } else if (node instanceof GraphPlan.Act a) {
            f.pre.put(a.name(), in);
            f.out.put(a.name(), activation(a.name()).getActivation(in.dup(), true));
        } else if (node instanceof GraphPlan.Scalar s) {
            INDArray z = affine(s, in);
            f.pre.put(s.name(), z);
            INDArray y = activation(s.name()).getActivation(z.dup(), true);
            if (s.hasPostBias()) {
                y.addi(param(s.name(), ScalarLayer.POST_BIAS).getDouble(0));
            }
            f.out.put(s.name(), y);
        } else if (node instanceof GraphPlan.Scale s) {
            f.out.put(s.name(), in.mul(s.factor()));
        } else if (node instanceof GraphPlan.Add a) {
            f.out.put(a.name(), in.add(f.out.get(a.branch())));
        } else {
            throw new AssertionError(node);
        }
    }

    /** Backward pass of the mean loss over the batch. */
    Backward backward(Forward f, INDArray labels) {
        Backward b = new Backward();
        int examples = labels.rows();
        String outputName = plan.output();
        BaseOutputLayer outputConf = (BaseOutputLayer) graph.getLayer(outputName).conf().getLayer();
        ILossFunction loss = outputConf.getLossFn();
        b.output.put(outputName, loss.computeGradient(labels, f.out.get(outputName).dup(), activation(outputName),
                null).divi(examples));
        List<GraphPlan.Node> reversed = new ArrayList<>(plan.nodes());
        java.util.Collections.reverse(reversed);
        for (GraphPlan.Node node : reversed) {
            INDArray g = b.output.get(node.name());
            if (g == null) {
                continue; // nothing downstream depends on it
            }
            INDArray in = f.out.get(node.inputs().get(0));
            INDArray gin;
            if (node instanceof GraphPlan.Dense d) {
                INDArray w = param(d.name(), "W");
                b.weights.put(d.name(), in.transpose().mmul(g));
                gin = g.mmul(w.transpose());
            } else if (node instanceof GraphPlan.Norm n) {
                INDArray[] norm = f.norm.get(n.name());
                INDArray xHat = norm[0];
                INDArray std = norm[1];
                boolean batch = n.kind() == Normalization.BATCH;
                int axis = batch ? 0 : 1;
                b.weights.put(n.name(), g.mul(xHat).sum(true, 0));
                // ∂L/∂x = (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂))/σ, ĝ = γ ⊙ ∂L/∂y, means over the normalized axis
                INDArray gHat = g.mulRowVector(param(n.name(), gainKey(n)));
                INDArray meanG = gHat.mean(true, axis);
                INDArray meanGx = gHat.mul(xHat).mean(true, axis);
                gin = batch ? gHat.subRowVector(meanG).subi(xHat.mulRowVector(meanGx)).diviRowVector(std)
                        : gHat.subColumnVector(meanG).subi(xHat.mulColumnVector(meanGx)).diviColumnVector(std);
            } else if (node instanceof GraphPlan.Act a) {
                gin = activation(a.name()).backprop(f.pre.get(a.name()).dup(), g.dup()).getFirst();
            } else if (node instanceof GraphPlan.Scalar s) {
                INDArray dz = activation(s.name()).backprop(f.pre.get(s.name()).dup(), g.dup()).getFirst();
                gin = s.hasMultiplier() ? dz.mul(param(s.name(), ScalarLayer.MULTIPLIER).getDouble(0)) : dz;
            } else if (node instanceof GraphPlan.Scale s) {
                gin = g.mul(s.factor());
            } else if (node instanceof GraphPlan.Add a) {
                accumulate(b, a.branch(), g);
                gin = g;
            } else {
                throw new AssertionError(node);
            }
            b.input.put(node.name(), gin);
            accumulate(b, node.inputs().get(0), gin);
        }
        return b;
    }

    private static void accumulate(Backward b, String name, INDArray gradient) {
        INDArray sum = b.output.get(name);
        if (sum == null) {
            b.output.put(name, gradient.dup());
        } else {
            sum.addi(gradient);
        }
    }

    /**
     * Statistics of every dense layer, normalization layer and residual block on the probe batch.
     *
     * @param hidden the hidden nonlinearity (dead units and saturation are judged by it)
     */
    List<LayerStats> measure(INDArray probeX, INDArray probeY, Activation hidden, LayerStats.Phase phase, int epoch) {
        Forward f = forward(probeX);
        Backward b = backward(f, probeY);
        int examples = probeX.rows();
        List<LayerStats> rows = new ArrayList<>();
        for (GraphPlan.Node node : plan.nodes()) {
            if (node instanceof GraphPlan.Dense d) {
                rows.add(dense(d, f, b, hidden, examples, phase, epoch));
            } else if (node instanceof GraphPlan.Norm n) {
                rows.add(norm(n, f, b, phase, epoch));
            } else if (node instanceof GraphPlan.Add a) {
                rows.add(add(a, f, b, hidden, examples, phase, epoch));
            }
        }
        return rows;
    }

    private LayerStats dense(GraphPlan.Dense d, Forward f, Backward b, Activation hidden, int examples,
                             LayerStats.Phase phase, int epoch) {
        NetworkLayout.Layer layer = d.layer();
        double[] w = doubles(param(d.name(), "W"));
        INDArray z = f.out.get(d.name());
        GraphPlan.Node next = plan.nonlinearityAfter(d.name());
        INDArray output = switch (layer.role()) {
            case OUTPUT -> f.prediction;
            case HIDDEN, BRANCH -> f.out.get(next.name());
            case STEM, BRANCH_LAST -> z; // read as they are: the stream, or the branch's output
        };
        double[] a = doubles(output);
        double[] zValues = doubles(z);
        Double[] fractions = fractions(next, f, hidden, examples, layer.fanOut());
        return new LayerStats(layer.index(), phase, layer.fanIn(), layer.fanOut(),
                Diagnostics.mean(w), Math.sqrt(Diagnostics.variance(w)),
                Diagnostics.mean(a), Diagnostics.variance(a), Diagnostics.variance(zValues),
                fractions[0], fractions[1],
                Diagnostics.variance(doubles(b.weights.get(d.name()))),
                Diagnostics.variance(doubles(b.input.get(d.name()))),
                Diagnostics.symmetry(w, layer.fanIn(), layer.fanOut()), epoch,
                Diagnostics.pairCorrelation(zValues, examples, layer.fanOut(), Diagnostics.CORRELATION_PAIRS),
                LayerStats.Placement.dense(layer.role(), layer.block() < 0 ? null : layer.block()));
    }

    private LayerStats norm(GraphPlan.Norm n, Forward f, Backward b, LayerStats.Phase phase, int epoch) {
        boolean batch = n.kind() == Normalization.BATCH;
        double[] gain = doubles(param(n.name(), gainKey(n)));
        double[] y = doubles(f.out.get(n.name()));
        Double running = batch ? Diagnostics.mean(doubles(param(n.name(), GraphNetworks.RUNNING_VAR))) : null;
        return new LayerStats(n.layer(), phase, n.units(), n.units(),
                Diagnostics.mean(gain), Math.sqrt(Diagnostics.variance(gain)),
                Diagnostics.mean(y), Diagnostics.variance(y),
                Diagnostics.variance(doubles(f.out.get(n.input()))), null, null,
                Diagnostics.variance(doubles(b.weights.get(n.name()))),
                Diagnostics.variance(doubles(b.input.get(n.name()))), null, epoch, null,
                new LayerStats.Placement(LayerKind.NORMALIZATION, null, n.block() < 0 ? null : n.block(), null, null,
                        null, null, batch ? PROBE_BATCH : PER_EXAMPLE,
                        Diagnostics.mean(doubles(f.norm.get(n.name())[2])), running));
    }

    private LayerStats add(GraphPlan.Add a, Forward f, Backward b, Activation hidden, int examples,
                           LayerStats.Phase phase, int epoch) {
        double[] stream = doubles(f.out.get(a.name()));
        double streamVar = Diagnostics.variance(stream);
        double branchVar = Diagnostics.variance(doubles(f.out.get(a.branch())));
        double inputVar = Diagnostics.variance(doubles(f.out.get(a.stream())));
        Double multiplier = nodes.get(a.branch()) instanceof GraphPlan.Scalar s && s.hasMultiplier()
                ? param(s.name(), ScalarLayer.MULTIPLIER).getDouble(0) : null;
        int units = (int) f.out.get(a.name()).columns();
        Double[] fractions = fractions(plan.nonlinearityAfter(a.name()), f, hidden, examples, units);
        return new LayerStats(a.lastLayer(), phase, units, units, null, null,
                Diagnostics.mean(stream), streamVar, null, fractions[0], fractions[1], null,
                Diagnostics.variance(doubles(b.output.get(a.stream()))), null, epoch, null,
                new LayerStats.Placement(LayerKind.RESIDUAL_ADD, null, a.block(), streamVar, branchVar,
                        inputVar > 0 ? branchVar / inputVar : null, multiplier, null, null, null));
    }

    /** Dead and saturated fractions of a nonlinearity node, by the hidden activation's family; nulls if none. */
    private static Double[] fractions(GraphPlan.Node nonlinearity, Forward f, Activation hidden, int examples,
                                      int units) {
        if (nonlinearity == null) {
            return new Double[] {null, null};
        }
        return new Double[] {
                hidden.family() == Activation.Family.RECTIFIER
                        ? Diagnostics.deadFraction(doubles(f.pre.get(nonlinearity.name())), examples, units) : null,
                hidden.family() == Activation.Family.SATURATING
                        ? Diagnostics.saturatedFraction(doubles(f.out.get(nonlinearity.name())), hidden) : null};
    }

    /**
     * Layer-sequential unit variance (Mishkin and Matas 2016) on the dense layers whose scheme is LSUV: one forward
     * pass in order; at each such layer, its weights are divided by the standard deviation of its output on the
     * batch until the variance is within the scheme's tolerance of 1 or its rescalings run out. Rescaling a layer
     * changes only what comes after it, so one pass suffices.
     *
     * @return rescalings made per dense layer
     */
    int[] lsuv(Cell cell, INDArray batch) {
        List<GraphPlan.Dense> dense = plan.denseLayers();
        int[] iterations = new int[dense.size()];
        if (dense.stream().noneMatch(d -> d.layer().scheme().kind() == SchemeKind.LSUV)) {
            return iterations;
        }
        Forward f = new Forward();
        f.out.put(plan.input(), batch);
        for (GraphPlan.Node node : plan.nodes()) {
            compute(node, f);
            if (node instanceof GraphPlan.Dense d && d.layer().scheme().kind() == SchemeKind.LSUV) {
                SchemeSpec scheme = d.layer().scheme();
                double tolerance = scheme.number("tolerance").getAsDouble();
                int max = (int) scheme.number("max-iterations").getAsDouble();
                for (int i = 0; i < max; i++) {
                    double variance = f.out.get(d.name()).varNumber().doubleValue();
                    if (!(variance > 0) || !Double.isFinite(variance) || Math.abs(variance - 1.0) < tolerance) {
                        break; // converged, or a dead input that no rescaling of this layer can fix
                    }
                    param(d.name(), "W").divi(Math.sqrt(variance));
                    iterations[d.layer().index()]++;
                    compute(node, f);
                }
            }
        }
        return iterations;
    }

    /**
     * Starts every batch normalization's running mean and variance at the probe batch's statistics instead of
     * DL4J's 0 and 1. Training is unaffected (it normalizes by each minibatch's own statistics); what changes is the
     * evaluation before the first update, which uses the running statistics: with 0 and 1 it would evaluate a
     * network with no normalization at all (in a deep residual network, a stream grown by 2^depth), not the
     * network that is about to train.
     */
    void calibrate(INDArray probe) {
        if (plan.nodes().stream().noneMatch(n -> n instanceof GraphPlan.Norm m && m.kind() == Normalization.BATCH)) {
            return;
        }
        Forward f = forward(probe);
        for (GraphPlan.Node node : plan.nodes()) {
            if (node instanceof GraphPlan.Norm n && n.kind() == Normalization.BATCH) {
                INDArray in = f.out.get(n.input());
                param(n.name(), GraphNetworks.RUNNING_MEAN).assign(in.mean(true, 0));
                param(n.name(), GraphNetworks.RUNNING_VAR).assign(f.norm.get(n.name())[2]);
            }
        }
    }

    private INDArray affine(GraphPlan.Scalar s, INDArray in) {
        INDArray z = in.dup();
        if (s.hasMultiplier()) {
            z.muli(param(s.name(), ScalarLayer.MULTIPLIER).getDouble(0));
        }
        if (s.hasBias()) {
            z.addi(param(s.name(), ScalarLayer.BIAS).getDouble(0));
        }
        return z;
    }

    private INDArray param(String layer, String key) {
        return graph.getLayer(layer).getParam(key);
    }

    private IActivation activation(String layer) {
        Object conf = graph.getLayer(layer).conf().getLayer();
        return conf instanceof ActivationLayer a ? a.getActivationFn() : ((BaseLayer) conf).getActivationFn();
    }

    private double epsilon(GraphPlan.Norm n) {
        Object conf = graph.getLayer(n.name()).conf().getLayer();
        return conf instanceof BatchNormalization bn ? bn.getEps() : ((LayerNormalization) conf).getEpsilon();
    }

    private static String gainKey(GraphPlan.Norm n) {
        return n.kind() == Normalization.BATCH ? "gamma" : LayerNormalization.GAIN;
    }

    private static String biasKey(GraphPlan.Norm n) {
        return n.kind() == Normalization.BATCH ? "beta" : LayerNormalization.BIAS;
    }

    private static double[] doubles(INDArray array) {
        return Propagation.doubles(array);
    }
}
