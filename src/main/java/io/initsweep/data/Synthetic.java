package io.initsweep.data;

import io.initsweep.spec.Hashing;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * Generates the built-in datasets from their parameters and the data seed. StrictMath keeps the generated values,
 * and so the dataset fingerprint and every cell id, identical on every JVM and CPU.
 */
final class Synthetic {
    private Synthetic() {
    }

    static RawTable generate(DatasetSpec spec, long dataSeed) {
        RandomGenerator random = new Well19937c(Hashing.seed("data|" + spec.kind() + "|" + dataSeed));
        return switch (spec.kind()) {
            case SPIRALS -> spirals(spec, random);
            case BLOBS -> blobs(spec, random);
            default -> throw new IllegalArgumentException(spec.kind() + " is not a built-in dataset");
        };
    }

    private static RawTable spirals(DatasetSpec spec, RandomGenerator random) {
        int samples = spec.count("samples");
        int arms = spec.count("arms");
        double noise = spec.number("noise");
        double turns = spec.number("turns");
        float[] x = new float[samples * 2];
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            int arm = i % arms;
            double t = random.nextDouble();
            double angle = 2 * StrictMath.PI * (turns * t + (double) arm / arms);
            x[2 * i] = (float) (t * StrictMath.cos(angle) + noise * random.nextGaussian());
            x[2 * i + 1] = (float) (t * StrictMath.sin(angle) + noise * random.nextGaussian());
            labels[i] = arm;
        }
        return RawTable.classification(samples, 2, x, labels, arms, hash(x, labels));
    }

    private static RawTable blobs(DatasetSpec spec, RandomGenerator random) {
        int samples = spec.count("samples");
        int classes = spec.count("classes");
        int features = spec.count("features");
        double separation = spec.number("separation");
        double[][] centres = new double[classes][features];
        for (double[] centre : centres) {
            for (int f = 0; f < features; f++) {
                centre[f] = separation * random.nextGaussian();
            }
        }
        float[] x = new float[samples * features];
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            int label = i % classes;
            for (int f = 0; f < features; f++) {
                x[i * features + f] = (float) (centres[label][f] + random.nextGaussian());
            }
            labels[i] = label;
        }
        return RawTable.classification(samples, features, x, labels, classes, hash(x, labels));
    }

    private static String hash(float[] x, int[] labels) {
        return new ContentHash().floats(x).ints(labels).hex();
    }
}
