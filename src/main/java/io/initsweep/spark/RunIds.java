package io.initsweep.spark;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/** Run ids: sortable by start time, unique across hosts ({@code 20261122T143012Z-3fa9c1}). */
final class RunIds {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private RunIds() {
    }

    static String next() {
        return FORMAT.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-"
                + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }
}
