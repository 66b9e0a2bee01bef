package io.initsweep.cli;

import io.initsweep.common.ExitCode;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ctrl-C (SIGINT). By default the JVM would start shutting down at once, and Spark's shutdown hook would stop the
 * SparkContext under the running sweep, which then failed in a cascade of stack traces. Instead, the first Ctrl-C
 * asks the command to stop: a running sweep cancels its cells, commits those that finished, releases its lock and
 * exits with {@link ExitCode#INTERRUPTED}; before a sweep starts, the command stops at its next step. A second
 * Ctrl-C stops the process at once (what was committed stays: commits are atomic).
 */
final class Interrupts {
    private static final AtomicBoolean REQUESTED = new AtomicBoolean();
    private static final AtomicReference<Runnable> STOP = new AtomicReference<>();

    private Interrupts() {
    }

    /** Takes over SIGINT for this process; only {@link Main#main} calls it (tests run commands in their JVM). */
    static void install() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> interrupt());
        } catch (IllegalArgumentException e) {
            // The JVM runs with -Xrs or the platform has no SIGINT: keep the default handling.
        }
    }

    /** What a Ctrl-C does: the first asks the running work to stop, the second ends the process. */
    static void interrupt() {
        if (REQUESTED.getAndSet(true)) {
            System.err.println("interrupted again: stopping now; committed cells are kept");
            Runtime.getRuntime().halt(ExitCode.INTERRUPTED);
        }
        Failures.interrupted();
        quietSpark();
        Runnable stop = STOP.get();
        if (stop != null) {
            stop.run();
        }
    }

    /**
     * What Spark logs about the tasks it kills for us is noise once the user asked to stop: only errors are shown
     * from then on (where Logback is the binding; under spark-submit on a cluster, Spark's own logging stays).
     */
    private static void quietSpark() {
        if (org.slf4j.LoggerFactory.getILoggerFactory().getClass().getName().startsWith("ch.qos.logback.")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.spark"))
                    .setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    /** Whether the user asked to stop; commands check it between their steps. */
    static boolean requested() {
        return REQUESTED.get();
    }

    /**
     * Runs {@code work}, which {@code stop} can interrupt from the signal handler's thread; if Ctrl-C came first,
     * {@code stop} runs before the work starts, so the work sees it at once.
     */
    static <T> T stoppable(Runnable stop, java.util.concurrent.Callable<T> work) throws Exception {
        STOP.set(stop);
        try {
            if (REQUESTED.get()) {
                stop.run();
            }
            return work.call();
        } finally {
            STOP.set(null);
        }
    }
}
