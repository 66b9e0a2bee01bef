package io.initsweep.data;

import io.initsweep.common.Hashing;

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
            case XOR -> parity(spec.count("samples"), 2, spec.number("noise"), random);
            case PARITY -> parity(spec.count("samples"), spec.count("bits"), spec.number("noise"), random);
            case TEACHER -> teacher(spec, random);
            case REGRESSION -> regression(spec, random);
            case BARS -> bars(spec, random);
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

    /** Inputs ±1 plus noise; the label is the parity of the signs (XOR for two bits). */
    private static RawTable parity(int samples, int bits, double noise, RandomGenerator random) {
        float[] x = new float[samples * bits];
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            int ones = 0;
            for (int b = 0; b < bits; b++) {
                boolean one = random.nextBoolean();
                ones += one ? 1 : 0;
                x[i * bits + b] = (float) ((one ? 1 : -1) + noise * random.nextGaussian());
            }
            labels[i] = ones % 2;
        }
        return RawTable.classification(samples, bits, x, labels, 2, hash(x, labels));
    }

    private static RawTable teacher(DatasetSpec spec, RandomGenerator random) {
        int samples = spec.count("samples");
        int features = spec.count("features");
        boolean classification = spec.text("task").equals("classification");
        int outputs = classification ? spec.count("classes") : spec.count("outputs");
        int depth = spec.count("teacher-depth");
        int width = spec.count("teacher-width");
        String activation = spec.text("teacher-activation");

        // The teacher: LeCun-normal weights, zero biases.
        double[][][] weights = new double[depth + 1][][];
        int in = features;
        for (int layer = 0; layer <= depth; layer++) {
            int out = layer == depth ? outputs : width;
            weights[layer] = new double[in][out];
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < out; j++) {
                    weights[layer][i][j] = random.nextGaussian() / StrictMath.sqrt(in);
                }
            }
            in = out;
        }
        float[] x = new float[samples * features];
        int[] labels = classification ? new int[samples] : null;
        float[] targets = classification ? null : new float[samples * outputs];
        for (int s = 0; s < samples; s++) {
            double[] a = new double[features];
            for (int f = 0; f < features; f++) {
                a[f] = random.nextGaussian();
                x[s * features + f] = (float) a[f];
            }
            for (int layer = 0; layer <= depth; layer++) {
                double[][] w = weights[layer];
                double[] z = new double[w[0].length];
                for (int i = 0; i < a.length; i++) {
                    for (int j = 0; j < z.length; j++) {
                        z[j] += a[i] * w[i][j];
                    }
                }
                if (layer < depth) {
                    for (int j = 0; j < z.length; j++) {
                        z[j] = switch (activation) {
                            case "relu" -> Math.max(0, z[j]);
                            case "sigmoid" -> 1 / (1 + StrictMath.exp(-z[j]));
                            default -> StrictMath.tanh(z[j]);
                        };
                    }
                }
                a = z;
            }
            if (classification) {
                int best = 0;
                for (int j = 1; j < a.length; j++) {
                    best = a[j] > a[best] ? j : best;
                }
                labels[s] = best;
            } else {
                for (int j = 0; j < outputs; j++) {
                    targets[s * outputs + j] = (float) (a[j] + spec.number("noise") * random.nextGaussian());
                }
            }
        }
        return classification ? RawTable.classification(samples, features, x, labels, outputs, hash(x, labels))
                : RawTable.regression(samples, features, x, targets, outputs, hashRegression(x, targets));
    }

    private static RawTable regression(DatasetSpec spec, RandomGenerator random) {
        int samples = spec.count("samples");
        double noise = spec.number("noise");
        boolean sine = spec.text("function").equals("sine");
        int features = sine ? 1 : spec.count("features");
        float[] x = new float[samples * features];
        float[] y = new float[samples];
        for (int s = 0; s < samples; s++) {
            double[] v = new double[features];
            for (int f = 0; f < features; f++) {
                v[f] = sine ? StrictMath.PI * (2 * random.nextDouble() - 1) : random.nextDouble();
                x[s * features + f] = (float) v[f];
            }
            double target = sine ? StrictMath.sin(v[0])
                    : 10 * StrictMath.sin(StrictMath.PI * v[0] * v[1]) + 20 * (v[2] - 0.5) * (v[2] - 0.5)
                    + 10 * v[3] + 5 * v[4];
            y[s] = (float) (target + noise * random.nextGaussian());
        }
        return RawTable.regression(samples, features, x, y, 1, hashRegression(x, y));
    }

    /** Oriented bars, as {@link DatasetKind#BARS} describes them. */
    private static RawTable bars(DatasetSpec spec, RandomGenerator random) {
        int samples = spec.count("samples");
        int classes = spec.count("classes");
        int size = spec.count("size");
        double noise = spec.number("noise");
        int pixels = size * size;
        float[] x = new float[Math.multiplyExact(samples, pixels)];
        int[] labels = new int[samples];
        double spacing = StrictMath.PI / classes;
        for (int s = 0; s < samples; s++) {
            int label = s % classes;
            double angle = spacing * (label + 0.5 * (random.nextDouble() - 0.5));
            double centreX = size * (0.25 + 0.5 * random.nextDouble());
            double centreY = size * (0.25 + 0.5 * random.nextDouble());
            double half = size * (1.0 / 3 + random.nextDouble() / 3) / 2;
            // Image rows grow downwards: an angle counted from the horizontal, anticlockwise, lowers the row.
            double dx = half * StrictMath.cos(angle);
            double dy = -half * StrictMath.sin(angle);
            for (int row = 0; row < size; row++) {
                for (int column = 0; column < size; column++) {
                    double d = distanceToSegment(column + 0.5, row + 0.5, centreX, centreY, dx, dy);
                    double intensity = Math.min(1.0, Math.max(0.0, 1.5 - d));
                    x[s * pixels + row * size + column] = (float) (intensity + noise * random.nextGaussian());
                }
            }
            labels[s] = label;
        }
        return RawTable.classification(samples, pixels, x, labels, classes, hash(x, labels))
                .withShape(java.util.List.of(1, size, size));
    }

    /** Distance from (px, py) to the segment from (cx − dx, cy − dy) to (cx + dx, cy + dy). */
    private static double distanceToSegment(double px, double py, double cx, double cy, double dx, double dy) {
        double length2 = dx * dx + dy * dy;
        double t = length2 == 0 ? 0 : ((px - cx) * dx + (py - cy) * dy) / length2;
        t = Math.max(-1.0, Math.min(1.0, t));
        double ex = px - (cx + t * dx);
        double ey = py - (cy + t * dy);
        return StrictMath.sqrt(ex * ex + ey * ey);
    }

    private static String hashRegression(float[] x, float[] targets) {
        return new ContentHash().floats(x).floats(targets).hex();
    }

    private static String hash(float[] x, int[] labels) {
        return new ContentHash().floats(x).ints(labels).hex();
    }
}
