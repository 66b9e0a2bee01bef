package io.initsweep.model;

import java.util.Locale;
import java.util.Optional;

/** The floating-point type a cell's network computes in. */
public enum Precision {
    FLOAT32, FLOAT64;

    public String canonicalName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Precision> byName(String name) {
        for (Precision p : values()) {
            if (p.canonicalName().equals(name.toLowerCase(Locale.ROOT))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
