package io.initsweep.spec;

import io.initsweep.common.Canonical;
import io.initsweep.init.SchemeSpec;
import io.initsweep.model.Activation;
import io.initsweep.model.Optimizer;
import io.initsweep.model.Precision;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Everything that determines how one cell trains, apart from its seed and its dataset: a spec's fixed settings
 * with one value of each grid axis applied. {@link #canonical()} is the text that cell ids are hashed from.
 *
 * @param scheme       the weight initialization of every dense layer not covered by {@code layerInit}
 * @param layerInit    per-layer overrides
 * @param biasInit     the constant every bias starts at
 * @param depth        hidden layers
 * @param width        units per hidden layer
 * @param activation   hidden-layer nonlinearity
 * @param optimizer    update rule
 * @param learningRate step size
 * @param momentum     Nesterov coefficient (used by the momentum optimizer only)
 * @param batchSize    examples per update
 * @param epochs       passes over the training split
 * @param targetLoss   test loss that counts as "reached"; null for none
 * @param dataSeed     seed of data generation, split and subsample
 * @param precision    float32 or float64
 * @param dataParallel whether the cell trains data-parallel across the cluster (else as one task)
 * @param workers            data-parallel: workers the training data is split over
 * @param averagingFrequency data-parallel: minibatches each worker fits between parameter averagings
 * @param batchSizePerWorker data-parallel: examples per minibatch on each worker
 */
public record CellSettings(SchemeSpec scheme, List<LayerInit> layerInit, double biasInit,
                           int depth, int width, Activation activation,
                           Optimizer optimizer, double learningRate, double momentum, int batchSize, int epochs,
                           Double targetLoss, long dataSeed, Precision precision, boolean dataParallel,
                           int workers, int averagingFrequency, int batchSizePerWorker) implements Serializable {

    public CellSettings {
        Objects.requireNonNull(scheme, "scheme is null");
        Objects.requireNonNull(activation, "activation is null");
        Objects.requireNonNull(optimizer, "optimizer is null");
        Objects.requireNonNull(precision, "precision is null");
        layerInit = List.copyOf(layerInit);
    }

    /** The scheme layer {@code index} uses (hidden layers 0..depth-1, output layer = depth). */
    public SchemeSpec schemeOf(int index) {
        for (LayerInit override : layerInit) {
            if (override.covers(index, depth)) {
                return override.scheme();
            }
        }
        return scheme;
    }

    /** {@code 0-1:he_normal;output:xavier_normal}, or empty when no layer is overridden. */
    public String layerInitLabel() {
        return layerInit.stream().map(LayerInit::label).collect(Collectors.joining(";"));
    }

    /**
     * Every training-determining setting as canonical text, sorted by key. Momentum only appears where it is
     * used, so it does not split cells of other optimizers.
     */
    public Map<String, String> canonical() {
        Map<String, String> map = new TreeMap<>();
        map.put("scheme", scheme.label());
        map.put("layer-init", layerInitLabel());
        map.put("bias-init", Canonical.number(biasInit));
        map.put("depth", Integer.toString(depth));
        map.put("width", Integer.toString(width));
        map.put("activation", activation.canonicalName());
        map.put("optimizer", optimizer.canonicalName());
        map.put("learning-rate", Canonical.number(learningRate));
        if (optimizer == Optimizer.MOMENTUM) {
            map.put("momentum", Canonical.number(momentum));
        }
        map.put("batch-size", Integer.toString(batchSize));
        map.put("epochs", Integer.toString(epochs));
        map.put("target-loss", targetLoss == null ? "none" : Canonical.number(targetLoss));
        map.put("data-seed", Long.toString(dataSeed));
        map.put("precision", precision.canonicalName());
        if (dataParallel) {
            // only data-parallel cells carry these, so grid cells keep their ids
            map.put("execution", "data-parallel");
            map.put("workers", Integer.toString(workers));
            map.put("averaging-frequency", Integer.toString(averagingFrequency));
            map.put("batch-size-per-worker", Integer.toString(batchSizePerWorker));
        }
        return map;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable builder; grid expansion copies the base settings and sets one axis at a time. */
    public static final class Builder {
        SchemeSpec scheme;
        List<LayerInit> layerInit = List.of();
        double biasInit = 0.0;
        Integer depth;
        int width = 64;
        Activation activation;
        Optimizer optimizer = Optimizer.SGD;
        double learningRate = 0.05;
        double momentum = 0.9;
        int batchSize = 32;
        int epochs = 20;
        Double targetLoss;
        long dataSeed = 0;
        Precision precision = Precision.FLOAT32;
        boolean dataParallel;
        int workers = 2;
        int averagingFrequency = 5;
        Integer batchSizePerWorker;

        public Builder() {
        }

        Builder(CellSettings s) {
            scheme = s.scheme;
            layerInit = s.layerInit;
            biasInit = s.biasInit;
            depth = s.depth;
            width = s.width;
            activation = s.activation;
            optimizer = s.optimizer;
            learningRate = s.learningRate;
            momentum = s.momentum;
            batchSize = s.batchSize;
            epochs = s.epochs;
            targetLoss = s.targetLoss;
            dataSeed = s.dataSeed;
            precision = s.precision;
            dataParallel = s.dataParallel;
            workers = s.workers;
            averagingFrequency = s.averagingFrequency;
            batchSizePerWorker = s.batchSizePerWorker;
        }

        public Builder scheme(SchemeSpec v) { scheme = v; return this; }
        public Builder layerInit(List<LayerInit> v) { layerInit = v; return this; }
        public Builder biasInit(double v) { biasInit = v; return this; }
        public Builder depth(int v) { depth = v; return this; }
        public Builder width(int v) { width = v; return this; }
        public Builder activation(Activation v) { activation = v; return this; }
        public Builder optimizer(Optimizer v) { optimizer = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder targetLoss(Double v) { targetLoss = v; return this; }
        public Builder dataSeed(long v) { dataSeed = v; return this; }
        public Builder precision(Precision v) { precision = v; return this; }
        public Builder dataParallel(boolean v) { dataParallel = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder averagingFrequency(int v) { averagingFrequency = v; return this; }
        public Builder batchSizePerWorker(int v) { batchSizePerWorker = v; return this; }

        /** The data seed set so far (the default until an axis or fixed value sets it). */
        public long dataSeed() {
            return dataSeed;
        }

        public CellSettings build() {
            return new CellSettings(scheme, layerInit, biasInit, depth == null ? 0 : depth, width, activation,
                    optimizer, learningRate, momentum, batchSize, epochs, targetLoss, dataSeed, precision,
                    dataParallel, dataParallel ? workers : 0, dataParallel ? averagingFrequency : 0,
                    dataParallel ? (batchSizePerWorker == null ? batchSize : batchSizePerWorker) : 0);
        }
    }
}
