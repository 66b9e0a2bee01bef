package io.initsweep.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The update rules a sweep can train with. */
public enum Optimizer {
    /** Plain stochastic gradient descent: θ ← θ − η∇L. */
    SGD("sgd"),
    /**
     * Nesterov momentum (Sutskever et al. 2013), coefficient {@code training.momentum} (default 0.9). DL4J has no
     * heavy-ball momentum; its {@code Nesterovs} updater is what runs.
     */
    MOMENTUM("momentum"),
    /** Adam (Kingma and Ba 2015) with β1 = 0.9, β2 = 0.999, ε = 1e-8. */
    ADAM("adam");

    private final String canonicalName;

    Optimizer(String canonicalName) {
        this.canonicalName = canonicalName;
    }

    public String canonicalName() {
        return canonicalName;
    }

    public static Optional<Optimizer> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(o -> o.canonicalName.equals(wanted)).findFirst();
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(Optimizer::canonicalName).toList());
    }

    @Override
    public String toString() {
        return canonicalName;
    }
}
