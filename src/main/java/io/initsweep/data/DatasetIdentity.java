package io.initsweep.data;

/**
 * What identifies a dataset and shapes a network for it, wherever its rows live: in memory ({@link Dataset}) or
 * as a distributed table read by the executors.
 */
public interface DatasetIdentity {
    /** The dataset label with its parameters. */
    String name();

    /** Fingerprint of the content as read plus every preprocessing setting. */
    String sha256();

    Task task();

    int features();

    int outputs();

    int trainRows();

    int testRows();
}
