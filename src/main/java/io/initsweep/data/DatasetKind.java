package io.initsweep.data;

import io.initsweep.common.Parameter;

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
    /** XOR of two noisy ±1 inputs: the smallest problem a linear model cannot solve. */
    XOR("xor", true,
            Parameter.count("samples", 1000, "points in all"),
            Parameter.number("noise", 0.1, false, "std of the Gaussian noise added to the ±1 inputs")),
    /** Parity of {@code bits} noisy ±1 inputs: hard for gradient descent as bits grow. */
    PARITY("parity", true,
            Parameter.count("samples", 1000, "points in all"),
            Parameter.count("bits", 4, "input bits").atLeast(2),
            Parameter.number("noise", 0.1, false, "std of the Gaussian noise added to the ±1 inputs")),
    /**
     * Labels from a random "teacher" network: inputs {@code x ~ N(0, I)}, a teacher MLP with LeCun-normal weights
     * ({@code N(0, 1/fan_in)}) and the given activation; classification takes the argmax of its outputs,
     * regression its outputs plus Gaussian noise.
     */
    TEACHER("teacher", true,
            Parameter.count("samples", 1000, "points in all"),
            Parameter.count("features", 10, "input dimensions"),
            Parameter.choice("task", "classification", List.of("classification", "regression"),
                    "classification (argmax) or regression (outputs + noise)"),
            Parameter.count("classes", 2, "classes (classification)").atLeast(2),
            Parameter.count("outputs", 1, "target columns (regression)"),
            Parameter.count("teacher-depth", 2, "hidden layers of the teacher"),
            Parameter.count("teacher-width", 32, "units per teacher hidden layer"),
            Parameter.choice("teacher-activation", "tanh", List.of("tanh", "relu", "sigmoid"),
                    "teacher nonlinearity"),
            Parameter.number("noise", 0.0, false, "std of the noise on regression targets")),
    /**
     * Regression trained with mean squared error: {@code friedman1} (Friedman 1991:
     * {@code y = 10 sin(π x1 x2) + 20 (x3 − 0.5)² + 10 x4 + 5 x5 + ε}, x ~ U(0,1)^features, features ≥ 5, the rest
     * irrelevant) or {@code sine} ({@code y = sin(x) + ε}, x ~ U(−π, π), one feature).
     */
    REGRESSION("regression", true,
            Parameter.count("samples", 1000, "points in all"),
            Parameter.choice("function", "friedman1", List.of("friedman1", "sine"), "friedman1 or sine"),
            Parameter.count("features", DatasetKind.FRIEDMAN_DEFAULT_FEATURES,
                            "input dimensions of friedman1 (>= 5; sine has one)")
                    .atLeast(5),
            Parameter.number("noise", 1.0, false, "std of the Gaussian noise on the target")),
    /**
     * Oriented bars: {@code size × size} grey images (input shape {@code [1, size, size]}) of one bright bar on a
     * dark background, one class per orientation. A bar of class c lies at angle {@code π·c/classes} from the
     * horizontal, give or take a uniform jitter of a quarter of the angle between classes (so neighbouring classes
     * never overlap), centred uniformly in the image's central half, {@code size/3} to {@code 2·size/3} long; a pixel
     * at distance d from the bar's segment has intensity {@code clamp(1.5 − d, 0, 1)} (about two pixels wide,
     * anti-aliased), plus Gaussian noise of std {@code noise} on every pixel. Class c is example i with
     * {@code i mod classes = c}. A task for convolutions: orientation is a local pattern found anywhere.
     */
    BARS("bars", true,
            Parameter.count("samples", 1000, "images in all"),
            Parameter.count("classes", 4, "orientations = classes").atLeast(2),
            Parameter.count("size", 16, "image height and width in pixels").atLeast(8),
            Parameter.number("noise", 0.2, false, "std of the Gaussian noise on every pixel")),
    /**
     * A CSV file with a header: one label column, numeric feature columns (named, or all others). Labels are class
     * indices 0..classes-1 ({@code label-type: index}) or any text mapped to indices in sorted order
     * ({@code label-type: category}); for regression, numbers.
     */
    CSV("csv", false,
            Parameter.text("path", true, "file: a local path or Hadoop URI (file://, hdfs://, s3a://)"),
            Parameter.text("label", true, "label column name"),
            Parameter.texts("features", "feature column names (default: every other column)"),
            Parameter.text("delimiter", false, "field separator (default ,)"),
            Parameter.text("test-path", false, "separate test file with the same columns (default: split)"),
            Parameter.choice("task", "classification", List.of("classification", "regression"),
                    "classification or regression"),
            Parameter.choice("label-type", "index", List.of("index", "category"),
                    "index: labels are 0..classes-1; category: any text, indexed in sorted order"),
            Parameter.count("classes", null, "number of classes; labels outside 0..classes-1 are refused")
                    .asOptional(),
            imageShape()),
    /**
     * Parquet files (one file or a directory) read through Spark: numeric feature columns, or one array column
     * ({@code vector-column}), and a label column.
     */
    PARQUET("parquet", false,
            Parameter.text("path", true, "file or directory: a local path or Hadoop URI"),
            Parameter.text("label", true, "label column name"),
            Parameter.texts("features", "numeric feature columns (default: every other numeric column)"),
            Parameter.text("vector-column", false, "one array<float|double> column holding all features"),
            Parameter.text("test-path", false, "separate test data with the same columns (default: split)"),
            Parameter.choice("task", "classification", List.of("classification", "regression"),
                    "classification or regression"),
            Parameter.count("classes", null, "number of classes; labels outside 0..classes-1 are refused")
                    .asOptional(),
            imageShape()),
    /** LibSVM / SVMlight text: {@code label index:value ...} with 1-based feature indices. */
    LIBSVM("libsvm", false,
            Parameter.text("path", true, "file: a local path or Hadoop URI"),
            Parameter.count("features", null, "feature count (default: the largest index seen)").asOptional(),
            Parameter.choice("label-map", "as-is", List.of("as-is", "one-based", "signed"),
                    "as-is: 0..K-1; one-based: 1..K; signed: -1/+1 (binary)"),
            Parameter.text("test-path", false, "separate test file (default: split)"),
            Parameter.choice("task", "classification", List.of("classification", "regression"),
                    "classification or regression"),
            Parameter.count("classes", null, "number of classes; labels outside 0..classes-1 are refused")
                    .asOptional()),
    /**
     * IDX files (the MNIST / Fashion-MNIST format, raw or gzipped): an unsigned-byte images file (magic 0x803,
     * n×rows×cols) and a labels file (magic 0x801, n). Images keep their shape, {@code [1, rows, cols]} (a network
     * that needs flat rows reads them row-major), and are divided by {@code scale}.
     */
    IDX("idx", false,
            Parameter.text("images", true, "images file (.idx3-ubyte, optionally .gz)"),
            Parameter.text("labels", true, "labels file (.idx1-ubyte, optionally .gz)"),
            Parameter.text("test-images", false, "test images file (default: split)"),
            Parameter.text("test-labels", false, "test labels file (with test-images)"),
            Parameter.number("scale", 255.0, true, "pixels are divided by it"),
            Parameter.count("classes", null, "number of classes (default: largest label + 1)").asOptional()),
    ;

    /**
     * CSV and Parquet rows that are pictures: {@code [channels, height, width]}, whose product must be the feature
     * count; each row's features, in column order (or the vector's), are the picture's values row-major in that
     * order. Without it a row is flat, shape {@code [features]}.
     */
    private static Parameter imageShape() {
        return Parameter.shape("image-shape",
                "[channels, height, width] of each row's features, row-major (default: a flat row)");
    }

    /**
     * The class filter every classification dataset accepts: only rows whose class is listed are kept, before the
     * subsample and the split, and the kept classes are re-indexed 0..K'-1 in the order of their original class
     * indices (numeric labels: ascending; category labels: sorted text). Named apart from {@code classes}, which
     * is a class count for several kinds, so that one key never means two things. Absent, it is not in the
     * dataset's label, so the fingerprint and the cell ids of a spec that does not use it are unchanged.
     */
    public static final Parameter KEEP_CLASSES = Parameter.labels("keep-classes",
            "keep only the rows of these classes (class indices, or label texts for category labels), re-indexed "
                    + "0..K'-1 in their original order");

    /** Preprocessing parameters every dataset accepts. */
    public static final List<Parameter> COMMON = List.of(
            Parameter.fraction("test-fraction", 0.25, "share of rows held out for testing (no test file given)"),
            Parameter.bool("standardize", true,
                    "scale each feature (and regression target) to mean 0, std 1, fitted on the training split"),
            Parameter.count("subsample", null, "use only this many rows, drawn with the data seed (quick sweeps)")
                    .asOptional());

    private static final int FRIEDMAN_DEFAULT_FEATURES = 10;

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

    /**
     * This kind's own parameters followed by {@link #COMMON}, then {@link #KEEP_CLASSES} for every kind that can be
     * a classification.
     */
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(own);
        all.addAll(COMMON);
        if (this != REGRESSION) {
            all.add(KEEP_CLASSES);
        }
        return all;
    }

    /**
     * Problems between parameters that each look fine alone.
     *
     * @param parameters canonical values of this kind's parameters
     */
    public List<String> crossCheck(java.util.Map<String, Object> parameters) {
        List<String> problems = new ArrayList<>();
        if (this == IDX && (parameters.get("test-images") == null) != (parameters.get("test-labels") == null)) {
            problems.add("test-images and test-labels must be given together");
        }
        if (this == PARQUET && parameters.get("features") != null && parameters.get("vector-column") != null) {
            problems.add("give features or vector-column, not both");
        }
        // features is friedman1's. Its default (10) stays in every regression label, sine's too, so the labels
        // and ids of existing sweeps do not change; a sine spec that names another count is refused.
        Object features = parameters.get("features");
        if (this == REGRESSION && "sine".equals(parameters.get("function")) && features != null
                && !Integer.valueOf(FRIEDMAN_DEFAULT_FEATURES).equals(features)) {
            problems.add("function sine has one feature; drop features (got " + features + ")");
        }
        if (parameters.get(KEEP_CLASSES.name()) != null && "regression".equals(parameters.get("task"))) {
            problems.add("keep-classes filters the classes of a classification; this dataset is a regression "
                    + "(task: regression)");
        }
        Object testFraction = parameters.get("test-fraction");
        if (!hasTestFile(parameters) && testFraction instanceof Double f && (f <= 0 || f >= 1)) {
            problems.add("test-fraction must be between 0 and 1, both excluded, when no test file is given (the "
                    + "split needs training and test rows), got " + Parameter.canonicalText(f));
        }
        return problems;
    }

    /** Whether this kind's rows come with a separate test file in these parameters. */
    public static boolean hasTestFile(java.util.Map<String, Object> parameters) {
        return parameters.get("test-path") != null || parameters.get("test-images") != null;
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
