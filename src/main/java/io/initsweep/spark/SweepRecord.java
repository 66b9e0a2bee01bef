package io.initsweep.spark;

import java.util.List;

/**
 * What the warehouse keeps about a sweep besides its results: the cells its latest spec asked for (so
 * {@code status} can count the missing ones) and the spec itself. Written at the start of every run, under the
 * sweep's lock, to {@code _sweeps/<sweep>.json}.
 *
 * @param sweep     the sweep's name
 * @param runId     the run that wrote this record
 * @param startedAt when that run started (ISO-8601)
 * @param source    the spec file as the user named it
 * @param spec      the spec's text
 * @param cellIds   every cell of the spec
 */
public record SweepRecord(String sweep, String runId, String startedAt, String source, String spec,
                          List<String> cellIds) {
}
