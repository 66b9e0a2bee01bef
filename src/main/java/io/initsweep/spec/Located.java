package io.initsweep.spec;

import java.io.Serializable;

/**
 * A spec value with where it was written, so checks made after parsing (which need the dataset's shape, say)
 * can still point at the line.
 */
public record Located<T>(T value, String path, int line) implements Serializable {
}
