package io.initsweep.data;

import io.initsweep.spec.Parameter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The datasets a spec can name under {@code data.dataset}, with the parameters each accepts. Built-in synthetic
 * sets are generated from the data seed (nothing is downloaded, ever); file sets are read from a path.
 */
public enum DatasetKind {
    /**
     * Interleaved spirals in the plane, one class per arm: point t∈[0,1) of arm k sits at radius t and angle
     * {@code 2π·turns·t + 2πk/arms}, plus Gaussian noise of std {@code noise} on each coordinate.
     */
    SPIRALS("spirals", true,
            Parameter.count("samples", 1000, "points in all"),
            Parameter.count("arms", 2, "spiral arms = classes").atLeast(2),
            Parameter.number("noise", 0.05, false, "std of the Gaussian noise on each coordinate"),
            Parameter.number("turns", 1.0, true, "revolutions of each arm")),
    /**
     * Gaussian blobs: class centres drawn from {@code N(0, separation²·I)}, points from {@code N(centre, I)}.
     */
    BLOBS("blobs", true,
            Parameter.count("samples", 1000, "points in all"),
            Parameter.count("classes", 3, "blobs = classes").atLeast(2),
            Parameter.count("features", 2, "dimensions"),
            Parameter.number("separation", 3.0, true, "std of the class centres")),
    ;

    /** Preprocessing parameters every dataset accepts. */
    public static final List<Parameter> COMMON = List.of(
            Parameter.fraction("test-fraction", 0.25, "share of rows held out for testing (no test file given)"),
            Parameter.bool("standardize", true, "scale each feature to mean 0, std 1, fitted on the training split"),
            Parameter.count("subsample", null, "use only this many rows, drawn with the data seed (quick sweeps)")
                    .asOptional());

    private final String canonicalName;
    private final boolean synthetic;
    private final List<Parameter> own;

    DatasetKind(String canonicalName, boolean synthetic, Parameter... own) {
        this.canonicalName = canonicalName;
        this.synthetic = synthetic;
        this.own = List.of(own);
    }

    public String canonicalName() {
        return canonicalName;
    }

    public boolean synthetic() {
        return synthetic;
    }

    /** This kind's own parameters followed by {@link #COMMON}. */
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(own);
        all.addAll(COMMON);
        return all;
    }

    public static Optional<DatasetKind> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(k -> k.canonicalName.equals(wanted)).findFirst();
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(DatasetKind::canonicalName).toList());
    }

    @Override
    public String toString() {
        return canonicalName;
    }
}
