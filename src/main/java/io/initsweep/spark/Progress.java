package io.initsweep.spark;

import io.initsweep.train.CellResult;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Console progress of a sweep: cells done of total, outcomes so far, elapsed and estimated time left. Prints a
 * line at most every {@code intervalMillis} and always for the last cell, so long sweeps stay readable in logs.
 */
final class Progress {
    private final PrintWriter out;
    private final int total;
    private final long intervalMillis;
    private final long start = System.nanoTime();
    private int done;
    private int diverged;
    private int failed;
    private long lastPrinted;

    Progress(PrintWriter out, int total, long intervalMillis) {
        this.out = out;
        this.total = total;
        this.intervalMillis = intervalMillis;
    }

    synchronized void completed(CellResult result) {
        done++;
        switch (result.status()) {
            case DIVERGED -> diverged++;
            case FAILED -> failed++;
            default -> {
            }
        }
        long now = System.nanoTime();
        if (done == total || (now - lastPrinted) / 1_000_000 >= intervalMillis) {
            lastPrinted = now;
            Duration elapsed = Duration.ofNanos(now - start);
            String eta = done == total ? "0:00" : clock(elapsed.multipliedBy(total - done).dividedBy(done));
            out.printf("[%" + width() + "d/%d] %5.1f%%  diverged %d  failed %d  elapsed %s  eta %s%n", done, total,
                    100.0 * done / total, diverged, failed, clock(elapsed), eta);
            out.flush();
        }
    }

    private int width() {
        return Integer.toString(total).length();
    }

    static String clock(Duration d) {
        long seconds = d.toSeconds();
        return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
